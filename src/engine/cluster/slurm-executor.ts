/**
 * Tuning trials on a Slurm cluster: each generation's trials are one array
 * job over the run folder beside the project (run-folder.ts). A trial is
 * finished when its `result.json` exists, not when the queue says so; the
 * queue is watched by job-watch.ts (one bulk `squeue` at most every
 * `pollSeconds`); a job that left the queue without a result is a failed
 * trial with Slurm's state and reason after `graceSeconds`. Submission is
 * recorded before `sbatch` and looked up by job name before any retry, so a
 * workstation that stopped re-attaches to its jobs instead of submitting
 * them again. Cancelling runs `scancel` on the jobs still open.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { digest, stableStringify } from '../run/keys';
import type { TrialResultRecord } from '../tuning/records';
import type { GenerationContext, PlannedTrial, TrialExecutor, TrialExecutorContext } from '../tuning/tuner';
import type { SlurmResources } from './batch-script';
import { watchTasks, type WatchedTask } from './job-watch';
import { submitJob } from './submit';
import {
  RunManifestSchema,
  SubmissionSchema,
  TrialExitSchema,
  readJson,
  runFolder,
  trialFolder,
  writeJson,
  type RunManifest,
  type Submission,
  type TrialJob,
} from './run-folder';
import { squeue, type SlurmEnv } from './slurm';

/** How `phi tune --executor slurm` uses the cluster. */
export interface SlurmExecutorOptions {
  resources: SlurmResources;
  /** Seconds between two `squeue` calls at least (doubled while squeue fails, up to 8 times). */
  pollSeconds: number;
  /** Seconds a job may be gone from the queue before its missing result fails the trial. */
  graceSeconds: number;
  /** A run to carry on (re-attach to its jobs) instead of starting a new search. */
  resume?: string;
  /** Environment of Slurm's commands and of the jobs (sbatch exports it); default this process's. */
  env?: SlurmEnv;
}

/** The live state of a trial on the cluster, as recorded and shown. */
function live(status: 'queued' | 'running', job: string): TrialResultRecord {
  return { status, score: null, metrics: {}, job, message: `Slurm job ${job}` };
}

/** The submissions of a generation, oldest first (`gen-<g>.<attempt>.json`). */
function submissions(runDir: string, generation: number): { file: string; submission: Submission }[] {
  if (!existsSync(runDir)) return [];
  const pattern = new RegExp(`^gen-${generation}\\.(\\d+)\\.json$`);
  return readdirSync(runDir)
    .map((name) => ({ name, attempt: Number(pattern.exec(name)?.[1] ?? 0) }))
    .filter((entry) => entry.attempt > 0)
    .sort((a, b) => a.attempt - b.attempt)
    .map(({ name }) => {
      const file = join(runDir, name);
      return { file, submission: readJson(file, SubmissionSchema) as Submission };
    });
}

/** A trial being waited on: its task (`<array job>_<task>`) and the state it is shown in. */
interface Watched extends WatchedTask {
  trial: PlannedTrial;
  shown: 'queued' | 'running';
}

/** The executor factory for the engine: see the module comment. */
export function slurmExecutor(
  options: SlurmExecutorOptions,
): (context: TrialExecutorContext) => TrialExecutor {
  return (context) => {
    const env = options.env ?? process.env;
    const { store, node, networkType, input } = context;
    const parsed = networkType.params.safeParse(node.params);
    const specId = parsed.success ? networkType.savedSpecId?.(parsed.data) : undefined;
    const savedSpecs: Record<string, unknown> = specId ? { [specId]: context.savedSpec(specId) } : {};
    const stateKey = digest(
      stableStringify({
        input: input.nodeKey,
        type: networkType.id,
        version: networkType.version,
        params: node.params,
        seed: context.seed,
        savedSpecs,
      }),
    );
    /** The state key a run folder was made for, or undefined when the run has none. */
    const keyOf = (runId: string): string | undefined =>
      readJson(join(runFolder(store.artifactsDir, runId), 'run.json'), RunManifestSchema)?.stateKey;
    if (options.resume !== undefined) {
      const key = keyOf(options.resume);
      if (key === undefined) throw new Error(`Run ${options.resume} has no cluster run folder to resume`);
      if (key !== stateKey)
        throw new Error(
          `The input or the params of "${node.id}" changed since run ${options.resume} started: its results are not mixed with this state; start a new search`,
        );
    }

    /** The run folder, made with its input copy and run.json on first use. */
    const prepare = (runId: string): string => {
      const runDir = runFolder(store.artifactsDir, runId);
      if (existsSync(join(runDir, 'run.json'))) return runDir;
      mkdirSync(join(runDir, 'logs'), { recursive: true });
      const items = join(context.cacheRoot, input.nodeKey, 'items');
      if (existsSync(items))
        cpSync(items, join(runDir, 'input', input.nodeKey, 'items'), { recursive: true });
      writeJson(join(runDir, 'input', 'manifest.json'), input);
      writeJson(join(runDir, 'run.json'), {
        runId,
        node: node.id,
        stateKey,
        inputKey: input.nodeKey,
        createdAt: new Date().toISOString(),
      } satisfies RunManifest);
      return runDir;
    };

    const trialKey = (trial: PlannedTrial): string => digest(stateKey, stableStringify(trial.record.params));

    const writeTrial = (runDir: string, trial: PlannedTrial, ctx: GenerationContext): void => {
      const file = join(trialFolder(runDir, trial.index), 'trial.json');
      if (existsSync(file)) return;
      const job: TrialJob = {
        runId: ctx.runId,
        trialId: trial.trialId,
        generation: trial.generation,
        index: trial.index,
        key: trialKey(trial),
        node: { id: node.id, type: networkType.id, version: networkType.version },
        params: trial.record.params,
        metric: ctx.request.metric,
        goal: ctx.request.goal,
        seed: context.seed,
        cacheRoot: join(runDir, 'input'),
        manifest: join(runDir, 'input', 'manifest.json'),
        artifactsDir: context.trialDir(trial.trialId),
        savedSpecs,
      };
      writeJson(file, job);
    };

    /** The trial's result from its `result.json`, or undefined while there is none. */
    const collect = (
      runDir: string,
      trial: PlannedTrial,
      job: string | undefined,
    ): TrialResultRecord | undefined => {
      const exit = readJson(join(trialFolder(runDir, trial.index), 'result.json'), TrialExitSchema);
      if (exit === undefined) return undefined;
      const tag = job === undefined ? {} : { job };
      if (exit.result === undefined)
        return {
          status: 'failed',
          score: null,
          metrics: {},
          message: `the training process${job ? ` of Slurm job ${job}` : ''} exited with code ${exit.exitCode} without a result (its log is in ${join(runDir, 'logs')})`,
          ...tag,
        };
      if (exit.key !== trialKey(trial))
        return {
          status: 'failed',
          score: null,
          metrics: {},
          message: 'its result was made for another state of the project and is not used',
          ...tag,
        };
      return { ...exit.result, ...tag };
    };

    /** Submits the trials as one array job (attempt `attempt` of the generation). */
    const submit = async (
      runDir: string,
      ctx: GenerationContext,
      trials: PlannedTrial[],
      attempt: number,
    ): Promise<{ jobId: string; jobName: string } | { error: string }> => {
      const jobName = `phi-${ctx.runId}-g${ctx.generation}.${attempt}`;
      const indices = trials.map((t) => t.index);
      const submitted = await submitJob({
        folder: runDir,
        stem: `gen-${ctx.generation}.${attempt}`,
        jobName,
        trials: indices,
        folders: indices.map((i) => trialFolder(runDir, i)),
        command: ['trial', 'trial.json'],
        resources: options.resources,
        env,
        retrySeconds: options.pollSeconds,
        signal: ctx.signal,
      });
      return 'error' in submitted ? submitted : { ...submitted, jobName };
    };

    const runGeneration = async (
      trials: PlannedTrial[],
      ctx: GenerationContext,
    ): Promise<TrialResultRecord[]> => {
      const runDir = prepare(ctx.runId);
      const results = new Map<string, TrialResultRecord>();
      const open: Watched[] = [];
      const earlier = submissions(runDir, ctx.generation);
      const unassigned: PlannedTrial[] = [];
      for (const trial of trials) {
        writeTrial(runDir, trial, ctx);
        const done = collect(runDir, trial, trial.previous?.job);
        if (done) {
          results.set(trial.trialId, done);
          continue;
        }
        // Re-attach to the latest job that holds the trial, unless the search cancelled it.
        const holder = earlier.filter((e) => e.submission.trials.includes(trial.index)).at(-1);
        let jobId = holder?.submission.jobId;
        if (holder && jobId === undefined) {
          jobId = (await squeue([holder.submission.jobName], env).catch(() => []))[0]?.arrayJob;
          if (jobId !== undefined) writeJson(holder.file, { ...holder.submission, jobId });
        }
        if (holder && jobId !== undefined && trial.previous?.status !== 'cancelled') {
          const job = `${jobId}_${holder.submission.trials.indexOf(trial.index)}`;
          const shown = trial.previous?.status === 'running' ? 'running' : 'queued';
          open.push({ trial, job, jobName: holder.submission.jobName, shown });
          ctx.report(trial, live(shown, job));
        } else unassigned.push(trial);
      }
      if (unassigned.length > 0 && !ctx.signal.aborted) {
        const submitted = await submit(runDir, ctx, unassigned, earlier.length + 1);
        for (const [task, trial] of unassigned.entries()) {
          if ('error' in submitted) {
            results.set(trial.trialId, {
              status: 'failed',
              score: null,
              metrics: {},
              message: `Slurm did not take the job: ${submitted.error}`,
            });
            continue;
          }
          const job = `${submitted.jobId}_${task}`;
          open.push({ trial, job, jobName: submitted.jobName, shown: 'queued' });
          ctx.report(trial, live('queued', job));
        }
      }

      /** Each open trial's result, once its `result.json` was read. */
      const collected = new Map<number, TrialResultRecord>();
      const ends = await watchTasks({
        tasks: open,
        finished: (k) => {
          const done = collect(runDir, open[k].trial, open[k].job);
          if (done) collected.set(k, done);
          return done !== undefined;
        },
        onState: (k, shown) => ctx.report(open[k].trial, live(shown, open[k].job)),
        onEnd: (k, end) => {
          const record: TrialResultRecord = end.finished
            ? (collected.get(k) as TrialResultRecord)
            : { status: 'failed', score: null, metrics: {}, message: end.message, job: open[k].job };
          results.set(open[k].trial.trialId, record);
          ctx.report(open[k].trial, record);
        },
        shown: open.map((entry) => entry.shown),
        pollSeconds: options.pollSeconds,
        graceSeconds: options.graceSeconds,
        env,
        signal: ctx.signal,
      });
      if (ends === 'cancelled')
        for (const entry of open.filter((e) => !results.has(e.trial.trialId)))
          results.set(entry.trial.trialId, {
            status: 'cancelled',
            score: null,
            metrics: {},
            message: `cancelled (scancel ${entry.job})`,
            job: entry.job,
          });
      return trials.map(
        (trial) =>
          results.get(trial.trialId) ?? {
            status: 'cancelled',
            score: null,
            metrics: {},
            message: 'cancelled',
          },
      );
    };

    return {
      ...(options.resume === undefined ? {} : { resume: options.resume }),
      canResume: (runId) => keyOf(runId) === stateKey,
      runGeneration,
    };
  };
}
