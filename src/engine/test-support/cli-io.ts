/**
 * In-process I/O for CLI command tests: what a command writes to stdout and
 * stderr, collected as text.
 */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../cli/command';

/** A {@link CliIO} rooted at `cwd` whose output is read back with `out()` and `err()`. */
export function captureIo(cwd: string): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, cwd, out: () => out, err: () => err };
}
