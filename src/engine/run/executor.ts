/**
 * The executor: runs the nodes a run mode selects, node by node in
 * topological order, streaming items through a small pool of workers so that
 * memory does not grow with the dataset. Every output goes to the content-keyed
 * cache; an item whose output is cached is never recomputed. Failures are per
 * item (the file is named, the rest goes on) or per node (its descendants are
 * skipped, other branches go on). Cancellation stops between items and leaves
 * every node in a true state.
 */
import type {
  DatasetWarning,
  EngineEvent,
  FileState,
  Graph,
  GraphNode,
  NodeState,
  RunRequest,
  Sample,
  ShapeSummary,
} from '../api';
import { dtypeOf } from '../api';
import type {
  DatasetItem,
  DatasetSource,
  ModuleNodeType,
  NetworkNodeType,
  SampleCollection,
} from '../graph/node-type';
import { inputsOf, planRun } from '../graph/plan';
import type { NodeTypeRegistry } from '../graph/registry';
import { messageOf } from '../errors';
import { datasetIssues } from '../graph/dataset-issues';
import { validateGraph } from '../graph/validate';
import type { ManifestItem, NodeManifest, OutputCache } from './cache';
import { DiskFullError, isNoSpace, onProjectDisk } from './disk-full';
import { digest, computeKeys, type KeyResult } from './keys';
import { finite, runStep } from './chain';
import { sampleCount, stratifiedSubset } from './sampling';
import { summarizeShapes } from './shape-summary';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything a run needs; the service supplies it. */
export interface RunOptions {
  graph: Graph;
  registry: NodeTypeRegistry;
  cache: OutputCache;
  request: RunRequest;
  runId: string;
  /** Seed of module random streams and sample subsets. */
  seed: number;
  signal: AbortSignal;
  emit(event: EngineEvent): void;
  /** Opens (and may memoise) a dataset node's source. */
  openDataset(node: GraphNode): Promise<DatasetSource>;
  /** `<project>.phidata/<node>/`, created. */
  artifactsFor(nodeId: string): string;
  /** The project's folder: named when a record or model cannot be written for lack of space. */
  projectDir: string;
  /** A network spec saved in the project by id (layer builder), or undefined. */
  savedSpec?: (id: string) => unknown;
  /** Items processed at once per node (sharp runs one image per thread: keep several in flight). */
  concurrency?: number;
  /** Called as soon as a node has finished (done or failed), before the next one starts. */
  onNodeDone?(node: string, outcome: NodeOutcome): void;
  /**
   * The items a Run of one module or a Step forward works on, when not the
   * request's own: the selection its inputs were last run on (a Sample RUN's).
   */
  selection?: string;
}

/** What a run did to one node. */
export interface NodeOutcome {
  state: NodeState;
  key?: string;
  selection: string;
  /** True when nothing had to be computed. */
  fromCache: boolean;
  shape?: ShapeSummary;
  colorMode?: 'grayscale' | 'rgb' | 'mixed';
  dtype?: string;
  count?: number;
  message?: string;
}

/** The result of a run. */
export interface RunOutcome {
  status: 'done' | 'failed' | 'cancelled';
  nodes: Map<string, NodeOutcome>;
  errors: { node?: string; file?: string; message: string }[];
}

/** The selection key of a run: which items of each dataset it works on. */
export function selectionOf(request: RunRequest, seed: number): string {
  if (request.mode !== 'sample' || !request.sample) return 'all';
  const size = 'count' in request.sample ? `n${request.sample.count}` : `p${request.sample.percent}`;
  return `sample-${size}-${seed}`;
}

class Cancelled extends Error {}

/** Runs a pipeline per the request. Never throws for node failures: they are in the outcome. */
export async function executeRun(options: RunOptions): Promise<RunOutcome> {
  const { graph, registry, cache, request, signal, emit } = options;
  const concurrency = options.concurrency ?? 4;
  const selection = options.selection ?? selectionOf(request, options.seed);
  const plan = planRun(graph, request.mode, request.node);
  const outcome: RunOutcome = { status: 'done', nodes: new Map(), errors: [] };
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const inputs = inputsOf(graph);

  const fail = (node: string, message: string, file?: string): void => {
    outcome.errors.push({ node, file, message });
    emit({ type: 'error', node, file, message });
  };

  const sampleSize = request.sample && 'count' in request.sample ? request.sample.count : undefined;
  emit({ type: 'run-started', runId: options.runId, mode: request.mode, nodes: plan, sampleSize });
  for (const id of plan) emit({ type: 'node-state', node: id, state: 'queued' });

  const findings = new Map<string, DatasetWarning[]>();
  for (const node of graph.nodes.filter((n) => n.kind === 'dataset')) {
    // A dataset that cannot be opened fails as its own node, with its reason.
    const source = await options.openDataset(node).catch(() => undefined);
    if (source?.findings) findings.set(node.id, source.findings);
  }
  const issues = [
    ...validateGraph(graph, registry, undefined, options.savedSpec),
    ...datasetIssues(graph, findings),
  ].filter((i) => i.severity === 'error');
  const keys: Map<string, KeyResult> = await computeKeys(
    graph,
    registry,
    options.seed,
    options.openDataset,
    options.savedSpec,
  );

  const trueState = (id: string): NodeState => {
    const key = keys.get(id);
    if (!key || 'error' in key) return 'idle';
    const type = registry.get(byId.get(id)?.type ?? '');
    if (type?.kind === 'network') {
      return readNetworkResult(networkDir(options.artifactsFor(id), selection)) ===
        networkKey(key.key, selection)
        ? 'done'
        : 'idle';
    }
    return cache.readManifest(key.key, selection) ? 'done' : 'idle';
  };

  // A network that may not be trained as set up refuses the whole run, before any node computes.
  const refusals = issues.filter(
    (i) => i.node && plan.includes(i.node) && byId.get(i.node)?.kind === 'network',
  );
  if (refusals.length > 0) {
    outcome.status = 'failed';
    for (const id of plan) {
      const refusal = refusals.find((i) => i.node === id);
      if (refusal) fail(id, refusal.message);
      const state: NodeState = refusal ? 'failed' : trueState(id);
      const message = refusal?.message ?? 'Not run: the run was refused';
      outcome.nodes.set(id, { state, selection, fromCache: false, message });
      emit({ type: 'node-state', node: id, state, message });
    }
    return outcome;
  }

  let stopped = false;
  let halted = false;
  for (const id of plan) {
    const node = byId.get(id) as GraphNode;
    if (signal.aborted) {
      stopped = true;
      break;
    }
    const nodeIssue = issues.find((i) => i.node === id);
    const key = keys.get(id);
    const failed = (message: string): void => {
      fail(id, message);
      const failure: NodeOutcome = { state: 'failed', selection, fromCache: false, message };
      outcome.nodes.set(id, failure);
      try {
        options.onNodeDone?.(id, failure);
      } catch (error) {
        // A full disk cannot take the record of a failure either: the run stops with the failure's own message.
        if (!isNoSpace(error)) throw error;
      }
      emit({ type: 'node-state', node: id, state: 'failed', message });
      outcome.status = 'failed';
    };
    if (nodeIssue) {
      failed(nodeIssue.message);
      continue;
    }
    if (!key || 'error' in key) {
      failed(key && 'error' in key ? key.error : `Node "${id}" cannot run`);
      continue;
    }
    const upstream = inputs.get(id) ?? [];
    const manifests = new Map<string, NodeManifest>();
    let missing: string | undefined;
    for (const { source, port } of upstream) {
      const sourceKey = keys.get(source);
      const manifest =
        sourceKey && 'key' in sourceKey ? cache.readManifest(sourceKey.key, selection) : undefined;
      if (manifest && !manifest.items.some((i) => i.state === 'done')) {
        missing = `Every item of "${source}" failed, so "${id}" has nothing to work on`;
        break;
      }
      if (!manifest) {
        missing = plan.includes(source)
          ? `Input "${source}" failed, so "${id}" cannot run`
          : `The output of "${source}" is not cached${selection === 'all' ? '' : ' for this sample'}: run it first (Run or Step forward from "${source}")`;
        break;
      }
      manifests.set(port, manifest);
    }
    if (missing) {
      failed(missing);
      continue;
    }

    emit({ type: 'node-state', node: id, state: 'running' });
    const type = registry.get(node.type);
    try {
      let result: NodeOutcome;
      if (type?.kind === 'dataset') {
        const source = await options.openDataset(node);
        const chosen =
          selection === 'all' || !request.sample
            ? source.items
            : stratifiedSubset(source.items, sampleCount(request.sample, source.items.length), options.seed);
        for (const finding of source.findings ?? [])
          emit({ type: 'log', level: 'warn', node: id, message: finding.message });
        result = await processItems(
          id,
          key.key,
          chosen.map((item) => ({ id: item.id, item })),
          {
            ...options,
            concurrency,
            selection,
            task: source.task,
            classes: source.classes,
            produce: async ({ item }) =>
              finite(normalizeLoaded(await source.load(item as DatasetItem), item as DatasetItem)),
            fail,
          },
        );
      } else if (type?.kind === 'module') {
        const primaryPort = (type.inputs ?? ['in'])[0];
        const primary = manifests.get(primaryPort) as NodeManifest;
        result = await processItems(
          id,
          key.key,
          primary.items.filter((i) => i.state === 'done').map((i) => ({ id: i.id })),
          {
            ...options,
            concurrency,
            selection,
            task: primary.task,
            classes: primary.classes,
            produce: (work) => runModule(type, node, work.id, keys, upstream, options),
            fail,
          },
        );
      } else if (type?.kind === 'network') {
        result = await runNetwork(
          type,
          node,
          key.key,
          manifests.get('in') as NodeManifest,
          options,
          selection,
        );
      } else {
        throw new Error(`Unknown module "${node.type}"`);
      }
      outcome.nodes.set(id, result);
      options.onNodeDone?.(id, result);
      if (result.shape) {
        emit({
          type: 'shape',
          node: id,
          shape: result.shape,
          colorMode: result.colorMode ?? 'grayscale',
          dtype: result.dtype ?? '',
          count: result.count ?? 0,
        });
      }
      emit({
        type: 'node-state',
        node: id,
        state: result.state,
        fromCache: result.fromCache,
        ...(selection !== 'all' ? { sample: true } : {}),
        message: result.message,
      });
    } catch (thrown) {
      if (thrown instanceof Cancelled || signal.aborted) {
        stopped = true;
        break;
      }
      const error = onProjectDisk(thrown, options.projectDir);
      failed(messageOf(error));
      // Nothing more can be written: the run stops here, with that one message.
      if (error instanceof DiskFullError) {
        halted = true;
        break;
      }
    }
  }

  if (stopped || signal.aborted || halted) {
    outcome.status = halted ? 'failed' : 'cancelled';
    for (const id of plan) {
      if (outcome.nodes.has(id)) continue;
      const state = trueState(id);
      outcome.nodes.set(id, { state, selection, fromCache: false });
      emit({
        type: 'node-state',
        node: id,
        state,
        message: halted ? 'Not run: the disk is full' : 'Cancelled',
      });
    }
  }
  const inUse = new Set([...keys.values()].flatMap((k) => ('key' in k ? [k.key] : [])));
  cache.prune(inUse);
  return outcome;
}

interface WorkItem {
  id: string;
  item?: DatasetItem;
}

interface ProcessOptions extends RunOptions {
  concurrency: number;
  selection: string;
  task: NodeManifest['task'];
  classes: string[];
  produce(work: WorkItem): Promise<Sample | null>;
  fail(node: string, message: string, file?: string): void;
}

/** Runs `produce` for every item not already cached, a few at a time; writes outputs and the manifest. */
async function processItems(
  nodeId: string,
  nodeKey: string,
  work: WorkItem[],
  options: ProcessOptions,
): Promise<NodeOutcome> {
  const { cache, emit, signal } = options;
  const rows: (ManifestItem | undefined)[] = new Array(work.length);
  const previous = cache.readManifest(nodeKey, 'all') ?? cache.readManifest(nodeKey, options.selection);
  const previousRows = new Map(previous?.items.map((i) => [i.id, i]));
  let computed = 0;
  let done = 0;
  let lastTime = 0;
  let lastDone = 0;
  // At most ~100 progress events per node, plus one per 100 ms on slow nodes.
  const progress = (force = false): void => {
    const now = Date.now();
    if (force || done - lastDone >= work.length / 100 || now - lastTime > 100) {
      lastTime = now;
      lastDone = done;
      emit({ type: 'progress', node: nodeId, done, total: work.length });
    }
  };
  progress(true);

  let next = 0;
  // A full disk stops every worker at once: the remaining items could not be written either.
  let diskFull: DiskFullError | undefined;
  const worker = async (): Promise<void> => {
    while (next < work.length && !diskFull) {
      if (signal.aborted) throw new Cancelled();
      const index = next++;
      const item = work[index];
      const known = previousRows.get(item.id);
      try {
        if (known && (known.state === 'dropped' || cache.has(nodeKey, item.id))) {
          rows[index] = known;
        } else if (cache.has(nodeKey, item.id)) {
          rows[index] = manifestRow(await cache.read(nodeKey, item.id), options.classes, item.item);
        } else {
          const output = await options.produce(item);
          computed += 1;
          if (output === null) {
            rows[index] = { id: item.id, shape: [], dtype: '', colorMode: 'grayscale', state: 'dropped' };
          } else {
            await cache.write(nodeKey, output);
            rows[index] = manifestRow(output, options.classes, item.item);
          }
        }
      } catch (error) {
        if (error instanceof Cancelled) throw error;
        if (error instanceof DiskFullError) {
          diskFull ??= error;
          return;
        }
        const message = messageOf(error);
        options.fail(nodeId, `${item.id}: ${message}`, item.id);
        rows[index] = {
          id: item.id,
          shape: [],
          dtype: '',
          colorMode: 'grayscale',
          state: 'failed',
          error: message,
        };
      }
      done += 1;
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, work.length)) }, worker));
  if (signal.aborted) throw new Cancelled();
  if (diskFull) {
    diskFull.message = diskFull.explain(work.length - done);
    throw diskFull;
  }
  progress(true);

  const items = rows as ManifestItem[];
  cache.writeManifest({
    nodeKey,
    selection: options.selection,
    task: options.task,
    classes: options.classes,
    items,
  });
  for (let start = 0; start < items.length; start += 500) {
    emit({ type: 'file-state', node: nodeId, items: items.slice(start, start + 500).map(toFileState) });
  }
  const good = items.filter((i) => i.state === 'done');
  const modes = new Set(good.map((i) => i.colorMode));
  const dtypes = new Set(good.map((i) => i.dtype));
  const failed = items.filter((i) => i.state === 'failed');
  // A node with failed items is not Done: it says how many failed and why the first did.
  return {
    state: failed.length > 0 ? 'failed' : 'done',
    key: nodeKey,
    selection: options.selection,
    fromCache: computed === 0,
    shape: summarizeShapes(good.map((i) => i.shape)),
    colorMode: modes.size > 1 ? 'mixed' : ([...modes][0] ?? 'grayscale'),
    dtype: [...dtypes].join('/'),
    count: good.length,
    message:
      failed.length > 0
        ? `${failed.length} of ${items.length} items failed (first: ${failed[0].id}: ${failed[0].error})`
        : undefined,
  };
}

function toFileState(item: ManifestItem): FileState {
  const { classIndex: _classIndex, ...row } = item;
  return row;
}

/** Makes a loaded sample carry its dataset item's id and split. */
function normalizeLoaded(sample: Sample, item: DatasetItem): Sample {
  return { ...sample, id: item.id, split: item.split };
}

function labelText(sample: Sample, classes: string[], item?: DatasetItem): string | undefined {
  if (item?.label) return item.label;
  const label = sample.label;
  if (!label) return undefined;
  if (label.kind === 'class') return classes[label.index] ?? String(sample.meta.className ?? label.index);
  if (label.kind === 'boxes') return `${label.boxes.length} boxes`;
  return label.kind;
}

function manifestRow(sample: Sample, classes: string[], item?: DatasetItem): ManifestItem {
  return {
    id: sample.id,
    split: sample.split,
    classIndex: sample.label?.kind === 'class' ? sample.label.index : item?.classIndex,
    label: labelText(sample, classes, item),
    shape: sample.image.shape,
    dtype: dtypeOf(sample.image.data),
    colorMode: sample.image.colorMode,
    modality: sample.image.modality,
    state: 'done',
  };
}

/** Runs a module on one sample read from its inputs' cached outputs. */
async function runModule(
  type: ModuleNodeType,
  node: GraphNode,
  id: string,
  keys: Map<string, KeyResult>,
  upstream: { source: string; port: string }[],
  options: RunOptions,
): Promise<Sample | null> {
  const ports = type.inputs ?? ['in'];
  const samples: Record<string, Sample> = {};
  for (const port of ports) {
    const edge = upstream.find((u) => u.port === port);
    const key = edge && keys.get(edge.source);
    if (!edge || !key || !('key' in key)) throw new Error(`No input on port "${port}"`);
    if (!options.cache.has(key.key, id)) throw new Error(`Input "${port}" has no item "${id}"`);
    samples[port] = await options.cache.read(key.key, id);
  }
  const primary = samples[ports[0]];
  return runStep(type, type.params.parse(node.params), primary, {
    nodeId: node.id,
    seed: options.seed,
    split: primary.split,
    inputs: samples,
  });
}

const RESULT_FILE = 'result.json';

/** A network's outputs depend on its inputs' selection too (a sample run trains on less). */
export function networkKey(nodeKey: string, selection: string): string {
  return digest(nodeKey, selection);
}

/** The key of the last completed training of a network node, if any. */
function readNetworkResult(dir: string): string | undefined {
  const path = join(dir, RESULT_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { key?: string }).key;
  } catch {
    return undefined;
  }
}

/** The whole cached output of a node as a network sees it. */
export function collectionFrom(manifest: NodeManifest, cache: OutputCache): SampleCollection {
  return {
    task: manifest.task,
    classes: manifest.classes,
    items: manifest.items
      .filter((i) => i.state === 'done')
      .map((i) => ({ id: i.id, split: i.split, classIndex: i.classIndex, label: i.label, shape: i.shape })),
    load: (id) => cache.read(manifest.nodeKey, id),
  };
}

/**
 * Where a network's checkpoints and model live for a selection: a full run's in
 * the node's artifacts folder (what export and `phi predict` use), each sample
 * run's in a folder of its own, so that a Sample RUN never replaces or deletes
 * the full run's model, finished or interrupted.
 */
export function networkDir(artifactsDir: string, selection: string): string {
  return selection === 'all' ? artifactsDir : join(artifactsDir, 'samples', selection);
}

/** Trains (or skips, when its key is unchanged) a network node. */
async function runNetwork(
  type: NetworkNodeType,
  node: GraphNode,
  nodeKey: string,
  input: NodeManifest,
  options: RunOptions,
  selection: string,
): Promise<NodeOutcome> {
  const key = networkKey(nodeKey, selection);
  const dir = networkDir(options.artifactsFor(node.id), selection);
  if (readNetworkResult(dir) === key) return { state: 'done', key, selection, fromCache: true };
  const params = type.params.parse(node.params);
  const emit = options.emit;
  const said = await type.run(collectionFrom(input, options.cache), params, {
    nodeId: node.id,
    artifactsDir: dir,
    runId: options.runId,
    seed: options.seed,
    signal: options.signal,
    emit,
    log: {
      info: (message) => emit({ type: 'log', level: 'info', node: node.id, message }),
      warn: (message) => emit({ type: 'log', level: 'warn', node: node.id, message }),
    },
    savedSpec: options.savedSpec,
  });
  if (options.signal.aborted) throw new Cancelled();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RESULT_FILE), JSON.stringify({ key, finishedAt: new Date().toISOString() }));
  return {
    state: 'done',
    key,
    selection,
    fromCache: false,
    ...(said?.message ? { message: said.message } : {}),
  };
}
