/**
 * The `--executor local|slurm` options that `phi run`, `phi predict` and
 * `phi tune` share (docs/cluster.md): with `local` (the default) every
 * cluster option is refused; with `slurm`, the job's resources and how the
 * queue is watched.
 */
import { POLL_SECONDS } from '../api';
import type { SlurmResources } from '../cluster/batch-script';
import { UsageError } from './command';

/** The parseArgs declarations of the shared options. */
export const SLURM_OPTIONS = {
  executor: { type: 'string', default: 'local' },
  partition: { type: 'string' },
  gres: { type: 'string' },
  time: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'grace-seconds': { type: 'string' },
  'max-requeues': { type: 'string' },
} as const;

/** The usage lines of the shared options. */
export const SLURM_USAGE =
  '  --executor slurm [--partition P] [--gres gpu:1] [--time 02:00:00] [--poll-seconds N] [--grace-seconds N] [--max-requeues N]';

/** A whole number option, or undefined when not given. */
export function integerOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[-+]?\d+$/.test(text.trim()))
    throw new UsageError(`--${name} must be a whole number, not "${text}"`);
  return Number(text);
}

/** What the shared options ask for. */
export interface SlurmChoice {
  resources: SlurmResources;
  pollSeconds: number;
  graceSeconds: number;
}

/**
 * The shared options of `values`, or undefined for `--executor local`;
 * `clusterOnly` names the command's own options that only `slurm` takes.
 */
export function parseSlurmOptions(
  values: Record<string, string | boolean | string[] | undefined>,
  clusterOnly: readonly string[] = [],
): SlurmChoice | undefined {
  const text = (name: string): string | undefined => values[name] as string | undefined;
  if (text('executor') === 'local') {
    const given = [...Object.keys(SLURM_OPTIONS), ...clusterOnly].find(
      (name) => name !== 'executor' && values[name] !== undefined,
    );
    if (given) throw new UsageError(`--${given} is an option of --executor slurm`);
    return undefined;
  }
  if (text('executor') !== 'slurm')
    throw new UsageError(`--executor must be local or slurm, not "${text('executor')}"`);
  const count = (name: string, least: number): number | undefined => {
    const value = integerOption(name, text(name));
    if (value !== undefined && value < least) throw new UsageError(`--${name} must be at least ${least}`);
    return value;
  };
  const time = text('time');
  if (time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(time))
    throw new UsageError(`--time "${time}": give Slurm's form, e.g. 02:00:00 or 1-00:00:00`);
  const maxParallel = count('max-parallel', 1);
  return {
    resources: {
      ...(text('partition') === undefined ? {} : { partition: text('partition') }),
      ...(maxParallel === undefined ? {} : { maxParallel }),
      ...(text('gres') === undefined ? {} : { gres: text('gres') }),
      ...(time === undefined ? {} : { time }),
      maxRequeues: count('max-requeues', 0) ?? 2,
    },
    pollSeconds: count('poll-seconds', 1) ?? POLL_SECONDS.default,
    graceSeconds: count('grace-seconds', 1) ?? 60,
  };
}
