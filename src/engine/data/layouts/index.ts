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
import { looksOneHot, readCsvClasses } from './csv-classes';
import { readCoco, readDetectionCsv } from './detection';
import { guessMaskClasses, parseClassMap, type MaskClasses } from './mask-classes';
import { PAIR_FOLDERS, readPairedFolders } from './paired';
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
};

/** The layout `auto` means for this task and folder. */
async function detectLayout(root: string, params: DatasetParams): Promise<Exclude<Layout, 'auto'>> {
  const names = (await readdir(root)).map((n) => n.toLowerCase());
  const labels = params.labelsFile.toLowerCase();
  const hasCsv = labels.endsWith('.csv') || names.some((n) => n.endsWith('.csv'));
  const hasJson = labels.endsWith('.json') || names.some((n) => n.endsWith('.json'));
  switch (params.task) {
    case 'classification':
      return hasCsv ? 'csv' : 'class-folders';
    case 'segmentation':
      return 'mask-folders';
    case 'detection':
      return hasJson && !labels.endsWith('.csv') ? 'coco' : 'detection-csv';
    case 'transformation':
      return 'paired-folders';
  }
}

/**
 * The task a folder most likely holds, for `phi inspect` on a folder: image
 * and mask folders mean segmentation, input and target folders
 * transformation, a COCO JSON or a box CSV detection; otherwise classification.
 */
export async function guessTask(root: string): Promise<Task> {
  const entries = await readdir(root, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const files = entries.filter((e) => e.isFile()).map((e) => e.name);
  const has = (names: readonly string[]): boolean =>
    dirs.some((d) => names.some((n) => n.toLowerCase() === d.toLowerCase()));
  // input/ + target/ is transformation, though input/ and gt/ alone read as image and mask folders.
  const transformation = has(PAIR_FOLDERS.transformation.images) && has(PAIR_FOLDERS.transformation.labels);
  if (
    has(PAIR_FOLDERS.segmentation.images) &&
    has(PAIR_FOLDERS.segmentation.labels) &&
    !has(['target', 'targets'])
  ) {
    return 'segmentation';
  }
  if (transformation) return 'transformation';
  for (const f of files.filter((n) => n.toLowerCase().endsWith('.json'))) {
    const text = await readFile(join(root, f), 'utf8').catch(() => '');
    if (/"annotations"\s*:/.test(text) && /"images"\s*:/.test(text)) return 'detection';
  }
  for (const f of files.filter((n) => n.toLowerCase().endsWith('.csv'))) {
    const rows = parseCsv(await readFile(join(root, f), 'utf8'));
    if (rows.length > 0 && rows[0].length >= 6 && !looksOneHot(rows)) return 'detection';
  }
  return 'classification';
}

/** A layout's reading plus, for segmentation, the mask value map. */
export interface ReadLayout extends LayoutResult {
  maskClasses?: MaskClasses;
}

/** Reads a dataset folder with the layout the params name (or detect). */
export async function readLayout(root: string, params: DatasetParams): Promise<ReadLayout> {
  const layout = params.layout === 'auto' ? await detectLayout(root, params) : params.layout;
  if (LAYOUT_TASK[layout] !== params.task) {
    throw new Error(`Layout "${layout}" is for ${LAYOUT_TASK[layout]}, but the task is ${params.task}`);
  }
  switch (layout) {
    case 'class-folders':
      return readClassFolders(root);
    case 'csv':
      return readCsvClasses(root, params.labelsFile, params.layout === 'csv' ? false : undefined);
    case 'one-hot-csv':
      return readCsvClasses(root, params.labelsFile, true);
    case 'detection-csv':
      return readDetectionCsv(root, params.labelsFile);
    case 'coco':
      return readCoco(root, params.labelsFile);
    case 'paired-folders':
      return readPairedFolders(root, 'transformation', []);
    case 'mask-folders': {
      const result = await readPairedFolders(root, 'segmentation', []);
      const maskClasses = params.classMap
        ? parseClassMap(params.classMap)
        : await guessMaskClasses(result.entries);
      return { ...result, classes: maskClasses.classes, maskClasses };
    }
  }
}
