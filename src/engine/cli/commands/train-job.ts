/**
 * `phi train-job <job.json>`: trains a network node's cluster job (the job
 * folder `phi run --executor slurm` writes) and writes its `result.json`.
 * Slurm jobs run it (docs/cluster.md); people do not need to.
 */
import { resolve } from 'node:path';
import { runTrainingJob } from '../../cluster/training-job';
import { UsageError, type CliCommand, type CliIO } from '../command';

/** See the module comment. */
export const trainJobCommand: CliCommand = {
  name: 'train-job',
  summary: 'train the network of a cluster job (what `phi run --executor slurm` jobs run)',
  usage: 'phi train-job <job folder>/job.json',
  async run(args, io: CliIO) {
    if (args.length !== 1) throw new UsageError('give the job.json of one training job');
    return runTrainingJob(resolve(io.cwd, args[0]), (line) => io.stdout.write(`${line}\n`));
  },
};
