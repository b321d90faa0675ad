/**
 * Content-keyed on-disk cache of node outputs (docs/design.md section 5).
 * One folder per node key holds one file per sample and one manifest per
 * selection (all items, or a sample run's subset). Writes are atomic
 * (temp file + rename); whole node folders are evicted least recently used
 * first when the cache is over its size budget.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFile, writeFile, rename, mkdir, rm } from 'node:fs/promises';
import { DiskFullError, isNoSpace, writeFileAtomically } from './disk-full';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FileState, Sample, Task } from '../api';
import { decodeSample, encodeSample } from './sample-codec';

/** One row of a node's output listing: the Files tab's row plus the class index. */
export type ManifestItem = FileState & { classIndex?: number };

/** The complete output listing of a node for one selection. */
export interface NodeManifest {
  nodeKey: string;
  selection: string;
  task: Task;
  classes: string[];
  items: ManifestItem[];
}

/** Default cache folder: the platform's per-user cache location, or `PHI_CACHE_DIR`. */
export function defaultCacheDir(): string {
  if (process.env.PHI_CACHE_DIR) return process.env.PHI_CACHE_DIR;
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? homedir(), 'PhiStudio', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'PhiStudio');
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'phi-studio');
}

const itemFile = (id: string): string => `${createHash('sha1').update(id).digest('hex')}.bin`;

/** Node output cache with an LRU size budget. */
export class OutputCache {
  constructor(
    readonly root: string = defaultCacheDir(),
    /** Bytes the cache may hold before the least recently used node folders go. */
    readonly budgetBytes: number = 20 * 1024 ** 3,
  ) {
    mkdirSync(root, { recursive: true });
  }

  private nodeDir(nodeKey: string): string {
    return join(this.root, nodeKey);
  }

  /** Whether the sample `id` is cached under `nodeKey`. */
  has(nodeKey: string, id: string): boolean {
    return existsSync(join(this.nodeDir(nodeKey), 'items', itemFile(id)));
  }

  /** Stores one output sample, atomically. */
  async write(nodeKey: string, sample: Sample): Promise<void> {
    const dir = join(this.nodeDir(nodeKey), 'items');
    await mkdir(dir, { recursive: true });
    const path = join(dir, itemFile(sample.id));
    const temp = `${path}.${process.pid}.tmp`;
    const bytes = encodeSample(sample);
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (error) {
      // A half-written file is never left behind, whatever failed.
      await rm(temp, { force: true });
      if (isNoSpace(error)) throw new DiskFullError(this.root, bytes.byteLength);
      throw error;
    }
  }

  /** Reads one cached sample; throws naming the node key and id when it is missing. */
  async read(nodeKey: string, id: string): Promise<Sample> {
    const path = join(this.nodeDir(nodeKey), 'items', itemFile(id));
    try {
      return decodeSample(await readFile(path));
    } catch (error) {
      throw new Error(`Cached output of "${id}" is missing (${(error as Error).message})`, { cause: error });
    }
  }

  /** Records that a node's output for `selection` is complete. */
  writeManifest(manifest: NodeManifest): void {
    const dir = this.nodeDir(manifest.nodeKey);
    mkdirSync(dir, { recursive: true });
    const path = this.manifestPath(manifest.nodeKey, manifest.selection);
    writeFileAtomically(path, JSON.stringify(manifest), { folder: this.root, role: 'output cache' });
    this.touch(manifest.nodeKey);
  }

  /** Whether a node's output for `selection` is complete, without reading its listing (node states ask often). */
  hasManifest(nodeKey: string, selection: string): boolean {
    return existsSync(this.manifestPath(nodeKey, selection));
  }

  private manifestPath(nodeKey: string, selection: string): string {
    return join(this.nodeDir(nodeKey), `manifest-${selection}.json`);
  }

  /** The complete output of a node for `selection`, or undefined when it never completed. */
  readManifest(nodeKey: string, selection: string): NodeManifest | undefined {
    const path = this.manifestPath(nodeKey, selection);
    if (!existsSync(path)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as NodeManifest;
      this.touch(nodeKey);
      return manifest;
    } catch {
      return undefined;
    }
  }

  /** Marks a node folder as just used, for the LRU. */
  private touch(nodeKey: string): void {
    const marker = join(this.nodeDir(nodeKey), '.used');
    const now = new Date();
    try {
      utimesSync(marker, now, now);
    } catch {
      writeFileSync(marker, '');
    }
  }

  /** Total bytes held, per node folder. */
  usage(): { nodeKey: string; bytes: number; usedAt: number }[] {
    const result: { nodeKey: string; bytes: number; usedAt: number }[] = [];
    for (const nodeKey of readdirSync(this.root)) {
      const dir = this.nodeDir(nodeKey);
      let bytes = 0;
      const walk = (path: string): void => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const child = join(path, entry.name);
          if (entry.isDirectory()) walk(child);
          else bytes += statSync(child).size;
        }
      };
      try {
        walk(dir);
        const marker = join(dir, '.used');
        const usedAt = existsSync(marker) ? statSync(marker).mtimeMs : 0;
        result.push({ nodeKey, bytes, usedAt });
      } catch {
        // A folder removed by a concurrent prune: nothing to count.
      }
    }
    return result;
  }

  /** Evicts least recently used node folders until within budget; `keep` are never evicted. */
  prune(keep: ReadonlySet<string> = new Set()): string[] {
    const entries = this.usage().sort((a, b) => a.usedAt - b.usedAt);
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    const evicted: string[] = [];
    for (const entry of entries) {
      if (total <= this.budgetBytes) break;
      if (keep.has(entry.nodeKey)) continue;
      rmSync(this.nodeDir(entry.nodeKey), { recursive: true, force: true });
      total -= entry.bytes;
      evicted.push(entry.nodeKey);
    }
    return evicted;
  }
}
