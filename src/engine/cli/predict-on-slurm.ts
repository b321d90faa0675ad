/**
 * `phi predict ... --executor slurm --shards K`: the prediction as one Slurm
 * array job of K shards (src/engine/cluster/slurm-predict.ts), printed as
 * `phi predict` prints a local one.
 */
import { predictOnSlurm } from '../cluster/slurm-predict';
import { EXIT, UsageError, type CliIO } from './command';
import { listFiles } from '../service/predict-channel';
import { integerOption, type SlurmChoice } from './slurm-options';

/** Predicts `input` into `output` on the cluster; the exit code as `phi predict`'s. */
export async function predictOnCluster(
  request: { project: string; node: string; runtime: string; input: string; output: string; shards?: string },
  slurm: SlurmChoice,
  io: CliIO,
): Promise<number> {
  const shards = integerOption('shards', request.shards) ?? 1;
  if (shards < 1) throw new UsageError('--shards must be at least 1');
  const files = listFiles(request.input);
  if (files.length === 0) throw new UsageError(`${request.input} holds no files to predict`);
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    const outcome = await predictOnSlurm({
      ...request,
      files,
      shards,
      ...slurm,
      signal: controller.signal,
      log: (line) => io.stdout.write(`${line}\n`),
    });
    for (const line of outcome.errors) io.stderr.write(`${line}\n`);
    io.stdout.write(
      `Predicted ${outcome.predicted} image(s) into ${request.output}${outcome.failed ? `; ${outcome.failed} failed` : ''} (${outcome.shards} shard(s), Slurm job ${outcome.job})\n`,
    );
    for (const line of outcome.notes) io.stdout.write(`${line}\n`);
    return outcome.failed && !outcome.predicted ? EXIT.failed : EXIT.ok;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
