/**
 * `phi trial <trial.json>`: trains one tuning trial described in a cluster run
 * folder and writes its `result.json` there. Cluster jobs run it
 * (`phi tune --executor slurm`, docs/cluster.md); people do not need to.
 */
import { resolve } from 'node:path';
import { runTrialJob } from '../../cluster/trial-job';
import { UsageError, type CliCommand, type CliIO } from '../command';

/** See the module comment. */
export const trialCommand: CliCommand = {
  name: 'trial',
  summary: 'train one tuning trial of a cluster run (what `phi tune --executor slurm` jobs run)',
  usage: 'phi trial <run folder>/trial-<i>/trial.json',
  async run(args, io: CliIO) {
    if (args.length !== 1) throw new UsageError('give the trial.json of one trial');
    return runTrialJob(resolve(io.cwd, args[0]), (line) => io.stdout.write(`${line}\n`));
  },
};
