/**
 * Classification by folder: `<root>/<className>/<image>` (images may sit in
 * sub-folders of a class folder, e.g. one folder per DICOM series). Class
 * names are the folder names, sorted, so class indices do not depend on the
 * order the file system lists them in. A dataset that comes already split,
 * `<root>/{train,val,test}/<className>/<image>`, keeps its split.
 */
import { join } from 'node:path';
import type { Split } from '../../api';
import { listDirs, walkFiles } from '../walk';
import type { LayoutEntry, LayoutResult } from './types';

/** Folder names of a dataset that comes split, and the split each means. */
export const SPLIT_FOLDERS: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'validation',
  valid: 'validation',
  validation: 'validation',
  test: 'test',
  testing: 'test',
};

/** True when every top-level folder is a split name holding class folders. */
async function isPreSplit(root: string, top: string[]): Promise<boolean> {
  if (top.length === 0 || !top.every((d) => SPLIT_FOLDERS[d.toLowerCase()])) return false;
  for (const d of top) if ((await listDirs(join(root, d))).length === 0) return false;
  return true;
}

/** The class folder names of a folder read as class folders (under split folders when it comes split). */
export async function classFolderNames(root: string): Promise<{ classes: string[]; preSplit: boolean }> {
  const top = await listDirs(root);
  const preSplit = await isPreSplit(root, top);
  const classes = preSplit
    ? [...new Set((await Promise.all(top.map((d) => listDirs(join(root, d))))).flat())].sort()
    : top;
  return { classes, preSplit };
}

/** A short list of names for a message: the first few, then how many more. */
export function someOf(names: string[], shown = 5): string {
  const more = names.length - shown;
  return names.slice(0, shown).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** Reads a class-folder dataset. Files directly in the root are reported as skipped. */
export async function readClassFolders(root: string): Promise<LayoutResult> {
  const { classes, preSplit } = await classFolderNames(root);
  const top = preSplit ? await listDirs(root) : classes;
  const depth = preSplit ? 2 : 1;
  const entries: LayoutEntry[] = [];
  const skipped: LayoutResult['skipped'] = [];
  const files: LayoutResult['files'] = [];
  for await (const file of walkFiles(root)) {
    files.push(file);
    const parts = file.rel.split('/');
    if (parts.length <= depth) {
      if (!/\.(csv|json|txt|md)$/i.test(file.rel)) {
        const expected = preSplit ? '<split>/<class>/<image>' : '<class>/<image>';
        skipped.push({ file: file.rel, reason: `not inside a class folder (expected ${expected})` });
      }
      continue;
    }
    const index = classes.indexOf(parts[depth - 1]);
    entries.push({
      file,
      label: { kind: 'class', index },
      stratum: index,
      display: classes[index],
      ...(preSplit ? { split: SPLIT_FOLDERS[parts[0].toLowerCase()] } : {}),
    });
  }
  const choice = {
    labelSource: `class folder names (${someOf(classes)})`,
    ...(preSplit ? { splitSource: `${top.map((d) => `${d}/`).join(' ')} folders` } : {}),
    rejected: [],
  };
  return { layout: 'class-folders', choice, task: 'classification', classes, entries, skipped, files };
}
