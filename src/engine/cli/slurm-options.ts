/**
 * The executor options that `phi run`, `phi predict` and `phi tune` share
 * (docs/cluster.md): `--executor local` (the default) refuses every cluster
 * option; `--executor slurm` takes the job's resources and how the queue is
 * watched from the flags; `--cluster NAME` takes them from the user's cluster
 * profile (File > Clusters, the conversion the workbench uses), flags given
 * beside it overriding single fields, and requires the project to be in the
 * profile's shared folder.
 */
import { POLL_SECONDS, type ClusterProfile } from '../api';
import { ClusterProfileStore, SLURM_DEFAULTS, checkShared, trainingOptionsOf } from '../cluster/profiles';
import type { SlurmTrainingOptions } from '../cluster/slurm-training';
import { UsageError } from './command';

/** The parseArgs declarations of the shared options (no default: `--cluster` implies slurm). */
export const SLURM_OPTIONS = {
  executor: { type: 'string' },
  cluster: { type: 'string' },
  partition: { type: 'string' },
  gres: { type: 'string' },
  time: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'grace-seconds': { type: 'string' },
  'max-requeues': { type: 'string' },
} as const;

/** The usage line of `--cluster`. */
export const CLUSTER_USAGE =
  "  --cluster NAME  run the jobs with the cluster profile NAME's settings (File > Clusters;\n" +
  '                  implies --executor slurm); a cluster flag given beside it overrides that field';

/** The usage lines of the shared options. */
export const SLURM_USAGE = `${CLUSTER_USAGE}\n  --executor slurm [--partition P] [--gres gpu:1] [--time 02:00:00] [--poll-seconds N] [--grace-seconds N] [--max-requeues N]`;

/** A whole number option, or undefined when not given. */
export function integerOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[-+]?\d+$/.test(text.trim()))
    throw new UsageError(`--${name} must be a whole number, not "${text}"`);
  return Number(text);
}

/** What the shared options ask for: the jobs' resources, how the queue is watched, Slurm's environment. */
export type SlurmChoice = SlurmTrainingOptions;

/** The named profile, checked against the project and input folder; its refusals are usage errors. */
function profileFor(name: string, project: string | undefined, input: string | undefined): ClusterProfile {
  try {
    const profile = new ClusterProfileStore().get(name);
    if (project !== undefined) checkShared(profile, project);
    if (input !== undefined) checkShared(profile, input, 'input folder');
    return profile;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * The shared options of `values`, or undefined for the local executor;
 * `clusterOnly` names the command's own options that only a cluster takes,
 * `project` is the project's absolute path and `input` the folder the jobs read
 * (both checked against `--cluster`'s shared folder).
 */
export function parseSlurmOptions(
  values: Record<string, string | boolean | string[] | undefined>,
  {
    clusterOnly = [],
    project,
    input,
  }: { clusterOnly?: readonly string[]; project?: string; input?: string } = {},
): SlurmChoice | undefined {
  const text = (name: string): string | undefined => values[name] as string | undefined;
  const cluster = text('cluster');
  const executor = text('executor') ?? (cluster === undefined ? 'local' : 'slurm');
  if (cluster !== undefined && executor === 'local')
    throw new UsageError(
      `--cluster ${cluster} trains on that cluster and --executor local on this computer: give one of them`,
    );
  if (executor === 'local') {
    const given = [...Object.keys(SLURM_OPTIONS), ...clusterOnly].find(
      (name) => name !== 'executor' && values[name] !== undefined,
    );
    if (given) throw new UsageError(`--${given} is an option of --executor slurm`);
    return undefined;
  }
  if (executor !== 'slurm') throw new UsageError(`--executor must be local or slurm, not "${executor}"`);
  const count = (name: string, least: number): number | undefined => {
    const value = integerOption(name, text(name));
    if (value !== undefined && value < least) throw new UsageError(`--${name} must be at least ${least}`);
    return value;
  };
  const time = text('time');
  if (time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(time))
    throw new UsageError(`--time "${time}": give Slurm's form, e.g. 02:00:00 or 1-00:00:00`);
  const base: SlurmChoice =
    cluster === undefined
      ? {
          resources: { maxRequeues: SLURM_DEFAULTS.maxRequeues },
          pollSeconds: POLL_SECONDS.default,
          graceSeconds: SLURM_DEFAULTS.graceSeconds,
        }
      : trainingOptionsOf(profileFor(cluster, project, input));
  const given = {
    partition: text('partition'),
    maxParallel: count('max-parallel', 1),
    gres: text('gres'),
    time,
    maxRequeues: count('max-requeues', 0),
  };
  const pollSeconds = count('poll-seconds', 1);
  const graceSeconds = count('grace-seconds', 1);
  return {
    ...base,
    resources: {
      ...base.resources,
      ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    },
    pollSeconds: pollSeconds ?? base.pollSeconds,
    graceSeconds: graceSeconds ?? base.graceSeconds,
  };
}
