/**
 * The workbench's cluster actions (docs/cluster.md, "In the workbench"): the
 * user's Slurm profiles, the open project's executor (kept in the project as
 * the setting `executor`: a profile's name; none means this computer), "Test
 * cluster", and the registry a RUN uses: with a cluster executor, network
 * nodes train there as one Slurm job each (src/engine/cluster/slurm-training.ts).
 */
import type { EngineParams, EngineResults } from '../api';
import { EngineRequests } from '../api';
import type { NodeTypeRegistry } from '../graph/registry';
import { ClusterProfileStore, checkShared, trainingOptionsOf } from '../cluster/profiles';
import { slurmExecutor } from '../cluster/slurm-executor';
import type { SlurmTrainingOptions } from '../cluster/slurm-training';
import { slurmTraining, trainsOnSlurm } from '../cluster/slurm-training';
import { testCluster } from '../cluster/test-cluster';
import type { TrialExecutor, TrialExecutorContext } from '../tuning/tuner';
import type { ProjectSession } from './session';

/** The project setting naming the cluster profile its networks train on. */
const EXECUTOR_SETTING = 'executor';

/** The cluster channel of the engine API. */
export class ClusterChannel {
  private profileStore?: ClusterProfileStore;

  constructor(private readonly session: ProjectSession) {}

  /** Made on first use, so that an engine that never uses a cluster writes no file. */
  private get profiles(): ClusterProfileStore {
    this.profileStore ??= new ClusterProfileStore();
    return this.profileStore;
  }

  private executor(): string | null {
    return executorOf(this.session);
  }

  private settings(): EngineResults['getClusterSettings'] {
    return { profiles: this.profiles.list(), executor: this.executor() };
  }

  async getClusterSettings(): Promise<EngineResults['getClusterSettings']> {
    return this.settings();
  }

  async saveClusterProfile(
    params: EngineParams<'saveClusterProfile'>,
  ): Promise<EngineResults['saveClusterProfile']> {
    const parsed = EngineRequests.saveClusterProfile.safeParse(params);
    // The schema's messages are sentences the dialog shows as they are.
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'The profile is not valid');
    const { profile, previousName } = parsed.data;
    this.profiles.save(profile, previousName);
    // A project that trained on the renamed profile follows it.
    if (previousName && previousName !== profile.name && this.executor() === previousName)
      this.session.requireStore().setSetting(EXECUTOR_SETTING, profile.name);
    return this.settings();
  }

  async deleteClusterProfile(
    params: EngineParams<'deleteClusterProfile'>,
  ): Promise<EngineResults['deleteClusterProfile']> {
    const { name } = EngineRequests.deleteClusterProfile.parse(params);
    this.profiles.delete(name);
    return this.settings();
  }

  async setProjectExecutor(
    params: EngineParams<'setProjectExecutor'>,
  ): Promise<EngineResults['setProjectExecutor']> {
    const { executor } = EngineRequests.setProjectExecutor.parse(params);
    const store = this.session.requireStore();
    if (executor !== null) checkShared(this.profiles.get(executor), store.path);
    store.setSetting(EXECUTOR_SETTING, executor ?? undefined);
    return this.settings();
  }

  async testCluster(params: EngineParams<'testCluster'>): Promise<EngineResults['testCluster']> {
    const { profile } = EngineRequests.testCluster.parse(params);
    return testCluster(profile);
  }
}

/** The open project's executor: a profile name, or null (this computer, also with no project open). */
function executorOf(session: ProjectSession): string | null {
  const value = session.store?.getSetting<unknown>(EXECUTOR_SETTING);
  return typeof value === 'string' ? value : null;
}

/**
 * How the open project's networks train on its cluster executor (the
 * profile's resources, set-up, phi command and Slurm environment), or
 * undefined on this computer. Throws one sentence when the profile is gone or
 * the nodes could not read the project.
 */
function clusterTrainingOf(session: ProjectSession): SlurmTrainingOptions | undefined {
  const name = executorOf(session);
  if (name === null) return undefined;
  const profile = new ClusterProfileStore().get(name);
  checkShared(profile, session.requireStore().path);
  return trainingOptionsOf(profile);
}

/**
 * The registry a RUN of the open project uses: the session's on this
 * computer; with a cluster executor, its networks train there (unless the
 * engine was given networks that train on Slurm already: `phi run --executor
 * slurm`).
 */
export function registryForRun(session: ProjectSession): NodeTypeRegistry {
  if (trainsOnSlurm(session.registry)) return session.registry;
  const options = clusterTrainingOf(session);
  return options ? slurmTraining(options)(session.registry) : session.registry;
}

/**
 * Where a search of the open project trains its trials: the executor the
 * engine was given (`phi tune --executor slurm`), else the project's cluster
 * as Slurm array jobs with the options a RUN's training has, else undefined
 * (this process).
 */
export function tuningExecutorFor(
  session: ProjectSession,
): ((context: TrialExecutorContext) => TrialExecutor) | undefined {
  if (session.options.tuningExecutor) return session.options.tuningExecutor;
  const options = clusterTrainingOf(session);
  return options ? slurmExecutor(options) : undefined;
}
