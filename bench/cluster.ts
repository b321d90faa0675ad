/**
 * `npm run bench -- cluster [TRIALS]`: what the Slurm executor costs on a
 * one-node cluster on loopback (started as the cluster tests start it), all in
 * the same run on the small bundled example (24 slices at 32 x 32, one epoch,
 * one training thread):
 * - a search of TRIALS trials (default 4, one generation) on the local
 *   executor, then on Slurm one task at a time (`--max-parallel 1`) and all
 *   at once; prints trials per hour and, from the one-at-a-time run, the
 *   overhead per trial (its extra time over the local search, per trial) and
 *   submit to start and a task's time from start to end as Slurm's completion
 *   log has them (whole seconds);
 * - one `phi run --node network` here and with `--executor slurm`: the extra
 *   time of one training job, and how long after the job's `result.json` was
 *   written `phi run` was done (results back).
 * The queue is read every second (`--poll-seconds 1`); the default is 15.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../src/engine/cli/main';
import { captureIo } from '../src/engine/test-support/cli-io';
import { smallExample, startSlurmWithEnvironment } from '../src/engine/test-support/slurm';

const trials = Number(process.argv[2] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'phi-bench-cluster-'));
const { cluster, teardown } = await startSlurmWithEnvironment(dir);

/** Runs `phi ARGS` in this process; its seconds, or throws with what it said. */
async function timed(args: string[]): Promise<number> {
  const io = captureIo(dir);
  const started = performance.now();
  const code = await main(args, io);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`phi ${args.join(' ')} failed: ${io.err()}`);
  return seconds;
}

let copies = 0;
/** A fresh copy of the example project (its modules' outputs are cached already). */
function copy(example: string): string {
  const path = join(dir, `copy-${++copies}.phiproj`);
  cpSync(example, path);
  return path;
}

try {
  const example = smallExample(dir, 1);
  await timed(['run', example]);
  const SLURM = ['--executor', 'slurm', '--poll-seconds', '1', '--grace-seconds', '5'];
  const search = ['--node', 'network', '--search', 'learningRate=1e-3..1e-2:log', '--seed', '5'];
  const tune = (path: string, extra: string[] = []) =>
    timed(['tune', path, ...search, '--population', String(trials), '--generations', '1', ...extra]);

  const local = await tune(copy(example));
  const serialProject = copy(example);
  const serial = await tune(serialProject, [...SLURM, '--max-parallel', '1']);
  const parallel = await tune(copy(example), SLURM);

  // From Slurm's completion log (whole seconds): submission (the submission file, rewritten with the job id
  // just after sbatch) to the first task's start, and each task's time from start to end.
  const runs = join(serialProject.replace(/\.phiproj$/, '.phidata'), 'cluster');
  const [run] = readdirSync(runs);
  const submission = join(runs, run, 'gen-1.1.json');
  const jobId = (JSON.parse(readFileSync(submission, 'utf8')) as { jobId: string }).jobId;
  const tasks = cluster
    .completed()
    .filter((job) => job.ArrayJobId === jobId && job.JobState === 'COMPLETED')
    .map((job) => ({
      start: Date.parse(`${job.StartTime}Z`) / 1000,
      end: Date.parse(`${job.EndTime}Z`) / 1000,
    }));
  const firstStart = Math.min(...tasks.map((t) => t.start)) - statSync(submission).mtimeMs / 1000;
  const inJob = tasks.reduce((sum, t) => sum + t.end - t.start, 0) / tasks.length;

  const perHour = (seconds: number) => ((trials / seconds) * 3600).toFixed(0);
  console.log(`Tuning search, ${trials} trials of one epoch, one-node Slurm on loopback`);
  console.log(`  local executor        ${local.toFixed(1)} s   ${perHour(local)} trials/hour   1.00x`);
  console.log(
    `  slurm, one at a time  ${serial.toFixed(1)} s   ${perHour(serial)} trials/hour   ${(local / serial).toFixed(2)}x`,
  );
  console.log(
    `  slurm, all at once    ${parallel.toFixed(1)} s   ${perHour(parallel)} trials/hour   ${(local / parallel).toFixed(2)}x`,
  );
  console.log(`  overhead per trial (one at a time): ${((serial - local) / trials).toFixed(1)} s`);
  console.log(
    `  submit to start of the first task: ${firstStart.toFixed(0)} s; a task from start to end: ${inJob.toFixed(1)} s on average (a local trial: ${(local / trials).toFixed(1)} s), in Slurm's whole seconds`,
  );

  const here = await timed(['run', copy(example), '--node', 'network']);
  const onCluster = copy(example);
  const started = performance.now();
  const there = await timed(['run', onCluster, '--node', 'network', ...SLURM]);
  const jobs = join(onCluster.replace(/\.phiproj$/, '.phidata'), 'network', 'cluster');
  const [job] = readdirSync(jobs);
  const resultWritten = statSync(join(jobs, job, 'result.json')).mtimeMs;
  const back = (performance.timeOrigin + started + there * 1000 - resultWritten) / 1000;
  console.log('One training (phi run --node network, one epoch)');
  console.log(`  here                  ${here.toFixed(1)} s   1.00x`);
  console.log(`  slurm job             ${there.toFixed(1)} s   ${(here / there).toFixed(2)}x`);
  console.log(
    `  overhead of the job: ${(there - here).toFixed(1)} s; results back ${back.toFixed(1)} s after result.json`,
  );
} finally {
  await teardown();
}
