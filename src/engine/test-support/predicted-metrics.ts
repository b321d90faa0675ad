/**
 * The reference of external-evaluation tests: `phi predict` of the folder's images, then
 * `phi metrics --json` of its labels against those predictions, as a user checks them.
 */
import type { MeasuredEvaluationRecord } from '../api';
import { runPhi } from './cli-io';

/** What `phi metrics --json` prints of a segmentation (2-D, or label volumes with their per-volume rows). */
export interface SegmentationReport {
  matched: number;
  overall: Record<string, number | null>;
  perClass: Record<string, (number | null)[]>;
  macro: Record<string, number | null>;
  confusion: number[][];
  volumes: { name: string; perClass: Record<string, (number | null)[]> }[];
}

async function phiJson<T>(cwd: string, argv: string[]): Promise<T> {
  const run = await runPhi(cwd, argv);
  if (run.code !== 0 || run.err) throw new Error(`phi ${argv[0]} failed (${run.code}): ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** `phi evaluate PROJECT --node net --dataset FOLDER --json`: the stored record. */
export function evaluatedOn(cwd: string, project: string, folder: string): Promise<MeasuredEvaluationRecord> {
  return phiJson(cwd, ['evaluate', project, '--node', 'net', '--dataset', folder, '--json']);
}

/** `phi predict` of `images` into `out` with node `net`, then `phi metrics` of `truth` against it. */
export async function predictedSegmentationMetrics(
  cwd: string,
  project: string,
  images: string,
  truth: string,
  out: string,
  metricsArgs: string[] = [],
): Promise<SegmentationReport> {
  const predicted = await runPhi(cwd, ['predict', project, '--node', 'net', images, out]);
  if (predicted.code !== 0 || predicted.err) throw new Error(`phi predict failed: ${predicted.err}`);
  return phiJson(cwd, [
    'metrics',
    '--task',
    'segmentation',
    '--truth',
    truth,
    '--pred',
    out,
    ...metricsArgs,
    '--json',
  ]);
}
