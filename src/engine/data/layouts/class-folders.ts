/**
 * Classification by folder: `<root>/<className>/<image>` (images may sit in
 * sub-folders of a class folder, e.g. one folder per DICOM series). Class
 * names are the folder names, sorted, so class indices do not depend on the
 * order the file system lists them in.
 */
import { listDirs, walkFiles } from '../walk';
import type { LayoutEntry, LayoutResult } from './types';

/** Reads a class-folder dataset. Files directly in the root are reported as skipped. */
export async function readClassFolders(root: string): Promise<LayoutResult> {
  const classes = await listDirs(root);
  const entries: LayoutEntry[] = [];
  const skipped: LayoutResult['skipped'] = [];
  const files: LayoutResult['files'] = [];
  for await (const file of walkFiles(root)) {
    files.push(file);
    const slash = file.rel.indexOf('/');
    if (slash < 0) {
      if (!/\.(csv|json|txt|md)$/i.test(file.rel)) {
        skipped.push({ file: file.rel, reason: 'not inside a class folder (expected <class>/<image>)' });
      }
      continue;
    }
    const index = classes.indexOf(file.rel.slice(0, slash));
    entries.push({ file, label: { kind: 'class', index }, stratum: index, display: classes[index] });
  }
  return { layout: 'class-folders', task: 'classification', classes, entries, skipped, files };
}
