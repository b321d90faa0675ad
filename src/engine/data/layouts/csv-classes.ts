/**
 * Classification from a CSV: one class column (`path,split,label,class_name`,
 * `file,site,label`, or header-less `a.png,normal`), or one 0/1 column per
 * class (multi-label, "one-hot"). Columns are picked by header name or by
 * content, never by position: the file column is the one whose cells name
 * files of the folder, a column of train/validation/test words is the
 * official split, and the label column is the one `labelColumn` names, or
 * whose header names a label, or (beside class folders) whose values are the
 * folder names. When that is not clear the CSV is refused with the columns
 * listed and the fix named.
 */
import { FileIndex, isSideFile } from './files';
import {
  isLabelNamed,
  isSplitColumn,
  namesColumnFor,
  NO_SPLIT_COLUMN,
  notAClass,
  sortClassValues,
  splitColumnOf,
  splitOf,
} from './columns';
import { chooseLabelColumn, LabelCsvRefused, type ChosenColumn } from './label-column';
import { findLabelFile } from './label-file';
import { readLabelTable, type Column, type LabelTable } from './label-table';
import type { LayoutChoice, LayoutEntry, LayoutResult } from './types';

/** Options of {@link readCsvClasses}. */
export interface CsvClassOptions {
  labelsFile: string;
  labelColumn: string;
  splitColumn: string;
  /** True: one 0/1 column per class; false: one class column; undefined: decide from the file. */
  oneHot?: boolean;
  /** Class folder names beside the CSV: the CSV is used only when a column clearly is the label. */
  classFolders?: string[];
}

const isBinary = (v: string): boolean => v === '0' || v === '1';

/** The 0/1 class columns of a one-hot CSV: every column but the file, path and split columns. */
function oneHotColumns(table: LabelTable, split: Column | undefined): Column[] {
  return table.columns.filter(
    (c) => c !== table.fileColumn && c !== split && !isSplitColumn(c) && !table.pathColumns.includes(c),
  );
}

function isOneHot(table: LabelTable, columns: Column[]): boolean {
  // `file,label,is_female` holds a label column and a flag, not two classes.
  return (
    table.hasHeader &&
    columns.length >= 2 &&
    !columns.some(isLabelNamed) &&
    columns.every((c) => c.values.every(isBinary))
  );
}

/** Why each column other than the file, label, names and split columns was not used. */
function rejectedColumns(
  table: LabelTable,
  used: (Column | undefined)[],
  chosen: ChosenColumn | undefined,
  splitIgnored: boolean,
): LayoutChoice['rejected'] {
  return table.columns
    .filter((c) => c !== table.fileColumn && !used.includes(c))
    .map((c) => ({
      what: `${table.file.rel} ${c.title}`,
      reason:
        (splitIgnored && isSplitColumn(c) ? 'official split ignored: "splitColumn" is "none"' : undefined) ??
        notAClass(c) ??
        (chosen ? `${chosen.column.title} holds the label (${chosen.why})` : 'not a 0/1 class column'),
    }));
}

/** Reads a classification CSV dataset. */
export async function readCsvClasses(root: string, options: CsvClassOptions): Promise<LayoutResult> {
  const files = await FileIndex.of(root);
  const labelFile = findLabelFile(files, options.labelsFile, 'csv');
  if (!labelFile) {
    const csvs = files.all.filter((f) => !f.rel.includes('/') && f.rel.toLowerCase().endsWith('.csv'));
    if (csvs.length > 1) {
      throw new LabelCsvRefused(
        csvs.map((f) => f.rel).join(', '),
        'are several CSVs and none is called labels.csv: set "labelsFile" to the one that holds the labels',
      );
    }
    throw new Error(`No labels CSV found in ${root}: add labels.csv (filename,class) or set "labelsFile"`);
  }
  const table = await readLabelTable(files, labelFile);
  const rel = labelFile.rel;
  const images = files.all.filter((f) => !isSideFile(f.rel));
  const named = new Set(table.filesOfRows.filter((f) => f !== undefined));
  if (!table.fileColumn) throw new LabelCsvRefused(rel, `names none of the files in the dataset folder`);
  if (options.classFolders && named.size * 2 < images.length) {
    throw new LabelCsvRefused(rel, `names only ${named.size} of the ${images.length} images`);
  }
  const split = splitColumnOf(table, options.splitColumn);
  const hotColumns = oneHotColumns(table, split);
  const multi = options.oneHot ?? (!options.labelColumn && isOneHot(table, hotColumns));
  const chosen = multi
    ? undefined
    : chooseLabelColumn(table, options.labelColumn, { classFolders: options.classFolders });
  const names = chosen ? namesColumnFor(table, chosen.column) : undefined;

  // Class indices follow the label values (numerically when they are numbers); names only relabel them.
  // A class is made by rows whose files exist: a value named only by rows of missing files is no class.
  const listed = chosen ? chosen.column.values.filter((v, i) => v !== '' && table.filesOfRows[i]) : [];
  const codes = sortClassValues(listed);
  const orphans = chosen
    ? [...new Set(chosen.column.values.filter((v) => v !== '' && !listed.includes(v)))]
    : [];
  const nameOf = (code: string): string =>
    names ? names.values[chosen?.column.values.indexOf(code) ?? 0] : code;
  const classes = multi ? hotColumns.map((c) => c.header) : codes.map(nameOf);

  const skipped: LayoutResult['skipped'] = [];
  const entries: LayoutEntry[] = [];
  const used = new Set<string>();
  table.rows.forEach(({ cells, line }, i) => {
    const where = `${rel} row ${line}`;
    const name = table.fileColumn ? (cells[table.fileColumn.index] ?? '') : '';
    const file = table.filesOfRows[i];
    if (!file) {
      const reason = name ? `names ${name}, which is not in the dataset folder` : 'gives no file name';
      skipped.push({ file: where, reason });
      return;
    }
    if (used.has(file.rel)) {
      skipped.push({ file: where, reason: `${name} is listed more than once; the first row is used` });
      return;
    }
    const officialSplit = split ? splitOf(split.values[i]) : undefined;
    const splitPart = officialSplit ? { split: officialSplit } : {};
    if (multi) {
      const values = hotColumns.map((c) => c.values[i]);
      if (!values.every(isBinary)) {
        skipped.push({
          file: where,
          reason: `expected ${classes.length} columns of 0 or 1 after the file name`,
        });
        return;
      }
      const vector = values.map(Number);
      const first = Math.max(0, vector.indexOf(1));
      entries.push({
        file,
        label: { kind: 'class', index: first, multi: vector },
        stratum: first,
        display: classes.filter((_, k) => vector[k] === 1).join('+') || '(none)',
        ...splitPart,
      });
    } else {
      const code = chosen?.column.values[i] ?? '';
      if (!code) {
        skipped.push({ file: where, reason: `no class given for ${name}` });
        return;
      }
      const index = codes.indexOf(code);
      entries.push({
        file,
        label: { kind: 'class', index },
        stratum: index,
        display: classes[index],
        ...splitPart,
      });
    }
    used.add(file.rel);
  });
  for (const f of images) {
    if (!used.has(f.rel)) skipped.push({ file: f.rel, reason: `not listed in ${rel}` });
  }

  const labelSource = chosen
    ? `${rel}, ${chosen.column.title} (${chosen.why})` +
      (names ? `, shown by the names in ${names.title}` : '')
    : `${rel}, one 0/1 column per class (${classes.join(', ')})`;
  const splitIgnored = NO_SPLIT_COLUMN.includes(options.splitColumn.trim().toLowerCase());
  const usedColumns = [chosen?.column, names, split, ...(multi ? hotColumns : [])];
  const rejected = [
    ...rejectedColumns(table, usedColumns, chosen, splitIgnored),
    ...orphans.map((code) => ({
      what: `class "${nameOf(code)}"`,
      reason: `${rel} names it only in rows whose files are not in the dataset folder`,
    })),
  ];
  return {
    layout: multi ? 'one-hot-csv' : 'csv',
    choice: { labelSource, ...(split ? { splitSource: `${rel}, ${split.title}` } : {}), rejected },
    task: 'classification',
    classes,
    entries,
    skipped,
    files: files.all,
  };
}
