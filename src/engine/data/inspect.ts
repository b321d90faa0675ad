/**
 * What `phi inspect` reports (and what the engine can show for a file):
 * per file the format, shape, dtype, modality, unit, photometric
 * interpretation and min/max/mean of the values as the engine will use them
 * (after rescale; frame 0 and overall) and of the stored values, or the
 * error; for a dataset folder also its summary.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { dtypeOf, type PixelArray, type Task } from '../api';
import { openDataset } from './dataset-node';
import { guessTask } from './layouts';
import { isSideFile } from './layouts/files';
import type { DatasetParams } from './params';
import { datasetParamsSchema } from './params';
import { mapLimit } from './pool';
import { messageOf, openImage } from './readers';
import type { ImageHeader } from './readers/types';
import { valueStats, type ValueStats } from './stats';
import { summarizeDataset, type DatasetSummary } from './summary';
import { walkFiles } from './walk';

/** One file as inspected: its facts and value stats, or why it cannot be read. */
export type FileReport =
  | ({
      file: string;
      format: string;
      shape: number[];
      dtype: string;
      colorMode: string;
      modality: string;
      unit: string;
      spacing: number[] | null;
      /** DICOM Photometric Interpretation (MONOCHROME1, PALETTE COLOR...); null for other formats. */
      photometric: string | null;
      /** Stats of the stored values, before rescale (equal to `rescaled` when the file has none). */
      stored: ValueStats;
      /** Stats of the values after rescale: the values the engine uses (also the top-level min/max/mean). */
      rescaled: ValueStats;
      /** Stats of the first frame (slice, page); equal to overall for 2-D images. */
      frame0: ValueStats;
    } & ValueStats)
  | { file: string; error: string };

/** The whole report for a file or folder. */
export interface InspectReport {
  path: string;
  kind: 'file' | 'folder';
  files: FileReport[];
  /** Files not inspected because of `limit`. */
  notInspected: number;
  /**
   * For folders with class folders or a label file (or when dataset params are given): the dataset
   * as the Dataset node would open it, or why it cannot be. Absent for a folder of loose images.
   */
  dataset?: (DatasetSummary & { params: Pick<DatasetParams, 'task' | 'layout'> }) | { error: string };
}

/** Options of {@link inspectPath}. */
export interface InspectOptions {
  /** Dataset node params for folders (task, layout, labelsFile...); task is guessed when absent. */
  params?: Partial<DatasetParams>;
  /** Inspect at most this many files of a folder (all when absent). */
  limit?: number;
}

/**
 * Stats of the stored values, from the decoded ones and the linear rescale of each frame:
 * v = stored * slope + intercept, so stored = (v - intercept) / slope, frame by frame.
 */
function storedStats(
  data: PixelArray,
  frames: number,
  rescale: NonNullable<ImageHeader['rescale']>,
): ValueStats {
  const per = data.length / frames;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let weight = 0;
  for (let f = 0; f < frames; f++) {
    const s = valueStats(data, f * per, (f + 1) * per);
    if (s.min === null || s.max === null || s.mean === null) continue;
    const slope = rescale.slopes[f] ?? rescale.slopes[0];
    const intercept = rescale.intercepts[f] ?? rescale.intercepts[0];
    const back = (v: number): number => {
      const stored = (v - intercept) / slope;
      return rescale.storedIntegers ? Math.round(stored) : stored;
    };
    const [a, b] = [back(s.min), back(s.max)];
    min = Math.min(min, a, b);
    max = Math.max(max, a, b);
    sum += ((s.mean - intercept) / slope) * per;
    weight += per;
  }
  return weight === 0 ? { min: null, max: null, mean: null } : { min, max, mean: sum / weight };
}

/** Decodes one file fully and reports it. */
export async function inspectFile(abs: string, name: string): Promise<FileReport> {
  try {
    const opened = await openImage(abs);
    const image = await opened.decode();
    const frames = image.shape.length === 4 ? image.shape[0] : 1;
    const perFrame = image.data.length / frames;
    const rescaled = valueStats(image.data);
    const rescale = opened.header.rescale;
    const photometric = image.meta.PhotometricInterpretation;
    return {
      file: name,
      format: opened.header.format,
      shape: image.shape,
      dtype: dtypeOf(image.data),
      colorMode: image.colorMode,
      modality: image.modality ?? 'unknown',
      unit: image.unit ?? 'raw',
      spacing: image.spacing ?? null,
      photometric: typeof photometric === 'string' ? photometric : null,
      ...rescaled,
      stored: rescale ? storedStats(image.data, frames, rescale) : rescaled,
      rescaled,
      frame0: valueStats(image.data, 0, perFrame),
    };
  } catch (error) {
    return { file: name, error: messageOf(error) };
  }
}

/** Inspects a file or a dataset folder. Throws only when the path does not exist. */
export async function inspectPath(path: string, options: InspectOptions = {}): Promise<InspectReport> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`No such file or folder: ${path}`);
  if (!info.isDirectory()) {
    return { path, kind: 'file', files: [await inspectFile(path, basename(path))], notInspected: 0 };
  }
  const all: { rel: string; abs: string }[] = [];
  for await (const f of walkFiles(path)) if (!isSideFile(f.rel)) all.push(f);
  const limit = options.limit ?? all.length;
  const chosen = all.slice(0, limit);
  const files = await mapLimit(chosen, 4, (f) => inspectFile(f.abs, f.rel));
  const explicit = Object.keys(options.params ?? {}).length > 0;
  const entries = await readdir(path, { withFileTypes: true });
  const looksLikeDataset = entries.some(
    (e) => (e.isDirectory() && !e.name.startsWith('.')) || (e.isFile() && isSideFile(e.name)),
  );
  if (!explicit && !looksLikeDataset) {
    // A folder of loose images is not a dataset (no class folders, no label file): report the files only.
    return { path, kind: 'folder', files, notInspected: all.length - chosen.length };
  }
  const task: Task = options.params?.task ?? (await guessTask(path));
  const params = datasetParamsSchema.parse({ ...options.params, task, path });
  let dataset: InspectReport['dataset'];
  try {
    const source = await openDataset(path, params);
    dataset = { ...(await summarizeDataset(source)), params: { task: params.task, layout: params.layout } };
  } catch (error) {
    dataset = { error: messageOf(error) };
  }
  return { path, kind: 'folder', files, notInspected: all.length - chosen.length, dataset };
}
