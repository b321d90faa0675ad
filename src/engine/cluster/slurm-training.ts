/**
 * `phi run ... --executor slurm`: a network node trains as one Slurm job
 * (training-job.ts) while everything before it runs on the workstation as
 * usual. The network types are wrapped so the run executor sees a normal
 * training: the job's events (epochs, the test evaluation, logs) are read
 * from `events.jsonl` as they appear and emitted as a local training emits
 * them (so they are printed and recorded in the project store), and the
 * training returns only once the job's `result.json` is read, so the node is
 * Done only after its results are in. A workstation process stopped and
 * started again with the same run finds the job folder of the same input and
 * params and re-attaches to the job still queued or running.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent } from '../api';
import type { NetworkContext, NetworkNodeType, SampleCollection } from '../graph/node-type';
import { NodeTypeRegistry } from '../graph/registry';
import { OutputCache, type ManifestItem } from '../run/cache';
import { stableStringify } from '../run/keys';
import { encodeSample } from '../run/sample-codec';
import type { SlurmResources } from './batch-script';
import { watchTasks } from './job-watch';
import { SubmissionSchema, readJson, writeJson, type Submission } from './run-folder';
import { ENDED_STATES, squeue, type SlurmEnv } from './slurm';
import { submitJob } from './submit';
import { EVENTS_FILE, TrainingExitSchema, type TrainingJob } from './training-job';

/** How a training uses the cluster. */
export interface SlurmTrainingOptions {
  resources: SlurmResources;
  /** Seconds between two `squeue` calls at least. */
  pollSeconds: number;
  /** Seconds a job may be gone from the queue before its missing result fails the node. */
  graceSeconds: number;
  /** Environment of Slurm's commands and of the job (sbatch exports it); default this process's. */
  env?: SlurmEnv;
}

/** Events of a training that the workstation passes on as its own. */
const PASSED_ON = new Set<EngineEvent['type']>(['epoch', 'evaluation', 'log', 'backend', 'progress']);

/** Registries whose networks already train on Slurm (never wrapped twice). */
const onCluster = new WeakSet<NodeTypeRegistry>();

/** Whether `registry`'s networks train on Slurm. */
export function trainsOnSlurm(registry: NodeTypeRegistry): boolean {
  return onCluster.has(registry);
}

/** The registry `registry` with every network type training on Slurm. */
export function slurmTraining(
  options: SlurmTrainingOptions,
): (registry: NodeTypeRegistry) => NodeTypeRegistry {
  const onSlurm = (type: NetworkNodeType): NetworkNodeType => ({
    ...type,
    run: (input, params, ctx) => trainOnSlurm(type, input, params, ctx, options),
  });
  return (registry) => {
    const wrapped = new NodeTypeRegistry().register(
      ...registry.all().map((type) => (type.kind === 'network' ? onSlurm(type) : type)),
    );
    onCluster.add(wrapped);
    return wrapped;
  };
}

/** Reads the complete lines appended to a file since the last call. */
function tail(path: string): () => string[] {
  let offset = 0;
  let pending = '';
  return () => {
    if (!existsSync(path)) return [];
    const size = statSync(path).size;
    if (size <= offset) return [];
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const lines = (pending + buffer.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '');
  };
}

/** Digest of what the training learns from: every item's content, split and label. */
async function inputDigest(input: SampleCollection): Promise<string> {
  const hash = createHash('sha256');
  hash.update(stableStringify({ task: input.task, classes: input.classes }));
  for (const item of input.items) {
    hash.update(stableStringify(item));
    hash.update(encodeSample(await input.load(item.id)));
  }
  return hash.digest('hex');
}

/** Copies the input into the job folder as an output cache with its manifest. */
async function copyInput(input: SampleCollection, cacheRoot: string): Promise<string> {
  const cache = new OutputCache(cacheRoot);
  const items: ManifestItem[] = [];
  for (const item of input.items) {
    const sample = await input.load(item.id);
    await cache.write('input', sample);
    items.push({
      id: item.id,
      split: item.split,
      classIndex: item.classIndex,
      label: item.label,
      shape: item.shape,
      dtype: '',
      colorMode: sample.image.colorMode,
      state: 'done',
    });
  }
  cache.writeManifest({
    nodeKey: 'input',
    selection: 'all',
    task: input.task,
    classes: input.classes,
    items,
  });
  return join(cacheRoot, 'input', 'manifest-all.json');
}

/** The submissions of a job folder, oldest first (`submit-<n>.json`). */
function submissionsOf(folder: string): Submission[] {
  return readdirSync(folder)
    .map((name) => Number(/^submit-(\d+)\.json$/.exec(name)?.[1] ?? 0))
    .filter((attempt) => attempt > 0)
    .sort((a, b) => a - b)
    .map((attempt) => readJson(join(folder, `submit-${attempt}.json`), SubmissionSchema) as Submission);
}

async function trainOnSlurm(
  type: NetworkNodeType,
  input: SampleCollection,
  params: Record<string, unknown>,
  ctx: NetworkContext,
  options: SlurmTrainingOptions,
): Promise<void | { message?: string }> {
  const env = options.env ?? process.env;
  const specId = type.savedSpecId?.(params);
  const savedSpecs: Record<string, unknown> = specId ? { [specId]: ctx.savedSpec?.(specId) } : {};
  const key = createHash('sha256')
    .update(stableStringify({ type: type.id, version: type.version, params, seed: ctx.seed, savedSpecs }))
    .update(await inputDigest(input))
    .digest('hex')
    .slice(0, 32);
  const folder = join(ctx.artifactsDir, 'cluster', key.slice(0, 16));
  const jobFile = join(folder, 'job.json');
  if (!existsSync(jobFile)) {
    const manifest = await copyInput(input, join(folder, 'input'));
    writeJson(jobFile, {
      key,
      runId: ctx.runId,
      node: { id: ctx.nodeId, type: type.id, version: type.version },
      params,
      seed: ctx.seed,
      cacheRoot: join(folder, 'input'),
      manifest,
      artifactsDir: ctx.artifactsDir,
      savedSpecs,
    } satisfies TrainingJob);
  }
  const resultFile = join(folder, 'result.json');
  const readEvents = tail(join(folder, EVENTS_FILE));
  const passOn = (): void => {
    for (const line of readEvents()) {
      const event = JSON.parse(line) as EngineEvent;
      if (PASSED_ON.has(event.type)) ctx.emit(event);
    }
  };
  const readResult = () => readJson(resultFile, TrainingExitSchema);

  let result = readResult();
  if (result?.key !== key || result.exitCode !== 0) {
    // A failed or foreign result is never taken for the next job's: that job writes its own.
    rmSync(resultFile, { force: true });
    // The latest job still queued or running is adopted; otherwise a new one is submitted.
    const earlier = submissionsOf(folder);
    const latest = earlier.at(-1);
    const listed = latest ? await squeue([latest.jobName], env) : [];
    const live = listed.find((entry) => !ENDED_STATES.has(entry.state));
    let jobId = live?.arrayJob;
    let jobName = latest?.jobName ?? '';
    if (jobId === undefined) {
      // Named after the job folder: the same training of another project copy is another job.
      const folderTag = createHash('sha256').update(folder).digest('hex').slice(0, 8);
      jobName = `phi-train-${ctx.nodeId}-${folderTag}.${earlier.length + 1}`;
      const submitted = await submitJob({
        folder,
        stem: `submit-${earlier.length + 1}`,
        jobName,
        folders: [folder],
        command: ['train-job', 'job.json'],
        resources: options.resources,
        env,
        retrySeconds: options.pollSeconds,
        signal: ctx.signal,
      });
      if ('error' in submitted) throw new Error(`Slurm did not take the training job: ${submitted.error}`);
      jobId = submitted.jobId;
      ctx.log.info(`Slurm job ${jobId}_0 submitted (${jobName}); its log: ${join(folder, 'logs')}`);
    } else ctx.log.info(`Re-attached to Slurm job ${jobId}_0 (${jobName})`);
    const job = `${jobId}_0`;
    const ends = await watchTasks({
      tasks: [{ job, jobName }],
      finished: () => existsSync(resultFile),
      onTick: passOn,
      onState: (_, state) => ctx.log.info(`Slurm job ${job} ${state}`),
      pollSeconds: options.pollSeconds,
      graceSeconds: options.graceSeconds,
      env,
      signal: ctx.signal,
    });
    if (ends === 'cancelled') {
      passOn();
      return;
    }
    const [end] = ends;
    if (!end.finished) throw new Error(end.message);
    result = readResult();
  }
  passOn();
  if (result === undefined)
    throw new Error(`The training job left no result (its log: ${join(folder, 'logs')})`);
  if (result.exitCode !== 0)
    throw new Error(
      result.error ??
        `The training process exited with code ${result.exitCode} without a result (its log: ${join(folder, 'logs')})`,
    );
  if (result.key !== key)
    throw new Error('The job result was made for another input or params and is not used');
  return result.message ? { message: result.message } : undefined;
}
