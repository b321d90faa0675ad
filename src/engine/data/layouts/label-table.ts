/**
 * A label CSV read as a table: which column names the image files (found by
 * resolving its cells against the folder, not by its position), whether the
 * first row is a header, and how each column is called in messages. The
 * layouts then pick their columns from this table by name or by content.
 */
import { parseCsv } from '../csv';
import type { FoundFile } from '../walk';
import type { FileIndex } from './files';
import { readLabelText } from './label-file';

/** One column of a label CSV. */
export interface Column {
  /** 0-based position. */
  index: number;
  /** The header cell; '' when the CSV has no header row. */
  header: string;
  /** How messages call it: `column "label"`, or `column 3` without a header. */
  title: string;
  /** The cells below the header, one per body row ('' where a row is short). */
  values: string[];
}

/** A label CSV with its header and file column found. */
export interface LabelTable {
  file: FoundFile;
  hasHeader: boolean;
  columns: Column[];
  /** Body rows with their 1-based line number in the file (for "labels.csv row 5"). */
  rows: { cells: string[]; line: number }[];
  /** The column whose cells name image files; absent when no cell names a file of the folder. */
  fileColumn?: Column;
  /** Every column whose cells mostly name files, in order (an image and its mask, say). */
  pathColumns: Column[];
  /** The file a cell names, resolved near the CSV. */
  resolve(name: string): FoundFile | undefined;
  /** The file each body row names (undefined where it names none). */
  filesOfRows: (FoundFile | undefined)[];
}

/** Rows looked at to find the file column: enough to tell, few enough for 100,000-row CSVs. */
const PROBE_ROWS = 500;

/** A cell that reads as a file path (`x.png`, `a/b`), whether or not the file exists. */
export function looksLikePath(value: string): boolean {
  return /[\\/]/.test(value) || /\.[a-z][a-z0-9]{1,4}$/i.test(value);
}

const isNumber = (v: string): boolean => v !== '' && Number.isFinite(Number(v));
/** A header-like cell: starts with a letter, no path, not a number. */
const isWord = (v: string): boolean => /^[a-z]/i.test(v) && !looksLikePath(v);

/** `column "label"` with a header, `column 3` without. */
export function columnTitle(column: Pick<Column, 'index' | 'header'>): string {
  return column.header ? `column "${column.header}"` : `column ${column.index + 1}`;
}

/** Reads and parses a label CSV against the folder's files. */
export async function readLabelTable(files: FileIndex, file: FoundFile): Promise<LabelTable> {
  const all = parseCsv(await readLabelText(file));
  if (all.length === 0) throw new Error(`Label file ${file.rel} is empty`);
  const near = file.rel.includes('/') ? file.rel.slice(0, file.rel.lastIndexOf('/')) : '';
  const resolve = (name: string): FoundFile | undefined => (name ? files.resolve(name, near) : undefined);
  const width = Math.max(...all.map((r) => r.length));
  // The file column is the one whose cells below the first row name the most files (a sample is enough).
  const probe = all.length > 1 ? all.slice(1, 1 + PROBE_ROWS) : all;
  let fileIndex = -1;
  let best = 0;
  const pathIndices: number[] = [];
  for (let c = 0; c < width; c++) {
    const hits = probe.filter((r) => resolve(r[c] ?? '')).length;
    if (hits > best) [fileIndex, best] = [c, hits];
    if (hits > 0 && hits * 2 >= probe.length) pathIndices.push(c);
  }
  const first = all[0];
  const firstNamesNoFile =
    fileIndex >= 0 && !resolve(first[fileIndex] ?? '') && !looksLikePath(first[fileIndex] ?? '');
  // Without a file column, a row of words above columns of paths or numbers is still a header.
  const wordsAboveData =
    all.length > 1 &&
    first.every(isWord) &&
    first.some((_, c) => all.slice(1).every((r) => isNumber(r[c] ?? '') || looksLikePath(r[c] ?? '')));
  const hasHeader = all.length > 1 && (firstNamesNoFile || (fileIndex < 0 && wordsAboveData));
  const body = all.slice(hasHeader ? 1 : 0);
  const rows = body.map((cells, i) => ({ cells, line: i + (hasHeader ? 2 : 1) }));
  const columns: Column[] = Array.from({ length: width }, (_, index) => {
    const header = hasHeader ? (first[index] ?? '') : '';
    return { index, header, title: columnTitle({ index, header }), values: body.map((r) => r[index] ?? '') };
  });
  const fileColumn = fileIndex >= 0 ? columns[fileIndex] : undefined;
  return {
    file,
    hasHeader,
    columns,
    rows,
    ...(fileColumn ? { fileColumn } : {}),
    pathColumns: pathIndices.map((c) => columns[c]),
    resolve,
    filesOfRows: body.map((r) => (fileColumn ? resolve(r[fileColumn.index] ?? '') : undefined)),
  };
}

/**
 * The column a param names: by header name (any case), or by its number
 * counting from 1. An unknown name is an error listing the columns.
 */
export function namedColumn(table: LabelTable, param: string, value: string): Column {
  const wanted = value.trim().toLowerCase();
  const byName = table.columns.find((c) => c.header.toLowerCase() === wanted);
  const number = /^\d+$/.test(wanted) ? Number(wanted) : NaN;
  const found = byName ?? table.columns[number - 1];
  if (!found) {
    throw new Error(
      `"${param}" is "${value}", which is not a column of ${table.file.rel}; its columns are ${listColumns(table)}`,
    );
  }
  return found;
}

/** The columns for a message: header names, or numbers with a few sample values for a CSV without a header. */
export function listColumns(table: LabelTable, columns: Column[] = table.columns): string {
  return columns
    .map((c) => {
      if (c.header) return c.header;
      if (c === table.fileColumn) return `${c.index + 1} (file names)`;
      const samples = [...new Set(c.values.filter(Boolean))].slice(0, 3);
      return `${c.index + 1} (e.g. ${samples.join(', ')})`;
    })
    .join(', ');
}
