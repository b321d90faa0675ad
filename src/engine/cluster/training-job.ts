/**
 * A network node's training as one Slurm job: the workstation copies the
 * network's input into a job folder beside the node's checkpoints and writes
 * `job.json`; the job (`phi train-job <job.json>`) trains with the network
 * type's own code into the node's artifacts folder (so a requeued job goes on
 * from `last.ckpt`), appends every training event to `events.jsonl` as it
 * happens, and writes `result.json` last, atomically. The project file is
 * never opened on the node.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { EngineEvent } from '../api';
import { messageOf } from '../errors';
import type { NodeManifest } from '../run/cache';
import { OutputCache } from '../run/cache';
import { collectionFrom } from '../run/executor';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { writeJson } from './run-folder';
import { logLine } from './trial-job';

/** `job.json`: what the job trains. */
export const TrainingJobSchema = z.object({
  /** Digest of the input's content, the network type and version, params, seed and saved specs. */
  key: z.string(),
  runId: z.string(),
  node: z.object({ id: z.string(), type: z.string(), version: z.number().int() }),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int(),
  /** The job folder's copy of the input (an output cache) and its manifest. */
  cacheRoot: z.string(),
  manifest: z.string(),
  /** The node's checkpoint folder, as a local training's. */
  artifactsDir: z.string(),
  savedSpecs: z.record(z.string(), z.unknown()),
});
/** See {@link TrainingJobSchema}. */
export type TrainingJob = z.infer<typeof TrainingJobSchema>;

/** `result.json`: written last by the job. */
export const TrainingExitSchema = z.object({
  exitCode: z.number().int(),
  key: z.string().optional(),
  /** What the training said on the node (e.g. why no epoch ran). */
  message: z.string().optional(),
  /** Why the training failed. */
  error: z.string().optional(),
});
/** See {@link TrainingExitSchema}. */
export type TrainingExit = z.infer<typeof TrainingExitSchema>;

/** The events file of a job folder: one engine event per line, appended as they happen. */
export const EVENTS_FILE = 'events.jsonl';

/** Trains the job of `jobFile`, writes its `result.json`; returns the exit code (0 done, 1 failed). */
export async function runTrainingJob(jobFile: string, log: (line: string) => void): Promise<number> {
  const job = TrainingJobSchema.parse(JSON.parse(readFileSync(jobFile, 'utf8')));
  const folder = dirname(jobFile);
  const finish = (exit: TrainingExit): number => {
    writeJson(join(folder, 'result.json'), exit);
    return exit.exitCode;
  };
  const type = createBuiltinRegistry().get(job.node.type);
  if (type?.kind !== 'network')
    return finish({ exitCode: 1, key: job.key, error: `This engine has no network type "${job.node.type}"` });
  if (type.version !== job.node.version)
    return finish({
      exitCode: 1,
      key: job.key,
      error: `The job was made for ${job.node.type} version ${job.node.version}, this node's engine has version ${type.version}: install the workstation's engine on the nodes`,
    });
  const manifest = JSON.parse(readFileSync(job.manifest, 'utf8')) as NodeManifest;
  const emit = (event: EngineEvent): void => {
    appendFileSync(join(folder, EVENTS_FILE), `${JSON.stringify(event)}\n`);
    const line = logLine(event);
    if (line !== undefined) log(line);
  };
  log(`training ${job.node.id} (${job.node.type}) on ${manifest.items.length} items`);
  try {
    const said = await type.run(
      collectionFrom(manifest, new OutputCache(job.cacheRoot)),
      type.params.parse(job.params),
      {
        nodeId: job.node.id,
        artifactsDir: job.artifactsDir,
        runId: job.runId,
        seed: job.seed,
        // Slurm stops a job with its signals: the training is never aborted from inside.
        signal: new AbortController().signal,
        emit,
        log: {
          info: (message) => emit({ type: 'log', level: 'info', node: job.node.id, message }),
          warn: (message) => emit({ type: 'log', level: 'warn', node: job.node.id, message }),
        },
        savedSpec: (id) => job.savedSpecs[id],
      },
    );
    log('done');
    return finish({ exitCode: 0, key: job.key, ...(said?.message ? { message: said.message } : {}) });
  } catch (error) {
    log(`failed: ${messageOf(error)}`);
    return finish({ exitCode: 1, key: job.key, error: messageOf(error) });
  }
}
