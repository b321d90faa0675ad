/**
 * The files of a dataset folder, indexed for the layouts that name files
 * (CSV, COCO) or match them across folders (masks, targets): by relative
 * path, and by file stem for matching `x.dcm` with `x.png`.
 */
import { basename, posix } from 'node:path';
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
  private readonly byStem = new Map<string, FoundFile[]>();

  private constructor(private readonly rootName: string) {}

  /** Walks `root` (or only `sub` under it). */
  static async of(root: string, sub = ''): Promise<FileIndex> {
    const index = new FileIndex(basename(root).toLowerCase());
    for await (const file of walkFiles(root, sub)) index.add(file);
    return index;
  }

  private add(file: FoundFile): void {
    this.all.push(file);
    this.byRel.set(file.rel.toLowerCase(), file);
    const push = (map: Map<string, FoundFile[]>, key: string): void => {
      map.set(key, [...(map.get(key) ?? []), file]);
    };
    push(this.byName, basename(file.rel).toLowerCase());
    push(this.byStem, stemOf(file.rel));
  }

  /**
   * The file a label row names: a path relative to the label file's folder
   * `near`, or to that folder's parent (exports often start paths with the
   * data set's own folder name, `mnist10/3/x.png`), or to the root; else a
   * file of that name found once anywhere; else, for a name without an
   * extension (`ISIC_0001`), a file of that stem found once.
   */
  resolve(name: string, near = ''): FoundFile | undefined {
    const clean = posix
      .normalize(name.replace(/\\/g, '/'))
      .replace(/^(\.\/)+/, '')
      .toLowerCase();
    const dir = near.toLowerCase();
    const parent = dir.includes('/') ? posix.dirname(dir) : '';
    const candidates = [dir ? `${dir}/${clean}` : clean];
    if (dir) candidates.push(parent ? `${parent}/${clean}` : clean);
    else if (clean.startsWith(`${this.rootName}/`)) candidates.push(clean.slice(this.rootName.length + 1));
    candidates.push(clean);
    for (const rel of candidates) {
      const hit = this.byRel.get(rel);
      if (hit) return hit;
    }
    const same = this.byName.get(basename(clean));
    if (same?.length === 1) return same[0];
    const stems = /\.[a-z0-9]{1,5}$/.test(clean) ? undefined : this.byStem.get(basename(clean));
    return stems?.length === 1 ? stems[0] : undefined;
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
