/**
 * Walks a dataset folder: entries in sorted order (so indexes are
 * deterministic), one directory at a time (so a 100,000-file dataset is not
 * listed into memory at once before work starts), with size and mtime for the
 * fingerprint.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One file found under the dataset root. */
export interface FoundFile {
  /** Path relative to the root, with `/` separators on every platform. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

/** OS litter that is never data and never worth a "skipped" line. */
const IGNORED = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);

/** True for names the walk passes over silently: hidden files and OS litter. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('__MACOSX') || IGNORED.has(name.toLowerCase());
}

/** Yields every file under `dir` (recursively), sorted by relative path per folder. */
export async function* walkFiles(root: string, sub = ''): AsyncGenerator<FoundFile> {
  const dir = sub ? join(root, sub) : root;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    const abs = join(root, rel);
    if (entry.isDirectory()) {
      yield* walkFiles(root, rel);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      const info = await stat(abs).catch(() => undefined);
      if (!info || !info.isFile()) continue;
      yield { rel, abs, size: info.size, mtimeMs: info.mtimeMs };
    }
  }
}

/** Sub-folders of a folder (non-hidden), sorted. */
export async function listDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !isIgnoredName(e.name))
    .map((e) => e.name)
    .sort();
}
