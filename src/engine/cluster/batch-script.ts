/**
 * The batch script of a Slurm array job whose task `k` runs `node
 * <repo>/bin/phi.mjs <command> <folder k>/<job file>` (a tuning trial, a
 * training, a prediction shard). Shortly before the time limit (`--signal=B:USR1@60`) the
 * script requeues its own task, a bounded number of times (a training goes
 * on from its checkpoints). When the engine's process exits by itself
 * without writing `result.json`, the script writes one with its exit status;
 * a task stopped by a signal (cancelled, requeued, out of memory, its time
 * limit) writes nothing, and its Slurm state says why.
 */
import { fileURLToPath } from 'node:url';

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
  /** The account jobs are charged to (`--account`). */
  account?: string;
  /** Shell lines run before the engine (e.g. `module load nodejs/20`). */
  setup?: readonly string[];
  /** The engine's command on the nodes; default `node <this repository>/bin/phi.mjs`. */
  phiCommand?: string;
}

/** The engine's command-line entry, resolved where the workstation runs it: nodes mount it at the same path. */
export const PHI_SCRIPT = fileURLToPath(new URL('../../../bin/phi.mjs', import.meta.url));

/** Quotes text for bash. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The script text: task `k` runs `phi <command[0]> <folders[k]>/<command[1]>` and owns `<folders[k]>/result.json`. */
export function batchScript(options: {
  jobName: string;
  logDir: string;
  folders: readonly string[];
  command: readonly [subcommand: string, jobFile: string];
  resources: SlurmResources;
}): string {
  const { jobName, logDir, folders, command, resources } = options;
  const last = folders.length - 1;
  const directives = [
    `--job-name=${jobName}`,
    `--array=0-${last}${resources.maxParallel ? `%${resources.maxParallel}` : ''}`,
    `--output=${logDir}/%x-task-%a.log`,
    '--open-mode=append',
    '--requeue',
    '--signal=B:USR1@60',
    ...(resources.partition ? [`--partition=${resources.partition}`] : []),
    ...(resources.account ? [`--account=${resources.account}`] : []),
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
    ...(resources.setup ?? []),
    `folders=(${folders.map(quote).join(' ')})`,
    'dir="${folders[$SLURM_ARRAY_TASK_ID]}"',
    `${resources.phiCommand ?? `node ${quote(PHI_SCRIPT)}`} ${quote(command[0])} "$dir/"${quote(command[1])} &`,
    'child=$!',
    // `wait` returns early when the trap runs: wait again until the engine's process is gone.
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
