/**
 * Whether a run marked `running` still has a live process behind it. A project
 * can be open in the app and in `phi run` at once, so opening it must not mark
 * another process's live run as interrupted; only runs whose process is gone.
 */
import { hostname } from 'node:os';

/** Runs started by stores of this process that are still open, keyed by `file + run id`. */
const liveInThisProcess = new Set<string>();

function key(file: string, runId: string): string {
  return `${file}\u0000${runId}`;
}

/** Notes that this process is running `runId` of `file`. */
export function markLive(file: string, runId: string): void {
  liveInThisProcess.add(key(file, runId));
}

/** Notes that this process no longer runs `runId` of `file`. */
export function markEnded(file: string, runId: string): void {
  liveInThisProcess.delete(key(file, runId));
}

/** The owner stamp stored with a new run. */
export function currentOwner(): { pid: number; host: string } {
  return { pid: process.pid, host: hostname() };
}

/**
 * True when the run's owner may still be running it: this process with the run
 * open, or another live process on this host. A run stamped by another host is
 * over: WAL needs shared memory, so no other host can be writing this file now
 * (the project was copied from there).
 */
export function ownerIsAlive(file: string, runId: string, pid: number | null, host: string | null): boolean {
  if (pid === null || host === null) return false;
  if (host !== hostname()) return false;
  if (pid === process.pid) return liveInThisProcess.has(key(file, runId));
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
