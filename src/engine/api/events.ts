/**
 * Every event the engine emits, as one discriminated union on `type`. The CLI's
 * `--json` output is exactly these objects, one per line.
 */
import { z } from 'zod';
import { ScoredSetSchema } from './evaluation';
import { GraphChangeSchema } from './graph-delta';
import { VolumeFigureRowSchema } from './volume-figures';

/** Life cycle of a node within the current project state. */
export const NodeStateSchema = z.enum(['idle', 'queued', 'running', 'done', 'failed', 'stale']);
/** See {@link NodeStateSchema}. */
export type NodeState = z.infer<typeof NodeStateSchema>;

/** The four run modes of docs/design.md section 5. */
export const RunModeSchema = z.enum(['all', 'sample', 'node', 'step-forward']);
/** See {@link RunModeSchema}. */
export type RunMode = z.infer<typeof RunModeSchema>;

/** Per axis the size common to all items, or `null` (shown as `None`) where sizes differ. */
export const ShapeSummarySchema = z.array(z.number().int().nullable());
/** See {@link ShapeSummarySchema}. */
export type ShapeSummary = z.infer<typeof ShapeSummarySchema>;

/** The state of one data item at one node: the Files tab's row. */
export const FileStateSchema = z.object({
  id: z.string(),
  split: z.enum(['train', 'validation', 'test']).optional(),
  /** Human-readable label: class name, `mask`, `3 boxes`, `target`. */
  label: z.string().optional(),
  shape: z.array(z.number().int()),
  dtype: z.string(),
  colorMode: z.enum(['grayscale', 'rgb']),
  modality: z.string().optional(),
  /** `skipped`: a dataset file or label row that was left out when the folder was indexed. */
  state: z.enum(['done', 'failed', 'dropped', 'skipped']),
  /** Why the item failed or was skipped, naming the file. */
  error: z.string().optional(),
});
/** See {@link FileStateSchema}. */
export type FileState = z.infer<typeof FileStateSchema>;

/** A metric value; `null` where it is 0/0 (shown as "—"). */
const MetricValue = z.number().nullable();

/**
 * Metrics of one epoch and split. Scalars (`loss`, `accuracy`, `miou`, `map50`,
 * `mae`, ...) are numbers; per-class metrics (`accuracyByClass`, `sensitivity`,
 * `specificity`, `ppv`, `npv`, `dice`, `iou`) are arrays in class order, and their
 * macro means use the key with a `macro` prefix (`macroSensitivity`...).
 */
export const EpochMetricsSchema = z.record(z.string(), z.union([MetricValue, z.array(MetricValue)]));
/** See {@link EpochMetricsSchema}. */
export type EpochMetrics = z.infer<typeof EpochMetricsSchema>;

/** Every engine event. */
export const EngineEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run-started'),
    runId: z.string(),
    /**
     * How the run was asked for; `tuning` is an Auto Tuning search and `repeat` a training
     * repeated with several seeds (each one run like any other, training apart from the node's model).
     */
    mode: z.union([RunModeSchema, z.literal('tuning'), z.literal('repeat')]),
    /** A repeat: how many seeds it trains. */
    seeds: z.number().int().positive().optional(),
    /** Nodes this run will execute, in order. */
    nodes: z.array(z.string()),
    /** Items per dataset node for a sample run; absent for a full run. */
    sampleSize: z.number().int().optional(),
    /** A tuning run's search size: trial slots are population x generations. */
    search: z.object({ population: z.number().int(), generations: z.number().int() }).optional(),
  }),
  z.object({
    type: z.literal('node-state'),
    node: z.string(),
    state: NodeStateSchema,
    /** True when the node's outputs were all taken from the cache. */
    fromCache: z.boolean().optional(),
    /** True when the outputs are a Sample RUN's (a subset of the items), not all items'. */
    sample: z.boolean().optional(),
    message: z.string().optional(),
  }),
  z.object({
    type: z.literal('progress'),
    node: z.string(),
    done: z.number().int(),
    total: z.number().int(),
    /** Set for a tuning trial's training: the trial's id (not the node's own model). */
    trial: z.string().optional(),
  }),
  z.object({
    type: z.literal('shape'),
    node: z.string(),
    shape: ShapeSummarySchema,
    colorMode: z.enum(['grayscale', 'rgb', 'mixed']),
    dtype: z.string(),
    count: z.number().int(),
  }),
  z.object({ type: z.literal('file-state'), node: z.string(), items: z.array(FileStateSchema) }),
  z.object({
    type: z.literal('epoch'),
    node: z.string(),
    epoch: z.number().int(),
    split: z.enum(['train', 'validation']),
    metrics: EpochMetricsSchema,
    /** Set for a tuning trial's training: the trial's id. Its curves are not the node's own. */
    trial: z.string().optional(),
  }),
  z.object({
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    node: z.string().optional(),
  }),
  z.object({
    type: z.literal('error'),
    message: z.string(),
    node: z.string().optional(),
    file: z.string().optional(),
  }),
  z.object({
    type: z.literal('run-finished'),
    runId: z.string(),
    status: z.enum(['done', 'failed', 'cancelled']),
    /** Seconds from start to finish. */
    seconds: z.number(),
  }),
  z.object({
    type: z.literal('graph-changed'),
    /** Nodes whose outputs are no longer current after the edit. */
    staleNodes: z.array(z.string()),
    /** What the edit changed, so that every front end showing the project applies it (graph-delta.ts). */
    change: GraphChangeSchema.optional(),
  }),
  z.object({
    type: z.literal('evaluation'),
    node: z.string(),
    /** The held-out split evaluated once after training (with the best checkpoint). */
    split: z.literal('test'),
    metrics: EpochMetricsSchema,
    /** Counts `confusion[true][predicted]` (classification: items; segmentation: pixels). */
    confusion: z.array(z.array(z.number())),
    /** Items of the test split the metrics were computed on. */
    items: z.number().int(),
    /** Class names, in the order of the confusion matrix's rows and columns. */
    classes: z.array(z.string()),
    /** Set for a tuning trial's evaluation: the trial's id. It is not the node's own test table. */
    trial: z.string().optional(),
    /**
     * Segmentation, transformation, detection: `source` when the figures compare each prediction,
     * mapped back to its source image, with the dataset's own target; `network` when they are on
     * the network's grid (after the chain's resizing).
     */
    geometry: z.enum(['source', 'network']).optional(),
    /** 3-D segmentation and transformation in the source geometry: each test volume's own figures. */
    volumes: z.array(VolumeFigureRowSchema).optional(),
    /**
     * Classification: the class probabilities of the test items and of the validation items
     * (best weights), from which the engine computes the study report (`getEvaluation`).
     */
    scores: z.object({ test: ScoredSetSchema, validation: ScoredSetSchema.optional() }).optional(),
  }),
  z.object({
    type: z.literal('trial'),
    node: z.string(),
    /** One trial of a hyper-parameter search: finished, failed, or queued / running on a cluster. */
    trial: z.object({
      id: z.string(),
      generation: z.number().int(),
      params: z.record(z.string(), z.unknown()),
      metrics: z.record(z.string(), z.number().nullable()),
      /** The value of the metric being optimised; null when the trial failed. */
      score: z.number().nullable(),
      status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
      message: z.string().optional(),
    }),
  }),
  z.object({
    type: z.literal('pacs-progress'),
    /** What is under way: `import`, or `refresh:<node>` for a query dataset. */
    operation: z.string(),
    /** Instances here (fetched or already present) of those the studies hold. */
    done: z.number().int(),
    total: z.number().int(),
    message: z.string(),
  }),
  z.object({
    type: z.literal('backend'),
    /** The tf.js backend in use: tensorflow, webgpu, wasm or cpu. */
    name: z.string(),
  }),
]);
/** See {@link EngineEventSchema}. */
export type EngineEvent = z.infer<typeof EngineEventSchema>;
