/**
 * The shape of a `phi` sub-command: one file per command under commands/,
 * each a thin client of the engine API. Exit codes: 0 ok, 1 run failed,
 * 2 bad usage; errors go to stderr, one line each.
 */

/** Streams and working directory a command uses; injected so tests capture output. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  cwd: string;
}

/** Exit code of a command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Thrown for bad usage: main prints the message and exits with 2. */
export class UsageError extends Error {}

/** One `phi` sub-command. */
export interface CliCommand {
  name: string;
  /** One line for `phi --help`. */
  summary: string;
  /** Usage lines shown by `phi <name> --help` and on bad usage. */
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}
