/**
 * The shapes the project store takes and returns, beside the graph types of
 * engine/api. Kept apart from the class so front ends and the service can
 * import them as types only.
 */
import type { EpochMetrics } from '../api/events';
import type { StoredRunStatus } from './schema';

/** What a new run records about itself (docs/design.md section 8: backend, seed, versions, dataset hash). */
export interface RunInfo {
  mode: string;
  backend?: string;
  seed: number;
  appVersion: string;
  /** Node id -> node type version at the start of the run. */
  nodeVersions: Record<string, number>;
  datasetHash?: string;
}

/** One run as stored. */
export interface RunRecord {
  id: string;
  mode: string;
  status: StoredRunStatus;
  startedAt: string;
  finishedAt?: string;
  backend?: string;
  seed: number;
  appVersion: string;
  nodeVersions: Record<string, number>;
  datasetHash?: string;
}

/** One epoch's metrics of one split for one node. */
export interface EpochRecord {
  runId: string;
  epoch: number;
  split: string;
  metrics: EpochMetrics;
}

/** The last result of a node, so a reopened project shows done nodes and their shapes. */
export interface NodeResult {
  cacheKey: string;
  shape?: (number | null)[];
  colorMode?: string;
  dtype?: string;
  count?: number;
  state: string;
  message?: string;
}

/** One file of the artifacts folder known to the project (weights, checkpoints, exports). */
export interface ArtifactRecord {
  node: string;
  kind: string;
  /** Path relative to the artifacts folder, with `/` separators. */
  relPath: string;
  /** Absolute path on this machine. */
  path: string;
  meta?: unknown;
  createdAt: string;
}

/** A custom module's source as saved in the project. */
export interface CustomModuleRecord {
  id: string;
  version: number;
  language: string;
  source: string;
  /**
   * The project's own flag. Not a security gate by itself: a file from elsewhere
   * could set it, so the app keeps its own trust list keyed by `sourceHash`.
   */
  trusted: boolean;
  /** SHA-256 of `source`, hex. */
  sourceHash: string;
  updatedAt: string;
  /** The wizard's answers (schema version 3 on; absent in rows saved before). */
  title?: string;
  category?: string;
  modality?: string;
  dims?: string;
  description?: string;
}

/** A network spec as saved in the project. */
export interface NetworkSpecRecord {
  id: string;
  version: number;
  spec: unknown;
  updatedAt: string;
}

/** One trial of a hyper-parameter search. */
export interface TuningTrialRecord {
  id: string;
  runId: string;
  params: unknown;
  metrics?: unknown;
  createdAt: string;
}

/** One stored evaluation of a network node; `report` is its study report (`EvaluationRecord` fields). */
export interface EvaluationRow {
  id: string;
  runId: string;
  node: string;
  source: 'test' | 'external';
  dataset?: string;
  report: unknown;
  createdAt: string;
}
