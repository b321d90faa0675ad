/**
 * Classification with `layout: auto`. A label CSV beside class folders is
 * used only when it names the files and one column clearly is the label (or
 * `labelColumn` or `labelsFile` points at it); otherwise the class folders
 * are used and the CSV is listed as rejected with the reason. Without class
 * folders the CSV is the only label source, so what is wrong with it is an
 * error.
 */
import { readdir } from 'node:fs/promises';
import type { DatasetParams } from '../params';
import { classFolderNames, readClassFolders, someOf } from './class-folders';
import { readCsvClasses } from './csv-classes';
import { LabelCsvRefused } from './label-column';
import type { LayoutResult } from './types';

/** Reads a classification folder from its class folders or its label CSV, whichever clearly holds the labels. */
export async function readAutoClassification(root: string, params: DatasetParams): Promise<LayoutResult> {
  const names = await readdir(root);
  const hasCsv = params.labelsFile
    ? params.labelsFile.toLowerCase().endsWith('.csv')
    : names.some((n) => n.toLowerCase().endsWith('.csv'));
  if (!hasCsv) {
    if (params.labelColumn) {
      throw new Error(
        `"labelColumn" is "${params.labelColumn}", but ${root} holds no label CSV to take it from`,
      );
    }
    return readClassFolders(root);
  }
  const csvOptions = {
    labelsFile: params.labelsFile,
    labelColumn: params.labelColumn,
    splitColumn: params.splitColumn,
  };
  const { classes: folders } = await classFolderNames(root);
  // One folder (`images/`) is no set of classes; a CSV the user pointed at must be read or fail loudly.
  if (folders.length < 2 || params.labelsFile || params.labelColumn) return readCsvClasses(root, csvOptions);
  try {
    const csv = await readCsvClasses(root, { ...csvOptions, classFolders: folders });
    const split = csv.choice.splitSource ? ' and an official split' : '';
    csv.choice.rejected.unshift({
      what: `class folders (${someOf(folders)})`,
      reason: `the label CSV names the files with their classes${split}`,
    });
    return csv;
  } catch (error) {
    if (!(error instanceof LabelCsvRefused)) throw error;
    const result = await readClassFolders(root);
    result.choice.rejected.push({ what: error.file, reason: error.message });
    return result;
  }
}
