/**
 * The engine behind every front end: implements the `EngineApi` contract over
 * one open project (store), the executor and the output cache. The CLI calls
 * it in process; `phi serve` and the Electron utility process put a transport
 * in front of it (see dispatch.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import type {
  DatasetWarning,
  EngineApi,
  EngineEvent,
  EngineInfo,
  EngineParams,
  EngineResults,
  EpochMetrics,
  FilePage,
  Graph,
  GraphNode,
  MetricsHistory,
  NodeStatus,
  PortSpec,
  ProjectSnapshot,
  RunRequest,
  RunResult,
  Sample,
} from '../api';
import {
  EngineRequests,
  type RequestOptions,
  idFromTitle,
  SampleSizeSchema,
  untrustedCodeMessage,
  type ProjectSettings,
} from '../api';
import type { DatasetSource } from '../graph/node-type';
import { inputsOf } from '../graph/plan';
import { describeNodeType, type NodeTypeRegistry } from '../graph/registry';
import { datasetIssues } from '../graph/dataset-issues';
import { fitTuningRequest } from '../graph/task-options';
import { checkConnection, validateGraph } from '../graph/validate';
import { renderPresented } from '../imaging/presentation';
import { processingResult } from '../imaging/processing-result';
import { OutputCache, type ManifestItem, type NodeManifest } from '../run/cache';
import { isNoSpace, onProjectDisk, writeFileAtomically } from '../run/disk-full';
import { messageOf } from '../errors';
import { collectionFrom, executeRun, networkDir, networkKey } from '../run/executor';
import { computeKeys, stableStringify } from '../run/keys';
import { describeUpgrade } from '../store/node-upgrades';
import {
  compileCustomModule,
  compileProjectModules,
  confinement,
  customModuleTemplate,
  deleteCustomModuleRecord,
  disposeNodeType,
  readCustomModules,
  saveCustomModuleRecord,
  sourceHashOf,
  TrustList,
  versionToSave,
} from '../custom';
import { summarizeDataset } from '../data/summary';
import { describeBackends } from '../nn';
import { readCheckpointMeta } from '../nn/train/checkpoint';
import { ProjectStore } from '../store/project-store';
import type { RecentProjects } from '../store/recent-projects';
import { runTuning, trainTrial, trialParams, tuningState } from '../tuning';
import { acrossSeeds } from '../nn/repeat/summary';
import { parseOperatingRule } from '../nn/metrics/operating-point';
import { evaluateFolder } from './external-evaluation';
import type { TrialExecutor, TrialExecutorContext } from '../tuning/tuner';
import { createBuiltinRegistry } from './builtin-registry';
import { resolveEdits } from './edit-checks';
import {
  builtinSpecIds,
  checkSpec,
  layerCatalogue,
  readBuiltinSpec,
  specTitle,
  withSpecTitle,
  type SpecData,
} from './network-builder';
import { epochHistory } from './epoch-history';
import { evaluationHistory, recordTestEvaluation } from './evaluations';
import { reportInput } from '../report/input';
import { renderReport } from '../report/html';
import { templateGraph } from './templates';
import { browseFolder, previewDataset } from './folder-browser';
import { APP_VERSION } from './version';

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
const KEY_SEPARATOR = '|';

/** The engine over one open project at a time. */
export class Engine implements EngineApi {
  readonly registry: NodeTypeRegistry;
  private readonly cache: OutputCache;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private store?: ProjectStore;
  private readonly datasets = new Map<
    string,
    { signature: string; source: Promise<DatasetSource>; checkedAt: number }
  >();
  private readonly live = new Map<string, NodeStatus>();
  private current?: { runId: string; controller: AbortController; tuningNode?: string };
  private readonly trustList: TrustList;
  /** Custom module ids this engine registered for the open project. */
  private readonly customTypes = new Set<string>();
  /** Custom modules of the open project not registered (untrusted here), id -> title. */
  private readonly untrusted = new Map<string, string>();
  /** Trusted custom modules of the open project that do not compile, id -> why. */
  private readonly broken = new Map<string, string>();

  constructor(private readonly options: EngineOptions = {}) {
    this.registry = options.registry ?? createBuiltinRegistry();
    this.cache = new OutputCache(options.cacheDir, options.cacheBudgetBytes);
    this.trustList = options.trustList ?? new TrustList();
  }

  private get seed(): number {
    return this.options.seed ?? 1234;
  }

  onDidEmit(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private requireStore(): ProjectStore {
    if (!this.store) throw new Error('No project is open: open or create a .phiproj first');
    return this.store;
  }

  async getInfo(): Promise<EngineInfo> {
    return {
      version: APP_VERSION,
      nodeTypes: this.registry.describe(),
      backends: await (this.options.describeBackends ?? describeBackends)(),
      confinement: confinement(),
    };
  }

  async createProject(params: EngineParams<'createProject'>): Promise<ProjectSnapshot> {
    const { path, dataset, task } = EngineRequests.createProject.parse(params);
    const projectPath = resolve(path);
    const datasetPath = resolve(dataset);
    if (!existsSync(datasetPath)) throw new Error(`Dataset folder not found: ${datasetPath}`);
    const relativeDataset = relative(dirname(projectPath), datasetPath) || '.';
    const graph = templateGraph(
      this.registry,
      isAbsolute(relativeDataset) ? datasetPath : relativeDataset,
      task,
      datasetPath,
    );
    this.closeProject();
    this.store = ProjectStore.create(projectPath, { graph });
    this.options.recentProjects?.add(this.store.path);
    await this.loadCustomModules(this.store);
    return this.snapshot();
  }

  async openProject(params: EngineParams<'openProject'>): Promise<ProjectSnapshot> {
    const { path } = EngineRequests.openProject.parse(params);
    const store = ProjectStore.open(resolve(path), (type) => this.registry.get(type));
    this.closeProject();
    this.store = store;
    this.options.recentProjects?.add(store.path);
    await this.loadCustomModules(store);
    const upgrades = store.nodeUpgrades;
    for (const upgrade of upgrades)
      this.emit({ type: 'log', level: 'info', node: upgrade.node, message: describeUpgrade(upgrade) });
    const snapshot = await this.snapshot();
    return upgrades.length > 0 ? { ...snapshot, nodeUpgrades: upgrades } : snapshot;
  }

  /** Closes the open project (pending writes are already committed). */
  closeProject(): void {
    this.current?.controller.abort();
    this.store?.close();
    this.store = undefined;
    this.datasets.clear();
    this.live.clear();
    void this.unloadCustomModules();
  }

  async browseFolder(params: EngineParams<'browseFolder'>): Promise<EngineResults['browseFolder']> {
    const { path } = EngineRequests.browseFolder.parse(params);
    return browseFolder(this.options.browseRoot ?? homedir(), path);
  }

  async previewDataset(params: EngineParams<'previewDataset'>): Promise<EngineResults['previewDataset']> {
    const { path, task } = EngineRequests.previewDataset.parse(params);
    return previewDataset(path, task);
  }

  async listRecentProjects(): Promise<EngineResults['listRecentProjects']> {
    return this.options.recentProjects?.list() ?? [];
  }

  async setProjectSettings(
    params: EngineParams<'setProjectSettings'>,
  ): Promise<EngineResults['setProjectSettings']> {
    const { sampleSize } = EngineRequests.setProjectSettings.parse(params);
    const store = this.requireStore();
    if (sampleSize !== undefined) store.setSetting('sampleSize', sampleSize ?? undefined);
    return this.settings();
  }

  /** The open project's settings, each checked (a bad stored value reads as unset). */
  private settings(): ProjectSettings {
    const sampleSize = SampleSizeSchema.safeParse(this.requireStore().getSetting('sampleSize'));
    return { sampleSize: sampleSize.success ? sampleSize.data : null };
  }

  async getProject(): Promise<ProjectSnapshot | null> {
    return this.store ? this.snapshot() : null;
  }

  async editGraph(params: EngineParams<'editGraph'>): Promise<ProjectSnapshot> {
    const { edits } = EngineRequests.editGraph.parse(params);
    const store = this.requireStore();
    const before = await this.statuses(store.graph());
    // Checked against the graph as it is now, with no await in between: concurrent edits
    // from other front ends are merged per field or refused, never overwritten unseen.
    store.applyEdits(resolveEdits(store.graph(), this.registry, edits, (m) => this.explainMissing(m)));
    const snapshot = await this.snapshot();
    const staleNodes = Object.entries(snapshot.status)
      .filter(([id, status]) => status.state === 'stale' && before[id]?.state !== 'stale')
      .map(([id]) => id);
    this.emit({ type: 'graph-changed', staleNodes });
    return snapshot;
  }

  async checkConnection(params: EngineParams<'checkConnection'>): Promise<{ ok: boolean; reason?: string }> {
    const { source, target, targetPort } = EngineRequests.checkConnection.parse(params);
    const graph = this.requireStore().graph();
    const checked = checkConnection(
      graph,
      this.registry,
      source,
      target,
      targetPort,
      await this.datasetPorts(graph),
    );
    return checked.reason ? { ...checked, reason: this.explainMissing(checked.reason) } : checked;
  }

  async run(params: EngineParams<'run'>): Promise<RunResult> {
    const request: RunRequest = EngineRequests.run.parse(params);
    const store = this.requireStore();
    if (this.current) throw new Error('A run is already in progress: cancel it or wait for it to finish');
    if (request.mode === 'sample' && !request.sample) throw new Error('Sample RUN needs a sample size');
    const graph = store.graph();
    this.datasets.clear(); // re-index datasets: files may have changed on disk
    const controller = new AbortController();
    const nodeVersions = Object.fromEntries(graph.nodes.map((n) => [n.id, n.version]));
    const runId = store.startRun({
      mode: request.mode,
      seed: this.seed,
      appVersion: APP_VERSION,
      nodeVersions,
    });
    this.current = { runId, controller };
    const started = Date.now();
    const ran: string[] = [];
    const cached: string[] = [];
    const selection = this.inputsSelection(graph, request);
    try {
      const outcome = await executeRun({
        graph,
        registry: this.registry,
        cache: this.cache,
        request,
        runId,
        seed: this.seed,
        signal: controller.signal,
        concurrency: this.options.concurrency,
        emit: (event) => this.onRunEvent(runId, event),
        ...(selection ? { selection } : {}),
        openDataset: (node) => this.openDataset(node),
        // Recorded at once, so the Files and View tabs can show a node while later ones run.
        onNodeDone: (id, node) => {
          // A node with failed items keeps its key: the items that worked can still be viewed.
          if (node.key) {
            store.recordNodeResult(id, {
              cacheKey: `${node.key}${KEY_SEPARATOR}${node.selection}`,
              shape: node.shape,
              colorMode: node.colorMode,
              dtype: node.dtype,
              count: node.count,
              state: node.state === 'failed' ? 'failed' : 'done',
              message: node.message,
            });
          } else if (node.state === 'failed') {
            store.recordNodeResult(id, { cacheKey: '', state: 'failed', message: node.message });
          }
        },
        artifactsFor: (id) => store.artifactsFor(id),
        projectDir: store.dir,
        savedSpec: this.savedSpec,
      });
      for (const [id, node] of outcome.nodes) {
        if (node.key && node.state !== 'idle') (node.fromCache ? cached : ran).push(id);
      }
      finishRunRecord(store, runId, outcome.status);
      this.emit({
        type: 'run-finished',
        runId,
        status: outcome.status,
        seconds: (Date.now() - started) / 1000,
      });
      const errors = outcome.errors.map((e) => ({ ...e, message: this.explainMissing(e.message) }));
      return { runId, status: outcome.status, ran, cached, errors };
    } catch (thrown) {
      const message = messageOf(onProjectDisk(thrown, store.dir));
      finishRunRecord(store, runId, 'failed');
      this.emit({ type: 'error', message });
      this.emit({ type: 'run-finished', runId, status: 'failed', seconds: (Date.now() - started) / 1000 });
      return { runId, status: 'failed', ran, cached, errors: [{ message }] };
    } finally {
      this.current = undefined;
      this.live.clear();
    }
  }

  /** Mirrors run events into live node status and the store, then forwards them. */
  private onRunEvent(runId: string, event: EngineEvent): void {
    if ((event.type === 'node-state' || event.type === 'error') && event.message)
      event = { ...event, message: this.explainMissing(event.message) };
    if (event.type === 'node-state') {
      const previous = this.live.get(event.node) ?? { state: event.state };
      this.live.set(event.node, { ...previous, state: event.state, message: event.message });
    } else if (event.type === 'progress') {
      const previous = this.live.get(event.node) ?? { state: 'running' };
      this.live.set(event.node, { ...previous, done: event.done, total: event.total });
    } else if (event.type === 'epoch') {
      this.store?.recordEpoch(runId, event.node, event.epoch, event.split, event.metrics);
    } else if (event.type === 'evaluation') {
      // The test split is evaluated once; its row carries the (square) confusion matrix, row-major.
      this.store?.recordEpoch(runId, event.node, 0, 'test', {
        ...event.metrics,
        confusion: event.confusion.flat(),
        items: event.items,
      });
      if (this.store) recordTestEvaluation(this.store, runId, event, this.seed);
    }
    this.emit(event);
  }

  async cancel(params: EngineParams<'cancel'>): Promise<{ cancelled: boolean }> {
    const { runId } = EngineRequests.cancel.parse(params);
    if (!this.current || (runId && runId !== this.current.runId)) return { cancelled: false };
    this.current.controller.abort();
    return { cancelled: true };
  }

  async listFiles(params: EngineParams<'listFiles'>): Promise<FilePage> {
    const { node, offset, limit, sortBy, descending, filter } = EngineRequests.listFiles.parse(params);
    const manifest = this.manifestOf(node);
    let items: ManifestItem[] = [...(manifest?.items ?? []), ...(await this.skippedRows(node))];
    if (filter) {
      const needle = filter.toLowerCase();
      items = items.filter((i) =>
        [i.id, i.label ?? '', i.split ?? '', i.state].some((text) => text.toLowerCase().includes(needle)),
      );
    }
    if (sortBy) {
      const key = sortBy as keyof ManifestItem;
      const text = (item: ManifestItem): string => {
        const value = item[key];
        return Array.isArray(value)
          ? value.map((v) => String(v).padStart(8, '0')).join('x')
          : String(value ?? '');
      };
      items = [...items].sort((a, b) => text(a).localeCompare(text(b), undefined, { numeric: true }));
      if (descending) items.reverse();
    }
    return {
      total: items.length,
      items: items.slice(offset, offset + limit).map(({ classIndex: _c, ...row }) => row),
    };
  }

  /** A dataset node's skipped files and label rows, as Files tab rows that say why. */
  private async skippedRows(node: string): Promise<ManifestItem[]> {
    const graphNode = this.requireStore()
      .graph()
      .nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'dataset') return [];
    const source = await this.openDataset(graphNode).catch(() => undefined);
    return (source?.skipped ?? []).map((s) => ({
      id: s.file,
      shape: [],
      dtype: '',
      colorMode: 'grayscale',
      state: 'skipped',
      error: s.reason,
    }));
  }

  async getImage(params: EngineParams<'getImage'>): Promise<EngineResults['getImage']> {
    const { node, sampleId, size, window, slice } = EngineRequests.getImage.parse(params);
    const sample = await this.outputSample(this.imageNode(node), sampleId);
    return renderPresented(sample, { size, window, slice });
  }

  async getProcessingResult(
    params: EngineParams<'getProcessingResult'>,
  ): Promise<EngineResults['getProcessingResult']> {
    const { node, sampleId, size } = EngineRequests.getProcessingResult.parse(params);
    const graph = this.requireStore().graph();
    const source = inputsOf(graph).get(node)?.[0]?.source;
    const after = await this.outputSample(node, sampleId);
    const before = source ? await this.outputSample(source, sampleId) : after;
    return processingResult(before, after, size);
  }

  async getMetrics(params: EngineParams<'getMetrics'>): Promise<EngineResults['getMetrics']> {
    const { node, run } = EngineRequests.getMetrics.parse(params);
    const store = this.requireStore();
    const input = this.inputManifest(node);
    // The node's trainings, newest first; tuning trials are the Auto Tuning tab's, never the node's.
    const runs = store
      .runs()
      .filter((r) => r.mode !== 'tuning' && store.epochs(node, r.id).length > 0)
      .reverse()
      .map((r) => ({
        id: r.id,
        kind: r.mode === 'sample' ? ('sample' as const) : ('full' as const),
        startedAt: r.startedAt,
        status: r.status,
      }));
    const picked = run ? runs.find((r) => r.id === run) : undefined;
    if (run && !picked) throw new Error(`Run "${run}" did not train "${node}"`);
    // Without a pick: the curves of the model the node holds (a sample run's when its last finished run was one).
    const selection = this.heldSelection(node);
    const sample = picked ? picked.kind === 'sample' : selection !== 'all';
    const rows = epochHistory(store, node, sample, picked?.id);
    const test = rows.find((r) => r.split === 'test');
    return {
      // Class names from the input, else from the trained model (its input's cache may be another machine's).
      classes: input?.classes ?? trainedClasses(networkDir(store.artifactsPath(node), selection)),
      run: sample ? { kind: 'sample', items: picked ? undefined : input?.items.length } : { kind: 'full' },
      ...(rows[0] ? { shown: rows.filter((r) => r.split !== 'test').at(-1)?.runId ?? rows[0].runId } : {}),
      runs,
      epochs: rows
        .filter(
          (r): r is typeof r & { split: 'train' | 'validation' } =>
            r.split === 'train' || r.split === 'validation',
        )
        .map((r) => ({ epoch: r.epoch, split: r.split, metrics: r.metrics })),
      test: test ? testResult(test.metrics) : undefined,
    };
  }

  async getEvaluation(params: EngineParams<'getEvaluation'>): Promise<EngineResults['getEvaluation']> {
    const { node, run } = EngineRequests.getEvaluation.parse(params);
    return evaluationHistory(this.requireStore(), node, this.heldSelection(node) !== 'all', run);
  }

  async exportReport(params: EngineParams<'exportReport'>): Promise<EngineResults['exportReport']> {
    const { node } = EngineRequests.exportReport.parse(params);
    const store = this.requireStore();
    const path = join(store.dir, `${basename(store.path, extname(store.path))}-report.html`);
    await this.writeReport(path, node);
    return { path };
  }

  /** Writes the study report of `node` (every network node when absent) to `path` (`phi report`). */
  async writeReport(path: string, node?: string, intendedUse = ''): Promise<void> {
    const store = this.requireStore();
    const input = await reportInput(
      this,
      this.registry,
      (id) => networkDir(store.artifactsPath(id), 'all'),
      async (dataset) => (await this.openDataset(dataset)).fingerprint,
      node,
    );
    writeFileSync(path, renderReport(input, intendedUse));
  }

  async getPrediction(params: EngineParams<'getPrediction'>): Promise<EngineResults['getPrediction']> {
    const { node, sampleId } = EngineRequests.getPrediction.parse(params);
    const store = this.requireStore();
    const graphNode = store.graph().nodes.find((n) => n.id === node);
    const type = graphNode && this.registry.get(graphNode.type);
    if (!graphNode || type?.kind !== 'network') throw new Error(`Node "${node}" is not a network`);
    if (!type.predict) throw new Error(`${type.title} cannot show predictions`);
    const input = this.inputManifest(node);
    if (!input) throw new Error(`Run the pipeline before "${node}" first: its input is not cached`);
    const selection = this.heldSelection(node);
    const prediction = await type.predict(
      sampleId,
      collectionFrom(input, this.cache),
      type.params.parse(graphNode.params),
      { nodeId: node, artifactsDir: networkDir(store.artifactsFor(node), selection) },
    );
    return selection === 'all' ? prediction : { ...prediction, fromSample: input.items.length };
  }

  /**
   * A Run of one module or a Step forward works on what its inputs hold: after
   * a Sample RUN, on that sample (said in the log). Undefined when that is all items.
   */
  private inputsSelection(graph: Graph, request: RunRequest): string | undefined {
    if ((request.mode !== 'node' && request.mode !== 'step-forward') || !request.node) return undefined;
    const results = this.requireStore().nodeResults();
    for (const { source } of inputsOf(graph).get(request.node) ?? []) {
      const [, selection] = results[source]?.cacheKey.split(KEY_SEPARATOR) ?? [];
      if (selection && selection !== 'all') {
        const items = this.manifestOf(source)?.items.length;
        this.emit({
          type: 'log',
          level: 'info',
          node: request.node,
          message: `Runs on the sample its input "${source}" holds${items !== undefined ? ` (${items} items)` : ''}: RUN all to use every item`,
        });
        return selection;
      }
    }
    return undefined;
  }

  /** The selection of the model a network node holds: its last finished run's (`all` for a full run or none). */
  private heldSelection(node: string): string {
    const selection = this.requireStore().nodeResults()[node]?.cacheKey.split(KEY_SEPARATOR)[1];
    return selection || 'all';
  }

  async getDatasetSummary(
    params: EngineParams<'getDatasetSummary'>,
    options: RequestOptions = {},
  ): Promise<EngineResults['getDatasetSummary']> {
    const { node } = EngineRequests.getDatasetSummary.parse(params);
    const graphNode = this.requireStore()
      .graph()
      .nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'dataset') throw new Error(`Node "${node}" is not a dataset`);
    return summarizeDataset(await this.openDataset(graphNode), { signal: options.signal });
  }

  async startTuning(params: EngineParams<'startTuning'>): Promise<EngineResults['startTuning']> {
    const request = EngineRequests.startTuning.parse(params);
    const store = this.requireStore();
    if (this.current) throw new Error('A run is already in progress: cancel it or wait for it to finish');
    const node = store.graph().nodes.find((n) => n.id === request.node);
    const type = node && this.registry.get(node.type);
    if (!node || type?.kind !== 'network') throw new Error(`Node "${request.node}" is not a network`);
    // Metric and searched values must fit the node's task (unet is no choice for classes).
    const fitted = type.taskOptions
      ? fitTuningRequest(type.taskOptions, request, type.params.safeParse(node.params).data?.task)
      : request;
    const input = this.inputManifest(node.id);
    if (!input) {
      throw new Error(
        `Auto tuning trains on the input of "${node.id}": run the pipeline before it first (RUN or Sample RUN)`,
      );
    }
    const controller = new AbortController();
    // One run at a time, seen as one: a search is a run for the status bar, RUN and Cancel.
    this.current = { runId: `tuning-${node.id}`, controller, tuningNode: node.id };
    const started = Date.now();
    let runId: string | undefined;
    const finish = (status: 'done' | 'failed' | 'cancelled'): void => {
      if (runId) this.emit({ type: 'run-finished', runId, status, seconds: (Date.now() - started) / 1000 });
    };
    const trialDir = (trialId: string): string => join(store.artifactsFor(node.id), 'trials', trialId);
    try {
      const executor = this.options.tuningExecutor?.({
        store,
        node,
        networkType: type,
        input,
        cacheRoot: this.cache.root,
        savedSpec: this.savedSpec,
        seed: this.seed,
        trialDir,
      });
      const state = await runTuning(fitted, {
        ...(executor ? { executor } : {}),
        store,
        node,
        // Trials of a custom network read its saved spec like a run does.
        networkType: {
          ...type,
          run: (data, p, ctx) => type.run(data, p, { ...ctx, savedSpec: this.savedSpec }),
        },
        collection: collectionFrom(input, this.cache),
        trialDir,
        // Trial events (tagged with their trial) go to front ends for the Auto Tuning tab; they are
        // never stored as the node's curves or test table.
        emit: (event) => this.emit(event),
        signal: controller.signal,
        seed: this.seed,
        onStart: (id) => {
          runId = id;
          if (this.current) this.current.runId = id;
          this.emit({
            type: 'run-started',
            runId: id,
            mode: 'tuning',
            nodes: [node.id],
            search: { population: request.population, generations: request.generations },
          });
        },
      });
      const run = runId ? store.runs().find((r) => r.id === runId) : undefined;
      finish(run?.status === 'done' || run?.status === 'cancelled' ? run.status : 'failed');
      return state;
    } catch (error) {
      finish(controller.signal.aborted ? 'cancelled' : 'failed');
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  /**
   * Repeatability: trains a network node once per seed (its own and the next
   * ones), each in `<node>/repeats/seed-<s>/` beside the node's own model, and
   * reports every test metric's mean, SD and range across seeds. A repeat is a
   * run for the workbench (one at a time, cancellable); its events are tagged
   * with the seed, so they never show as the node's own curves.
   */
  async repeatTraining(params: EngineParams<'repeatTraining'>): Promise<EngineResults['repeatTraining']> {
    const request = EngineRequests.repeatTraining.parse(params);
    const store = this.requireStore();
    if (this.current) throw new Error('A run is already in progress: cancel it or wait for it to finish');
    const node = store.graph().nodes.find((n) => n.id === request.node);
    const type = node && this.registry.get(node.type);
    if (!node || type?.kind !== 'network') throw new Error(`Node "${request.node}" is not a network`);
    const parsed = type.params.safeParse(node.params);
    if (!parsed.success) throw new Error(`Node "${node.id}" has invalid params: fix them first`);
    const input = this.inputManifest(node.id);
    if (!input)
      throw new Error(
        `Repeating trains on the input of "${node.id}": run the pipeline before it first (RUN)`,
      );
    const first = (parsed.data as { seed?: number }).seed ?? 0;
    const controller = new AbortController();
    const runId = `repeat-${node.id}`;
    this.current = { runId, controller };
    const started = Date.now();
    this.emit({ type: 'run-started', runId, mode: 'repeat', nodes: [node.id], seeds: request.seeds });
    const seeds: EngineResults['repeatTraining']['seeds'] = [];
    try {
      for (let i = 0; i < request.seeds && !controller.signal.aborted; i++) {
        const seed = first + i;
        let evaluation: Extract<EngineEvent, { type: 'evaluation' }> | undefined;
        this.emit({
          type: 'log',
          level: 'info',
          node: node.id,
          message: `Repeat ${i + 1} of ${request.seeds}: training with seed ${seed}`,
        });
        const result = await trainTrial({
          networkType: {
            ...type,
            run: (data, p, ctx) => type.run(data, p, { ...ctx, savedSpec: this.savedSpec }),
          },
          nodeId: node.id,
          collection: collectionFrom(input, this.cache),
          params: { ...node.params, seed },
          artifactsDir: join(store.artifactsFor(node.id), 'repeats', `seed-${seed}`),
          runId,
          trialId: `seed-${seed}`,
          seed: this.seed,
          signal: controller.signal,
          emit: (event) => {
            if (event.type === 'evaluation' && event.node === node.id) evaluation = event;
            this.emit(event);
          },
        });
        seeds.push({
          seed,
          // A training in this process ends done, failed or cancelled (queued and running are a cluster's).
          status: result.status === 'done' || result.status === 'failed' ? result.status : 'cancelled',
          ...(result.message ? { message: result.message } : {}),
          ...(evaluation ? { items: evaluation.items } : {}),
          test: evaluation?.metrics ?? {},
        });
      }
      const summary = {
        node: node.id,
        seeds,
        acrossSeeds: acrossSeeds(seeds.filter((s) => s.status === 'done').map((s) => s.test)),
      };
      writeFileAtomically(
        join(store.artifactsFor(node.id), 'repeats', 'summary.json'),
        JSON.stringify(summary, null, 1),
        {
          folder: store.dir,
          role: 'project',
        },
      );
      const status = controller.signal.aborted
        ? 'cancelled'
        : seeds.some((s) => s.status === 'failed')
          ? 'failed'
          : 'done';
      this.emit({ type: 'run-finished', runId, status, seconds: (Date.now() - started) / 1000 });
      return summary;
    } catch (error) {
      this.emit({ type: 'run-finished', runId, status: 'failed', seconds: (Date.now() - started) / 1000 });
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  async evaluateDataset(
    params: EngineParams<'evaluateDataset'>,
    options: RequestOptions = {},
  ): Promise<EngineResults['evaluateDataset']> {
    const request = EngineRequests.evaluateDataset.parse(params);
    const store = this.requireStore();
    if (this.current) throw new Error('A run is already in progress: cancel it or wait for it to finish');
    return evaluateFolder(store, this.registry, request.node, resolve(store.dir, request.dataset), {
      seed: request.seed,
      rule: parseOperatingRule(request.operatingPoint),
      resamples: request.bootstrap,
      signal: options.signal,
    });
  }

  async getTuning(params: EngineParams<'getTuning'>): Promise<EngineResults['getTuning']> {
    const { node } = EngineRequests.getTuning.parse(params);
    const state = tuningState(this.requireStore(), node);
    return { ...state, running: this.current?.tuningNode === node || state.running };
  }

  async applyTrial(params: EngineParams<'applyTrial'>): Promise<EngineResults['applyTrial']> {
    const { node, trialId } = EngineRequests.applyTrial.parse(params);
    const chosen = trialParams(this.requireStore(), node, trialId);
    return this.editGraph({ edits: [{ op: 'set-params', id: node, params: chosen }] });
  }

  async listCustomModules(): Promise<EngineResults['listCustomModules']> {
    return readCustomModules(this.requireStore()).map(
      ({ sourceHash, version: _version, trusted: _flag, ...info }) => ({
        ...info,
        trusted: this.trustList.isTrusted(sourceHash),
      }),
    );
  }

  async customModuleTemplate(
    params: EngineParams<'customModuleTemplate'>,
  ): Promise<EngineResults['customModuleTemplate']> {
    return { source: customModuleTemplate(EngineRequests.customModuleTemplate.parse(params)) };
  }

  async saveCustomModule(
    params: EngineParams<'saveCustomModule'>,
  ): Promise<EngineResults['saveCustomModule']> {
    const info = EngineRequests.saveCustomModule.parse(params);
    const store = this.requireStore();
    const existing = this.registry.get(info.id);
    if (existing && existing.origin !== 'my')
      throw new Error(`"${info.id}" is a built-in module: choose another id`);
    const version = versionToSave(store, info);
    const result = await compileCustomModule(info, { version, onLog: this.customLog });
    if (!result.ok) return { ok: false, problems: result.problems };
    saveCustomModuleRecord(store, info);
    this.trustList.trust([result.nodeType.sourceHash ?? sourceHashOf(info.source)]);
    await disposeNodeType(existing);
    this.registry.upsert(result.nodeType);
    this.customTypes.add(info.id);
    this.untrusted.delete(info.id);
    this.broken.delete(info.id);
    return { ok: true, problems: [], descriptor: describeNodeType(result.nodeType) };
  }

  async deleteCustomModule(
    params: EngineParams<'deleteCustomModule'>,
  ): Promise<EngineResults['deleteCustomModule']> {
    const { id } = EngineRequests.deleteCustomModule.parse(params);
    const store = this.requireStore();
    const users = store
      .graph()
      .nodes.filter((n) => n.type === id)
      .map((n) => n.id);
    if (users.length > 0)
      throw new Error(`Custom module "${id}" is used by ${users.join(', ')}: remove those nodes first`);
    await disposeNodeType(this.registry.remove(id));
    this.customTypes.delete(id);
    this.untrusted.delete(id);
    this.broken.delete(id);
    deleteCustomModuleRecord(store, id);
    return this.snapshot();
  }

  async trustProject(params: EngineParams<'trustProject'>): Promise<EngineResults['trustProject']> {
    const { trusted } = EngineRequests.trustProject.parse(params);
    const store = this.requireStore();
    const modules = readCustomModules(store);
    if (trusted) {
      this.trustList.trust(modules.map((m) => m.sourceHash));
      for (const m of modules) store.setCustomModuleTrusted(m.id, true);
    } else {
      this.trustList.untrust(modules.map((m) => m.sourceHash));
      for (const m of modules) store.setCustomModuleTrusted(m.id, false);
    }
    await this.loadCustomModules(store);
    return this.snapshot();
  }

  /** Registers the open project's custom modules whose source this computer trusts. */
  private async loadCustomModules(store: ProjectStore): Promise<void> {
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
  private readonly customLog = (sampleId: string, lines: string[], nodeId: string): void => {
    for (const line of lines)
      this.emit({
        type: 'log',
        level: 'info',
        ...(nodeId ? { node: nodeId } : {}),
        message: sampleId ? `${sampleId}: ${line}` : line,
      });
  };

  private async unloadCustomModules(): Promise<void> {
    for (const id of this.customTypes) await disposeNodeType(this.registry.remove(id));
    this.customTypes.clear();
    this.untrusted.clear();
    this.broken.clear();
  }

  async getLayerCatalogue(): Promise<EngineResults['getLayerCatalogue']> {
    return layerCatalogue();
  }

  async checkNetworkSpec(
    params: EngineParams<'checkNetworkSpec'>,
  ): Promise<EngineResults['checkNetworkSpec']> {
    const { spec, node } = EngineRequests.checkNetworkSpec.parse(params);
    return checkSpec(spec, await this.specData(node));
  }

  /**
   * What a network node's data tell a spec check: class names and one item's
   * shape of its input when that was run, else the class names of the dataset
   * upstream (read from its index); nothing without a project or node.
   */
  private async specData(node?: string): Promise<SpecData> {
    const graph = node && this.store ? this.store.graph() : undefined;
    const target = graph?.nodes.find((n) => n.id === node);
    if (!graph || !target) return {};
    const task = (target.params.task as SpecData['task']) ?? 'classification';
    const manifest = this.inputManifest(target.id);
    const item = manifest?.items.find((i) => i.state === 'done');
    if (manifest) return { task, classes: manifest.classes, ...(item ? { inputShape: item.shape } : {}) };
    const inputs = inputsOf(graph);
    let at: GraphNode | undefined = target;
    for (let hops = 0; at && at.kind !== 'dataset' && hops < graph.nodes.length; hops++) {
      const upstream: string | undefined = inputs.get(at.id)?.[0]?.source;
      at = graph.nodes.find((n) => n.id === upstream);
    }
    const source = at?.kind === 'dataset' ? await this.openDataset(at).catch(() => undefined) : undefined;
    return source ? { task, classes: source.classes } : { task };
  }

  async saveNetworkSpec(params: EngineParams<'saveNetworkSpec'>): Promise<EngineResults['saveNetworkSpec']> {
    const { title, id: given, spec, node } = EngineRequests.saveNetworkSpec.parse(params);
    const store = this.requireStore();
    const id = given ?? idFromTitle(title, 'network');
    if (builtinSpecIds().includes(id))
      throw new Error(`"${id}" is a built-in network: save under another name`);
    const check = await checkSpec(spec, await this.specData(node));
    if (!check.ok) return check;
    const version = (store.networkSpec(id)?.version ?? 0) + 1;
    store.saveNetworkSpec(id, version, withSpecTitle(spec, title));
    return { ...check, id, version };
  }

  async listNetworkSpecs(): Promise<EngineResults['listNetworkSpecs']> {
    const store = this.store;
    const saved =
      store
        ?.networkSpecs()
        .map(({ id }) => ({ id, title: specTitle(store.networkSpec(id)?.spec, id), builtin: false })) ?? [];
    return [
      ...builtinSpecIds().map((id) => ({ id, title: specTitle(readBuiltinSpec(id), id), builtin: true })),
      ...saved,
    ];
  }

  async getNetworkSpec(params: EngineParams<'getNetworkSpec'>): Promise<EngineResults['getNetworkSpec']> {
    const { id } = EngineRequests.getNetworkSpec.parse(params);
    const builtin = readBuiltinSpec(id);
    if (builtin !== undefined) return { id, title: specTitle(builtin, id), builtin: true, spec: builtin };
    const saved = this.store?.networkSpec(id);
    if (!saved) throw new Error(`No network "${id}": it is neither built-in nor saved in this project`);
    return { id, title: specTitle(saved.spec, id), builtin: false, version: saved.version, spec: saved.spec };
  }

  /** The open project's saved network spec by id (latest version), for training and cache keys. */
  private readonly savedSpec = (id: string): unknown => this.store?.networkSpec(id)?.spec;

  /** The node whose cached images show for `node` (a network shows its input). */
  private imageNode(node: string): string {
    const graph = this.requireStore().graph();
    const graphNode = graph.nodes.find((n) => n.id === node);
    if (graphNode?.kind !== 'network') return node;
    return inputsOf(graph).get(node)?.[0]?.source ?? node;
  }

  /** The last completed output listing of a node. */
  private manifestOf(node: string): NodeManifest | undefined {
    const result = this.requireStore().nodeResults()[node];
    if (!result?.cacheKey) return undefined;
    const [key, selection] = result.cacheKey.split(KEY_SEPARATOR);
    return this.cache.readManifest(key, selection);
  }

  private inputManifest(node: string): NodeManifest | undefined {
    const source = inputsOf(this.requireStore().graph()).get(node)?.[0]?.source;
    return source ? this.manifestOf(source) : undefined;
  }

  private async outputSample(node: string, sampleId: string): Promise<Sample> {
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
  private async openDataset(node: GraphNode): Promise<DatasetSource> {
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

  private async datasetPorts(graph: Graph): Promise<Map<string, PortSpec>> {
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
  private async datasetFindings(graph: Graph): Promise<Map<string, DatasetWarning[]>> {
    const findings = new Map<string, DatasetWarning[]>();
    for (const node of graph.nodes.filter((n) => n.kind === 'dataset')) {
      const source = await this.openDataset(node).catch(() => undefined);
      if (source?.findings) findings.set(node.id, source.findings);
    }
    return findings;
  }

  /** Node states from what the store recorded, compared with the current keys. */
  private async statuses(graph: Graph): Promise<Record<string, NodeStatus>> {
    const store = this.requireStore();
    const results = store.nodeResults();
    const keys = await computeKeys(
      graph,
      this.registry,
      this.seed,
      (node) => this.openDataset(node),
      this.savedSpec,
    );
    const status: Record<string, NodeStatus> = {};
    for (const node of graph.nodes) {
      const live = this.live.get(node.id);
      if (this.current && live) {
        status[node.id] = live;
        continue;
      }
      const recorded = results[node.id];
      const key = keys.get(node.id);
      if (!recorded || !key || 'error' in key) {
        status[node.id] = {
          state: recorded?.state === 'failed' ? 'failed' : 'idle',
          message: recorded?.message,
        };
        continue;
      }
      if (recorded.state === 'failed' && !recorded.cacheKey) {
        status[node.id] = { state: 'failed', message: recorded.message };
        continue;
      }
      const [recordedKey, selection] = recorded.cacheKey.split(KEY_SEPARATOR);
      const current = node.kind === 'network' ? networkKey(key.key, selection) : key.key;
      // Done only while the outputs exist: a cleared or evicted cache makes the node not run.
      if (current === recordedKey && node.kind !== 'network' && !this.cache.hasManifest(key.key, selection)) {
        status[node.id] = { state: 'idle', message: 'Its outputs were removed from the cache: run it again' };
        continue;
      }
      status[node.id] = {
        // A node whose items partly failed stays failed (with its count) until its inputs or params change.
        state: current !== recordedKey ? 'stale' : recorded.state === 'failed' ? 'failed' : 'done',
        shape: recorded.shape,
        colorMode: recorded.colorMode as NodeStatus['colorMode'],
        dtype: recorded.dtype,
        count: recorded.count,
        ...(selection !== 'all' ? { sample: true } : {}),
        // What the last run said (e.g. items that failed) belongs to its outputs, not to an out-of-date node.
        message: current === recordedKey ? recorded.message : undefined,
      };
    }
    // A network whose training stopped part-way says so: its checkpoint is kept and RUN resumes from it.
    for (const node of graph.nodes) {
      const state = status[node.id]?.state;
      if (node.kind !== 'network' || (state !== 'idle' && state !== 'stale')) continue;
      const meta = readCheckpointMeta(join(store.artifactsPath(node.id), 'last.ckpt'));
      if (meta && !meta.finished)
        status[node.id] = {
          ...status[node.id],
          message: `Training stopped after epoch ${meta.epoch}: RUN resumes from it while its settings are unchanged`,
        };
    }
    return status;
  }

  /**
   * A message that says `Unknown module "id"` of a custom module this engine did not
   * register, said as why: not trusted on this computer, or does not compile.
   */
  private explainMissing(message: string): string {
    const id = /Unknown module "([^"]+)"/.exec(message)?.[1];
    if (id && this.untrusted.has(id)) return untrustedCodeMessage([...this.untrusted.values()]);
    return (id && this.broken.get(id)) ?? message;
  }

  private async snapshot(): Promise<ProjectSnapshot> {
    const store = this.requireStore();
    const graph = store.graph();
    return {
      path: store.path,
      name: store.name,
      graph,
      issues: [
        ...validateGraph(graph, this.registry, await this.datasetPorts(graph), this.savedSpec),
        ...datasetIssues(graph, await this.datasetFindings(graph)),
      ].map((issue) => ({ ...issue, message: this.explainMissing(issue.message) })),
      status: await this.statuses(graph),
      running: Boolean(this.current),
      settings: this.settings(),
    };
  }
}

/** The class names a trained network recorded in its `model.json`; [] when there is none. */
/**
 * Records how a run ended. A full project disk cannot take the record: the
 * run's own message says so, and the project reopens with the run marked as
 * interrupted.
 */
function finishRunRecord(store: ProjectStore, runId: string, status: RunResult['status']): void {
  try {
    store.finishRun(runId, status);
  } catch (error) {
    if (!isNoSpace(error)) throw error;
  }
}

function trainedClasses(dir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { classes?: unknown };
    return Array.isArray(manifest.classes) ? manifest.classes.map(String) : [];
  } catch {
    return [];
  }
}

/** The stored test row split back into its metrics, confusion matrix and item count. */
function testResult(row: EpochMetrics): NonNullable<MetricsHistory['test']> {
  const { confusion, items, ...metrics } = row;
  return {
    metrics,
    confusion: unflattenSquare(confusion),
    ...(typeof items === 'number' ? { items } : {}),
  };
}

/** A square matrix stored row-major as a flat list (see the `evaluation` event). */
function unflattenSquare(flat: unknown): number[][] {
  if (!Array.isArray(flat)) return [];
  const size = Math.round(Math.sqrt(flat.length));
  return Array.from({ length: size }, (_, row) => flat.slice(row * size, row * size + size) as number[]);
}
