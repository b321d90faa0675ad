/**
 * The batch script of one generation: a Slurm array job whose task `k` trains
 * the generation's k-th trial with `node <repo>/bin/phi.mjs trial
 * <trial.json>`. Shortly before the time limit (`--signal=B:USR1@60`) the
 * script requeues its own task, a bounded number of times (the training goes
 * on from its checkpoints). When the training process exits by itself
 * without writing `result.json`, the script writes one with its exit status;
 * a task stopped by a signal (cancelled, requeued, out of memory, its time
 * limit) writes nothing, and its Slurm state says why.
 */
import { fileURLToPath } from 'node:url';
import { trialFolder } from './run-folder';

/** What the array job asks of Slurm. */
export interface SlurmResources {
  partition?: string;
  /** Tasks of the array running at once (`%K`). */
  maxParallel?: number;
  /** Generic resources per task, e.g. `gpu:1`. */
  gres?: string;
  /** Time limit per task, e.g. `02:00:00`. */
  time?: string;
  /** Requeues of a task that reaches its time limit before it counts as failed. */
  maxRequeues: number;
}

/** The engine's command-line entry, resolved where the workstation runs it: nodes mount it at the same path. */
export const PHI_SCRIPT = fileURLToPath(new URL('../../../bin/phi.mjs', import.meta.url));

/** Quotes text for bash. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The script text for the trials at `indices` of the run in `runDir`. */
export function batchScript(options: {
  jobName: string;
  runDir: string;
  indices: readonly number[];
  resources: SlurmResources;
}): string {
  const { jobName, runDir, indices, resources } = options;
  const last = indices.length - 1;
  const directives = [
    `--job-name=${jobName}`,
    `--array=0-${last}${resources.maxParallel ? `%${resources.maxParallel}` : ''}`,
    `--output=${runDir}/logs/%x-task-%a.log`,
    '--open-mode=append',
    '--requeue',
    '--signal=B:USR1@60',
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(resources.gres ? [`--gres=${resources.gres}`] : []),
    ...(resources.time ? [`--time=${resources.time}`] : []),
  ];
  return [
    '#!/bin/bash',
    ...directives.map((d) => `#SBATCH ${d}`),
    // Near the time limit: requeue this task (bounded), Slurm then stops it and starts it again.
    'requeue() {',
    `  if [ "\${SLURM_RESTART_COUNT:-0}" -lt ${resources.maxRequeues} ]; then requeued=1; scontrol requeue "$SLURM_JOB_ID"; fi`,
    '}',
    'trap requeue USR1',
    `trials=(${indices.map((i) => quote(trialFolder(runDir, i))).join(' ')})`,
    'dir="${trials[$SLURM_ARRAY_TASK_ID]}"',
    `node ${quote(PHI_SCRIPT)} trial "$dir/trial.json" &`,
    'child=$!',
    // `wait` returns early when the trap runs: wait again until the training process is gone.
    'wait "$child"; code=$?',
    'while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done',
    // Killed (exit status 128 + signal) or being requeued: no exit file, Slurm's state tells.
    'if [ ! -e "$dir/result.json" ] && [ -z "${requeued:-}" ] && [ "$code" -lt 128 ]; then',
    '  printf \'{"exitCode":%d}\\n\' "$code" > "$dir/result.json.$$.tmp" && mv -f "$dir/result.json.$$.tmp" "$dir/result.json"',
    'fi',
    'exit "$code"',
    '',
  ].join('\n');
}
