/**
 * The run folder a cluster search shares with its jobs,
 * `<project>.phidata/cluster/<run>/`: `run.json` (what the run trains on),
 * `input/` (a copy of the network's cached input), per generation
 * `gen-<g>.json` (the submission, recorded before `sbatch`) and
 * `gen-<g>.sbatch`, per trial `trial-<i>/trial.json` (what the job trains) and
 * `trial-<i>/result.json` (its exit status and metrics, written last and
 * atomically), and `logs/`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../run/disk-full';
import { TrialResultRecordSchema } from '../tuning/records';

/** The folder of one cluster run of a project. */
export function runFolder(projectArtifacts: string, runId: string): string {
  return join(projectArtifacts, 'cluster', runId);
}

/** The folder of the run's trial at 0-based position `index`. */
export function trialFolder(runDir: string, index: number): string {
  return join(runDir, `trial-${index}`);
}

/** What a run's trials train on; a resumed run whose key changed is not carried on. */
export const RunManifestSchema = z.object({
  runId: z.string(),
  node: z.string(),
  /** Digest of the input, the network type and version, the node's params, the seed and saved spec. */
  stateKey: z.string(),
  /** The cache key of the copied input (`input/<key>/`). */
  inputKey: z.string(),
  createdAt: z.string(),
});
/** See {@link RunManifestSchema}. */
export type RunManifest = z.infer<typeof RunManifestSchema>;

/** One trial as its job reads it (`trial.json`). */
export const TrialJobSchema = z.object({
  runId: z.string(),
  trialId: z.string(),
  generation: z.number().int(),
  index: z.number().int(),
  /** Digest of the run's state key and the trial's params: a result must echo it. */
  key: z.string(),
  node: z.object({ id: z.string(), type: z.string(), version: z.number().int() }),
  params: z.record(z.string(), z.unknown()),
  metric: z.string(),
  goal: z.enum(['max', 'min']),
  seed: z.number().int(),
  /** The cache folder holding the input (the run folder's `input/`) and the input's manifest file. */
  cacheRoot: z.string(),
  manifest: z.string(),
  /** The trial's checkpoint folder (beside the project, as a local trial's). */
  artifactsDir: z.string(),
  /** Saved network specs the params name, by id (custom networks). */
  savedSpecs: z.record(z.string(), z.unknown()),
});
/** See {@link TrialJobSchema}. */
export type TrialJob = z.infer<typeof TrialJobSchema>;

/** `result.json`: written last by the job. `result` is missing when the training process died. */
export const TrialExitSchema = z.object({
  exitCode: z.number().int(),
  key: z.string().optional(),
  result: TrialResultRecordSchema.optional(),
});
/** See {@link TrialExitSchema}. */
export type TrialExit = z.infer<typeof TrialExitSchema>;

/** `gen-<g>.json`: written before `sbatch`, then again with the job id it printed. */
export const SubmissionSchema = z.object({
  jobName: z.string(),
  /** Positions of the trials, in array task order. */
  trials: z.array(z.number().int()),
  jobId: z.string().optional(),
});
/** See {@link SubmissionSchema}. */
export type Submission = z.infer<typeof SubmissionSchema>;

/** Writes JSON through a temporary name renamed into place: a reader sees all of it or nothing. */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileAtomically(path, `${JSON.stringify(value, null, 2)}\n`, {
    folder: join(path, '..'),
    role: 'project',
  });
}

/** Reads and checks a JSON file; undefined when it does not exist. */
export function readJson<T>(path: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`${path} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The submission file of generation `generation`. */
export function submissionFile(runDir: string, generation: number): string {
  return join(runDir, `gen-${generation}.json`);
}
