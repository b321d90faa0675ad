/**
 * Walks a dataset folder: entries in sorted order (so indexes are
 * deterministic), one directory at a time (so a 100,000-file dataset is not
 * listed into memory at once before work starts), with size and mtime for the
 * fingerprint.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** A directory entry that looks like a file but cannot be opened, with the reason. */
export interface UnlistedFile {
  file: string;
  reason: string;
}

/** Where walks started inside {@link collectUnlisted} report the entries they pass over. */
const unlistedSink = new AsyncLocalStorage<UnlistedFile[]>();

/**
 * Runs `work` and returns, beside its result, the entries every walk inside
 * it could not open (names that are not valid UTF-8, dangling links), so the
 * dataset can report them as skipped instead of losing them without a word.
 */
export async function collectUnlisted<T>(
  work: () => Promise<T>,
): Promise<{ result: T; unlisted: UnlistedFile[] }> {
  const unlisted: UnlistedFile[] = [];
  const result = await unlistedSink.run(unlisted, work);
  const seen = new Set<string>();
  return { result, unlisted: unlisted.filter((u) => !seen.has(u.file) && seen.add(u.file)) };
}

/** Why an entry (a file, or a folder when `rel` ends in `/`) could not be opened. */
function unlistedReason(rel: string, symlink: boolean, error: unknown): string {
  // Node decodes names as UTF-8 and puts U+FFFD where bytes are not: such a path cannot be opened again.
  if (rel.includes('\uFFFD')) return 'its name is not valid UTF-8 text, so it cannot be opened: rename it';
  if (symlink && (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    return 'it is a link to something that does not exist';
  return `it cannot be read: ${(error as Error | undefined)?.message ?? 'not a regular file'}`;
}

/** Yields every file under `dir` (recursively), sorted by relative path per folder. */
export async function* walkFiles(root: string, sub = ''): AsyncGenerator<FoundFile> {
  const dir = sub ? join(root, sub) : root;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (!sub) throw error;
    unlistedSink.getStore()?.push({ file: `${sub}/`, reason: unlistedReason(sub, false, error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    const abs = join(root, rel);
    if (entry.isDirectory()) {
      yield* walkFiles(root, rel);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      let info;
      try {
        info = await stat(abs);
      } catch (error) {
        unlistedSink
          .getStore()
          ?.push({ file: rel, reason: unlistedReason(rel, entry.isSymbolicLink(), error) });
        continue;
      }
      if (!info.isFile()) continue;
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
