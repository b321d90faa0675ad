/**
 * Slurm's own command-line interface, the whole contract with a cluster:
 * `sbatch --parsable` submits, one bulk `squeue` reads the live state of a
 * run's jobs, `scancel` cancels, `sacct` (where the site keeps accounting)
 * explains how a job ended. Nothing else talks to the cluster.
 */
import { execFile } from 'node:child_process';

/** Seconds a Slurm command may take before it counts as failed (a busy controller answers slowly). */
const COMMAND_TIMEOUT_MS = 60_000;

/** Slurm states after which a job runs no more. */
export const ENDED_STATES: ReadonlySet<string> = new Set([
  'BOOT_FAIL',
  'CANCELLED',
  'COMPLETED',
  'DEADLINE',
  'FAILED',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'PREEMPTED',
  'REVOKED',
  'SPECIAL_EXIT',
  'TIMEOUT',
]);
/** Slurm states in which a job's processes run. */
export const RUNNING_STATES: ReadonlySet<string> = new Set([
  'RUNNING',
  'COMPLETING',
  'CONFIGURING',
  'SIGNALING',
  'STAGE_OUT',
]);

/** The environment Slurm's commands run with (`SLURM_CONF` picks the cluster). */
export type SlurmEnv = NodeJS.ProcessEnv;

function slurm(command: string, args: string[], env: SlurmEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env, timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const said = stderr.trim().split('\n').at(-1) ?? '';
          reject(new Error(`${command} failed: ${said || error.message}`));
        } else resolve(stdout);
      },
    );
  });
}

/** Submits a batch script; resolves with the job id (`--parsable` prints `id[;cluster]`). */
export async function sbatch(script: string, env: SlurmEnv): Promise<string> {
  const out = (await slurm('sbatch', ['--parsable', script], env)).trim();
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed "${out}", not a job id`);
  return id;
}

/** One job (or array task) as squeue lists it. */
export interface QueueEntry {
  /** `<array job>_<task>` for an array task, else the job id. */
  job: string;
  /** The array job id (the job id itself for a plain job). */
  arrayJob: string;
  name: string;
  /** Slurm's job state: PENDING, RUNNING, COMPLETING, COMPLETED, CANCELLED, FAILED, TIMEOUT, ... */
  state: string;
  /** Why it waits or ended (`None` when nothing to say). */
  reason: string;
}

/**
 * Every job (array tasks one by one) with one of `names`, including those that
 * ended recently (`--states=all`: the controller keeps them `MinJobAge` seconds).
 */
export async function squeue(names: readonly string[], env: SlurmEnv): Promise<QueueEntry[]> {
  if (names.length === 0) return [];
  const out = await slurm(
    'squeue',
    ['--array', '--noheader', '--states=all', `--name=${names.join(',')}`, '--format=%i|%j|%T|%r'],
    env,
  );
  const entries: QueueEntry[] = [];
  for (const line of out.split('\n')) {
    const [job, name, state, reason] = line.trim().split('|');
    if (!job || state === undefined) continue;
    entries.push({
      job,
      arrayJob: job.split('_')[0],
      name,
      state,
      reason: reason ?? 'None',
    });
  }
  return entries;
}

/** One partition (or a group of its nodes in one state) as sinfo lists it. */
export interface PartitionEntry {
  partition: string;
  /** `up`, `down`, ... */
  availability: string;
  nodes: number;
  /** The nodes' state: idle, mixed, allocated, down, drained, ... */
  state: string;
}

/** The partitions (only `partition` when named) and their nodes by state. */
export async function sinfo(partition: string, env: SlurmEnv): Promise<PartitionEntry[]> {
  const out = await slurm(
    'sinfo',
    ['--noheader', '--format=%P|%a|%D|%T', ...(partition ? ['--partition', partition] : [])],
    env,
  );
  return out
    .split('\n')
    .map((line) => line.trim().split('|'))
    .filter((fields) => fields.length === 4)
    .map(([name, availability, nodes, state]) => ({
      partition: name,
      availability,
      nodes: Number(nodes) || 0,
      state,
    }));
}

/** Cancels jobs (array ids cancel every task). */
export async function scancel(jobs: readonly string[], env: SlurmEnv): Promise<void> {
  if (jobs.length > 0) await slurm('scancel', [...jobs], env);
}

/**
 * How a job ended according to accounting (`State ExitCode Reason`), or
 * undefined where the site keeps no accounting (`sacct` fails) or it knows
 * nothing of the job.
 */
export async function sacctState(job: string, env: SlurmEnv): Promise<string | undefined> {
  try {
    const out = await slurm(
      'sacct',
      ['--noheader', '--parsable2', '--jobs', job, '--format=State,ExitCode,Reason'],
      env,
    );
    const [state, exitCode, reason] = (out.split('\n')[0] ?? '').split('|');
    if (!state) return undefined;
    return [state, exitCode ? `exit code ${exitCode}` : '', reason && reason !== 'None' ? reason : '']
      .filter(Boolean)
      .join(', ');
  } catch {
    return undefined;
  }
}
