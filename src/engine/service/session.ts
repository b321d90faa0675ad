/**
 * What the engine's channels share (see engine.ts): the open project and the
 * state derived from it.
 */
import type {
  DatasetWarning,
  EngineEvent,
  EngineInfo,
  Graph,
  GraphEdit,
  GraphIssue,
  GraphNode,
  NodeStatus,
  PortSpec,
  ProjectSnapshot,
  Sample,
} from '../api';
import { SampleSizeSchema, untrustedCodeMessage, type ProjectSettings } from '../api';
import type { DatasetSource, NetworkNodeType } from '../graph/node-type';
import { inputsOf } from '../graph/plan';
import { type NodeTypeRegistry } from '../graph/registry';
import { OutputCache, type NodeManifest } from '../run/cache';
import { stableStringify } from '../run/keys';
import { compileProjectModules, disposeNodeType, readCustomModules, TrustList } from '../custom';
import type { ProjectStore } from '../store/project-store';
import type { RecentProjects } from '../store/recent-projects';
import type { TrialExecutor, TrialExecutorContext } from '../tuning/tuner';
import { createBuiltinRegistry } from './builtin-registry';
import { datasetIssues } from '../graph/dataset-issues';
import { validateGraph } from '../graph/validate';
import { nodeStates } from './node-states';
import { projectInferenceRuntime } from './inference-runtime';
import { inferenceRuntimeOverride } from '../nn/export/inference-backend';

/** Where the engine keeps caches and how it runs. */
export interface EngineOptions {
  cacheDir?: string;
  cacheBudgetBytes?: number;
  registry?: NodeTypeRegistry;
  /** Items processed at once per node. */
  concurrency?: number;
  /** Seed of module random streams and sample subsets. */
  seed?: number;
  /** The tf.js backends and whether each loads here. */
  describeBackends?: () => Promise<EngineInfo['backends']>;
  /** Sources of custom modules this computer trusts (default: the user's trust list file). */
  trustList?: TrustList;
  /** The folder `browseFolder` may not leave (default: the user's home; `phi serve --root`). */
  browseRoot?: string;
  /** Where opened and created projects are listed for Open recent (none kept when absent). */
  recentProjects?: RecentProjects;
  /** How often, at most, a dataset's folder is walked again between runs to see whether its files changed. */
  datasetRecheckMs?: number;
  /** Trains tuning trials elsewhere (a cluster: `phi tune --executor slurm`) instead of in this process. */
  tuningExecutor?: (context: TrialExecutorContext) => TrialExecutor;
}

/** Separator of node key and selection in the store's node results. */
export const KEY_SEPARATOR = '|';

/**
 * The one open project every channel works on: its store, node states, datasets
 * opened for it, custom modules registered for it, the run in progress, and
 * the events the engine sends.
 */
export class ProjectSession {
  readonly registry: NodeTypeRegistry;
  readonly cache: OutputCache;
  readonly listeners = new Set<(event: EngineEvent) => void>();
  /** The open project's file; its graph is read through {@link graph} and changed through {@link applyEdits}. */
  store?: ProjectStore;
  /**
   * The open project's graph as last read or written (edits write through to the store and
   * replace it), with the store's change stamp then: a write from elsewhere changes the stamp.
   */
  private heldGraph?: { graph: Graph; stamp: string };
  readonly datasets = new Map<
    string,
    { signature: string; source: Promise<DatasetSource>; checkedAt: number }
  >();
  readonly live = new Map<string, NodeStatus>();
  current?: { runId: string; controller: AbortController; tuningNode?: string; selection?: string };
  readonly trustList: TrustList;
  /** Custom module ids this engine registered for the open project. */
  readonly customTypes = new Set<string>();
  /** Custom modules of the open project not registered (untrusted here), id -> title. */
  readonly untrusted = new Map<string, string>();
  /** Trusted custom modules of the open project that do not compile, id -> why. */
  readonly broken = new Map<string, string>();

  constructor(readonly options: EngineOptions = {}) {
    this.registry = options.registry ?? createBuiltinRegistry();
    this.cache = new OutputCache(options.cacheDir, options.cacheBudgetBytes);
    this.trustList = options.trustList ?? new TrustList();
  }

  get seed(): number {
    return this.options.seed ?? 1234;
  }

  onDidEmit(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  requireStore(): ProjectStore {
    if (!this.store) throw new Error('No project is open: open or create a .phiproj first');
    return this.store;
  }

  /** One run at a time: a run, search, repeat or evaluation refuses to start beside another. */
  requireNoRun(): void {
    if (this.current) throw new Error('A run is already in progress: cancel it or wait for it to finish');
  }

  /** A network node of the open project with its type; throws when `id` is no network. */
  networkNode(id: string): { node: GraphNode; type: NetworkNodeType } {
    const node = this.graph().nodes.find((n) => n.id === id);
    const type = node && this.registry.get(node.type);
    if (!node || type?.kind !== 'network') throw new Error(`Node "${id}" is not a network`);
    return { node, type };
  }

  /** Makes `store` the open project, closing the one open before. */
  openStore(store: ProjectStore): void {
    this.closeProject();
    this.store = store;
  }

  /**
   * The open project's graph, held in memory: read again only when the project file changed
   * since (another process, such as `phi tune` applying a trial, wrote to it).
   */
  graph(): Graph {
    const store = this.requireStore();
    const stamp = store.changeStamp();
    if (this.heldGraph?.stamp !== stamp) this.heldGraph = { graph: store.graph(), stamp };
    return this.heldGraph.graph;
  }

  /** Applies checked edits in one store transaction; the graph it reads back is the one held. */
  applyEdits(edits: GraphEdit[]): Graph {
    const store = this.requireStore();
    const graph = store.applyEdits(edits);
    this.heldGraph = { graph, stamp: store.changeStamp() };
    return graph;
  }

  /** Closes the open project (pending writes are already committed). */
  closeProject(): void {
    this.current?.controller.abort();
    this.store?.close();
    this.store = undefined;
    this.heldGraph = undefined;
    this.datasets.clear();
    this.live.clear();
    void this.unloadCustomModules();
  }

  /** The open project's settings, each checked (a bad stored value reads as unset). */
  settings(): ProjectSettings {
    const sampleSize = SampleSizeSchema.safeParse(this.requireStore().getSetting('sampleSize'));
    const override = inferenceRuntimeOverride();
    return {
      sampleSize: sampleSize.success ? sampleSize.data : null,
      inferenceRuntime: projectInferenceRuntime(this.requireStore()),
      ...(override ? { inferenceRuntimeOverride: override } : {}),
    };
  }

  /** The selection of the model a network node holds: its last finished run's (`all` for a full run or none). */
  heldSelection(node: string): string {
    const selection = this.requireStore().nodeResults()[node]?.cacheKey.split(KEY_SEPARATOR)[1];
    return selection || 'all';
  }

  /** Registers the open project's custom modules whose source this computer trusts. */
  async loadCustomModules(store: ProjectStore): Promise<void> {
    await this.unloadCustomModules();
    const made = await compileProjectModules(readCustomModules(store), this.trustList, {
      onLog: this.customLog,
    });
    for (const nodeType of made.compiled) {
      this.registry.upsert(nodeType);
      this.customTypes.add(nodeType.id);
    }
    for (const { id, title } of made.untrusted) this.untrusted.set(id, title);
    for (const { id, title, problem } of made.broken)
      this.broken.set(id, `Custom module "${title}" does not compile: ${problem}`);
  }

  /** What custom modules print (console.log; Python print and stderr) goes to the run log. */
  readonly customLog = (sampleId: string, lines: string[], nodeId: string): void => {
    for (const line of lines)
      this.emit({
        type: 'log',
        level: 'info',
        ...(nodeId ? { node: nodeId } : {}),
        message: sampleId ? `${sampleId}: ${line}` : line,
      });
  };

  async unloadCustomModules(): Promise<void> {
    for (const id of this.customTypes) await disposeNodeType(this.registry.remove(id));
    this.customTypes.clear();
    this.untrusted.clear();
    this.broken.clear();
  }

  /** The open project's saved network spec by id (latest version), for training and cache keys. */
  readonly savedSpec = (id: string): unknown => this.store?.networkSpec(id)?.spec;

  /** The node whose cached images show for `node` (a network shows its input). */
  imageNode(node: string): string {
    const graph = this.graph();
    const graphNode = graph.nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'network') return node;
    return inputsOf(graph).get(node)?.[0]?.source ?? node;
  }

  /** The last completed output listing of a node. */
  manifestOf(node: string): NodeManifest | undefined {
    const result = this.requireStore().nodeResults()[node];
    if (!result?.cacheKey) return undefined;
    const [key, selection] = result.cacheKey.split(KEY_SEPARATOR);
    return this.cache.readManifest(key, selection);
  }

  inputManifest(node: string): NodeManifest | undefined {
    const source = inputsOf(this.graph()).get(node)?.[0]?.source;
    return source ? this.manifestOf(source) : undefined;
  }

  async outputSample(node: string, sampleId: string): Promise<Sample> {
    const manifest = this.manifestOf(node);
    if (!manifest) throw new Error(`Node "${node}" has no output yet: run it first`);
    const row = manifest.items.find((i) => i.id === sampleId);
    if (!row || row.state !== 'done') {
      // Say why in the user's terms: the item failed, was dropped, or was not in the last (sample) run.
      if (row?.state === 'failed')
        throw new Error(`"${sampleId}" failed at "${node}": ${row.error ?? 'no reason given'}`);
      if (row?.state === 'dropped')
        throw new Error(`"${node}" dropped "${sampleId}" (it left the pipeline there)`);
      throw new Error(
        manifest.selection === 'all'
          ? `"${sampleId}" is not among the outputs of "${node}"`
          : `"${sampleId}" was not in the last run of "${node}", a sample of ${manifest.items.length} items: run all to see it`,
      );
    }
    return this.cache.read(manifest.nodeKey, sampleId);
  }

  /**
   * Opens a dataset node's source, memoised by its params. Outside runs a
   * memo whose files changed on disk is opened again (checked at most every
   * `datasetRecheckMs`, 2 s by default), so node states between runs are true.
   */
  async openDataset(node: GraphNode): Promise<DatasetSource> {
    const store = this.requireStore();
    const type = this.registry.get(node.type);
    if (type?.kind !== 'dataset') throw new Error(`Node "${node.id}" is not a dataset`);
    const signature = stableStringify(node.params);
    const memo = this.datasets.get(node.id);
    if (memo && memo.signature === signature) {
      if (this.current || Date.now() - memo.checkedAt < (this.options.datasetRecheckMs ?? 2000))
        return memo.source;
      memo.checkedAt = Date.now();
      const opened = await memo.source;
      if (!(await opened.changed?.())) return opened;
      if (this.datasets.get(node.id) === memo) this.datasets.delete(node.id);
      return this.openDataset(node);
    }
    const source = Promise.resolve().then(() =>
      type.open(type.params.parse(node.params), {
        projectDir: store.dir,
        log: {
          info: (message) => this.emit({ type: 'log', level: 'info', node: node.id, message }),
          warn: (message, file) =>
            this.emit({
              type: 'log',
              level: 'warn',
              node: node.id,
              message: file ? `${file}: ${message}` : message,
            }),
        },
      }),
    );
    this.datasets.set(node.id, { signature, source, checkedAt: Date.now() });
    source.catch(() => this.datasets.delete(node.id));
    return source;
  }

  async datasetPorts(graph: Graph): Promise<Map<string, PortSpec>> {
    const ports = new Map<string, PortSpec>();
    for (const node of graph.nodes.filter((n) => n.kind === 'dataset')) {
      try {
        ports.set(node.id, (await this.openDataset(node)).port);
      } catch {
        // Validation reports the dataset's own error; the port stays unknown.
      }
    }
    return ports;
  }

  /** What each openable dataset's checks found. */
  async datasetFindings(graph: Graph): Promise<Map<string, DatasetWarning[]>> {
    const findings = new Map<string, DatasetWarning[]>();
    for (const node of graph.nodes.filter((n) => n.kind === 'dataset')) {
      const source = await this.openDataset(node).catch(() => undefined);
      if (source?.findings) findings.set(node.id, source.findings);
    }
    return findings;
  }

  /**
   * A message that says `Unknown module "id"` of a custom module this engine did not
   * register, said as why: not trusted on this computer, or does not compile.
   */
  explainMissing(message: string): string {
    const id = /Unknown module "([^"]+)"/.exec(message)?.[1];
    if (id && this.untrusted.has(id)) return untrustedCodeMessage([...this.untrusted.values()]);
    return (id && this.broken.get(id)) ?? message;
  }

  async snapshot(): Promise<ProjectSnapshot> {
    const store = this.requireStore();
    const graph = this.graph();
    return {
      path: store.path,
      name: store.name,
      graph,
      issues: await this.issues(graph),
      status: await nodeStates(this, graph),
      running: Boolean(this.current),
      settings: this.settings(),
    };
  }

  /** What validation and the datasets' checks find in `graph`, said in the user's terms. */
  async issues(graph: Graph): Promise<GraphIssue[]> {
    return [
      ...validateGraph(graph, this.registry, await this.datasetPorts(graph), this.savedSpec),
      ...datasetIssues(graph, await this.datasetFindings(graph)),
    ].map((issue) => ({ ...issue, message: this.explainMissing(issue.message) }));
  }
}
