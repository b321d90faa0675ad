/**
 * Waiting on array tasks, the one queue-watching loop of the cluster code (a
 * search's trials, a training, a prediction's shards): a task is finished
 * when its result file exists (looked for every second, no Slurm call), the
 * queue is read with one `squeue` at most every `pollSeconds` (backing off
 * while it fails), and a task gone from the queue without a result ends,
 * after `graceSeconds`, with Slurm's state and reason. Aborting cancels the
 * open tasks with `scancel`.
 */
import { pause } from './submit';
import {
  ENDED_STATES,
  RUNNING_STATES,
  sacctState,
  scancel,
  squeue,
  type QueueEntry,
  type SlurmEnv,
} from './slurm';

/** Why a job ended without its result: accounting's word where there is one, else the queue's last. */
export async function endedWithoutResult(
  job: string,
  last: QueueEntry | undefined,
  env: SlurmEnv,
): Promise<string> {
  const accounted = await sacctState(job, env);
  const listed = last
    ? `${last.state}${last.reason && last.reason !== 'None' ? ` (${last.reason})` : ''}`
    : 'no longer known to the queue';
  return `Slurm job ${job} ended ${accounted ?? listed} without a result`;
}

/** How one task ended: its result file exists, or Slurm's word on why it has none. */
export type TaskEnd = { finished: true } | { finished: false; message: string };

/** A task waited on: `<array job>_<k>`, and the name of its array job (what the queue is read by). */
export interface WatchedTask {
  job: string;
  jobName: string;
}

/** Waits on `tasks`; see the module comment. */
export async function watchTasks(options: {
  tasks: readonly WatchedTask[];
  /** Whether task `k` has written its result. */
  finished(k: number): boolean;
  /** Called about every second while waiting (e.g. to read a task's progress files). */
  onTick?(): void;
  /** Called when a task is seen queued or running (first, and on each change). */
  onState?(k: number, state: 'queued' | 'running'): void;
  /** Called as soon as a task ends, before the others have. */
  onEnd?(k: number, end: TaskEnd): void;
  /** The queue state each task is shown in already (e.g. when re-attaching); default none. */
  shown?: readonly ('queued' | 'running' | undefined)[];
  pollSeconds: number;
  graceSeconds: number;
  env: SlurmEnv;
  signal: AbortSignal;
}): Promise<TaskEnd[] | 'cancelled'> {
  const { tasks, env, signal } = options;
  const ends: (TaskEnd | undefined)[] = tasks.map(() => undefined);
  const shown = tasks.map((_, k) => options.shown?.[k]);
  const last: (QueueEntry | undefined)[] = tasks.map(() => undefined);
  const goneSince: (number | undefined)[] = tasks.map(() => undefined);
  const open = (): number[] => tasks.flatMap((_, k) => (ends[k] === undefined ? [k] : []));
  const end = (k: number, how: TaskEnd): void => {
    ends[k] = how;
    options.onEnd?.(k, how);
  };
  const pollMs = options.pollSeconds * 1000;
  let interval = pollMs;
  let nextQueueRead = 0;
  for (;;) {
    options.onTick?.();
    for (const k of open()) if (options.finished(k)) end(k, { finished: true });
    if (open().length === 0) return ends as TaskEnd[];
    if (signal.aborted) {
      await scancel(
        open().map((k) => tasks[k].job),
        env,
      ).catch(() => undefined);
      return 'cancelled';
    }
    const now = Date.now();
    if (now >= nextQueueRead) {
      const names = [...new Set(open().map((k) => tasks[k].jobName))];
      const queue = await squeue(names, env).catch(() => undefined);
      interval = queue === undefined ? Math.min(interval * 2, pollMs * 8) : pollMs;
      nextQueueRead = now + interval;
      const byJob = new Map((queue ?? []).map((entry) => [entry.job, entry]));
      for (const k of queue === undefined ? [] : open()) {
        const listed = byJob.get(tasks[k].job);
        if (listed !== undefined) last[k] = listed;
        if (listed === undefined || ENDED_STATES.has(listed.state)) {
          goneSince[k] ??= now;
          continue;
        }
        goneSince[k] = undefined;
        const state = RUNNING_STATES.has(listed.state) ? 'running' : 'queued';
        if (state !== shown[k]) {
          shown[k] = state;
          options.onState?.(k, state);
        }
      }
    }
    for (const k of open()) {
      const since = goneSince[k];
      if (since === undefined || now - since < options.graceSeconds * 1000) continue;
      // A result that landed during the grace period still counts.
      end(
        k,
        options.finished(k)
          ? { finished: true }
          : { finished: false, message: await endedWithoutResult(tasks[k].job, last[k], env) },
      );
    }
    await pause(Math.min(1000, pollMs), signal);
  }
}
