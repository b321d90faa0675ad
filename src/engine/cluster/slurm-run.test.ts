/**
 * `phi run --node network --executor slurm` on a real one-node Slurm cluster
 * on loopback (test-support/slurm.ts) with a small version of the bundled
 * example: the network trains as one job whose epochs land in the project as
 * they come, with the metrics of a local training; a `phi run` killed and
 * started again re-attaches to the job, which, requeued meanwhile, resumes
 * from its checkpoint; a job cancelled with `scancel` fails the node with
 * Slurm's state; `phi predict --shards K` equals a local prediction; and the
 * workbench's cluster profiles: "Test cluster" verdicts, a project whose
 * executor is a profile training its network there on RUN, and `phi run
 * --cluster NAME` submitting with a saved profile's partition and time limit.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterProfile, EngineEvent } from '../api';
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
import { PHI_SCRIPT } from './batch-script';

const dir = mkdtempSync(join(tmpdir(), 'phi-cluster-run-'));
let cluster: SlurmCluster | undefined;
let teardown: (() => Promise<void>) | undefined;
let example = '';

const SLURM = ['--executor', 'slurm', '--poll-seconds', '1', '--grace-seconds', '2'];

/** A fresh copy of the small example project training for `epochs`. */
function project(name: string, epochs: number): string {
  const path = join(dir, `${name}.phiproj`);
  cpSync(example, path);
  const store = ProjectStore.open(path);
  const params = store.graph().nodes.find((n) => n.id === 'network')!.params;
  store.applyEdits([{ op: 'set-params', id: 'network', params: { ...params, epochs } }]);
  store.close();
  return path;
}

/** The project's record of the network: its state, message, and the epochs of its latest run by split. */
function recorded(path: string) {
  const store = ProjectStore.open(path);
  try {
    const epochs = store.epochs('network');
    const of = (split: string) =>
      epochs
        .filter((e) => e.split === split)
        .map((e) => e.epoch)
        .sort((a, b) => a - b);
    return {
      result: store.nodeResults().network,
      train: of('train'),
      validation: of('validation'),
      test: epochs.find((e) => e.split === 'test')?.metrics,
      metrics: epochs.map((e) => [e.epoch, e.split, e.metrics]),
    };
  } finally {
    store.close();
  }
}

/** The training job folder of a project's network (one per input and params). */
function jobFolder(path: string): string | undefined {
  const root = join(path.replace(/\.phiproj$/, '.phidata'), 'network', 'cluster');
  const [folder] = existsSync(root) ? readdirSync(root) : [];
  return folder && join(root, folder);
}

/** The job's events file: train epoch numbers, and `resume` where the training said it resumed, in order. */
function eventsOf(folder: string): (number | 'resume')[] {
  const file = join(folder, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string; split?: string; epoch?: number; message?: string })
    .flatMap((event): (number | 'resume')[] =>
      event.type === 'epoch' && event.split === 'train'
        ? [event.epoch!]
        : event.type === 'log' && event.message?.startsWith('Resuming from the checkpoint')
          ? ['resume']
          : [],
    );
}

/** Train epoch numbers in the job's events file, in the order written. */
function eventEpochs(folder: string): number[] {
  return eventsOf(folder).filter((e) => e !== 'resume');
}

beforeAll(async () => {
  // The jobs inherit this environment through sbatch: the same cache, one training thread.
  ({ cluster, teardown } = await startSlurmWithEnvironment(dir));
  example = smallExample(dir, 2);
  // The modules' outputs cached, as `--node` needs.
  const prefix = await runPhi(dir, ['run', example]);
  expect(prefix.code).toBe(0);
}, 300_000);

afterAll(() => teardown?.(), 120_000);

describe('phi run --executor slurm', () => {
  it('trains the network as one Slurm job: epochs printed and recorded, the model in the node, the metrics of a local run', async () => {
    const path = project('cluster', 2);
    const ran = await runPhi(dir, ['run', path, '--node', 'network', ...SLURM]);
    expect(ran.err).toBe('');
    expect(ran.code).toBe(0);
    const job = /Slurm job (\d+_0) submitted/.exec(ran.out)?.[1];
    expect(job).toBeDefined();
    expect(ran.out).toMatch(/network epoch 1 train: /);
    expect(ran.out).toMatch(/network epoch 2 validation: /);
    expect(ran.out).toMatch(/network test \(\d+ items/);
    expect(ran.out).toContain('✔ network');
    const onCluster = recorded(path);
    expect(onCluster.result?.state).toBe('done');
    expect(onCluster.train).toEqual([1, 2]);
    expect(onCluster.validation).toEqual([1, 2]);
    expect(onCluster.test).toBeDefined();
    const artifacts = join(path.replace(/\.phiproj$/, '.phidata'), 'network');
    for (const file of ['model.json', 'best.ckpt', 'last.ckpt'])
      expect(existsSync(join(artifacts, file))).toBe(true);
    expect(await until(`the end of ${job}`, () => cluster!.ended(job!)[0])).toBe('COMPLETED');

    // The same training here: the same epochs and metrics.
    const local = project('local', 2);
    const here = await runPhi(dir, ['run', local, '--node', 'network']);
    expect(here.code).toBe(0);
    expect(onCluster.metrics).toEqual(recorded(local).metrics);
    // Run again unchanged, it trains nothing and submits nothing.
    const again = await runPhi(dir, ['run', path, '--node', 'network', ...SLURM]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('✔ network (cached)');
    expect(again.out).not.toContain('submitted');
  }, 600_000);

  it('a phi run killed and started again re-attaches to its job; the job, requeued meanwhile, resumes from its checkpoint', async () => {
    const epochs = 40;
    const path = project('requeued', epochs);
    const args = ['run', path, '--node', 'network', ...SLURM];
    const child = spawn(process.execPath, [PHI_SCRIPT, ...args], {
      cwd: dir,
      env: process.env,
      stdio: 'ignore',
    });
    const exited = new Promise((done) => child.once('exit', done));
    const folder = await until('the job folder', () => jobFolder(path));
    await until('two epochs trained on the cluster', () =>
      eventEpochs(folder).length >= 2 ? true : undefined,
    );
    // Recorded in the project as they come, while the job still runs.
    const live = await until('epochs in the project', () =>
      recorded(path).train.length > 0 ? true : undefined,
    );
    expect(live).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const submission = JSON.parse(readFileSync(join(folder, 'submit-1.json'), 'utf8')) as { jobId: string };
    const job = `${submission.jobId}_0`;
    expect(eventEpochs(folder).at(-1)).toBeLessThan(epochs);
    await cluster!.run('scontrol', ['requeue', job]);

    const resumed = await runPhi(dir, args);
    expect(resumed.err).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain(`Re-attached to Slurm job ${job}`);
    const from = Number(/Resuming from the checkpoint of epoch (\d+)/.exec(resumed.out)?.[1]);
    expect(from).toBeGreaterThanOrEqual(1);
    // After the requeue the training went on from the checkpoint's epoch, not from epoch 1.
    const events = eventsOf(folder);
    const resumedAt = events.indexOf('resume');
    expect(events.slice(0, resumedAt)).toContain(from);
    expect(events[resumedAt + 1]).toBe(from + 1);
    expect(events.at(-1)).toBe(epochs);
    // Submitted once; Done with every epoch in the project and the final model.
    expect(readdirSync(folder).filter((name) => /^submit-\d+\.json$/.test(name))).toEqual(['submit-1.json']);
    const after = recorded(path);
    expect(after.result?.state).toBe('done');
    expect(after.train).toEqual(Array.from({ length: epochs }, (_, k) => k + 1));
    expect(after.test).toBeDefined();
    expect(existsSync(join(path.replace(/\.phiproj$/, '.phidata'), 'network', 'model.json'))).toBe(true);
    await until('the end of the job', () => (cluster!.ended(job).length === 2 ? true : undefined));
    expect(cluster!.ended(job).at(-1)).toBe('COMPLETED');
  }, 900_000);

  it('a job cancelled with scancel leaves the node failed with Slurm state', async () => {
    const path = project('cancelled', 200);
    const running = runPhi(dir, ['run', path, '--node', 'network', ...SLURM]);
    const folder = await until('the job folder', () => jobFolder(path));
    await until('an epoch trained', () => (eventEpochs(folder).length > 0 ? true : undefined));
    const { jobId } = JSON.parse(readFileSync(join(folder, 'submit-1.json'), 'utf8')) as { jobId: string };
    await cluster!.run('scancel', [`${jobId}_0`]);
    const ran = await running;
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(new RegExp(`Slurm job ${jobId}_0 ended CANCELLED`));
    const after = recorded(path);
    expect(after.result?.state).toBe('failed');
    expect(after.result?.message).toMatch(/ended CANCELLED .*without a result/);
  }, 600_000);
});

describe('phi predict --executor slurm --shards K', () => {
  it('predicts in K array tasks and merges one predictions.csv in input order, equal to a local phi predict', async () => {
    const data = join(dir, 'example', 'data');
    const local = await runPhi(dir, [
      'predict',
      example,
      '--node',
      'network',
      data,
      join(dir, 'predicted-here'),
    ]);
    expect(local.code).toBe(0);
    const sharded = await runPhi(dir, [
      'predict',
      example,
      '--node',
      'network',
      data,
      join(dir, 'predicted-on-cluster'),
      ...SLURM,
      '--shards',
      '3',
    ]);
    expect(sharded.err).toBe('');
    expect(sharded.code).toBe(0);
    expect(sharded.out).toMatch(
      /Predicted 24 image\(s\) into .*predicted-on-cluster \(3 shard\(s\), Slurm job \d+\)/,
    );
    const table = (name: string) => readFileSync(join(dir, name, 'predictions.csv'), 'utf8');
    expect(table('predicted-on-cluster').split('\n')).toHaveLength(26);
    expect(table('predicted-on-cluster')).toBe(table('predicted-here'));
    const job = /Slurm job (\d+)\)/.exec(sharded.out)![1];
    for (const task of [0, 1, 2])
      expect(await until(`the end of shard ${task}`, () => cluster!.ended(`${job}_${task}`)[0])).toBe(
        'COMPLETED',
      );
    // The snapshots the shards read are gone; the project folder holds what it held.
    expect(readdirSync(join(dir, 'example')).filter((name) => name.includes('.shard-'))).toEqual([]);
  }, 600_000);
});

describe('cluster profiles in the workbench', () => {
  const profile = (changes: Partial<ClusterProfile> = {}): ClusterProfile => ({
    ...loopbackProfile(cluster!, dir),
    ...changes,
  });

  it('Test cluster says in one sentence whether sinfo, a one-second job and the engine on the node work', async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    const works = await engine.testCluster({ profile: profile() });
    expect(works.message).toMatch(
      /^Cluster "loopback" works: debug\* up, 1 node\(s\) idle; a test job ran on \S+ [\d.]+ s after submission, the engine answered there and its output came back through /,
    );
    expect(works.ok).toBe(true);
    expect(works.steps.map((s) => [s.step, s.ok])).toEqual([
      ['sinfo', true],
      ['sbatch', true],
      ['job', true],
      ['engine', true],
    ]);
    const noPartition = await engine.testCluster({ profile: profile({ partition: 'gpu' }) });
    expect(noPartition).toMatchObject({ ok: false });
    expect(noPartition.message).toBe(
      'Cluster "loopback": partition "gpu" is not on the cluster or has no nodes: name another partition',
    );
    const noEngine = await engine.testCluster({ profile: profile({ phiCommand: join(dir, 'no-phi-here') }) });
    expect(noEngine.ok).toBe(false);
    expect(noEngine.message).toMatch(
      /the test job ran on \S+ but the engine did not answer there \(.*no-phi-here --help: .*No such file or directory\): install it on the nodes/,
    );
    const noSlurm = await engine.testCluster({ profile: profile({ slurmConf: join(dir, 'missing.conf') }) });
    expect(noSlurm.ok).toBe(false);
    expect(noSlurm.message).toBe(
      `Cluster "loopback": its slurm.conf ${join(dir, 'missing.conf')} does not exist: give the cluster's slurm.conf or leave it empty`,
    );
    expect(readdirSync(join(dir, '.phi-cluster-test'))).toEqual([]);
  }, 300_000);

  it('a project whose executor is a profile trains its network there on RUN; outside the shared folder it is refused', async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    const saved = await engine.saveClusterProfile({
      profile: profile({ sharedFolder: join(dir, 'shared') }),
    });
    expect(saved.profiles.map((p) => p.name)).toEqual(['loopback']);
    const path = project('by-profile', 2);
    await engine.openProject({ path });
    await expect(engine.setProjectExecutor({ executor: 'loopback' })).rejects.toThrow(
      `The project ${path} is not under ${join(dir, 'shared')}, the folder the nodes of cluster "loopback" share: move the project there or train on this computer`,
    );
    await engine.saveClusterProfile({ profile: profile(), previousName: 'loopback' });
    expect((await engine.setProjectExecutor({ executor: 'loopback' })).executor).toBe('loopback');
    const said: string[] = [];
    engine.onDidEmit((event: EngineEvent) => {
      if (event.type === 'log') said.push(event.message);
    });
    const result = await engine.run({ mode: 'node', node: 'network' });
    expect([result.status, result.errors]).toEqual(['done', []]);
    expect(said.some((line) => /^Slurm job \d+_0 submitted/.test(line))).toBe(true);
    engine.closeProject();
    const after = recorded(path);
    expect(after.result?.state).toBe('done');
    expect(after.train).toEqual([1, 2]);
    // Back on this computer: the setting is cleared.
    await engine.openProject({ path });
    expect((await engine.setProjectExecutor({ executor: null })).executor).toBeNull();
    engine.closeProject();
  }, 600_000);
});

describe('phi run --cluster NAME', () => {
  it("trains on Slurm with the saved profile's partition and time limit, --time beside it overriding that field; an unknown name and a project outside the shared folder are refused", async () => {
    process.env.PHI_CONFIG_DIR = join(dir, 'config');
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    const base = loopbackProfile(cluster!, dir);
    await engine.saveClusterProfile({
      profile: { ...base, name: 'timed', partition: 'debug', time: '00:10:00', pollSeconds: 1 },
    });
    const { profiles } = await engine.saveClusterProfile({
      profile: { ...base, name: 'elsewhere', sharedFolder: join(dir, 'shared') },
    });
    const names = profiles.map((p) => `"${p.name}"`).join(', ');
    /** The partition and time limit Slurm holds for the job `phi run` said it submitted. */
    const submitted = async (out: string) => {
      const job = /Slurm job (\d+_0) submitted/.exec(out)?.[1];
      expect(job).toBeDefined();
      const shown = await cluster!.run('scontrol', ['show', 'job', job!]);
      return [/\bPartition=(\S+)/.exec(shown)?.[1], /\bTimeLimit=(\S+)/.exec(shown)?.[1]];
    };

    const byProfile = project('by-cluster-flag', 1);
    const ran = await runPhi(dir, ['run', byProfile, '--node', 'network', '--cluster', 'timed']);
    expect(ran.err).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.out).toContain('✔ network');
    expect(await submitted(ran.out)).toEqual(['debug', '00:10:00']);
    expect(recorded(byProfile).result?.state).toBe('done');

    const overridden = project('by-cluster-flag-time', 1);
    const longer = await runPhi(dir, [
      'run',
      overridden,
      '--node',
      'network',
      '--cluster',
      'timed',
      '--time',
      '00:20:00',
    ]);
    expect(longer.code).toBe(0);
    expect(await submitted(longer.out)).toEqual(['debug', '00:20:00']);

    const unknown = await runPhi(dir, ['run', byProfile, '--node', 'network', '--cluster', 'timd']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.split('\n')[0]).toBe(
      `phi run: There is no cluster profile "timd" (there are ${names}): add it under File > Clusters.`,
    );
    const outside = await runPhi(dir, ['run', byProfile, '--node', 'network', '--cluster', 'elsewhere']);
    expect(outside.code).toBe(2);
    expect(outside.err.split('\n')[0]).toBe(
      `phi run: The project ${byProfile} is not under ${join(dir, 'shared')}, the folder the nodes of cluster "elsewhere" share: move the project there or train on this computer`,
    );
    expect(outside.out).not.toContain('submitted');
  }, 600_000);
});
