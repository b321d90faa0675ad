/**
 * A full disk stops the run with one message that names the folder and the
 * space still needed, instead of failing every remaining item with ENOSPC (or
 * SQLite's "database or disk is full") and leaving half-written files behind.
 */
import { renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';

/** Error codes that mean "no space left": a full disk or a quota reached, and SQLite's own. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True for a write error that means the disk is full. */
export function isNoSpace(error: unknown): boolean {
  return NO_SPACE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Kilobytes below 1 MB, megabytes with one decimal below 10 MB: a nearly full disk never reads as 0.0 MB or 1 MB free. */
function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  if (mb < 1) return `${Math.ceil(bytes / 1024)} KB`;
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

/** What a full disk holds: the output cache (items, movable with PHI_CACHE_DIR) or the project (its records and models). */
export type DiskRole = 'output cache' | 'project';

/** The disk holding `folder` is full; `bytes` is the size of the write that failed (0 when unknown). */
export class DiskFullError extends Error {
  constructor(
    readonly folder: string,
    readonly bytes: number,
    readonly role: DiskRole = 'output cache',
  ) {
    super(`The disk holding the ${role} (${folder}) is full`);
    this.name = 'DiskFullError';
    this.message = this.explain();
  }

  /** The sentence a person reads: where, how much is free, about how much more the `remaining` items need. */
  explain(remaining = 1): string {
    const free = freeBytes(this.folder);
    const head =
      `The disk holding the ${this.role} (${this.folder}) is full` +
      (free !== undefined ? ` (${megabytes(free)} free)` : '') +
      ': the run stopped';
    if (this.role === 'project') {
      return (
        head +
        (this.bytes > 0 ? `; a write of ${megabytes(this.bytes)} did not fit` : '') +
        '. Free space there and run again: finished nodes and checkpoints are kept.'
      );
    }
    const items = Math.max(1, remaining);
    return (
      `${head}; about ${megabytes(this.bytes * items)} more are needed for the ${items} item(s) left. ` +
      'Free space there, or set PHI_CACHE_DIR to a larger disk, and run again: finished items are kept.'
    );
  }
}

/**
 * A no-space error from any write of a run that names no place (SQLite's
 * records, a model file) as a {@link DiskFullError} on the project's disk;
 * anything else is returned as it is.
 */
export function onProjectDisk(error: unknown, projectDir: string): unknown {
  return isNoSpace(error) && !(error instanceof DiskFullError)
    ? new DiskFullError(projectDir, 0, 'project')
    : error;
}

/**
 * Writes `path` through a temporary file renamed into place, so a crash never
 * leaves half a file; on failure the temporary file is removed, and a full
 * disk throws a {@link DiskFullError} naming `folder`.
 */
export function writeFileAtomically(
  path: string,
  data: string | Uint8Array,
  disk: { folder: string; role: DiskRole },
): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    if (isNoSpace(error)) throw new DiskFullError(disk.folder, Buffer.byteLength(data), disk.role);
    throw error;
  }
}
