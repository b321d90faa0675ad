/**
 * Dataset fingerprint: changes whenever a file is added, removed, renamed,
 * resized or touched, and for nothing else. It is part of cache keys, so it
 * hashes cheap stat data, never pixels.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FoundFile } from './walk';

/** Incremental fingerprint over files in walk order. */
export class Fingerprint {
  private readonly hash: Hash = createHash('sha256');

  /** Adds one file's relative path, size and mtime. */
  add(file: FoundFile): void {
    this.hash.update(`${file.rel}\0${file.size}\0${Math.round(file.mtimeMs)}\n`);
  }

  /** Adds a setting that changes what the dataset yields (layout, split...). */
  addText(text: string): void {
    this.hash.update(`#${text}\n`);
  }

  /** Hex digest (first 32 characters: ample for cache keys). */
  digest(): string {
    return this.hash.digest('hex').slice(0, 32);
  }
}
