/**
 * Slurm cluster profiles in the user's settings folder
 * (`cluster-profiles.json`, never in a project), and a profile turned into
 * what a training on the cluster uses: the job's resources and set-up, the
 * environment of Slurm's commands, and the check that the project is in the
 * folder the nodes share.
 */
import { join, relative, resolve, isAbsolute } from 'node:path';
import { z } from 'zod';
import { ClusterProfileSchema, type ClusterProfile } from '../api';
import { configDir } from '../custom';
import { readJson, writeJson } from './run-folder';
import type { SlurmEnv } from './slurm';
import type { SlurmTrainingOptions } from './slurm-training';

const PROFILES_FILE = 'cluster-profiles.json';

/** The profiles of this user. */
export class ClusterProfileStore {
  readonly file: string;

  constructor(folder = configDir()) {
    this.file = join(folder, PROFILES_FILE);
  }

  list(): ClusterProfile[] {
    return readJson(this.file, z.array(ClusterProfileSchema)) ?? [];
  }

  /** The profile named; throws naming the known ones when there is none. */
  get(name: string): ClusterProfile {
    const found = this.list().find((p) => p.name === name);
    if (!found) {
      const names = this.list().map((p) => `"${p.name}"`);
      throw new Error(
        `There is no cluster profile "${name}"${names.length ? ` (there are ${names.join(', ')})` : ''}: add it under File > Clusters.`,
      );
    }
    return found;
  }

  save(profile: ClusterProfile, previousName?: string): ClusterProfile[] {
    const others = this.list().filter((p) => p.name !== profile.name && p.name !== previousName);
    writeJson(
      this.file,
      [...others, profile].sort((a, b) => a.name.localeCompare(b.name)),
    );
    return this.list();
  }

  delete(name: string): ClusterProfile[] {
    writeJson(
      this.file,
      this.list().filter((p) => p.name !== name),
    );
    return this.list();
  }
}

/** The environment of Slurm's commands and jobs for a profile. */
export function slurmEnvOf(profile: ClusterProfile, env: SlurmEnv = process.env): SlurmEnv {
  return profile.slurmConf ? { ...env, SLURM_CONF: profile.slurmConf } : env;
}

/** Whether `path` is inside `folder` (or is it). */
function inside(path: string, folder: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Throws one sentence when the nodes could not read `path` (the project, or what
 * else `what` names, such as an input folder) through the profile's shared folder.
 */
export function checkShared(profile: ClusterProfile, path: string, what = 'project'): void {
  if (!inside(path, profile.sharedFolder))
    throw new Error(
      `The ${what} ${path} is not under ${profile.sharedFolder}, the folder the nodes of cluster "${profile.name}" share: move the ${what} there or ${what === 'project' ? 'train' : 'run it'} on this computer`,
    );
}

/** What a cluster job gets where neither a profile nor a command-line flag says otherwise. */
export const SLURM_DEFAULTS = {
  /** Requeues of a task near its time limit before it counts as failed. */
  maxRequeues: 2,
  /** Seconds a job may be gone from the queue before its missing result fails it (late files on NFS). */
  graceSeconds: 60,
} as const;

/** How a network (or a search's trials) trains with a profile: its queue poll interval and cap, the default requeues and grace. */
export function trainingOptionsOf(profile: ClusterProfile): SlurmTrainingOptions {
  return {
    resources: {
      ...(profile.partition ? { partition: profile.partition } : {}),
      ...(profile.account ? { account: profile.account } : {}),
      ...(profile.gres ? { gres: profile.gres } : {}),
      ...(profile.time ? { time: profile.time } : {}),
      ...(profile.setup.length ? { setup: profile.setup } : {}),
      ...(profile.phiCommand ? { phiCommand: profile.phiCommand } : {}),
      ...(profile.maxParallel === null ? {} : { maxParallel: profile.maxParallel }),
      maxRequeues: SLURM_DEFAULTS.maxRequeues,
    },
    pollSeconds: profile.pollSeconds,
    graceSeconds: SLURM_DEFAULTS.graceSeconds,
    env: slurmEnvOf(profile),
  };
}
