/**
 * Idempotent submission of one array job: the submission file is written
 * before `sbatch`, and before every retry the job name is looked up with
 * `squeue`, so a submission that went through but whose answer was lost is
 * adopted, not repeated. Without a readable queue nothing is submitted blind.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../run/disk-full';
import { batchScript, type SlurmResources } from './batch-script';
import { writeJson, type Submission } from './run-folder';
import { sbatch, squeue, type SlurmEnv } from './slurm';

/** Tries of `sbatch` (each preceded by a lookup of the job name) before giving up. */
const SUBMIT_TRIES = 3;

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish);
  });
}

/**
 * Submits an array job named `jobName` whose task k runs `command` on
 * `folders[k]` (batch-script.ts), recording it in `<folder>/<stem>.json`
 * (then again with the job id) and the script in `<folder>/<stem>.sbatch`;
 * the tasks' output goes to `<folder>/logs/`.
 */
export async function submitJob(options: {
  folder: string;
  stem: string;
  jobName: string;
  folders: readonly string[];
  command: readonly [subcommand: string, jobFile: string];
  resources: SlurmResources;
  /** What the tasks stand for, in task order (a search's trial positions); default 0..n-1. */
  trials?: number[];
  env: SlurmEnv;
  /** The first wait between tries (doubled each time). */
  retrySeconds: number;
  signal: AbortSignal;
}): Promise<{ jobId: string } | { error: string }> {
  const { folder, stem, jobName, env } = options;
  const submission: Submission = { jobName, trials: options.trials ?? options.folders.map((_, k) => k) };
  const file = join(folder, `${stem}.json`);
  const scriptPath = join(folder, `${stem}.sbatch`);
  // Slurm cannot start a job whose log folder is missing.
  mkdirSync(join(folder, 'logs'), { recursive: true });
  writeJson(file, submission);
  writeFileAtomically(
    scriptPath,
    batchScript({
      jobName,
      logDir: join(folder, 'logs'),
      folders: options.folders,
      command: options.command,
      resources: options.resources,
    }),
    { folder, role: 'project' },
  );
  let error = '';
  for (let attempted = 0; attempted < SUBMIT_TRIES; attempted++) {
    const found = await squeue([jobName], env).catch(() => undefined);
    let jobId = found?.[0]?.arrayJob;
    if (jobId === undefined && (attempted === 0 || found !== undefined)) {
      try {
        jobId = await sbatch(scriptPath, env);
      } catch (failure) {
        error = (failure as Error).message;
      }
    }
    if (jobId !== undefined) {
      writeJson(file, { ...submission, jobId } satisfies Submission);
      return { jobId };
    }
    await pause(options.retrySeconds * 1000 * 2 ** attempted, options.signal);
    if (options.signal.aborted) break;
  }
  return { error: error || 'the queue could not be read to submit the job' };
}
