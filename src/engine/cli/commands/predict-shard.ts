/**
 * `phi predict-shard <shard.json>`: one shard of `phi predict --executor
 * slurm --shards K` (src/engine/cluster/slurm-predict.ts): runs `phi predict`
 * on the shard's files and writes its exit code and output to `result.json`,
 * last and atomically. Slurm jobs run it (docs/cluster.md); people do not need to.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { ShardJobSchema, type ShardExit } from '../../cluster/slurm-predict';
import { writeJson } from '../../cluster/run-folder';
import { UsageError, type CliCommand, type CliIO } from '../command';
import { predictCommand } from './predict';

/** A stream that keeps what is written and echoes it to `echo` (the job's log). */
function kept(echo: NodeJS.WritableStream): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      echo.write(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** See the module comment. */
export const predictShardCommand: CliCommand = {
  name: 'predict-shard',
  summary: 'predict one shard of a cluster prediction (what `phi predict --executor slurm` jobs run)',
  usage: 'phi predict-shard <job folder>/shard-<k>/shard.json',
  async run(args, io: CliIO) {
    if (args.length !== 1) throw new UsageError('give the shard.json of one shard');
    const file = resolve(io.cwd, args[0]);
    const shard = ShardJobSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    const out = kept(io.stdout);
    const err = kept(io.stderr);
    let exitCode: number;
    try {
      exitCode = await predictCommand.run(
        [shard.project, '--node', shard.node, '--runtime', shard.runtime, shard.input, shard.output],
        { stdout: out.stream, stderr: err.stream, cwd: io.cwd },
      );
    } catch (error) {
      err.stream.write(`phi predict: ${(error as Error).message.split('\n')[0]}\n`);
      exitCode = 1;
    }
    writeJson(join(dirname(file), 'result.json'), {
      exitCode,
      out: out.text(),
      err: err.text(),
    } satisfies ShardExit);
    return exitCode;
  },
};
