/**
 * Picks and runs the layout of a dataset folder: the one the user named, or
 * for `auto` the one the task and the folder's contents point to.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Task } from '../../api';
import type { DatasetParams, Layout } from '../params';
import { readClassFolders } from './class-folders';
import { parseCsv } from '../csv';
import { readAutoClassification } from './classification';
import { readCsvClasses } from './csv-classes';
import { detectDecathlon, readMsd, readNnUnet } from './decathlon';
import { looksLikeBoxes, readCoco, readDetectionCsv } from './detection';
import { guessMaskClasses, MASKS_SAMPLED, parseClassMap, type MaskClasses } from './mask-classes';
import { filesPairUp, readPairedFolders } from './paired';
import { readPairedCsv } from './paired-csv';
import type { LayoutResult } from './types';

/** Which task each concrete layout serves. */
export const LAYOUT_TASK: Record<Exclude<Layout, 'auto'>, Task> = {
  'class-folders': 'classification',
  csv: 'classification',
  'one-hot-csv': 'classification',
  'mask-folders': 'segmentation',
  'detection-csv': 'detection',
  coco: 'detection',
  'paired-folders': 'transformation',
  'mask-csv': 'segmentation',
  'paired-csv': 'transformation',
  msd: 'segmentation',
  nnunet: 'segmentation',
};

/** The layout `auto` means for a task other than classification (see `readAutoClassification`). */
async function detectLayout(
  root: string,
  params: DatasetParams,
): Promise<Exclude<Layout, 'auto' | 'class-folders' | 'csv' | 'one-hot-csv'>> {
  const labels = params.labelsFile.toLowerCase();
  const names = (await readdir(root)).map((n) => n.toLowerCase());
  const hasJson = labels.endsWith('.json') || names.some((n) => n.endsWith('.json'));
  const hasCsv = labels.endsWith('.csv') || names.some((n) => n.endsWith('.csv'));
  switch (params.task) {
    case 'detection':
      return hasJson && !labels.endsWith('.csv') ? 'coco' : 'detection-csv';
    case 'segmentation': {
      // imagesTr/ + labelsTr/ + dataset.json (Decathlon, nnU-Net) first: their names say what they are.
      const decathlon = await detectDecathlon(root);
      if (decathlon) return decathlon;
      // Folders whose files pair up win; a CSV of image and mask paths is the other way to pair them.
      return hasCsv && !(await filesPairUp(root, 'segmentation')) ? 'mask-csv' : 'mask-folders';
    }
    default:
      return hasCsv && !(await filesPairUp(root, 'transformation')) ? 'paired-csv' : 'paired-folders';
  }
}

/**
 * The task a folder most likely holds, for `phi inspect` on a folder: image
 * and mask folders whose files pair up by name mean segmentation, input and
 * target folders that pair up transformation, a COCO JSON or a box CSV
 * detection; otherwise classification.
 */
export async function guessTask(root: string): Promise<Task> {
  const entries = await readdir(root, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const files = entries.filter((e) => e.isFile()).map((e) => e.name);
  const has = (names: readonly string[]): boolean =>
    dirs.some((d) => names.some((n) => n.toLowerCase() === d.toLowerCase()));
  if (await detectDecathlon(root)) return 'segmentation';
  // Folder names alone are not enough: `a/` and `b/` of unrelated images are classes, not input and target.
  // input/ + target/ is transformation, though input/ and gt/ alone read as image and mask folders.
  if (!has(['target', 'targets']) && (await filesPairUp(root, 'segmentation'))) return 'segmentation';
  if (await filesPairUp(root, 'transformation')) return 'transformation';
  for (const f of files.filter((n) => n.toLowerCase().endsWith('.json'))) {
    const text = await readFile(join(root, f), 'utf8').catch(() => '');
    if (/"annotations"\s*:/.test(text) && /"images"\s*:/.test(text)) return 'detection';
  }
  for (const f of files.filter((n) => n.toLowerCase().endsWith('.csv'))) {
    if (looksLikeBoxes(parseCsv(await readFile(join(root, f), 'utf8')))) return 'detection';
  }
  return 'classification';
}

/** A layout's reading plus, for segmentation, the mask value map. */
export interface ReadLayout extends LayoutResult {
  maskClasses?: MaskClasses;
}

/** Adds the mask classes of a segmentation reading: from `classMap`, else guessed from the first masks. */
async function withMaskClasses(result: LayoutResult, classMap: string): Promise<ReadLayout> {
  const maskClasses = classMap ? parseClassMap(classMap) : await guessMaskClasses(result.entries);
  const classSource = classMap
    ? 'classes from "classMap"'
    : `classes guessed from the values of the first ${MASKS_SAMPLED} masks`;
  const choice = { ...result.choice, labelSource: `${result.choice.labelSource}; ${classSource}` };
  return { ...result, choice, classes: maskClasses.classes, maskClasses };
}

/** Reads a dataset folder with the layout the params name (or detect). */
export async function readLayout(root: string, params: DatasetParams): Promise<ReadLayout> {
  if (params.layout === 'auto' && params.task === 'classification')
    return readAutoClassification(root, params);
  const layout = params.layout === 'auto' ? await detectLayout(root, params) : params.layout;
  if (LAYOUT_TASK[layout] !== params.task) {
    throw new Error(`Layout "${layout}" is for ${LAYOUT_TASK[layout]}, but the task is ${params.task}`);
  }
  const columns = {
    labelsFile: params.labelsFile,
    labelColumn: params.labelColumn,
    splitColumn: params.splitColumn,
  };
  switch (layout) {
    case 'class-folders':
      return readClassFolders(root);
    case 'csv':
      return readCsvClasses(root, { ...columns, oneHot: false });
    case 'one-hot-csv':
      return readCsvClasses(root, { ...columns, oneHot: true });
    case 'detection-csv':
      return readDetectionCsv(root, columns);
    case 'coco':
      return readCoco(root, params.labelsFile);
    case 'paired-folders':
      return readPairedFolders(root, 'transformation', []);
    case 'paired-csv':
      return readPairedCsv(root, 'transformation', columns);
    case 'mask-folders':
      return withMaskClasses(await readPairedFolders(root, 'segmentation', []), params.classMap);
    case 'mask-csv':
      return withMaskClasses(await readPairedCsv(root, 'segmentation', columns), params.classMap);
    case 'msd':
    case 'nnunet': {
      // Classes come from dataset.json's "labels" unless classMap overrides them.
      const classMap = params.classMap ? parseClassMap(params.classMap) : undefined;
      const read = await (layout === 'msd' ? readMsd : readNnUnet)(root, classMap);
      const source = classMap ? 'classes from "classMap"' : 'classes from dataset.json "labels"';
      return { ...read, choice: { ...read.choice, labelSource: `${read.choice.labelSource}; ${source}` } };
    }
  }
}
