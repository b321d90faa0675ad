/**
 * The cluster part of the contract (docs/cluster.md, "In the workbench"):
 * Slurm cluster profiles kept in the user's settings, the project's executor
 * (which profile its networks train on, or this computer), and "Test
 * cluster".
 */
import { z } from 'zod';

/** The bounds and default of a profile's queue poll interval, in seconds. */
export const POLL_SECONDS = { min: 1, max: 600, default: 15 } as const;
const POLL_RULE = `The queue poll interval must be a whole number of seconds from ${POLL_SECONDS.min} to ${POLL_SECONDS.max}: give one, e.g. ${POLL_SECONDS.default}`;
/** The largest cap on an array job's running tasks a profile takes. */
const MAX_PARALLEL = 10_000;
const PARALLEL_RULE = `At most N jobs at once must be a whole number from 1 to ${MAX_PARALLEL}: give one, or leave it empty for no cap`;

/** A Slurm cluster profile, as kept in the user's settings. */
export const ClusterProfileSchema = z.object({
  name: z.string().trim().min(1).max(80),
  /** Empty: the cluster's default partition. */
  partition: z.string().trim().max(200).default(''),
  /** Empty: the user's default account. */
  account: z.string().trim().max(200).default(''),
  /** Generic resources per job, e.g. `gpu:1`; empty for none. */
  gres: z.string().trim().max(200).default(''),
  /** Time limit per job in Slurm's form (`02:00:00`); empty for the partition's. */
  time: z
    .string()
    .trim()
    .regex(/^((\d+-)?\d+(:\d{1,2}){0,2})?$/, "give Slurm's form, e.g. 02:00:00 or 1-00:00:00")
    .default(''),
  /** Shell lines the jobs run before the engine (e.g. `module load nodejs/20`). */
  setup: z.array(z.string().max(2000)).max(50).default([]),
  /** The engine's command on the nodes; empty: `node <this engine's folder>/bin/phi.mjs`. */
  phiCommand: z.string().trim().max(2000).default(''),
  /** A folder every node mounts at the same path as this computer; projects must be under it. */
  sharedFolder: z.string().trim().min(1).max(4096),
  /** `slurm.conf` of the cluster; empty: `SLURM_CONF` of the environment, else Slurm's default. */
  slurmConf: z.string().trim().max(4096).default(''),
  /** Seconds between two reads of the queue (one bulk `squeue`); shared clusters ask users for few. */
  pollSeconds: z
    .number({ error: POLL_RULE })
    .int(POLL_RULE)
    .min(POLL_SECONDS.min, POLL_RULE)
    .max(POLL_SECONDS.max, POLL_RULE)
    .default(POLL_SECONDS.default),
  /** Tasks of one array job (tuning trials, prediction shards) running at once (`%N`); null: no cap. */
  maxParallel: z
    .number({ error: PARALLEL_RULE })
    .int(PARALLEL_RULE)
    .min(1, PARALLEL_RULE)
    .max(MAX_PARALLEL, PARALLEL_RULE)
    .nullable()
    .default(null),
});
/** See {@link ClusterProfileSchema}. */
export type ClusterProfile = z.infer<typeof ClusterProfileSchema>;

/** The user's profiles, and the open project's executor (a profile's name, or null for this computer). */
export interface ClusterSettings {
  profiles: ClusterProfile[];
  executor: string | null;
}

/** What "Test cluster" found: a verdict sentence, and each step it took. */
export interface ClusterTestResult {
  ok: boolean;
  message: string;
  steps: { step: string; ok: boolean; detail: string }[];
}

/** Request params of the cluster methods, keyed by method name (spread into `EngineRequests`). */
export const ClusterRequests = {
  getClusterSettings: z.object({}),
  saveClusterProfile: z.object({
    profile: ClusterProfileSchema,
    /** The name it was saved under, when renamed. */
    previousName: z.string().max(80).optional(),
  }),
  deleteClusterProfile: z.object({ name: z.string().min(1).max(80) }),
  /** Trains the open project's networks on the named profile's cluster, or here (null). */
  setProjectExecutor: z.object({ executor: z.string().min(1).max(80).nullable() }),
  /** `sinfo` and a one-second job with a profile as given (saved or not). */
  testCluster: z.object({ profile: ClusterProfileSchema }),
} as const;

/** Results of the cluster methods. */
export interface ClusterResults {
  getClusterSettings: ClusterSettings;
  saveClusterProfile: ClusterSettings;
  deleteClusterProfile: ClusterSettings;
  setProjectExecutor: ClusterSettings;
  testCluster: ClusterTestResult;
}
