/**
 * `phi predict ... --executor slurm --shards K`: the input files, in the order
 * `phi predict` reads them, are cut into K contiguous shards; one array job
 * runs `phi predict` on each shard (task k sees only its files, under their
 * own relative paths), then the outputs are merged into the output folder:
 * the files moved, `predictions.csv` and `detections.json` concatenated in
 * shard order, which is the input order. The tasks never open the project
 * file itself (another host opening it would take the workstation's live
 * runs for dead): each reads its own snapshot beside it, whose `.phidata`
 * links to the project's, so relative dataset paths and the trained model
 * are the project's.
 */
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { SlurmResources } from './batch-script';
import { watchTasks } from './job-watch';
import { readJson, writeJson } from './run-folder';
import type { SlurmEnv } from './slurm';
import { submitJob } from './submit';

/** `shard.json`: what task k predicts. */
export const ShardJobSchema = z.object({
  project: z.string(),
  node: z.string(),
  runtime: z.string(),
  input: z.string(),
  output: z.string(),
});
/** See {@link ShardJobSchema}. */
export type ShardJob = z.infer<typeof ShardJobSchema>;

/** `result.json` of a shard: `phi predict`'s exit code and what it printed. */
export const ShardExitSchema = z.object({ exitCode: z.number().int(), out: z.string(), err: z.string() });
/** See {@link ShardExitSchema}. */
export type ShardExit = z.infer<typeof ShardExitSchema>;

/** Files `phi predict` writes once for all its inputs (merged), not one per input (moved). */
const TABLES = new Set(['predictions.csv', 'detections.json']);

/** What a sharded prediction asks for. */
export interface ShardedPrediction {
  project: string;
  node: string;
  runtime: string;
  /** The input files, in `phi predict`'s order, and the folder they are under. */
  files: readonly string[];
  input: string;
  output: string;
  shards: number;
  resources: SlurmResources;
  pollSeconds: number;
  graceSeconds: number;
  env?: SlurmEnv;
  signal: AbortSignal;
  log(line: string): void;
}

/** How the shards went: images predicted and failed (as each shard's `phi predict` said), its other lines. */
export interface ShardedOutcome {
  predicted: number;
  failed: number;
  /** Lines the shards printed besides their count (once each), and what they wrote to stderr. */
  notes: string[];
  errors: string[];
  shards: number;
  job: string;
}

/** Runs the shards and merges their outputs; throws saying which shard failed and why. */
export async function predictOnSlurm(request: ShardedPrediction): Promise<ShardedOutcome> {
  const env = request.env ?? process.env;
  const count = Math.max(1, Math.min(request.shards, request.files.length));
  const name = basename(request.project).replace(/\.phiproj$/, '');
  const id = `${new Date().toISOString().replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
  const folder = join(dirname(request.project), `${name}.phidata`, 'cluster', `predict-${id}`);
  const snapshots: string[] = [];
  try {
    const shards = Array.from({ length: count }, (_, k) => join(folder, `shard-${k}`));
    const per = Math.ceil(request.files.length / count);
    const database = new Database(request.project, { readonly: true, fileMustExist: true });
    try {
      for (const [k, shard] of shards.entries()) {
        for (const file of request.files.slice(k * per, (k + 1) * per)) {
          const link = join(shard, 'input', relative(request.input, file));
          mkdirSync(dirname(link), { recursive: true });
          symlinkSync(file, link);
        }
        const snapshot = join(dirname(request.project), `.${name}.shard-${id}-${k}.phiproj`);
        if (k === 0) database.prepare('VACUUM INTO ?').run(snapshot);
        else copyFileSync(snapshots[0], snapshot);
        snapshots.push(snapshot);
        symlinkSync(`${name}.phidata`, snapshot.replace(/\.phiproj$/, '.phidata'));
        writeJson(join(shard, 'shard.json'), {
          project: snapshot,
          node: request.node,
          runtime: request.runtime,
          input: join(shard, 'input'),
          output: join(shard, 'output'),
        } satisfies ShardJob);
      }
    } finally {
      database.close();
    }
    const jobName = `phi-predict-${id}`;
    const submitted = await submitJob({
      folder,
      stem: 'submit-1',
      jobName,
      folders: shards,
      command: ['predict-shard', 'shard.json'],
      resources: request.resources,
      env,
      retrySeconds: request.pollSeconds,
      signal: request.signal,
    });
    if ('error' in submitted) throw new Error(`Slurm did not take the prediction job: ${submitted.error}`);
    request.log(`Slurm job ${submitted.jobId}: ${count} shard(s) of about ${per} file(s)`);
    const tasks = shards.map((_, k) => `${submitted.jobId}_${k}`);
    const ends = await watchTasks({
      tasks: tasks.map((job) => ({ job, jobName })),
      finished: (k) => existsSync(join(shards[k], 'result.json')),
      onState: (k, state) => request.log(`shard ${k} ${state}: Slurm job ${tasks[k]}`),
      pollSeconds: request.pollSeconds,
      graceSeconds: request.graceSeconds,
      env,
      signal: request.signal,
    });
    if (ends === 'cancelled') throw new Error(`Cancelled: scancel ${submitted.jobId}; nothing was merged`);
    const lost = ends.flatMap((end, k) => (end.finished ? [] : [`shard ${k}: ${end.message}`]));
    if (lost.length > 0) throw new Error(`${lost.join('; ')}; nothing was merged`);
    const exits = shards.map((shard) => readJson(join(shard, 'result.json'), ShardExitSchema) as ShardExit);
    return { ...merge(shards, exits, request.output), shards: count, job: submitted.jobId };
  } finally {
    for (const snapshot of snapshots)
      for (const path of [snapshot, snapshot.replace(/\.phiproj$/, '.phidata')])
        rmSync(path, { force: true });
  }
}

/** Moves the shards' outputs into `output`, tables concatenated in shard order. */
function merge(shards: string[], exits: ShardExit[], output: string): Omit<ShardedOutcome, 'shards' | 'job'> {
  mkdirSync(output, { recursive: true });
  const csv: string[] = [];
  const detections: unknown[] = [];
  let sawDetections = false;
  const outcome = { predicted: 0, failed: 0, notes: [] as string[], errors: [] as string[] };
  for (const [k, shard] of shards.entries()) {
    const exit = exits[k];
    for (const line of exit.out.split('\n').filter(Boolean)) {
      const said = /^Predicted (\d+) image\(s\) into .*?(?:; (\d+) failed)?$/.exec(line);
      if (said) {
        outcome.predicted += Number(said[1]);
        outcome.failed += Number(said[2] ?? 0);
      } else if (!outcome.notes.includes(line)) outcome.notes.push(line);
    }
    outcome.errors.push(...exit.err.split('\n').filter(Boolean));
    const produced = join(shard, 'output');
    if (!existsSync(produced)) continue;
    const csvFile = join(produced, 'predictions.csv');
    if (existsSync(csvFile)) {
      const [header, ...rows] = readFileSync(csvFile, 'utf8').split('\n').filter(Boolean);
      if (csv.length === 0) csv.push(header);
      csv.push(...rows);
    }
    const detectionsFile = join(produced, 'detections.json');
    if (existsSync(detectionsFile)) {
      sawDetections = true;
      detections.push(...(JSON.parse(readFileSync(detectionsFile, 'utf8')) as unknown[]));
    }
    for (const entry of readdirSync(produced).filter((name) => !TABLES.has(name)))
      cpSync(join(produced, entry), join(output, entry), { recursive: true });
  }
  if (csv.length > 0) writeFileSync(join(output, 'predictions.csv'), `${csv.join('\n')}\n`);
  if (sawDetections) writeFileSync(join(output, 'detections.json'), JSON.stringify(detections));
  return outcome;
}
