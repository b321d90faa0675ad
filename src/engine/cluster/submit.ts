/**
 * Idempotent submission of one array job: the submission file is written
 * before `sbatch`, and before every retry the job name is looked up with
 * `squeue`, so a submission that went through but whose answer was lost is
 * adopted, not repeated. Without a readable queue nothing is submitted blind.
 */
import { join } from 'node:path';
import { writeFileAtomically } from '../run/disk-full';
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
 * Submits `script` as `submission.jobName`, recording it in `<folder>/<stem>.json`
 * (then again with the job id) and the script in `<folder>/<stem>.sbatch`.
 */
export async function submitJob(options: {
  folder: string;
  stem: string;
  submission: Submission;
  script: string;
  env: SlurmEnv;
  /** The first wait between tries (doubled each time). */
  retrySeconds: number;
  signal: AbortSignal;
}): Promise<{ jobId: string } | { error: string }> {
  const { folder, stem, submission, env } = options;
  const file = join(folder, `${stem}.json`);
  const scriptPath = join(folder, `${stem}.sbatch`);
  writeJson(file, submission);
  writeFileAtomically(scriptPath, options.script, { folder, role: 'project' });
  let error = '';
  for (let attempted = 0; attempted < SUBMIT_TRIES; attempted++) {
    const found = await squeue([submission.jobName], env).catch(() => undefined);
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
