/**
 * The files of a dataset folder, indexed for the layouts that name files
 * (CSV, COCO) or match them across folders (masks, targets): by relative
 * path, and by file stem for matching `x.dcm` with `x.png`.
 */
import { basename } from 'node:path';
import { walkFiles, type FoundFile } from '../walk';

/** Lower-case name without its (double) extension and common mask suffixes. */
export function stemOf(rel: string): string {
  let name = basename(rel).toLowerCase();
  name = name.replace(/\.nii\.gz$/, '').replace(/\.[^.]*$/, '');
  return name;
}

/** Stem with common label suffixes removed (`x_mask` -> `x`). */
export function labelStemOf(rel: string): string {
  return stemOf(rel).replace(/[_-](mask|masks|label|labels|seg|segmentation|gt|target)$/, '');
}

/** Every file under a root, looked up several ways. */
export class FileIndex {
  readonly all: FoundFile[] = [];
  private readonly byRel = new Map<string, FoundFile>();
  private readonly byName = new Map<string, FoundFile[]>();

  /** Walks `root` (or only `sub` under it). */
  static async of(root: string, sub = ''): Promise<FileIndex> {
    const index = new FileIndex();
    for await (const file of walkFiles(root, sub)) index.add(file);
    return index;
  }

  private add(file: FoundFile): void {
    this.all.push(file);
    this.byRel.set(file.rel.toLowerCase(), file);
    const name = basename(file.rel).toLowerCase();
    const list = this.byName.get(name) ?? [];
    list.push(file);
    this.byName.set(name, list);
  }

  /** The file a label row names: its relative path, else a file of that name found once anywhere. */
  resolve(name: string): FoundFile | undefined {
    const clean = name.replace(/\\/g, '/').replace(/^\.\//, '').toLowerCase();
    const exact = this.byRel.get(clean);
    if (exact) return exact;
    const same = this.byName.get(basename(clean));
    return same && same.length === 1 ? same[0] : undefined;
  }

  /** Files under a sub-folder (relative path prefix). */
  under(folder: string): FoundFile[] {
    const prefix = `${folder.toLowerCase()}/`;
    return this.all.filter((f) => f.rel.toLowerCase().startsWith(prefix));
  }
}

/** The first of `names` (case-insensitive) among `dirs`, keeping the folder's real spelling. */
export function findDir(dirs: string[], names: string[]): string | undefined {
  for (const name of names) {
    const hit = dirs.find((d) => d.toLowerCase() === name.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

/** True for files that hold labels or notes rather than images. */
export function isSideFile(rel: string): boolean {
  return /\.(csv|tsv|json|txt|md|xml|yaml|yml|xlsx?|pdf|html?)$/i.test(rel);
}
