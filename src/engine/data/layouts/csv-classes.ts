/**
 * Classification from a CSV: `filename,class` (one class per image), or
 * `filename,classA,classB,...` with 0/1 per class (multi-label, "one-hot").
 * A header row is recognised and skipped; rows naming missing files are
 * reported and left out.
 */
import { parseCsv } from '../csv';
import { FileIndex, isSideFile } from './files';
import { findLabelFile, readLabelText } from './label-file';
import type { LayoutEntry, LayoutResult } from './types';

const isBinary = (v: string): boolean => v === '0' || v === '1';

/** True when a CSV's rows look like one-hot labels (filename + several 0/1 columns). */
export function looksOneHot(rows: string[][]): boolean {
  const body = rows.slice(1);
  return rows[0].length > 2 && body.length > 0 && body.every((r) => r.slice(1).every(isBinary));
}

/** Reads a classification CSV dataset; `oneHot` undefined = decide from the file. */
export async function readCsvClasses(
  root: string,
  labelsFile: string,
  oneHot?: boolean,
): Promise<LayoutResult> {
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, labelsFile, 'csv');
  if (!labelFile)
    throw new Error(`No labels CSV found in ${root}: add labels.csv (filename,class) or set "labelsFile"`);
  const rows = parseCsv(await readLabelText(labelFile));
  if (rows.length === 0) throw new Error(`Label file ${labelFile.rel} is empty`);
  const multi = oneHot ?? looksOneHot(rows);
  const skipped: LayoutResult['skipped'] = [];
  const entries: LayoutEntry[] = [];
  const where = (i: number): string => `${labelFile.rel} row ${i + 1}`;
  let classes: string[];
  let body: { row: string[]; line: number }[];
  if (multi) {
    classes = rows[0].slice(1);
    body = rows.slice(1).map((row, i) => ({ row, line: i + 1 }));
  } else {
    // Header when the second column of the first row is a column name rather than a class used below.
    const hasHeader =
      /^(file|filename|image|path|name|id)/i.test(rows[0][0]) &&
      /^(class|label|target|category|diagnosis)/i.test(rows[0][1] ?? '');
    body = rows.map((row, line) => ({ row, line })).slice(hasHeader ? 1 : 0);
    classes = [...new Set(body.map((b) => b.row[1]).filter((c) => c !== undefined && c !== ''))].sort();
  }
  const used = new Set<string>();
  for (const { row, line } of body) {
    const name = row[0];
    const file = files.resolve(name);
    if (!file) {
      skipped.push({ file: where(line), reason: `names ${name}, which is not in the dataset folder` });
      continue;
    }
    if (used.has(file.rel)) {
      skipped.push({ file: where(line), reason: `${name} is listed more than once; the first row is used` });
      continue;
    }
    if (multi) {
      const values = row.slice(1);
      if (values.length !== classes.length || !values.every(isBinary)) {
        skipped.push({
          file: where(line),
          reason: `expected ${classes.length} columns of 0 or 1 after the file name`,
        });
        continue;
      }
      const vector = values.map(Number);
      const first = vector.indexOf(1);
      entries.push({
        file,
        label: { kind: 'class', index: Math.max(0, first), multi: vector },
        stratum: Math.max(0, first),
        display: classes.filter((_, i) => vector[i] === 1).join('+') || '(none)',
      });
    } else {
      const cls = row[1];
      if (!cls) {
        skipped.push({ file: where(line), reason: `no class given for ${name}` });
        continue;
      }
      const index = classes.indexOf(cls);
      entries.push({ file, label: { kind: 'class', index }, stratum: index, display: cls });
    }
    used.add(file.rel);
  }
  for (const f of files.all) {
    if (!used.has(f.rel) && f !== labelFile && !isSideFile(f.rel)) {
      skipped.push({ file: f.rel, reason: `not listed in ${labelFile.rel}` });
    }
  }
  return {
    layout: multi ? 'one-hot-csv' : 'csv',
    task: 'classification',
    classes,
    entries,
    skipped,
    files: files.all,
  };
}
