/**
 * Segmentation or transformation from a CSV whose rows pair an image with
 * its mask or target (`image,mask`, `input_path,target_path,split`). The
 * two columns are those whose cells name files; the mask or target is the
 * one whose header says so (mask, label, seg, gt, target...), else the
 * second. A column of train/validation/test words is the official split.
 */
import { splitColumnOf, splitOf, words } from './columns';
import { FileIndex, isSideFile } from './files';
import { findLabelFile } from './label-file';
import { listColumns, readLabelTable, type Column } from './label-table';
import type { LayoutEntry, LayoutResult } from './types';

/** Header words of the mask or target side. */
const SECOND_SIDE = new Set([
  'mask',
  'masks',
  'label',
  'labels',
  'seg',
  'segmentation',
  'gt',
  'truth',
  'groundtruth',
  'annotation',
  'target',
  'targets',
  'output',
  'clean',
]);

/** Reads a CSV of image and mask (segmentation) or image and target (transformation) paths. */
export async function readPairedCsv(
  root: string,
  task: 'segmentation' | 'transformation',
  options: { labelsFile: string; splitColumn: string },
): Promise<LayoutResult> {
  const what = task === 'segmentation' ? 'mask' : 'target';
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, options.labelsFile, 'csv');
  if (!labelFile) throw new Error(`No CSV of image and ${what} paths found in ${root}: set "labelsFile"`);
  const table = await readLabelTable(files, labelFile);
  const rel = labelFile.rel;
  const paths = table.pathColumns;
  const second = paths.find((c) => words(c.header).some((w) => SECOND_SIDE.has(w))) ?? paths[1];
  const first: Column | undefined = paths.find((c) => c !== second);
  if (!first || !second) {
    throw new Error(
      `${rel} should pair an image with its ${what} in two columns of file paths; ` +
        `its columns are ${listColumns(table)}`,
    );
  }
  const split = splitColumnOf(table, options.splitColumn);
  const skipped: LayoutResult['skipped'] = [];
  const entries: LayoutEntry[] = [];
  const used = new Set<string>();
  table.rows.forEach(({ line }, i) => {
    const where = `${rel} row ${line}`;
    const image = table.resolve(first.values[i]);
    const label = table.resolve(second.values[i]);
    const missing = !image ? first.values[i] : !label ? second.values[i] : undefined;
    if (!image || !label) {
      skipped.push({
        file: where,
        reason: `names ${missing || '(nothing)'}, which is not in the dataset folder`,
      });
      return;
    }
    const officialSplit = split ? splitOf(split.values[i]) : undefined;
    entries.push({
      file: image,
      label: { kind: task === 'segmentation' ? 'mask' : 'target', file: label },
      stratum: 0,
      ...(officialSplit ? { split: officialSplit } : {}),
    });
    used.add(image.rel).add(label.rel);
  });
  for (const f of files.all) {
    if (!used.has(f.rel) && !isSideFile(f.rel)) skipped.push({ file: f.rel, reason: `not listed in ${rel}` });
  }
  return {
    layout: task === 'segmentation' ? 'mask-csv' : 'paired-csv',
    choice: {
      labelSource: `${rel}: images in ${first.title}, ${what}s in ${second.title}`,
      ...(split ? { splitSource: `${rel}, ${split.title}` } : {}),
      rejected: [],
    },
    task,
    classes: [],
    entries,
    skipped,
    files: files.all,
  };
}
