/**
 * What a cluster job runs (`phi trial <trial.json>`): the trial described in
 * the run folder, trained by the tuner's own trial code on the copied input,
 * then `result.json` (exit status, the trial's key, its result) written
 * atomically as the last thing. The project file itself is never opened.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EngineEvent } from '../api';
import type { NodeManifest } from '../run/cache';
import { OutputCache } from '../run/cache';
import { collectionFrom } from '../run/executor';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { trainTrial } from '../tuning/tuner';
import { TrialJobSchema, writeJson, type TrialExit } from './run-folder';

/** One line for the job's log, or nothing for events that would only fill it. */
export function logLine(event: EngineEvent): string | undefined {
  if (event.type === 'epoch') {
    const shown = Object.entries(event.metrics)
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
      .map(([name, value]) => `${name}=${value.toPrecision(4)}`)
      .join(' ');
    return `epoch ${event.epoch} ${event.split}: ${shown}`;
  }
  if (event.type === 'log') return `${event.level}: ${event.message}`;
  if (event.type === 'backend') return `backend: ${event.name}`;
  return undefined;
}

/** Trains the trial of `trialFile`, writes its `result.json`; returns the exit code (0 done, 1 not). */
export async function runTrialJob(trialFile: string, log: (line: string) => void): Promise<number> {
  const job = TrialJobSchema.parse(JSON.parse(readFileSync(trialFile, 'utf8')));
  const type = createBuiltinRegistry().get(job.node.type);
  if (type?.kind !== 'network') throw new Error(`This engine has no network type "${job.node.type}"`);
  if (type.version !== job.node.version)
    throw new Error(
      `The trial was made for ${job.node.type} version ${job.node.version}, this engine has version ${type.version}: install the workstation's engine on the nodes`,
    );
  const manifest = JSON.parse(readFileSync(job.manifest, 'utf8')) as NodeManifest;
  log(`trial ${job.trialId} (generation ${job.generation}) of run ${job.runId}`);
  const result = await trainTrial({
    networkType: {
      ...type,
      run: (data, p, ctx) => type.run(data, p, { ...ctx, savedSpec: (id) => job.savedSpecs[id] }),
    },
    nodeId: job.node.id,
    collection: collectionFrom(manifest, new OutputCache(job.cacheRoot)),
    params: job.params,
    artifactsDir: job.artifactsDir,
    runId: job.runId,
    trialId: job.trialId,
    seed: job.seed,
    score: { metric: job.metric, goal: job.goal },
    // Slurm stops a job with its signals: the training is never aborted from inside.
    signal: new AbortController().signal,
    emit: (event) => {
      const line = logLine(event);
      if (line !== undefined) log(line);
    },
  });
  const exitCode = result.status === 'done' ? 0 : 1;
  log(
    result.status === 'done'
      ? `done: ${job.metric}=${result.score}`
      : `${result.status}: ${result.message ?? ''}`,
  );
  const exit: TrialExit = { exitCode, key: job.key, result };
  writeJson(join(dirname(trialFile), 'result.json'), exit);
  return exitCode;
}
