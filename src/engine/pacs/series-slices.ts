/**
 * The slices of one DICOM series as the objects drawn on them need them (RT Structure Set,
 * SEG): each slice's geometry in patient coordinates, the series checked to be one series of
 * single-frame slices in one frame of reference, ordered along the slice normal.
 */
import { readDataset, type Dataset } from './derived';
import { filesToPush } from './push';

/** A slice's geometry: where pixel (column, row) lies in patient coordinates. */
export interface SliceGeometry {
  origin: number[];
  rowDirection: number[];
  columnDirection: number[];
  /** Millimetres between columns (along a row) and between rows. */
  columnSpacing: number;
  rowSpacing: number;
}

function numbers(value: unknown, length: number): number[] | undefined {
  const list = (Array.isArray(value) ? value : [value]).map(Number);
  return list.length === length && list.every(Number.isFinite) ? list : undefined;
}

/** The slice's geometry, or the sentence saying which attribute it lacks. */
export function geometryOf(slice: Dataset, name: string): SliceGeometry {
  const position = numbers(slice.ImagePositionPatient, 3);
  const orientation = numbers(slice.ImageOrientationPatient, 6);
  const spacing = numbers(slice.PixelSpacing, 2);
  const missing = [
    !position && 'Image Position (Patient)',
    !orientation && 'Image Orientation (Patient)',
    !spacing && 'Pixel Spacing',
  ].filter(Boolean);
  if (missing.length || !position || !orientation || !spacing)
    throw new Error(
      `${name} has no ${missing.join(', ')}: it cannot be placed in patient coordinates without it`,
    );
  return {
    origin: position,
    rowDirection: orientation.slice(0, 3),
    columnDirection: orientation.slice(3, 6),
    // Pixel Spacing is (between rows, between columns).
    rowSpacing: spacing[0],
    columnSpacing: spacing[1],
  };
}

/** One slice of a series: its attributes and its file. */
export interface SeriesSlice {
  slice: Dataset;
  file: string;
}

/**
 * Reads `files` as the slices of one series, in the order given: refuses several series,
 * multi-frame images, slices without one shared Frame of Reference UID or of other sizes.
 */
export function seriesSlices(files: string[], what: string, drawn: string): SeriesSlice[] {
  const slices = files.map((file) => ({ slice: readDataset(file), file }));
  const series = new Set(slices.map((s) => String(s.slice.SeriesInstanceUID)));
  if (series.size > 1)
    throw new Error(`${what} holds ${series.size} series: give the folder or file of one series`);
  for (const { slice, file } of slices)
    if ((Number(slice.NumberOfFrames ?? 1) || 1) !== 1)
      throw new Error(`${file} is a multi-frame image: ${drawn} are drawn on single-frame slices`);
  const frames = new Set(slices.map((s) => String(s.slice.FrameOfReferenceUID ?? '')));
  if (frames.has('') || frames.size > 1)
    throw new Error(`the slices of ${what} do not share one Frame of Reference UID`);
  const [rows, columns] = [Number(slices[0].slice.Rows), Number(slices[0].slice.Columns)];
  for (const { slice, file } of slices)
    if (Number(slice.Rows) !== rows || Number(slice.Columns) !== columns)
      throw new Error(`${file} is ${slice.Rows}x${slice.Columns}, other slices ${rows}x${columns}`);
  return slices;
}

/** The slices of one series under `sourcePath` (a file or a folder), in the order of their position along the slice normal. */
export function orderedSlices(sourcePath: string, drawn: string): SeriesSlice[] {
  const slices = seriesSlices(filesToPush([sourcePath]), sourcePath, drawn);
  const depth = (s: Dataset, file: string): number => {
    const g = geometryOf(s, file);
    const [a, b] = [g.rowDirection, g.columnDirection];
    const normal = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    return normal.reduce((sum, n, k) => sum + n * g.origin[k], 0);
  };
  return slices
    .map((s) => ({ ...s, depth: depth(s.slice, s.file) }))
    .sort((x, y) => x.depth - y.depth || Number(x.slice.InstanceNumber) - Number(y.slice.InstanceNumber));
}
