/**
 * A DICOM Segmentation (SEG, binary) from a mask and the DICOM image or series it was
 * drawn on, with dcmjs's `derivations.Segmentation`: one segment per distinct
 * non-zero mask value (0/255 and 0/1 masks give one segment), frames referencing
 * the source instance, in its study and frame of reference, so a PACS files it
 * beside the image. Masks: PNG (first channel), `.npy` or NIfTI, of the source's
 * rows x columns, or frames x rows x columns for a multi-frame source, or slices x
 * rows x columns for a series (slices ordered along their normal). A series' SEG
 * has one frame per slice per segment, each with its slice's Image Position
 * (Patient) and a reference to its slice; the series' orientation, pixel spacing
 * and slice thickness are shared by all frames.
 */
import { readFileSync, statSync } from 'node:fs';
import { decodeImage } from '../data/readers';
import { parseNpy } from '../nn/io/npy';
import { lib, readPart10 } from './dcmjs';
import { referenceTo, writePart10, type Dataset } from './derived';
import { geometryOf, orderedSlices, seriesSlices, type SeriesSlice } from './series-slices';

/** The values of a mask file and its shape without channels. */
export async function readMask(file: string): Promise<{ values: ArrayLike<number>; shape: number[] }> {
  if (file.toLowerCase().endsWith('.npy')) {
    const array = parseNpy(new Uint8Array(readFileSync(file)));
    return { values: array.data, shape: array.shape };
  }
  const image = await decodeImage(file);
  // A NIfTI volume: slices x rows x columns, as its voxels are stored.
  if (image.shape.length === 4 && image.shape[3] === 1)
    return { values: image.data, shape: image.shape.slice(0, 3) };
  const [h, w, c] = image.shape;
  if (c === 1) return { values: image.data, shape: [h, w] };
  const first = new Float64Array(h * w);
  for (let i = 0; i < first.length; i++) first[i] = image.data[i * c];
  return { values: first, shape: [h, w] };
}

/** The distinct non-zero values of a mask, in order; refuses an empty mask. */
export function maskClasses(values: ArrayLike<number>): number[] {
  const classes = [...new Set(Array.from(values, Math.round))].filter((v) => v !== 0).sort((a, b) => a - b);
  if (!classes.length) throw new Error('the mask is empty (every value is 0): there is nothing to segment');
  return classes;
}

/**
 * The source as the enhanced multi-frame dataset dcmjs's Segmentation derives from: as it is
 * when it has functional groups, else its one frame described by them (dcmjs's Normalizer
 * needs two or more slices to do this).
 */
function asMultiframe(image: Record<string, unknown>, frames: number): Record<string, unknown> {
  if (image.PerFrameFunctionalGroupsSequence) return image;
  if (frames !== 1)
    throw new Error(
      'a multi-frame source without per-frame functional groups cannot be referenced frame by frame',
    );
  const pixelMeasures: Record<string, unknown> = { PixelSpacing: image.PixelSpacing };
  if (image.SliceThickness !== undefined) pixelMeasures.SliceThickness = image.SliceThickness;
  if (image.SpacingBetweenSlices !== undefined)
    pixelMeasures.SpacingBetweenSlices = image.SpacingBetweenSlices;
  return {
    ...image,
    NumberOfFrames: 1,
    SharedFunctionalGroupsSequence: {
      PlaneOrientationSequence: {
        ImageOrientationPatient: image.ImageOrientationPatient ?? [1, 0, 0, 0, 1, 0],
      },
      PixelMeasuresSequence: pixelMeasures,
    },
    PerFrameFunctionalGroupsSequence: [
      { PlanePositionSequence: { ImagePositionPatient: image.ImagePositionPatient ?? [0, 0, 0] } },
    ],
  };
}

/** Numbers as DICOM decimal strings take them: at most 16 characters each, the most digits that fit. */
function decimalStrings(value: unknown): number[] {
  return (Array.isArray(value) ? value : [value]).map((v) => {
    const n = Number(v);
    for (let digits = 16; digits > 1; digits--) {
      const fitted = Number(n.toPrecision(digits));
      if (String(fitted).length <= 16) return fitted;
    }
    return Math.round(n);
  });
}

/**
 * The slices of a series as one enhanced multi-frame dataset: frame k is slice k, with its
 * position; the series' orientation and pixel measures are shared; each frame references its slice.
 */
function seriesAsMultiframe(slices: SeriesSlice[], what: string): Dataset {
  const first = slices[0].slice;
  const geometries = slices.map(({ slice, file }) => geometryOf(slice, file));
  const [row, column] = [geometries[0].rowDirection, geometries[0].columnDirection];
  const tilted = geometries.findIndex((g) =>
    [...g.rowDirection, ...g.columnDirection].some((v, k) => Math.abs(v - [...row, ...column][k]) > 1e-4),
  );
  if (tilted >= 0)
    throw new Error(
      `${slices[tilted].file} is not parallel to the other slices of ${what} (another Image Orientation (Patient)): give the slices of one orientation`,
    );
  const pixelMeasures: Dataset = { PixelSpacing: first.PixelSpacing };
  if (first.SliceThickness !== undefined) pixelMeasures.SliceThickness = first.SliceThickness;
  if (slices.length > 1) {
    const normal = [
      row[1] * column[2] - row[2] * column[1],
      row[2] * column[0] - row[0] * column[2],
      row[0] * column[1] - row[1] * column[0],
    ];
    const depth = (k: number): number => normal.reduce((sum, n, a) => sum + n * geometries[k].origin[a], 0);
    pixelMeasures.SpacingBetweenSlices = Number(
      Math.abs((depth(slices.length - 1) - depth(0)) / (slices.length - 1)).toFixed(6),
    );
  }
  return {
    ...first,
    NumberOfFrames: slices.length,
    SharedFunctionalGroupsSequence: {
      PlaneOrientationSequence: { ImageOrientationPatient: decimalStrings(first.ImageOrientationPatient) },
      PixelMeasuresSequence: pixelMeasures,
    },
    PerFrameFunctionalGroupsSequence: slices.map(({ slice }) => ({
      PlanePositionSequence: { ImagePositionPatient: decimalStrings(slice.ImagePositionPatient) },
    })),
    // dcmjs references frame k's source as the k-th instance here.
    ReferencedSeriesSequence: {
      SeriesInstanceUID: first.SeriesInstanceUID,
      ReferencedInstanceSequence: slices.map(({ slice }) => referenceTo(slice)),
    },
  };
}

/** One segment: the mask value it is made of and its label. */
export interface Segment {
  value: number;
  label: string;
}

/** The SEG's Part-10 bytes: `values` (frames x rows x columns) cut into one binary frame set per segment. */
function segmentation(
  reference: Dataset,
  frames: number,
  values: ArrayLike<number>,
  segments: Segment[],
  description: string | undefined,
): Uint8Array {
  const seg = new lib.derivations.Segmentation([reference], { includeSliceSpacing: true });
  seg.setNumberOfFrames(segments.length * frames);
  const frameNumbers = Array.from({ length: frames }, (_, k) => k + 1);
  const pixels = new Uint8Array(values.length);
  for (const { value, label } of segments) {
    // A plain loop: Uint8Array.from with a mapping function is ten times slower on whole volumes.
    for (let i = 0; i < values.length; i++) pixels[i] = Math.round(values[i]) === value ? 1 : 0;
    seg.addSegment(
      {
        SegmentLabel: label,
        SegmentAlgorithmType: 'AUTOMATIC',
        SegmentAlgorithmName: 'Phi Studio',
        SegmentedPropertyCategoryCodeSequence: {
          CodeValue: '91723000',
          CodingSchemeDesignator: 'SCT',
          CodeMeaning: 'Anatomical structure',
        },
        SegmentedPropertyTypeCodeSequence: {
          CodeValue: '85756007',
          CodingSchemeDesignator: 'SCT',
          CodeMeaning: 'Tissue',
        },
      },
      pixels,
      frameNumbers,
    );
  }
  seg.bitPackPixelData();
  const dataset = seg.dataset;
  dataset.SeriesDescription = description ?? 'Phi Studio segmentation';
  dataset.Manufacturer = 'Phi Studio';
  return writePart10(dataset);
}

/** Options of the SEG. */
export interface SegOptions {
  /** Segment labels, in the order of the mask values; default `segment N` (N the mask value). */
  labels?: string[];
  /** Series description of the SEG. */
  description?: string;
}

/** The source of a SEG read as one dataset of `frames` frames, from a file or the folder of one series. */
function sourceOf(sourcePath: string): { reference: Dataset; frames: number; series: boolean } {
  if (statSync(sourcePath, { throwIfNoEntry: false })?.isDirectory()) {
    const slices = orderedSlices(sourcePath, 'SEGs');
    return { reference: seriesAsMultiframe(slices, sourcePath), frames: slices.length, series: true };
  }
  const { DicomMetaDictionary } = lib.data;
  const source = readPart10(new Uint8Array(readFileSync(sourcePath)));
  const image = DicomMetaDictionary.naturalizeDataset(source.dict);
  image._meta = DicomMetaDictionary.naturalizeDataset(source.meta);
  const frames = Number(image.NumberOfFrames ?? 1) || 1;
  return { reference: asMultiframe(image, frames), frames, series: false };
}

/**
 * Builds the SEG of `maskFile` drawn on `sourcePath` (a DICOM file, or the folder of one
 * series); returns its Part-10 bytes and the mask values that became segments.
 */
export async function buildSeg(
  maskFile: string,
  sourcePath: string,
  options: SegOptions = {},
): Promise<{ bytes: Uint8Array; segments: number[]; frames: number }> {
  const { reference, frames, series } = sourceOf(sourcePath);
  const rows = Number(reference.Rows);
  const columns = Number(reference.Columns);
  const { values, shape } = await readMask(maskFile);
  const expected = frames === 1 && !series ? [rows, columns] : [frames, rows, columns];
  const squeezed = shape.filter((d, k) => d !== 1 || k >= shape.length - 2);
  const given = series && squeezed.length === 2 ? [1, ...squeezed] : squeezed;
  if (given.join('x') !== expected.join('x'))
    throw new Error(
      `the mask is ${shape.join('x')} but the source ${series ? 'series' : 'image'} is ${expected.join('x')} (${series ? 'slices x rows x columns, slices ordered along their normal' : frames === 1 ? 'rows x columns' : 'frames x rows x columns'})`,
    );
  const classes = maskClasses(values);
  const segments = classes.map((value, k) => ({ value, label: options.labels?.[k] ?? `segment ${value}` }));
  return {
    bytes: segmentation(reference, frames, values, segments, options.description),
    segments: classes,
    frames,
  };
}

/**
 * The SEG of a volume mask predicted on a DICOM series: `values` is slices x rows x columns
 * with slice k drawn on `sliceFiles[k]`; one segment per entry of `segments`, even one that
 * marks no voxel, so that every class the network names is in the SEG.
 */
export function buildSeriesSeg(
  values: ArrayLike<number>,
  sliceFiles: string[],
  segments: Segment[],
  options: { description?: string; /** How refusals name the series. */ what?: string } = {},
): Uint8Array {
  const what = options.what ?? `the series of ${sliceFiles[0]}`;
  const slices = seriesSlices(sliceFiles, what, 'SEGs');
  const reference = seriesAsMultiframe(slices, what);
  const expected = slices.length * Number(reference.Rows) * Number(reference.Columns);
  if (values.length !== expected)
    throw new Error(
      `the mask has ${values.length} voxels but the series ${slices.length} x ${reference.Rows} x ${reference.Columns}`,
    );
  return segmentation(reference, slices.length, values, segments, options.description);
}
