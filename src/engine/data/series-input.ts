/**
 * DICOM series among loose input files (`phi predict` on a folder): slices of one series in one
 * folder become one volume, ordered and spaced as a dataset's series are (`series.ts`), with the
 * voxel-to-RAS affine their ImagePositionPatient and ImageOrientationPatient give, so a mask
 * predicted on the volume is written as NIfTI in the series' own place in the patient.
 */
import { relative } from 'node:path';
import { stack } from '../imaging/image';
import type { IndexedEntry } from './indexer';
import { decodeImage, openImage } from './readers';
import type { DecodedImage } from './readers/types';
import { assembleSeries, seriesPlacement } from './series';

/** One assembled series: its volume, and where its voxels lie. */
export interface SeriesVolume {
  /** The folder (relative to the input root), with the series' hash when the folder holds several. */
  id: string;
  files: string[];
  image: DecodedImage;
  /** Rows of the voxel (column, row, slice) to RAS millimetre map, 3 x 4; undefined without positions. */
  affine?: number[][];
}

/**
 * Splits `files` (absolute, under `root`) into assembled DICOM series volumes and the files that
 * stay single; a file whose header cannot be read stays single (its own read says why).
 */
export async function seriesVolumes(
  root: string,
  files: string[],
): Promise<{ volumes: SeriesVolume[]; singles: string[] }> {
  const entries: IndexedEntry[] = [];
  const unread: string[] = [];
  for (const abs of files) {
    try {
      const header = (await openImage(abs)).header;
      const rel = relative(root, abs).split('\\').join('/');
      entries.push({ entry: { file: { rel, abs, size: 0, mtimeMs: 0 }, stratum: 0 }, header });
    } catch {
      unread.push(abs);
    }
  }
  const { volumes, singles } = assembleSeries(entries);
  const out: SeriesVolume[] = [];
  for (const v of volumes) {
    const slices: DecodedImage[] = [];
    for (const m of v.members) slices.push(await decodeImage(m.entry.file.abs));
    const image: DecodedImage = {
      ...slices[0],
      data: stack(slices.map((s) => s.data)),
      shape: v.shape,
      ...(v.spacing ? { spacing: v.spacing } : {}),
      meta: { ...slices[0].meta, slices: slices.length, ...seriesPlacement(v.affine) },
    };
    out.push({
      id: v.id,
      files: v.members.map((m) => m.entry.file.abs),
      image,
      ...(v.affine ? { affine: v.affine } : {}),
    });
  }
  return { volumes: out, singles: [...singles.map((e) => e.entry.file.abs), ...unread].sort() };
}

/** One input of `phi predict`: a file, or a DICOM series (whose `file` is its first slice). */
export interface PredictInput {
  id: string;
  file: string;
  series?: SeriesVolume;
}

/**
 * The inputs of `phi predict` among `files` under `root`: with `volumes` (a 3-D network) each DICOM
 * series is one input and the other files one each; without, every file is its own input.
 */
export async function predictInputs(
  root: string,
  files: string[],
  volumes: boolean,
): Promise<PredictInput[]> {
  const one = (file: string): PredictInput => ({ id: relative(root, file), file });
  if (!volumes) return files.map(one);
  const { volumes: series, singles } = await seriesVolumes(root, files);
  return [...series.map((s) => ({ id: s.id, file: s.files[0], series: s })), ...singles.map(one)];
}
