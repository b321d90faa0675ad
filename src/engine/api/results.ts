/**
 * Zod schemas of the results that carry the project (snapshots and graph
 * deltas), so the engine's answers are checked like requests are (dispatch.ts)
 * before any front end reads them. Each schema is typed against its contract
 * type, so the two cannot drift apart.
 */
import { z } from 'zod';
import { GraphSchema, type GraphIssue } from './graph';
import { GraphChangeSchema } from './graph-delta';
import { NodeStateSchema, ShapeSummarySchema } from './events';
import type { ProjectSettings } from './projects';
import { InferenceRuntimeSchema } from './export';
import {
  SampleSizeSchema,
  type EngineMethod,
  type EngineResults,
  type NodeStatus,
  type NodeUpgrade,
  type ProjectSnapshot,
} from './requests';

/** See {@link GraphIssue}. */
export const GraphIssueSchema: z.ZodType<GraphIssue> = z.object({
  severity: z.enum(['error', 'warning']),
  node: z.string().optional(),
  edge: z.string().optional(),
  message: z.string(),
});

/** See {@link NodeStatus}. */
export const NodeStatusSchema: z.ZodType<NodeStatus> = z.object({
  state: NodeStateSchema,
  shape: ShapeSummarySchema.optional(),
  colorMode: z.enum(['grayscale', 'rgb', 'mixed']).optional(),
  dtype: z.string().optional(),
  count: z.number().int().nonnegative().optional(),
  message: z.string().optional(),
  sample: z.boolean().optional(),
  done: z.number().nonnegative().optional(),
  total: z.number().nonnegative().optional(),
});

const NodeUpgradeSchema: z.ZodType<NodeUpgrade> = z.object({
  node: z.string(),
  type: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  changes: z.array(z.string()),
});

const ProjectSettingsSchema: z.ZodType<ProjectSettings> = z.object({
  sampleSize: SampleSizeSchema.nullable(),
  inferenceRuntime: InferenceRuntimeSchema,
  inferenceRuntimeOverride: z.string().optional(),
});

/** See {@link ProjectSnapshot}. */
export const ProjectSnapshotSchema: z.ZodType<ProjectSnapshot> = z.object({
  path: z.string(),
  name: z.string(),
  graph: GraphSchema,
  issues: z.array(GraphIssueSchema),
  status: z.record(z.string(), NodeStatusSchema),
  running: z.boolean(),
  settings: ProjectSettingsSchema.optional(),
  nodeUpgrades: z.array(NodeUpgradeSchema).optional(),
});

/**
 * The answer to a graph edit: what changed instead of the whole project. Nodes
 * and edges added or changed (whole), ids of those removed, the states of the
 * nodes whose outputs the edit can change (the edited nodes, the targets of
 * new or removed edges, and everything downstream of them), and the graph's
 * problems after the edit (all of them: an edit can fix or raise a problem
 * anywhere). States not listed are unchanged.
 */
export const GraphDeltaSchema = GraphChangeSchema.extend({
  status: z.record(z.string(), NodeStatusSchema),
  issues: z.array(GraphIssueSchema),
  /** True when a run is in progress (its live states are newer than these). */
  running: z.boolean(),
});
/** See {@link GraphDeltaSchema}. */
export type GraphDelta = z.infer<typeof GraphDeltaSchema>;

/** Result schemas by method, for the results that carry the project. */
export const EngineResultSchemas: { [M in EngineMethod]?: z.ZodType<EngineResults[M]> } = {
  createProject: ProjectSnapshotSchema,
  openProject: ProjectSnapshotSchema,
  getProject: ProjectSnapshotSchema.nullable(),
  editGraph: GraphDeltaSchema,
  applyTrial: GraphDeltaSchema,
  deleteCustomModule: ProjectSnapshotSchema,
  trustProject: ProjectSnapshotSchema,
};
