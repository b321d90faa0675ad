/**
 * Every request a front end can make of the engine. `EngineRequests` maps each
 * method to the zod schema of its params (validated wherever a request crosses
 * a process boundary); `EngineApi` gives the result types. Transports (IPC,
 * WebSocket, in-process for the CLI) carry `{ id, method, params }` and answer
 * `{ id, result }` or `{ id, error }`.
 */
import { z } from 'zod';
import { GraphEditSchema, type Graph, type GraphIssue } from './graph';
import { boundedText, LIMITS } from './limits';
import { USER_ID_PATTERN } from './names';
import { TASKS } from './sample';
import type { EngineEvent, EpochMetrics, FileState, NodeState, RunMode, ShapeSummary } from './events';
import type { NodeTypeDescriptor, ParamJsonSchema } from './node-types';
import type { DatasetSummary } from './dataset';
import type { EvaluationHistory, ExternalEvaluation } from './evaluation';
import type { GraphDelta } from './results';
import type { VolumeFigureRow } from './volume-figures';
import { ProcessRequestSchema, type ProcessResult } from './process';
import { PredictFolderRequestSchema, type PredictFolderResult } from './predict-folder';
import { VolumeSliceRequestSchema, type VolumeSlice } from './volume-view';
import {
  BrowseFolderSchema,
  PreviewDatasetSchema,
  type DatasetPreview,
  type FolderListing,
  type ProjectSettings,
  type RecentProject,
} from './projects';
import { PacsRequests, type PacsResults } from './pacs';
import { ClusterRequests, type ClusterResults } from './cluster';
import { ExportRequests, InferenceRuntimeSchema, type ExportResults } from './export';

/** Sample-run size: a count of items or a percentage of each dataset. */
export const SampleSizeSchema = z.union([
  z.object({ count: z.number().int().positive() }),
  z.object({ percent: z.number().positive().max(100) }),
]);
/** See {@link SampleSizeSchema}. */
export type SampleSize = z.infer<typeof SampleSizeSchema>;

/** Params of a run request. */
export const RunRequestSchema = z.object({
  mode: z.enum(['all', 'sample', 'node', 'step-forward']),
  /** Required for `node` and `step-forward`. */
  node: z.string().optional(),
  /** Required for `sample`. */
  sample: SampleSizeSchema.optional(),
});
/** See {@link RunRequestSchema}. */
export type RunRequest = z.infer<typeof RunRequestSchema>;

/** One parameter a hyper-parameter search varies: a list of choices or a numeric range. */
export const SearchDimensionSchema = z.object({
  param: z.string(),
  /** Choices (enums, booleans, or listed numbers). */
  values: z.array(z.unknown()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Sample the range on a log scale (learning rates). */
  log: z.boolean().optional(),
  integer: z.boolean().optional(),
});
/** See {@link SearchDimensionSchema}. */
export type SearchDimension = z.infer<typeof SearchDimensionSchema>;

/** Params of a genetic hyper-parameter search on a network node. */
export const TuningRequestSchema = z.object({
  node: z.string(),
  /** Ticked parameters; unticked ones keep the node's current values. */
  search: z.array(SearchDimensionSchema).min(1),
  /** Metric to optimise, as `split.metric`, e.g. `validation.accuracy` or `validation.loss`. */
  metric: z.string().default('validation.accuracy'),
  goal: z.enum(['max', 'min']).default('max'),
  population: z.number().int().min(2).max(64).default(6),
  generations: z.number().int().min(1).max(50).default(3),
  seed: z.number().int().default(1),
});
/** See {@link TuningRequestSchema}. */
export type TuningRequest = z.infer<typeof TuningRequestSchema>;

/** A user-made image-processing module as saved in the project. */
export const CustomModuleInfoSchema = z.object({
  /** Stable id, e.g. `my-hu-window`; custom ids start with `my-`. */
  id: z
    .string()
    .regex(USER_ID_PATTERN, 'ids of custom modules are lower-case words joined by "-", starting with "my-"'),
  title: boundedText(LIMITS.titleChars).min(1),
  category: boundedText(LIMITS.titleChars).min(1).default('My modules'),
  modality: boundedText(LIMITS.titleChars).default('any'),
  dims: z.enum(['2d', '3d']).default('2d'),
  description: boundedText(LIMITS.descriptionChars).default(''),
  language: z.enum(['typescript', 'python']).default('typescript'),
  source: boundedText(LIMITS.sourceChars),
});
/** See {@link CustomModuleInfoSchema}. */
export type CustomModuleInfo = z.infer<typeof CustomModuleInfoSchema>;

/** Params of a Files-tab page request. */
export const ListFilesSchema = z.object({
  node: z.string(),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(10_000).default(500),
  sortBy: z.string().optional(),
  descending: z.boolean().optional(),
  /** Case-insensitive substring matched against id, label and split. */
  filter: z.string().optional(),
});

/** Params of an image request (thumbnails for the View tab). */
export const ImageRequestSchema = z.object({
  node: z.string(),
  sampleId: z.string(),
  /** Longest side of the returned PNG in pixels. */
  size: z.number().int().positive().max(4096).default(512),
  /** Window (center/width) for display of HU or 16-bit data; auto when absent. */
  window: z.object({ center: z.number(), width: z.number().positive() }).optional(),
  /** Slice index for 3-D images (middle slice when absent). */
  slice: z.number().int().nonnegative().optional(),
});

/** Zod schemas of every request's params, keyed by method name. */
export const EngineRequests = {
  getInfo: z.object({}),
  createProject: z.object({
    path: z.string(),
    dataset: z.string(),
    task: z.enum(TASKS).default('classification'),
  }),
  openProject: z.object({ path: z.string() }),
  getProject: z.object({}),
  editGraph: z.object({ edits: z.array(GraphEditSchema) }),
  checkConnection: z.object({ source: z.string(), target: z.string(), targetPort: z.string().default('in') }),
  run: RunRequestSchema,
  cancel: z.object({ runId: z.string().optional() }),
  listFiles: ListFilesSchema,
  getImage: ImageRequestSchema,
  getProcessingResult: z.object({
    node: z.string(),
    sampleId: z.string(),
    size: z.number().int().positive().default(256),
  }),
  getMetrics: z.object({ node: z.string(), run: z.string().max(200).optional() }),
  getEvaluation: z.object({ node: z.string(), run: z.string().max(200).optional() }),
  /** Writes the study report of a network node (all of them when absent) beside the project. */
  exportReport: z.object({ node: z.string().optional() }),
  getPrediction: z.object({
    node: z.string(),
    sampleId: z.string(),
    /** The evaluation whose model predicts (the error gallery); refused when the node's model changed since. */
    evaluation: z.string().optional(),
  }),
  /** One slice of a volume in a plane, with its overlays (the View tab's volumes). */
  getVolumeSlice: VolumeSliceRequestSchema,
  getDatasetSummary: z.object({ node: z.string() }),
  startTuning: TuningRequestSchema,
  /**
   * External validation: runs a trained classifier on another labelled folder (read like its
   * Dataset node's; relative to the project's folder) and stores the study as an evaluation run.
   */
  evaluateDataset: z.object({
    node: z.string(),
    dataset: z.string().min(1).max(4096),
    /** `youden`, `sens=T` or `spec=T`, chosen on the training's validation split; absent: the node's `operatingPoint`. */
    operatingPoint: z.string().max(40).optional(),
    bootstrap: z.number().int().min(0).max(20000).default(2000),
    seed: z.number().int().min(0).default(0),
  }),
  /** Trains a network node once per seed (its own seed and the next ones) beside its own model. */
  repeatTraining: z.object({ node: z.string(), seeds: z.number().int().min(2).max(20) }),
  getTuning: z.object({ node: z.string() }),
  applyTrial: z.object({ node: z.string(), trialId: z.string() }),
  listCustomModules: z.object({}),
  customModuleTemplate: CustomModuleInfoSchema.pick({
    id: true,
    title: true,
    category: true,
    modality: true,
    dims: true,
    description: true,
    language: true,
  }),
  saveCustomModule: CustomModuleInfoSchema,
  deleteCustomModule: z.object({ id: z.string() }),
  trustProject: z.object({ trusted: z.boolean() }),
  getLayerCatalogue: z.object({}),
  /** `node`: the network node the builder edits for; its data fill in `$classes`, `$channels` and the input shape. */
  checkNetworkSpec: z.object({ spec: z.unknown(), node: z.string().optional() }),
  /**
   * `title`: the name people see; a new network's id is derived from it. `id`:
   * the saved network this saves a new version of (its name may change).
   */
  saveNetworkSpec: z.object({
    title: boundedText(LIMITS.titleChars).min(1),
    id: z.string().min(1).optional(),
    spec: z.unknown(),
    node: z.string().optional(),
  }),
  listNetworkSpecs: z.object({}),
  getNetworkSpec: z.object({ id: z.string().min(1) }),
  browseFolder: BrowseFolderSchema,
  previewDataset: PreviewDatasetSchema,
  /** Settings kept in the project; a field left out is unchanged, `null` clears it. */
  setProjectSettings: z.object({
    sampleSize: SampleSizeSchema.nullable().optional(),
    inferenceRuntime: InferenceRuntimeSchema.optional(),
  }),
  listRecentProjects: z.object({}),
  /** `phi process`: modules applied to image files outside a pipeline (process.ts). */
  processImages: ProcessRequestSchema,
  /** `phi predict`: a trained network node run on a folder of images (predict-folder.ts). */
  predictFolder: PredictFolderRequestSchema,
  ...PacsRequests,
  ...ClusterRequests,
  ...ExportRequests,
} as const;

/** Method names of the engine API. */
export type EngineMethod = keyof typeof EngineRequests;

/** Params type of a method (input side of its zod schema, defaults optional). */
export type EngineParams<M extends EngineMethod> = z.input<(typeof EngineRequests)[M]>;

/** Version, node types and backends, for the palette and the status bar. */
export interface EngineInfo {
  version: string;
  nodeTypes: NodeTypeDescriptor[];
  backends: { name: string; available: boolean; reason?: string }[];
  /** What confines custom code on this computer (docs/security.md); `summary` is shown as is. */
  confinement?: { isolated: boolean; memoryCap: boolean; summary: string };
}

/** Per-node state as the front end shows it. */
export interface NodeStatus {
  state: NodeState;
  shape?: ShapeSummary;
  colorMode?: 'grayscale' | 'rgb' | 'mixed';
  dtype?: string;
  count?: number;
  message?: string;
  /** True when the outputs are a Sample RUN's (`count` items of the dataset), not all items'. */
  sample?: boolean;
  /** Progress of the current run. */
  done?: number;
  total?: number;
}

/** A saved node brought to its type's current version when the project was opened. */
export interface NodeUpgrade {
  node: string;
  type: string;
  from: number;
  to: number;
  /** One line per version step that changed the params. */
  changes: string[];
}

/** An open project as the front end needs it. */
export interface ProjectSnapshot {
  path: string;
  name: string;
  graph: Graph;
  issues: GraphIssue[];
  status: Record<string, NodeStatus>;
  /** True when a run is in progress. */
  running: boolean;
  /** What the project keeps besides its graph (the Sample RUN size). */
  settings?: ProjectSettings;
  /** Open project only: nodes saved by older versions of their types, now upgraded. */
  nodeUpgrades?: NodeUpgrade[];
}

/** Result of a run request: the run's id and how it ended. */
export interface RunResult {
  runId: string;
  status: 'done' | 'failed' | 'cancelled';
  /** Nodes executed (work done) and nodes served wholly from cache. */
  ran: string[];
  cached: string[];
  errors: { node?: string; file?: string; message: string }[];
}

/** A page of the Files tab. */
export interface FilePage {
  total: number;
  items: FileState[];
}

/** A PNG image encoded for JSON transport. */
export interface EncodedImage {
  /** `data:image/png;base64,...` */
  dataUrl: string;
  width: number;
  height: number;
  /** Original spatial shape and value range, for the window/level control. */
  shape: number[];
  min: number;
  max: number;
  unit?: string;
}

/** Value histogram: `counts[i]` values in `[edges[i], edges[i+1])`. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** Before/after view of one node on one sample (the View tab's Processing Result). */
export interface ProcessingResult {
  before: EncodedImage;
  after: EncodedImage;
  beforeHistogram: Histogram;
  afterHistogram: Histogram;
}

/** Per-epoch metrics history of a network node. */
export interface MetricsHistory {
  classes: string[];
  /** Which training the curves belong to: the full run's model, or a sample run's (trained apart, on `items` items). */
  run?: { kind: 'full' | 'sample'; items?: number };
  /** The run whose curves are shown (the latest that trained, as of the run asked for). */
  shown?: string;
  /** The node's runs that trained or evaluated it, newest first: the Output tab's run picker. */
  runs?: { id: string; kind: 'full' | 'sample'; startedAt: string; status: string }[];
  epochs: { epoch: number; split: 'train' | 'validation'; metrics: EpochMetrics }[];
  /** The test split's metrics, confusion matrix and the number of items they were computed on. */
  test?: {
    metrics: EpochMetrics;
    confusion: number[][];
    items?: number;
    /** Segmentation, transformation, detection: measured against the source images, or on the network's grid. */
    geometry?: 'source' | 'network';
    /** 3-D segmentation and transformation in the source geometry: each test volume's own figures. */
    volumes?: VolumeFigureRow[];
    /** The run that measured these figures. */
    run?: string;
  };
}

/** A network's output for one sample, for the View tab. */
export interface Prediction {
  sampleId: string;
  classes: string[];
  probabilities?: number[];
  predictedClass?: number;
  trueClass?: number;
  /** Predicted mask, boxes or image rendered as a PNG overlay. */
  overlay?: EncodedImage;
  /** Grad-CAM heatmap over the input (a hint, not the truth). */
  gradCam?: EncodedImage;
  input?: EncodedImage;
  /** Set when the model is a Sample RUN's (trained apart from the full run's): the items it trained on. */
  fromSample?: number;
  /** What ran the network (the project's Inference runtime setting) and why; absent when the node runs none. */
  runtime?: { name: 'tfjs' | 'onnx'; reason: string };
}

/** One trial of a hyper-parameter search (same shape as the `trial` event's). */
export type Trial = Extract<EngineEvent, { type: 'trial' }>['trial'];

/** One metric across the seeds of a repeated training. */
export interface AcrossSeeds {
  mean: number;
  /** Sample standard deviation (n - 1); null for one value. */
  sd: number | null;
  min: number;
  max: number;
  /** Seeds that gave a value (a class absent from the test split gives none). */
  n: number;
}

/** A training repeated with several seeds: each seed's test evaluation, and every test metric across them. */
export interface RepeatResult {
  node: string;
  seeds: {
    seed: number;
    status: 'done' | 'failed' | 'cancelled';
    message?: string;
    /** Items of the test split, and its metrics with the seed's best weights. */
    items?: number;
    test: EpochMetrics;
  }[];
  acrossSeeds: Record<string, AcrossSeeds>;
}

/** The trials of a network node's searches, and the best five per metric. */
export interface TuningState {
  node: string;
  metric?: string;
  goal?: 'max' | 'min';
  running: boolean;
  trials: Trial[];
  /** Per metric name, the ids of the five best trials, best first. */
  top: Record<string, string[]>;
  /**
   * How the trials asked (population x generations) were spent, once the search ended:
   * asked = done + failed + cancelled + carried + exhausted + stopped.
   */
  tally?: TrialTally;
  /** The tally in words, e.g. "12 trials asked (4 x 3): 9 trained (9 done), 3 kept ...". */
  summary?: string;
}

/** Where each trial slot of a search went (see {@link TuningState}). */
export interface TrialTally {
  asked: number;
  done: number;
  failed: number;
  cancelled: number;
  /** Slots filled by a set of values already trained (the best carried over to the next generation). */
  carried: number;
  /** Slots left empty: no values that were not tried already were left to try. */
  exhausted: number;
  /** Slots never reached because the search was cancelled. */
  stopped: number;
}

/** A compile problem in a custom module's source. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
}

/** Result of saving a custom module: registered, or the problems found. */
export interface SaveModuleResult {
  ok: boolean;
  problems: SourceProblem[];
  descriptor?: NodeTypeDescriptor;
}

/** One layer type of the network builder's palette. */
export interface LayerTypeDescriptor {
  type: string;
  title: string;
  category: string;
  description: string;
  params: ParamJsonSchema;
  /** Number of inputs: 1, or 'many' for Add/Concatenate/Multiply. */
  inputs: 1 | 'many' | 0;
}

/** One layer of a checked network spec, as the engine compiled it. */
export interface LayerCheck {
  /** Output shape (batch axis omitted, null where unknown). */
  shape: (number | null)[];
  /** Weights of the layer, as tf.js counts them. */
  parameters: number;
}

/**
 * A network spec compiled by the engine: every layer it could compute (also
 * when others do not fit), every layer that does not fit, in words.
 */
/** A network the layer builder can open: built in, or saved in the project under a name. */
export interface SavedNetworkInfo {
  id: string;
  title: string;
  builtin: boolean;
}

export interface SpecCheck {
  ok: boolean;
  /** Output shape per layer id (batch axis omitted, null where unknown). */
  shapes: Record<string, (number | null)[]>;
  /** Per layer id: shape and parameter count of every layer that could be computed. */
  layers?: Record<string, LayerCheck>;
  /** The compiled model's parameter count, when the network is valid. */
  parameters?: number;
  /** The first problem (the one to fix first). */
  error?: { layer?: string; message: string };
  /** Every layer that does not fit, in build order. */
  problems?: { layer?: string; message: string }[];
  /** What `$classes` and `$channels` stood for, and whether they came from the node's data. */
  vars?: { classes: number; channels: number; fromData: boolean };
}

/** Result types per method. */
export interface EngineResults extends PacsResults, ClusterResults, ExportResults {
  getInfo: EngineInfo;
  createProject: ProjectSnapshot;
  openProject: ProjectSnapshot;
  getProject: ProjectSnapshot | null;
  editGraph: GraphDelta;
  checkConnection: { ok: boolean; reason?: string };
  run: RunResult;
  cancel: { cancelled: boolean };
  listFiles: FilePage;
  getImage: EncodedImage;
  getProcessingResult: ProcessingResult;
  getMetrics: MetricsHistory;
  getEvaluation: EvaluationHistory;
  /** Where the self-contained HTML report was written. */
  exportReport: { path: string };
  getPrediction: Prediction;
  getVolumeSlice: VolumeSlice;
  getDatasetSummary: DatasetSummary;
  startTuning: TuningState;
  repeatTraining: RepeatResult;
  evaluateDataset: ExternalEvaluation;
  getTuning: TuningState;
  applyTrial: GraphDelta;
  listCustomModules: (CustomModuleInfo & { trusted: boolean })[];
  customModuleTemplate: { source: string };
  saveCustomModule: SaveModuleResult;
  deleteCustomModule: ProjectSnapshot;
  trustProject: ProjectSnapshot;
  getLayerCatalogue: LayerTypeDescriptor[];
  checkNetworkSpec: SpecCheck;
  /** The check, and where an ok spec was saved. */
  saveNetworkSpec: SpecCheck & { id?: string; version?: number };
  listNetworkSpecs: SavedNetworkInfo[];
  /** A built-in spec (resources/networks) or the highest saved version of a project's spec. */
  getNetworkSpec: SavedNetworkInfo & { version?: number; spec: unknown };
  /** Sub-folders and project files of a folder inside the browse root (docs/ui.md, "Projects"). */
  browseFolder: FolderListing;
  previewDataset: DatasetPreview;
  setProjectSettings: ProjectSettings;
  /** Projects this user opened or created lately, newest first (those whose file is gone left out). */
  listRecentProjects: RecentProject[];
  processImages: ProcessResult;
  predictFolder: PredictFolderResult;
}

/** The engine API as a front end calls it: one promise-returning method per request. */
/** How a request is made: `signal` cancels it (the engine stops long work where it can). */
export interface RequestOptions {
  signal?: AbortSignal;
}

export type EngineApi = {
  [M in EngineMethod]: (params: EngineParams<M>, options?: RequestOptions) => Promise<EngineResults[M]>;
} & {
  /** Subscribe to events; returns the function that unsubscribes. */
  onDidEmit(listener: (event: EngineEvent) => void): () => void;
};

/** Re-exported so front ends import every contract type from one place. */
export type { RunMode };
