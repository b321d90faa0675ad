/**
 * Which column of a label CSV holds the label: the one `labelColumn` names;
 * else the one whose header names a label (`dx` before `dx_type`; `label`
 * beside `class_name` counts once: the names go with the codes); else, beside class folders, the
 * one whose values are the folder names; else, without class folders, the
 * only column that can hold classes. Anything less clear refuses the CSV
 * with the columns listed and the fix named, in one sentence.
 */
import { isLabelNamed, isNameNamed, isOnlyLabelNamed, notAClass } from './columns';
import { listColumns, namedColumn, type Column, type LabelTable } from './label-table';

/** How to fix an unclear label column, told in every such message. */
export const LABEL_COLUMN_FIX =
  'set "labelColumn" in the Dataset node\'s Parameter tab (or phi new --label-column NAME)';

/** A label CSV that does not clearly hold classification labels; class folders, when present, are used instead. */
export class LabelCsvRefused extends Error {
  override name = 'LabelCsvRefused';
  /** The refused CSV, relative to the dataset folder; the message starts with it. */
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} ${reason}`);
  }
}

/** The label column and why it was chosen, in words for `LayoutChoice.labelSource`. */
export interface ChosenColumn {
  column: Column;
  why: string;
}

/** The label column and why it was chosen; throws (refusing the CSV) when no column clearly is. */
export function chooseLabelColumn(
  table: LabelTable,
  labelColumn: string,
  options: { exclude?: Column[]; classFolders?: string[] } = {},
): ChosenColumn {
  const { exclude = [], classFolders } = options;
  if (labelColumn)
    return { column: namedColumn(table, 'labelColumn', labelColumn), why: 'set in "labelColumn"' };
  const rel = table.file.rel;
  const candidates = table.columns.filter(
    (c) => c !== table.fileColumn && !table.pathColumns.includes(c) && !exclude.includes(c) && !notAClass(c),
  );
  // A header that is only a label word (`dx`) goes before one that also says more (`dx_type`).
  const anyNamed = candidates.filter(isLabelNamed);
  const onlyNamed = anyNamed.filter(isOnlyLabelNamed);
  const named = onlyNamed.length > 0 ? onlyNamed : anyNamed;
  // `label` (codes) beside `class_name` (their names): the codes are the label, the names come with them.
  const codes = named.filter((c) => !isNameNamed(c));
  const pick =
    codes.length === 1 ? codes[0] : codes.length === 0 && named.length === 1 ? named[0] : undefined;
  if (pick) return { column: pick, why: 'its header names the label' };
  if (named.length > 1) {
    throw new LabelCsvRefused(
      rel,
      `has several columns named like a label (${listColumns(table, named)}): ${LABEL_COLUMN_FIX} ` +
        'to the one that holds the class',
    );
  }
  if (classFolders) {
    const folders = new Set(classFolders);
    const matching = candidates.filter((c) => c.values.every((v) => v === '' || folders.has(v)));
    if (matching.length === 1) return { column: matching[0], why: 'its values are the class folder names' };
    if (matching.length > 1) {
      throw new LabelCsvRefused(
        rel,
        `has several columns holding the class folder names (${listColumns(table, matching)}): ` +
          `${LABEL_COLUMN_FIX} to the one that holds the class`,
      );
    }
    throw new LabelCsvRefused(
      rel,
      `has no column named like a label or holding the class folder names ` +
        `(columns: ${listColumns(table)}); to use it, ${LABEL_COLUMN_FIX}`,
    );
  }
  if (candidates.length === 1) return { column: candidates[0], why: 'the only column that can hold classes' };
  if (candidates.length === 0) {
    throw new LabelCsvRefused(
      rel,
      `has no column that can hold classes (columns: ${listColumns(table)}); ${LABEL_COLUMN_FIX}`,
    );
  }
  const header = table.hasHeader ? 'none is named like a label' : 'the CSV has no header row to name them';
  throw new LabelCsvRefused(
    rel,
    `has several columns that could hold the class (${listColumns(table, candidates)}) and ${header}: ` +
      `${LABEL_COLUMN_FIX} to the one that holds the class` +
      (table.hasHeader ? '' : ', by its number counting from 1'),
  );
}
