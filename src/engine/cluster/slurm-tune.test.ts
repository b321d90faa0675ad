/**
 * `phi tune --executor slurm` on a real one-node Slurm cluster on loopback
 * (test-support/slurm.ts), with a small version of the bundled example: every
 * trial is an array task that Slurm completes, its result lands in the
 * project with the parameters a local search picks, a job cancelled with
 * `scancel` is a failed trial saying CANCELLED, and a `phi tune` killed
 * mid-search is resumed without submitting its jobs again. Auto Tuning
 * started from the workbench of a project whose executor is a cluster profile
 * runs its trials there too, with the profile's cap on tasks running at once
 * and its queue poll interval; `phi tune --cluster NAME` takes a saved
 * profile, a flag beside it overriding its cap.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLL_SECONDS } from '../api';
import { EXAMPLE_PROJECT } from '../cli/commands/example';
import { Engine } from '../service/engine';
import { ProjectStore } from '../store/project-store';
import { runPhi } from '../test-support/cli-io';
import {
  loopbackProfile,
  smallExample,
  startSlurmWithEnvironment,
  until,
  type SlurmCluster,
} from '../test-support/slurm';
import { latestSearch, tuningState } from '../tuning/state';
import { PHI_SCRIPT } from './batch-script';
import { runFolder } from './run-folder';

const dir = mkdtempSync(join(tmpdir(), 'phi-cluster-'));
let cluster: SlurmCluster | undefined;
let teardown: (() => Promise<void>) | undefined;

const SEARCH = [
  '--node',
  'network',
  '--search',
  'learningRate=1e-3..1e-2:log',
  '--search',
  'batchSize=4,8',
  '--seed',
  '5',
];
const SLURM = ['--executor', 'slurm', '--poll-seconds', '1', '--grace-seconds', '2'];
/** One generation of two trials. */
const TWO_TRIALS = ['--population', '2', '--generations', '1'];

/** A fresh copy of the small example project, its network's input already cached. */
function project(name: string): string {
  const path = join(dir, `${name}.phiproj`);
  cpSync(join(dir, 'example', EXAMPLE_PROJECT), path);
  return path;
}

function readState(path: string) {
  const store = ProjectStore.open(path);
  try {
    return { state: tuningState(store, 'network'), search: latestSearch(store, 'network') };
  } finally {
    store.close();
  }
}

const ended = (job: string): string[] => cluster!.ended(job);

beforeAll(async () => {
  // The jobs inherit this environment through sbatch: the same cache, one training thread.
  ({ cluster, teardown } = await startSlurmWithEnvironment(dir));
  // The bundled example, smaller: one short epoch.
  smallExample(dir, 1);
  const prefix = await runPhi(dir, ['run', join(dir, 'example', EXAMPLE_PROJECT)]);
  expect(prefix.err).toBe('');
  expect(prefix.code).toBe(0);
}, 300_000);

afterAll(() => teardown?.(), 120_000);

describe('phi tune --executor slurm', () => {
  it('runs each generation as an array job: every trial COMPLETED, finished in the project, the parameters of a local search', async () => {
    const onCluster = project('cluster');
    const tuned = await runPhi(dir, [
      'tune',
      onCluster,
      ...SEARCH,
      '--population',
      '4',
      '--generations',
      '2',
      ...SLURM,
      '--max-parallel',
      '2',
    ]);
    expect(tuned.err).toBe('');
    expect(tuned.code).toBe(0);
    expect(tuned.out).toMatch(/trial {3}1 {2}gen 1 {2}queued: Slurm job \d+_0/);
    const { state, search } = readState(onCluster);
    const trained = state.trials;
    // 4 in generation 1, then 3 children beside the kept best.
    expect(trained.map((t) => t.generation)).toEqual([1, 1, 1, 1, 2, 2, 2]);
    const store = ProjectStore.open(onCluster);
    const records = store.trials(search!.runId);
    store.close();
    const jobs = records.map((r) => (r.metrics as { job: string }).job);
    for (const trial of trained) {
      expect([trial.status, trial.message]).toEqual(['done', undefined]);
      expect(trial.score).toBe(trial.metrics['validation.accuracy']);
      expect(Object.keys(trial.metrics)).toContain('train.loss');
    }
    // Every trial's job is in Slurm's completion log as COMPLETED (written as the task ends, just after
    // its result).
    for (const job of jobs) expect(await until(`the end of ${job}`, () => ended(job)[0])).toBe('COMPLETED');
    expect(new Set(jobs.map((j) => j.split('_')[0])).size).toBe(2);
    const runDir = runFolder(onCluster.replace(/\.phiproj$/, '.phidata'), search!.runId);
    for (let i = 0; i < 7; i++) expect(existsSync(join(runDir, `trial-${i}`, 'result.json'))).toBe(true);

    const local = project('local');
    const here = await runPhi(dir, ['tune', local, ...SEARCH, '--population', '4', '--generations', '2']);
    expect(here.code).toBe(0);
    const localTrials = readState(local).state.trials;
    expect(trained.map((t) => [t.generation, t.params])).toEqual(
      localTrials.map((t) => [t.generation, t.params]),
    );
    expect(trained.map((t) => t.metrics)).toEqual(localTrials.map((t) => t.metrics));
  }, 900_000);

  it('a job cancelled with scancel while it runs is a failed trial with the reason CANCELLED', async () => {
    const path = project('cancelled');
    const tuning = runPhi(dir, ['tune', path, ...SEARCH, ...TWO_TRIALS, ...SLURM]);
    const running = await until('a running trial', async () => {
      const queue = await cluster!.run('squeue', [
        '--array',
        '--noheader',
        '--states=RUNNING',
        '--format=%i|%j',
      ]);
      return queue
        .split('\n')
        .find((line) => line.includes('-g1.1'))
        ?.split('|')[0];
    });
    await cluster!.run('scancel', [running]);
    const tuned = await tuning;
    const { state } = readState(path);
    const failed = state.trials.filter((t) => t.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toMatch(new RegExp(`Slurm job ${running} ended CANCELLED`));
    expect(tuned.out).toContain('failed: Slurm job');
  }, 900_000);

  it('a phi tune killed mid-search carries on when started again: it re-attaches to its jobs and keeps the finished trials', async () => {
    const path = project('resumed');
    const args = ['tune', path, ...SEARCH, '--population', '3', '--generations', '2', ...SLURM];
    const child = spawn(process.execPath, [PHI_SCRIPT, ...args], {
      cwd: dir,
      env: process.env,
      stdio: 'ignore',
    });
    const exited = new Promise((done) => child.once('exit', done));
    // Killed once generation 2 is submitted.
    const runDir = await until('the second generation', () => {
      const store = ProjectStore.open(path);
      const runId = latestSearch(store, 'network')?.runId;
      store.close();
      const folder = runId && runFolder(path.replace(/\.phiproj$/, '.phidata'), runId);
      const submitted = folder && join(folder, 'gen-2.1.json');
      return submitted && existsSync(submitted) && JSON.parse(readFileSync(submitted, 'utf8')).jobId
        ? folder
        : undefined;
    });
    child.kill('SIGKILL');
    await exited;
    const before = readState(path);
    const firstGeneration = before.state.trials.filter((t) => t.generation === 1);
    expect(firstGeneration.map((t) => t.status)).toEqual(['done', 'done', 'done']);
    const gen2Job = JSON.parse(readFileSync(join(runDir, 'gen-2.1.json'), 'utf8')).jobId as string;

    // Never mixed with another state of the project: asked to resume after the network changed, it refuses.
    const edit = (dropout: number) => {
      const store = ProjectStore.open(path);
      const params = store.graph().nodes.find((n) => n.id === 'network')!.params;
      store.applyEdits([{ op: 'set-params', id: 'network', params: { ...params, dropout } }]);
      store.close();
    };
    edit(0.3);
    const refused = await runPhi(dir, [...args, '--resume', before.search!.runId]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/changed since run .*: its results are not mixed with this state/);
    edit(0.2);

    // The same command again carries the interrupted search on.
    const resumed = await runPhi(dir, args);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    const after = readState(path);
    expect(after.search!.runId).toBe(before.search!.runId);
    expect(after.state.trials.filter((t) => t.generation === 1)).toEqual(firstGeneration);
    const second = after.state.trials.filter((t) => t.generation === 2);
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((t) => t.status === 'done')).toBe(true);
    // Re-attached: generation 2 was submitted once, and its trials are that job's tasks.
    expect(readdirSync(runDir).filter((name) => name.startsWith('gen-2.') && name.endsWith('.json'))).toEqual(
      ['gen-2.1.json'],
    );
    const store = ProjectStore.open(path);
    const jobs = store.trials(after.search!.runId).map((r) => (r.metrics as { job: string }).job);
    store.close();
    expect(jobs.slice(3).every((job) => job.startsWith(`${gen2Job}_`))).toBe(true);
  }, 900_000);

  it('Ctrl+C on phi tune cancels its jobs with scancel and records the trials cancelled', async () => {
    const path = project('interrupted');
    const args = ['tune', path, ...SEARCH, '--population', '2', '--generations', '1', ...SLURM];
    const child = spawn(process.execPath, [PHI_SCRIPT, ...args], {
      cwd: dir,
      env: process.env,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const listed = () =>
      cluster!.run('squeue', ['--array', '--noheader', '--states=PENDING,RUNNING', '--format=%i|%j|%T']);
    const jobName = await until(
      'a running trial',
      async () =>
        (await listed())
          .split('\n')
          .find((line) => line.endsWith('|RUNNING') && line.includes('-g1.1'))
          ?.split('|')[1],
    );
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect((await listed()).includes(jobName)).toBe(false);
    const { state } = readState(path);
    // The trial seen running was stopped (one that finished just before keeps its result).
    const stopped = state.trials.filter((t) => t.status !== 'done');
    expect(stopped.length).toBeGreaterThan(0);
    for (const trial of stopped) {
      expect(trial.status).toBe('cancelled');
      expect(trial.message).toMatch(/^cancelled \(scancel \d+_\d\)$/);
    }
  }, 900_000);

  it('a task told its time limit is near (USR1) requeues itself once, at most --max-requeues times, and its trial still finishes', async () => {
    const path = project('requeued');
    const args = ['tune', path, ...SEARCH, '--population', '2', '--generations', '1', ...SLURM];
    const tuning = runPhi(dir, [...args, '--max-parallel', '1', '--max-requeues', '1']);
    const logs = (): string[] => {
      const runs = join(path.replace(/\.phiproj$/, '.phidata'), 'cluster');
      return (existsSync(runs) ? readdirSync(runs) : [])
        .map((run) => join(runs, run, 'logs'))
        .filter(existsSync)
        .flatMap((folder) => readdirSync(folder).map((name) => readFileSync(join(folder, name), 'utf8')));
    };
    /** Waits until the first task's training has started `times` times (its log says so each time). */
    const started = (times: number) =>
      until(`the training started ${times} time(s)`, () =>
        logs().some((text) => (text.match(/^trial \S+ \(generation 1\) of run/gm) ?? []).length === times)
          ? true
          : undefined,
      );
    await started(1);
    const [task] = (
      await cluster!.run('squeue', ['--array', '--noheader', '--states=RUNNING', '--format=%i'])
    ).split('\n');
    // What Slurm sends 60 s before the time limit (--signal=B:USR1@60), sent now.
    await cluster!.run('scancel', ['--signal=USR1', '--batch', task]);
    await started(2);
    expect(await cluster!.run('scontrol', ['show', 'job', task])).toMatch(/Restarts=1\b/);
    // The second time the bound is reached: the task goes on instead of requeueing again.
    await cluster!.run('scancel', ['--signal=USR1', '--batch', task]);
    const tuned = await tuning;
    expect(tuned.code).toBe(0);
    const { state } = readState(path);
    expect(state.trials.map((t) => [t.status, t.message])).toEqual([
      ['done', undefined],
      ['done', undefined],
    ]);
    // One record of the run the requeue stopped (the task went back to PENDING), one of the run that
    // completed: the second USR1 did not requeue it again.
    await until('the end of the task', () => (ended(task).length === 2 ? true : undefined));
    expect(ended(task)).toEqual(['PENDING', 'COMPLETED']);
  }, 900_000);
});

describe('Auto Tuning from the workbench', () => {
  it('a project whose executor is a cluster profile runs its trials there as Slurm array jobs', async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const path = project('workbench');
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    await engine.saveClusterProfile({ profile: loopbackProfile(cluster!, dir) });
    await engine.openProject({ path });
    expect((await engine.setProjectExecutor({ executor: 'loopback' })).executor).toBe('loopback');
    const state = await engine.startTuning({
      node: 'network',
      search: [{ param: 'learningRate', min: 1e-3, max: 1e-2, log: true }],
      population: 2,
      generations: 1,
      seed: 5,
    });
    engine.closeProject();
    expect(state.trials.map((t) => [t.generation, t.status, t.message])).toEqual([
      [1, 'done', undefined],
      [1, 'done', undefined],
    ]);
    const { state: stored, search } = readState(path);
    expect(stored.trials.map((t) => t.status)).toEqual(['done', 'done']);
    const store = ProjectStore.open(path);
    const jobs = store.trials(search!.runId).map((r) => (r.metrics as { job?: string }).job);
    store.close();
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(job).toMatch(/^\d+_[01]$/);
      expect(await until(`the end of ${job}`, () => ended(job!)[0])).toBe('COMPLETED');
    }
    // One array job for the generation, in the run folder beside the project.
    expect(new Set(jobs.map((j) => j!.split('_')[0])).size).toBe(1);
    const runDir = runFolder(path.replace(/\.phiproj$/, '.phidata'), search!.runId);
    for (let i = 0; i < 2; i++) expect(existsSync(join(runDir, `trial-${i}`, 'result.json'))).toBe(true);
  }, 600_000);

  it("a profile's cap and queue poll interval: the array job carries %N, never more than N tasks run at once, squeue is read every pollSeconds", async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const path = project('capped');
    // squeue and sbatch as the engine finds them on PATH: each call logged, then Slurm's own command.
    const wrappers = join(dir, 'counting-bin');
    const calls = join(dir, 'slurm-calls.log');
    mkdirSync(wrappers, { recursive: true });
    const real = (command: string): string =>
      execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
    const squeue = real('squeue');
    for (const command of ['squeue', 'sbatch']) {
      const script = join(wrappers, command);
      writeFileSync(
        script,
        `#!/bin/sh\necho "${command} $(date +%s.%N)" >> '${calls}'\nexec '${real(command)}' "$@"\n`,
      );
      chmodSync(script, 0o755);
    }
    const pollSeconds = 3;
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    await engine.saveClusterProfile({
      profile: { ...loopbackProfile(cluster!, dir), name: 'capped', pollSeconds, maxParallel: 1 },
    });
    await engine.openProject({ path });
    await engine.setProjectExecutor({ executor: 'capped' });

    // Sampled while the search runs: the tasks running at once, and how Slurm holds the array.
    let mostRunning = 0;
    let samplesWithOneRunning = 0;
    let pendingRecord = '';
    let shownJob = '';
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const listed = (await cluster!.run(squeue, ['--noheader', '--format=%i|%j|%T'])).split('\n');
        const search = listed
          .map((line) => line.trim().split('|'))
          .filter(([, name]) => /^phi-.+-g1\.1$/.test(name ?? ''));
        const running = search.filter(([, , state]) => state === 'RUNNING').length;
        mostRunning = Math.max(mostRunning, running);
        if (running === 1) samplesWithOneRunning++;
        const pending = search.find(([id, , state]) => state === 'PENDING' && id.includes('['));
        if (pending && !shownJob) {
          pendingRecord = pending[0];
          shownJob = await cluster!.run('scontrol', ['show', 'job', pending[0].split('_')[0]]);
        }
        await new Promise((done) => setTimeout(done, 300));
      }
    })();
    const savedPath = process.env.PATH;
    process.env.PATH = `${wrappers}:${savedPath}`;
    let state;
    try {
      state = await engine.startTuning({
        node: 'network',
        search: [{ param: 'learningRate', min: 1e-3, max: 1e-2, log: true }],
        population: 3,
        generations: 1,
        seed: 5,
      });
    } finally {
      process.env.PATH = savedPath;
      sampling = false;
      await sampler;
      engine.closeProject();
    }
    expect(state.trials.map((t) => t.status)).toEqual(['done', 'done', 'done']);
    // The array spec Slurm holds: the pending tasks' record and its throttle say 1.
    expect(pendingRecord).toMatch(/^\d+_\[[\d,-]+%1\]$/);
    expect(shownJob).toMatch(/ArrayTaskThrottle=1\b/);
    // One task at a time (seen running in many samples, never two).
    expect(mostRunning).toBe(1);
    expect(samplesWithOneRunning).toBeGreaterThan(3);
    // After sbatch every squeue is the watcher's: at least pollSeconds apart.
    const log = readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    const submitted = log.findIndex(([command]) => command === 'sbatch');
    expect(log.filter(([command]) => command === 'sbatch')).toHaveLength(1);
    const reads = log.slice(submitted + 1).map(([, at]) => Number(at));
    const gaps = reads.slice(1).map((at, k) => at - reads[k]);
    console.log(`${reads.length} queue reads, gaps ${gaps.map((g) => g.toFixed(2)).join(' ')} s`);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const gap of gaps) expect(gap).toBeGreaterThan(pollSeconds * 0.9);
    // And the profile's interval, not the default 15 s: the median gap stays well under it, however loaded the machine.
    expect(gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)]).toBeLessThan(POLL_SECONDS.default * 0.6);
  }, 600_000);
});

describe('phi tune --cluster NAME', () => {
  it("runs the trials with the saved profile's partition and time limit, --max-parallel beside it overriding the profile's cap", async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    await engine.saveClusterProfile({
      profile: {
        ...loopbackProfile(cluster!, dir),
        name: 'capped-timed',
        partition: 'debug',
        time: '00:15:00',
        maxParallel: 2,
        pollSeconds: 1,
      },
    });
    const path = project('by-cluster-flag');
    const tuned = await runPhi(dir, [
      'tune',
      path,
      ...SEARCH,
      ...TWO_TRIALS,
      '--cluster',
      'capped-timed',
      '--max-parallel',
      '1',
    ]);
    expect(tuned.err).toBe('');
    expect(tuned.code).toBe(0);
    const { state, search } = readState(path);
    expect(state.trials.map((t) => t.status)).toEqual(['done', 'done']);
    const runDir = runFolder(path.replace(/\.phiproj$/, '.phidata'), search!.runId);
    const script = readFileSync(join(runDir, 'gen-1.1.sbatch'), 'utf8');
    expect(script).toContain('#SBATCH --array=0-1%1\n');
    const job = /Slurm job (\d+)_0/.exec(tuned.out)?.[1];
    expect(job).toBeDefined();
    const shown = await cluster!.run('scontrol', ['show', 'job', `${job}_0`]);
    expect([/\bPartition=(\S+)/.exec(shown)?.[1], /\bTimeLimit=(\S+)/.exec(shown)?.[1]]).toEqual([
      'debug',
      '00:15:00',
    ]);
  }, 600_000);
});
