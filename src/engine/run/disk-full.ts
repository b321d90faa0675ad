/**
 * A full disk under the output cache stops the run with one message that names
 * the folder and the space the node still needs, instead of failing every
 * remaining item with ENOSPC and leaving half-written files behind.
 */
import { statfsSync } from 'node:fs';

/** Error codes that mean "no space left" (a full disk, or a quota reached). */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/** True for a write error that means the disk is full. */
export function isNoSpace(error: unknown): boolean {
  return NO_SPACE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Megabytes with one decimal below 10 MB, so a nearly full disk does not read as 1 MB free. */
function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return mb < 10 ? `${mb.toFixed(1)} MB` : `${Math.ceil(mb)} MB`;
}

/** Free bytes on the disk holding `folder`, or undefined where the OS does not say. */
function freeBytes(folder: string): number | undefined {
  try {
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** The disk holding the output cache is full; `bytes` is the size of the write that failed. */
export class DiskFullError extends Error {
  constructor(
    readonly folder: string,
    readonly bytes: number,
  ) {
    super(`The disk holding the output cache (${folder}) is full`);
    this.name = 'DiskFullError';
  }

  /** The sentence a person reads: where, how much is free, about how much more `remaining` items need. */
  explain(remaining: number): string {
    const free = freeBytes(this.folder);
    return (
      `The disk holding the output cache (${this.folder}) is full` +
      (free !== undefined ? ` (${megabytes(free)} free)` : '') +
      `: the run stopped; about ${megabytes(this.bytes * Math.max(1, remaining))} more are needed for the ` +
      `${Math.max(1, remaining)} item(s) left. Free space there, or set PHI_CACHE_DIR to a larger disk, and run again: ` +
      'finished items are kept.'
    );
  }
}
