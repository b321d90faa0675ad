/**
 * A one-node Slurm cluster on loopback for tests: a generated munge key and
 * munged, slurmctld and slurmd in the foreground as child processes, with a
 * minimal slurm.conf in a temporary folder (no cgroups, no accounting
 * database; completed jobs are written to a job completion log). `stop()`
 * cancels what is left, waits for the queue to empty and ends the daemons.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ClusterProfileSchema, type ClusterProfile } from '../api';
import { EXAMPLE_DIR, EXAMPLE_PROJECT } from '../cli/commands/example';
import { ProjectStore } from '../store/project-store';
import { tempDir } from './pipeline';

/** A running test cluster. */
export interface SlurmCluster {
  /** Environment for Slurm's commands (SLURM_CONF) and the jobs. */
  env: NodeJS.ProcessEnv;
  /** The jobs in the job completion log: one record of `Key=Value` fields per ended job. */
  completed(): Record<string, string>[];
  /** The states the job completion log holds for array task `job` (`<array job>_<task>`), oldest first. */
  ended(job: string): string[];
  /** Slurm's command `command` with `args` against this cluster; its output. */
  run(command: string, args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const NODE = 'phinode';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Why the daemons cannot run here, or undefined when they can be tried. */
function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the test cluster runs its daemons as root (SlurmUser=root)';
  for (const program of ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'sinfo']) {
    try {
      execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    } catch {
      return `${program} is not installed (apt-get install slurm-wlm munge)`;
    }
  }
  return undefined;
}

/** Starts munged, slurmctld and slurmd; resolves once `sinfo` shows the node idle. */
export async function startSlurm(): Promise<SlurmCluster> {
  const refused = missing();
  if (refused) throw new Error(`No test Slurm cluster: ${refused}`);
  const dir = tempDir('phi-slurm-');
  const munge = join(dir, 'munge');
  mkdirSync(munge, { mode: 0o700 });
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(munge, 'socket');
  for (const sub of ['state', 'spool', 'log']) mkdirSync(join(dir, sub));
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const host = hostname();
  const conf = join(dir, 'slurm.conf');
  const jobComp = join(dir, 'jobcomp.log');
  writeFileSync(
    conf,
    [
      'ClusterName=phitest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      // The scheduler looks at the queue every 2 s (a requeued task starts soon after its hold).
      'SchedulerParameters=sched_interval=2',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${jobComp}`,
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      'MpiDefault=none',
      'ReturnToService=2',
      'KillWait=5',
      `NodeName=${NODE} NodeHostname=${host} NodeAddr=127.0.0.1 CPUs=${cpus().length} State=UNKNOWN`,
      `PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  // Jobs run `node`: the one running these tests.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLURM_CONF: conf,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  };
  const daemons: ChildProcess[] = [];
  const start = (command: string, args: string[]): void => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
    child.on('exit', (code) => {
      if (code !== null && code !== 0) process.stderr.write(`${command} exited with ${code}: ${said}\n`);
    });
    daemons.push(child);
  };
  const run = (command: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile(command, args, { env, encoding: 'utf8' }, (error, stdout, stderr) =>
        error ? reject(new Error(`${command}: ${stderr.trim() || error.message}`)) : resolve(stdout),
      ),
    );
  const logs = (): string =>
    ['slurmctld.log', 'slurmd.log']
      .map((name) => join(dir, 'log', name))
      .filter(existsSync)
      .map((path) => readFileSync(path, 'utf8').split('\n').slice(-15).join('\n'))
      .join('\n');

  const stop = async (): Promise<void> => {
    // Jobs outlive slurmd: cancel them and wait until the queue is empty first.
    await run('scancel', ['--user=root']).catch(() => undefined);
    for (let i = 0; i < 60; i++) {
      const queue = await run('squeue', ['--noheader', '--format=%i']).catch(() => '');
      if (queue.trim() === '') break;
      await new Promise((done) => setTimeout(done, 500));
    }
    for (const child of daemons.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(late);
    }
    daemons.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    start('munged', [
      '--foreground',
      `--key-file=${key}`,
      `--socket=${socket}`,
      `--pid-file=${join(munge, 'munged.pid')}`,
      `--log-file=${join(munge, 'munged.log')}`,
      `--seed-file=${join(munge, 'munged.seed')}`,
      '--force',
    ]);
    for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((done) => setTimeout(done, 100));
    if (!existsSync(socket)) throw new Error('munged did not create its socket');
    start('slurmctld', ['-D', '-i', '-f', conf]);
    start('slurmd', ['-D', '-f', conf, '-N', NODE]);
    let state = '';
    for (let i = 0; i < 120 && state !== 'idle'; i++) {
      await new Promise((done) => setTimeout(done, 500));
      state = (await run('sinfo', ['--noheader', '--nodes', NODE, '--format=%T']).catch(() => '')).trim();
    }
    if (state !== 'idle') throw new Error(`the node is "${state || 'not listed'}", not idle:\n${logs()}`);
  } catch (error) {
    await stop();
    throw error;
  }
  const completed = (): Record<string, string>[] =>
    existsSync(jobComp)
      ? readFileSync(jobComp, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) =>
            Object.fromEntries(
              line
                .trim()
                .split(/\s+/)
                .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]),
            ),
          )
      : [];
  return {
    env,
    run,
    stop,
    completed,
    ended: (job) => {
      const [arrayJob, task] = job.split('_');
      return completed()
        .filter((c) => c.ArrayJobId === arrayJob && c.ArrayTaskId === task)
        .map((c) => c.JobState);
    },
  };
}

/**
 * Starts a test cluster whose jobs inherit this process's environment through
 * sbatch (its SLURM_CONF and PATH, the output cache in `dir`, one training
 * thread); `teardown()` stops it, restores the environment and removes `dir`.
 */
export async function startSlurmWithEnvironment(
  dir: string,
): Promise<{ cluster: SlurmCluster; teardown(): Promise<void> }> {
  const saved = { ...process.env };
  const cluster = await startSlurm();
  Object.assign(process.env, {
    SLURM_CONF: cluster.env.SLURM_CONF,
    PATH: cluster.env.PATH,
    PHI_CACHE_DIR: join(dir, 'cache'),
    PHI_TRAIN_THREADS: '1',
  });
  return {
    cluster,
    teardown: async () => {
      try {
        await cluster.stop();
      } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls `probe` every 250 ms until it gives a value (at most 5 minutes). */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * The bundled example made small for cluster tests in `<dir>/example/`: 12
 * slices per class, 32 x 32, a tiny network on the cpu backend trained for
 * `epochs`; returns the project file.
 */
export function smallExample(dir: string, epochs: number): string {
  cpSync(EXAMPLE_DIR, join(dir, 'example'), { recursive: true });
  for (const cls of ['lesion', 'normal'])
    for (const file of readdirSync(join(dir, 'example', 'data', cls))
      .sort()
      .slice(12))
      rmSync(join(dir, 'example', 'data', cls, file));
  const path = join(dir, 'example', EXAMPLE_PROJECT);
  const store = ProjectStore.open(path);
  try {
    const node = (id: string) => store.graph().nodes.find((n) => n.id === id)?.params;
    store.applyEdits([
      {
        op: 'set-params',
        id: 'dataset',
        params: { ...node('dataset'), path: join(dir, 'example', 'data'), splitByPatient: false },
      },
      { op: 'set-params', id: 'resize', params: { ...node('resize'), width: 32, height: 32 } },
      {
        op: 'set-params',
        id: 'network',
        params: { ...node('network'), epochs, baseFilters: 4, depth: 2, backend: 'cpu' },
      },
    ]);
  } finally {
    store.close();
  }
  return path;
}

/** A profile named "loopback" for `cluster`, whose nodes share `sharedFolder`, the rest left at the defaults. */
export function loopbackProfile(cluster: SlurmCluster, sharedFolder: string): ClusterProfile {
  return ClusterProfileSchema.parse({ name: 'loopback', sharedFolder, slurmConf: cluster.env.SLURM_CONF });
}
