/**
 * The folder browser of the project screens (web mode has no native dialog):
 * lists the sub-folders and `.phiproj` files of one folder, never outside the
 * browse root (the user's home, or `phi serve --root DIR`). Paths are
 * compared after resolving symlinks, so a link inside the root that points
 * out of it is neither listed nor followed (docs/security.md).
 */
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { DatasetPreview, FolderEntry, FolderListing, Task } from '../api';
import { PROJECT_EXTENSION } from '../store/schema';
import { openDataset } from '../data/dataset-node';
import { guessTask } from '../data/layouts';
import { datasetParamsSchema } from '../data/params';
import { summarizeDataset } from '../data/summary';

/** True when `path` is `root` or inside it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Resolves `path` (absolute, or relative to the root) and refuses anything outside the root. */
export async function confinedPath(
  root: string,
  path: string | undefined,
): Promise<{ root: string; path: string }> {
  const realRoot = await realpath(resolve(root)).catch(() => {
    throw new Error(`The folder the browser starts from does not exist: ${root}`);
  });
  const asked = path ? resolve(realRoot, path) : realRoot;
  const real = await realpath(asked).catch(() => {
    throw new Error(`No such folder: ${asked}`);
  });
  if (!isInside(realRoot, real))
    throw new Error(`${asked} is outside the folder that may be browsed here (${realRoot})`);
  return { root: realRoot, path: real };
}

/** Lists one folder inside `root`. */
export async function browseFolder(root: string, path?: string): Promise<FolderListing> {
  const where = await confinedPath(root, path);
  if (!(await stat(where.path)).isDirectory()) throw new Error(`${where.path} is not a folder`);
  const folders: FolderEntry[] = [];
  const projects: FolderEntry[] = [];
  for (const entry of await readdir(where.path, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(where.path, entry.name);
    let target = full;
    let isFolder = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // A link is shown only where it leads inside the root.
      const real = await realpath(full).catch(() => undefined);
      if (!real || !isInside(where.root, real)) continue;
      const info = await stat(real).catch(() => undefined);
      target = real;
      isFolder = Boolean(info?.isDirectory());
      isFile = Boolean(info?.isFile());
    }
    if (isFolder) folders.push({ name: entry.name, path: target });
    else if (isFile && entry.name.endsWith(PROJECT_EXTENSION))
      projects.push({ name: entry.name, path: target });
  }
  const byName = (a: FolderEntry, b: FolderEntry) =>
    a.name.localeCompare(b.name, undefined, { numeric: true });
  return {
    root: where.root,
    path: where.path,
    parent: where.path === where.root ? null : dirname(where.path),
    separator: sep,
    folders: folders.sort(byName),
    projects: projects.sort(byName),
  };
}

/** A project file name beside `folder` that is not taken yet: `scans.phiproj`, `scans-2.phiproj`... */
export function freeProjectPath(folder: string): string {
  const base = join(dirname(folder), basename(folder) || 'project');
  for (let i = 1; ; i++) {
    const candidate = `${base}${i === 1 ? '' : `-${i}`}${PROJECT_EXTENSION}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * What a folder would be as the dataset of a new project: the summary the
 * Dataset node would show (layout, label and split source, what was not used,
 * classes, findings), without decoding every image.
 */
export async function previewDataset(path: string, task?: Task): Promise<DatasetPreview> {
  const folder = resolve(path);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`No such folder: ${folder}`);
  const params = datasetParamsSchema.parse({ path: folder, task: task ?? (await guessTask(folder)) });
  const summary = await summarizeDataset(await openDataset(folder, params), { content: false });
  return { ...summary, path: folder, suggestedProject: freeProjectPath(folder) };
}
