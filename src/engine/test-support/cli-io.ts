/**
 * In-process I/O for CLI command tests: what a command writes to stdout and
 * stderr, collected as text.
 */
import { PassThrough } from 'node:stream';
import type { CliIO } from '../cli/command';
import { main } from '../cli/main';

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

/** Runs `phi ARGV...` in process at `cwd`: its exit code and what it printed. */
export async function runPhi(
  cwd: string,
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}
