/**
 * The operating system's part of confining custom code: the command line that
 * starts a custom module's process (the TypeScript sandbox's Node process or
 * a Python interpreter) inside the strongest box this computer offers.
 *
 * - Memory (Linux, macOS): a shell sets the process's data-segment limit
 *   (`ulimit -d`, RLIMIT_DATA) before it `exec`s the command, so an
 *   allocation past it fails inside the module (Node: "Array buffer
 *   allocation failed"; Python: MemoryError) instead of growing the machine.
 *   Linux enforces it for heap and anonymous mappings; macOS barely does.
 * - Isolation (Linux with bubblewrap): no network, the whole file system
 *   read-only, a small private scratch folder (SCRATCH_DIR, in memory) as the
 *   only writable place, its own
 *   process, IPC and host-name namespaces, killed with the engine.
 * - Windows, or Linux without a working `bwrap`: none of that; what holds
 *   is what the process itself enforces (see docs/security.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What confines a custom module's process on this computer. */
export interface Confinement {
  /** The OS caps the process's data segment (allocations past it fail). */
  memoryCap: boolean;
  /** bubblewrap runs it: no network, read-only files but SCRATCH_DIR, own namespaces. */
  isolated: boolean;
  /** One sentence for the UI: what holds here. */
  summary: string;
}

/** The private, writable folder of an isolated process (in memory), and its size. */
export const SCRATCH_DIR = '/dev/shm';
const SCRATCH_BYTES = 256 * 1024 * 1024;
const SHELL = '/bin/sh';
const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

const BWRAP_FLAGS = [
  '--ro-bind', '/', '/',
  '--dev', '/dev',
  '--proc', '/proc',
  // A fresh /dev (made by bwrap) is the one place where a new mount point can be made.
  '--size', String(SCRATCH_BYTES), '--tmpfs', '/dev/shm',
  '--unshare-all',
  '--die-with-parent',
  '--new-session',
]; // prettier-ignore

let probed: { bwrap?: string } | undefined;

/** The bwrap binary when it is installed and can make a box here (user namespaces allowed). */
function workingBwrap(): string | undefined {
  if (probed) return probed.bwrap;
  probed = {};
  if (process.platform !== 'linux' || process.env.PHI_NO_BWRAP === '1') return undefined;
  for (const path of BWRAP_CANDIDATES) {
    if (!existsSync(path)) continue;
    const probe = spawnSync(path, [...BWRAP_FLAGS, '--', '/bin/true'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status === 0) probed.bwrap = path;
    break;
  }
  return probed.bwrap;
}

/** What holds on this computer (probed once per process). */
export function confinement(): Confinement {
  const memoryCap = process.platform !== 'win32' && existsSync(SHELL);
  const isolated = workingBwrap() !== undefined;
  const summary = isolated
    ? 'Custom code runs in an isolated process: no network, read-only files except a scratch folder, a memory limit.'
    : memoryCap
      ? 'Custom code runs in a separate process with a memory limit, but this computer offers no isolation (bubblewrap is not available): Python modules can read and write your files and use the network.'
      : 'Custom code runs in a separate process, but this computer offers no isolation or memory limit: Python modules can read and write your files and use the network.';
  return { memoryCap, isolated, summary };
}

/** Options of {@link confinedCommand}. */
export interface ConfineOptions {
  /** Data-segment limit of the process, MB. */
  memoryMb: number;
}

/** `command args` wrapped so that it starts confined (see the module comment). */
export function confinedCommand(
  command: string,
  args: string[],
  { memoryMb }: ConfineOptions,
): { command: string; args: string[] } {
  const { memoryCap } = confinement();
  const bwrap = workingBwrap();
  const inner = bwrap ? [bwrap, ...BWRAP_FLAGS, '--', command, ...args] : [command, ...args];
  if (!memoryCap) return { command: inner[0], args: inner.slice(1) };
  // $0 is the limit in KB; "$@" the command. exec keeps the pid (the engine kills that one).
  return {
    command: SHELL,
    args: ['-c', 'ulimit -d "$0" && exec "$@"', String(Math.round(memoryMb * 1024)), ...inner],
  };
}
