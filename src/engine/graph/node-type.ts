/**
 * What a node type is on the engine side: the three kinds (dataset, module,
 * network) share a header and differ in how they run. Front ends only see the
 * serializable {@link NodeTypeDescriptor} made from these.
 */
import type { z } from 'zod';
import type {
  AcceptSpec,
  DatasetWarning,
  EngineEvent,
  InferenceRuntime,
  ParamPresets,
  PortSpec,
  Prediction,
  Sample,
  Split,
  Task,
  TaskOptions,
} from '../api';

/** What a node type's {@link NodeTypeHeader.fingerprint} may read besides its params. */
export interface FingerprintContext {
  /** The node's dataset, opened once per key computation (dataset nodes only). */
  openDataset(): Promise<DatasetSource>;
  /** A network spec saved in the open project (layer builder) by id: its JSON, or undefined. */
  savedSpec(id: string): unknown;
}

/** One step of a node type's saved params: from version `from` to `from + 1`. */
export interface NodeMigration {
  from: number;
  /** One line for the user, e.g. "sigma is now in millimetres (was pixels)". */
  description: string;
  /** The params as the newer version reads them; never throws on params the older version saved. */
  up(params: Record<string, unknown>): Record<string, unknown>;
}

/** Fields every node type declares. */
interface NodeTypeHeader<P extends z.ZodObject> {
  id: string;
  /** Bumped whenever outputs for the same params change; part of the cache key. */
  version: number;
  /**
   * What the node's output depends on besides its type, version, params and
   * inputs (a dataset's files, a custom module's source, a saved network
   * spec): part of its cache key (docs/design.md section 5, "Fingerprints").
   */
  fingerprint?(params: z.infer<P>, ctx: FingerprintContext): string | undefined | Promise<string | undefined>;
  /**
   * How params saved by older versions become this version's, applied when a
   * project is opened (docs/design.md section 8, "Node versions and
   * migrations"). A version step without one keeps the params (only the
   * outputs changed).
   */
  migrations?: readonly NodeMigration[];
  /** True when outputs depend on the run seed (the module rng, weight initialisation): only then is the seed part of the key. */
  usesRandomness?: boolean;
  title: string;
  category: string;
  description: string;
  params: P;
  origin?: 'builtin' | 'my';
  /** Params a choice of another param sets (see `ParamPresets` in the api). */
  presets?: ParamPresets;
}

/** Messages a running node may send; the executor tags them with the node id. */
export interface NodeLog {
  info(message: string): void;
  warn(message: string, file?: string): void;
}

/** Per-sample context a module's `run` receives. */
export interface ModuleContext {
  nodeId: string;
  /**
   * Uniform [0, 1) numbers, seeded from (run seed, node, sample id): never use
   * Math.random. A type that draws on it declares `usesRandomness`.
   */
  rng: () => number;
  /** The sample's split; augmentation modules act on `train` only. */
  split?: Split;
  /** Samples with the same id on the module's other input ports (multi-input modules). */
  inputs: Record<string, Sample>;
}

/** A per-sample image-processing module (docs/design.md section 4). */
export interface ModuleNodeType<P extends z.ZodObject = z.ZodObject> extends NodeTypeHeader<P> {
  kind: 'module';
  /** Input port names; default `['in']`. */
  inputs?: string[];
  accepts?: AcceptSpec;
  /** What flows out given what flows in; identity when absent. */
  produces?: (input: PortSpec, params: z.infer<P>) => PortSpec;
  /** Custom modules: SHA-256 of the source (the trust list's key; their fingerprint). */
  sourceHash?: string;
  /** Pure map of one sample; `null` drops it (filter modules). */
  run(sample: Sample, params: z.infer<P>, ctx: ModuleContext): Sample | null | Promise<Sample | null>;
}

/** One entry of a dataset's header-only index. */
export interface DatasetItem {
  /** Stable id: path relative to the dataset root (+ '#frame'). */
  id: string;
  split: Split;
  /** Class index for classification data: used to stratify sample runs. */
  classIndex?: number;
  /** Display label for the Files tab. */
  label?: string;
  /** Anything the reader needs to load the item later (path, frame, label file). */
  ref: unknown;
}

/** An opened dataset: an index read from headers, pixels loaded on demand. */
export interface DatasetSource {
  task: Task;
  classes: string[];
  items: DatasetItem[];
  /** Files that could not be indexed, with the reason. */
  skipped: { file: string; reason: string }[];
  /** Changes whenever any file of the dataset changes (size, mtime, path): part of cache keys. */
  fingerprint: string;
  /**
   * Whether the files it was indexed from changed since (a walk of the
   * folder, nothing decoded), so that states shown between runs are true.
   */
  changed?(): Promise<boolean>;
  /** What the images are, as far as headers tell. */
  port: PortSpec;
  /**
   * What the index shows about the data (docs/datasets.md, "Checks"): `error`
   * findings refuse training on this dataset, warnings are shown on its node.
   */
  findings?: DatasetWarning[];
  load(item: DatasetItem): Promise<Sample>;
}

/** Context of a dataset node. */
export interface DatasetContext {
  /** Folder of the project file: dataset paths are relative to it. */
  projectDir: string;
  log: NodeLog;
}

/** A Dataset node type (one per layout family). */
export interface DatasetNodeType<P extends z.ZodObject = z.ZodObject> extends NodeTypeHeader<P> {
  kind: 'dataset';
  open(params: z.infer<P>, ctx: DatasetContext): Promise<DatasetSource>;
}

/** One item as a network node sees its input. */
export interface CollectionItem {
  id: string;
  split?: Split;
  classIndex?: number;
  label?: string;
  shape: number[];
}

/** The whole output of the upstream node, read from the cache on demand. */
export interface SampleCollection {
  task: Task;
  classes: string[];
  items: CollectionItem[];
  load(id: string): Promise<Sample>;
}

/** Context of a network node's run. */
export interface NetworkContext {
  nodeId: string;
  /** Folder for checkpoints, weights and predictions: `<project>.phidata/<node>/`. */
  artifactsDir: string;
  runId: string;
  seed: number;
  signal: AbortSignal;
  /** Events (`epoch`, `progress`, `log`, `backend`) go to every front end and the store. */
  emit(event: EngineEvent): void;
  log: NodeLog;
  /** A network spec saved in the open project (layer builder) by id: its JSON, or undefined. */
  savedSpec?: (id: string) => unknown;
}

/** A network node type: consumes a whole collection (training, evaluation). */
export interface NetworkNodeType<P extends z.ZodObject = z.ZodObject> extends NodeTypeHeader<P> {
  kind: 'network';
  accepts?: AcceptSpec;
  /** Why these params cannot take what flows in (e.g. a 2-D architecture fed volumes); undefined when they can. */
  inputProblem?: (params: z.infer<P>, input: PortSpec) => string | undefined;
  /** Trains (or keeps the trained model); `message` is said on the node (e.g. why no epoch ran). */
  run(input: SampleCollection, params: z.infer<P>, ctx: NetworkContext): Promise<void | { message?: string }>;
  /** The saved network spec these params train, if any (its content is the node's fingerprint). */
  savedSpecId?(params: z.infer<P>): string | undefined;
  /** Values of the params that fit each task (checked against `params.task` by graph validation). */
  taskOptions?: TaskOptions;
  /** The trained network's output (and Grad-CAM) for one sample, for the View tab. */
  predict?(
    sampleId: string,
    input: SampleCollection,
    params: z.infer<P>,
    ctx: { nodeId: string; artifactsDir: string; inferenceRuntime: InferenceRuntime },
  ): Promise<Prediction>;
}

/** Any node type. */
export type AnyNodeType = ModuleNodeType | DatasetNodeType | NetworkNodeType;
