/**
 * What a label CSV column holds, judged from its header and its values: the
 * official split (only train/validation/test words), a label (its header
 * says so), class names, an identifier or a measurement (never a class).
 * These rules are shared by the classification and detection CSV layouts.
 */
import type { Split } from '../../api';
import { SPLIT_FOLDERS } from './class-folders';
import type { Column, LabelTable } from './label-table';
import { namedColumn } from './label-table';

/** Header words that say a column holds the label. */
const LABEL_WORDS = new Set([
  'label',
  'labels',
  'class',
  'classes',
  'target',
  'diagnosis',
  'dx',
  'finding',
  'findings',
  'category',
  'categories',
  'outcome',
  'pathology',
  'grade',
]);

/** Header words that say a column holds readable names (`class_name`). */
const NAME_WORDS = new Set(['name', 'names', 'description', 'text', 'title']);

/** Header words of identifiers and counters (`index_in_official_file`, `patient_id`). */
const ID_WORDS = new Set(['id', 'ids', 'uid', 'index', 'idx', 'number', 'no', 'num', 'key', 'row']);

/** The values of `splitColumn` that ignore an official split. */
export const NO_SPLIT_COLUMN = ['none', 'no', 'off'];

/** Header words, split at non-letters and camelCase (`officialSplit` -> official, split). */
export function words(header: string): string[] {
  return header
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const filled = (column: Column): string[] => column.values.filter((v) => v !== '');
const isNumber = (v: string): boolean => Number.isFinite(Number(v));

/** True when the header names a label (`label`, `class_name`, `Finding Labels`). */
export function isLabelNamed(column: Column): boolean {
  return words(column.header).some((w) => LABEL_WORDS.has(w));
}

/** True when the header is nothing but label words (`label`, `dx`, `Finding Labels`; not `dx_type`). */
export function isOnlyLabelNamed(column: Column): boolean {
  const list = words(column.header);
  return list.length > 0 && list.every((w) => LABEL_WORDS.has(w));
}

/** True when the header names readable names (`class_name`). */
export function isNameNamed(column: Column): boolean {
  return words(column.header).some((w) => NAME_WORDS.has(w));
}

/** The split a cell names (train, val, Validation, TEST...), if any. */
export function splitOf(value: string): Split | undefined {
  return SPLIT_FOLDERS[value.trim().toLowerCase()];
}

/** True when every filled cell is a split name. */
export function isSplitColumn(column: Column): boolean {
  const values = filled(column);
  return values.length > 0 && values.every((v) => splitOf(v) !== undefined);
}

/** True when every filled cell is a number. */
export function isNumeric(column: Column): boolean {
  const values = filled(column);
  return values.length > 0 && values.every(isNumber);
}

/**
 * Why a column cannot hold classes, or undefined when it can. A column whose
 * header names a label is never ruled out by its values.
 */
export function notAClass(column: Column): string | undefined {
  const values = filled(column);
  if (values.length === 0) return 'it is empty';
  if (isSplitColumn(column)) return 'it holds only train/validation/test, so it is a split, not a class';
  if (isLabelNamed(column)) return undefined;
  if (words(column.header).some((w) => ID_WORDS.has(w))) return 'its header names an identifier';
  if (values.every(isNumber) && values.some((v) => !Number.isInteger(Number(v))))
    return 'it holds measurements (fractional numbers), not classes';
  const distinct = new Set(values).size;
  if (values.length >= 8 && distinct > values.length / 2)
    return `it has ${distinct} different values in ${values.length} rows, too many for classes`;
  return undefined;
}

/** Sorts class values: by number when all are numbers (so 10 comes after 9), else alphabetically. */
export function sortClassValues(values: Iterable<string>): string[] {
  const list = [...new Set(values)];
  return list.every(isNumber) ? list.sort((a, b) => Number(a) - Number(b)) : list.sort();
}

/**
 * A names column for the label column: its header names a label or names,
 * its values are words, and each label value goes with exactly one name and
 * each name with one label value on every row (`label` 0..9, `class_name`
 * zero..nine).
 */
export function namesColumnFor(table: LabelTable, label: Column): Column | undefined {
  if (!isNumeric(label)) return undefined;
  return table.columns.find((c) => {
    if (c === label || c === table.fileColumn || !(isLabelNamed(c) || isNameNamed(c))) return false;
    if (isNumeric(c) || isSplitColumn(c)) return false;
    const forward = new Map<string, string>();
    const backward = new Map<string, string>();
    return label.values.every((v, i) => {
      const name = c.values[i];
      if (v === '' && name === '') return true;
      if ((forward.get(v) ?? name) !== name || (backward.get(name) ?? v) !== v) return false;
      forward.set(v, name);
      backward.set(name, v);
      return true;
    });
  });
}

/** The official split column: `splitColumn` when set ('none' ignores one), else the one holding only split names. */
export function splitColumnOf(table: LabelTable, splitColumn: string): Column | undefined {
  if (NO_SPLIT_COLUMN.includes(splitColumn.trim().toLowerCase())) return undefined;
  if (splitColumn) {
    const column = namedColumn(table, 'splitColumn', splitColumn);
    if (!isSplitColumn(column)) {
      const other = filled(column).find((v) => !splitOf(v));
      throw new Error(
        `"splitColumn" is ${column.title} of ${table.file.rel}, which holds "${other ?? ''}" where only ` +
          `train, validation or test can be; choose another column or "none"`,
      );
    }
    return column;
  }
  const found = table.columns.filter((c) => c !== table.fileColumn && isSplitColumn(c));
  return found.find((c) => words(c.header).includes('split')) ?? found[0];
}
