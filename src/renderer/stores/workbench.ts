/**
 * The renderer's root store: it mirrors the engine (node types, the project
 * graph, node states, metrics, logs) from requests and events, and turns user
 * actions into engine requests. Components only read it and call its actions
 * (the renderer is a view).
 */
import {
  action,
  compareStructural,
  computed,
  computedStruct,
  makeObservable,
  observable,
  observableRef,
  observableShallow,
  reaction,
  runInAction,
} from 'mobx';
import {
  applyGraphChange,
  applyGraphEdits,
  GraphEditRefused,
  invertGraphEdits,
  type EngineEvent,
  type EngineInfo,
  type Graph,
  type GraphDelta,
  type GraphEdit,
  type GraphIssue,
  type GraphNode,
  type NodeStatus,
  type NodeTypeDescriptor,
  type ProjectSnapshot,
  type RunMode,
  type RunResult,
  type SampleSize,
} from '../../engine/api';
import type { ConnectionState, PhiApi } from '../../engine/api/wire/client';
import { copySelection, edgeId, freshNodeId, pasteEdits, type GraphClipboard } from './graph-edits';
import { CustomModulesStore } from './custom-modules';
import { EvaluationsStore } from './evaluations';
import { PacsStore } from './pacs';
import { LogsStore } from './logs-store';
import { MetricsStore } from './metrics-store';
import { NetworkBuilderStore } from './network-builder';
import { clockTime, ProjectsStore } from './projects';
import { TuningStore } from './tuning';

/** One undoable step: what was sent and what undoes it. */
interface HistoryEntry {
  label: string;
  edits: GraphEdit[];
  inverse: GraphEdit[];
}

/** The run in progress, as far as the UI needs it. */
export interface ActiveRun {
  runId?: string;
  /** `tuning`: an Auto Tuning search, a run like any other for the status bar, RUN and Cancel. */
  mode: RunMode | 'tuning' | 'repeat';
  /** Nodes the run executes, in order (from `run-started`). */
  nodes: string[];
  startedAt: number;
  /** A repeat: seeds asked for, trainings finished, and the epoch of the one going on. */
  repeat?: { seeds: number; trained: number; epoch?: number };
}

/** A short message shown over the canvas (refused connection, run failure). */
export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  message: string;
}

/** Tabs of the right and bottom panels. */
export type RightTab = 'parameter' | 'view';
/** See {@link RightTab}. */
export type BottomTab = 'files' | 'output' | 'tuning' | 'logs';

const EMPTY_GRAPH: Graph = { nodes: [], edges: [] };
const HISTORY_LIMIT = 200;

/** The root store. */
export class Workbench {
  info: EngineInfo | null = null;
  project: { path: string; name: string } | null = null;
  graph: Graph = EMPTY_GRAPH;
  issues: GraphIssue[] = [];
  readonly status = observable.map<string, NodeStatus>();
  readonly selection = observable.set<string>();
  /** Selected connections (Delete removes them with the selected nodes). */
  readonly edgeSelection = observable.set<string>();
  /** First error per node from graph validation; per-key updates keep node re-renders local. */
  private readonly nodeIssues = observable.map<string, string>();
  private readonly nodeWarnings = observable.map<string, string[]>();
  connection: ConnectionState = 'connecting';
  connectionError: string | null = null;
  backend: string | null = null;
  run: ActiveRun | null = null;
  /** Set while a run request is being sent, before `run-started` arrives. */
  starting = false;
  sampleSize: SampleSize | null = null;
  /** True while the Sample RUN size dialog is open. */
  askingSampleSize = false;
  toasts: Toast[] = [];
  rightTab: RightTab = 'parameter';
  /** The item the View tab is asked to show (it shows the first item otherwise). */
  viewItem: { node: string; sampleId: string } | null = null;
  bottomTab: BottomTab = 'files';
  /** Bumped per node when its file states change, so the Files tab refetches. */
  readonly filesVersion = observable.map<string, number>();
  /**
   * Bumped when a run finishes: the engine records node results at the end of
   * a run, so lists fetched during it (Files, View) are fetched again then.
   */
  runSerial = 0;
  /** True once getInfo/getProject answered (or failed). */
  loaded = false;
  readonly metrics = new MetricsStore();
  /** Evaluation runs (study reports) of network nodes: the Output tab's study. */
  readonly evaluations: EvaluationsStore;
  readonly logs = new LogsStore();
  /** Custom modules: wizard, editor, list, trust. */
  readonly customModules: CustomModulesStore;
  /** The network (layer) builder. */
  readonly builder: NetworkBuilderStore;
  /** Recent projects, the project dialogs and the saved indicator. */
  readonly projects: ProjectsStore;
  /** PACS server profiles, dialogs and import progress. */
  readonly pacs: PacsStore;
  /** Auto Tuning state per network node. */
  private readonly tuningStores = new Map<string, TuningStore>();

  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private clipboard: GraphClipboard | null = null;
  private pasteCount = 0;
  private toastSeq = 0;
  /** Edits sent but not yet answered: while >0 a snapshot would undo newer local edits. */
  private inFlight = 0;
  private editChain: Promise<unknown> = Promise.resolve();
  /** The last project-settings write, awaited by Save. */
  private settingsWrite: Promise<unknown> = Promise.resolve();
  private readonly disposers: (() => void)[] = [];

  constructor(readonly api: PhiApi) {
    this.customModules = new CustomModulesStore({
      api,
      refreshInfo: () => this.refreshInfo(),
      adoptSnapshot: (snapshot) => this.adoptSnapshot(snapshot),
      toast: (kind, message) => this.toast(kind, message),
    });
    this.builder = new NetworkBuilderStore(api);
    this.evaluations = new EvaluationsStore(api);
    this.pacs = new PacsStore(api);
    this.projects = new ProjectsStore();
    makeObservable<Workbench, 'undoStack' | 'redoStack' | 'clipboard'>(this, {
      clipboard: observableRef,
      info: observableRef,
      project: observableRef,
      graph: observableRef,
      issues: observableRef,
      connection: observable,
      connectionError: observable,
      backend: observable,
      run: observableRef,
      starting: observable,
      sampleSize: observableRef,
      askingSampleSize: observable,
      toasts: observableRef,
      rightTab: observable,
      viewItem: observableRef,
      openInView: action,
      bottomTab: observable,
      loaded: observable,
      runSerial: observable,
      undoStack: observableShallow,
      redoStack: observableShallow,
      canUndo: computed,
      canRedo: computed,
      running: computed,
      runProgress: computed,
      selectedNode: computed,
      soleSelectedNode: computedStruct,
      nodeTypes: computed,
      networkNodes: computed,
      handleEvent: action,
      adoptSnapshot: action,
      adoptDelta: action,
      applyLocal: action,
      select: action,
      setSelection: action,
      setEdgeSelection: action,
      toast: action,
      dismissToast: action,
      setRightTab: action,
      setBottomTab: action,
      setSampleSize: action,
      cancelSampleSizeDialog: action,
    });
  }

  // ---------------------------------------------------------------- life cycle

  /** Subscribes to events and loads node types and the open project. */
  async start(): Promise<void> {
    this.disposers.push(this.api.onDidEmit((event) => this.handleEvent(event)));
    // Every node's states, but the per-item file states only of the node a tab shows (and its inputs).
    this.disposers.push(
      reaction(
        () => this.nodesShown,
        (nodes) => this.api.subscribe?.({ nodesByType: { 'file-state': nodes } }),
        { fireImmediately: true, equals: compareStructural },
      ),
    );
    if (this.api.onConnectionState) {
      this.disposers.push(
        this.api.onConnectionState((state, reason) =>
          runInAction(() => {
            this.connection = state;
            if (state === 'closed') this.connectionError = reason ?? 'Disconnected';
          }),
        ),
      );
    } else {
      runInAction(() => (this.connection = 'open'));
    }
    try {
      const [info, snapshot] = await Promise.all([this.api.getInfo({}), this.api.getProject({})]);
      runInAction(() => {
        this.info = info;
        this.connection = 'open';
        if (!this.backend) this.backend = info.backends.find((b) => b.available)?.name ?? null;
      });
      if (snapshot) this.adoptSnapshot(snapshot, true);
      else void this.loadRecent();
    } catch (error) {
      this.logs.add('error', `Could not reach the engine: ${messageOf(error)}`);
      runInAction(() => (this.connectionError = messageOf(error)));
    } finally {
      runInAction(() => (this.loaded = true));
    }
  }

  /** Fetches the engine's recent projects (File > Open recent, the start screen). */
  async loadRecent(): Promise<void> {
    try {
      const recent = await this.api.listRecentProjects({});
      this.projects.setRecent(recent.map((p) => p.path));
    } catch {
      // The list is a convenience: without it File > Open still works.
    }
  }

  /** Fetches node types again (a custom module was saved, deleted or trusted): the palette follows. */
  async refreshInfo(): Promise<void> {
    const info = await this.api.getInfo({});
    runInAction(() => (this.info = info));
  }

  /** The Auto Tuning store of a network node (made on first use). */
  tuningOf(node: string): TuningStore {
    let store = this.tuningStores.get(node);
    if (!store) {
      store = new TuningStore(node, this.api);
      this.tuningStores.set(node, store);
    }
    return store;
  }

  /**
   * Apply (Auto Tuning): the engine sets the trial's params on the node; the
   * change is recorded as an undoable step like any parameter edit.
   */
  async applyTrial(node: string, trialId: string): Promise<void> {
    const before = this.graph.nodes.find((n) => n.id === node)?.params ?? {};
    try {
      await this.editChain;
      const delta = await this.api.applyTrial({ node, trialId });
      const after = delta.nodes.find((n) => n.id === node)?.params ?? before;
      this.recordHistory({
        label: `Apply tuning trial ${trialId}`,
        edits: [{ op: 'set-params', id: node, params: after, previous: before }],
        inverse: [{ op: 'set-params', id: node, params: before, previous: after }],
      });
      this.adoptDelta(delta);
      this.toast('success', `Applied trial ${trialId} to ${node}`);
    } catch (error) {
      this.toast('error', messageOf(error));
    }
  }

  /** Unsubscribes everything (tests and window unload). */
  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Opens a project file. */
  async openProject(path: string): Promise<void> {
    const snapshot = await this.api.openProject({ path });
    this.adoptSnapshot(snapshot, true);
  }

  /** Creates a project over a dataset folder. */
  async createProject(
    path: string,
    dataset: string,
    task?: 'classification' | 'segmentation' | 'detection' | 'transformation',
  ): Promise<void> {
    const snapshot = await this.api.createProject({ path, dataset, task });
    this.adoptSnapshot(snapshot, true);
  }

  /** Takes the engine's view of the project; `fresh` resets history and per-project state. */
  adoptSnapshot(snapshot: ProjectSnapshot, fresh = false): void {
    if (fresh) {
      this.project = { path: snapshot.path, name: snapshot.name };
      this.undoStack.splice(0);
      this.redoStack.splice(0);
      this.selection.clear();
      this.sampleSize = snapshot.settings?.sampleSize ?? null;
      this.projects.opened(snapshot.path);
      void this.loadRecent();
      this.status.clear();
      this.tuningStores.clear();
      void this.customModules.load();
      for (const network of snapshot.graph.nodes.filter((n) => n.kind === 'network'))
        void this.loadMetrics(network.id);
    }
    if (fresh || this.inFlight === 0) this.graph = snapshot.graph;
    this.adoptIssues(snapshot.issues);
    this.adoptStatus(snapshot.status);
    for (const id of [...this.status.keys()])
      if (!snapshot.graph.nodes.some((n) => n.id === id)) this.status.delete(id);
    for (const id of [...this.selection])
      if (!this.graph.nodes.some((n) => n.id === id)) this.selection.delete(id);
  }

  /** Takes the engine's answer to an edit: what changed, the states it can change, the graph's problems. */
  adoptDelta(delta: GraphDelta): void {
    // The local mirror already holds this client's edits; while more are in flight it stays ahead.
    if (this.inFlight === 0) this.graph = applyGraphChange(this.graph, delta);
    this.adoptIssues(delta.issues);
    this.adoptStatus(delta.status);
    for (const id of delta.removedNodes) {
      this.status.delete(id);
      this.selection.delete(id);
    }
  }

  private adoptIssues(all: GraphIssue[]): void {
    this.issues = all;
    const issues = new Map<string, string>();
    for (const issue of all)
      if (issue.node && issue.severity === 'error' && !issues.has(issue.node))
        issues.set(issue.node, issue.message);
    for (const id of [...this.nodeIssues.keys()]) if (!issues.has(id)) this.nodeIssues.delete(id);
    for (const [id, message] of issues)
      if (this.nodeIssues.get(id) !== message) this.nodeIssues.set(id, message);
    const warnings = new Map<string, string[]>();
    for (const issue of all)
      if (issue.node && issue.severity === 'warning')
        warnings.set(issue.node, [...(warnings.get(issue.node) ?? []), issue.message]);
    for (const id of [...this.nodeWarnings.keys()]) if (!warnings.has(id)) this.nodeWarnings.delete(id);
    for (const [id, list] of warnings)
      if (this.nodeWarnings.get(id)?.join('\n') !== list.join('\n')) this.nodeWarnings.set(id, list);
  }

  private adoptStatus(status: Record<string, NodeStatus>): void {
    for (const [id, state] of Object.entries(status)) {
      // Live events are newer than a snapshot taken while a run goes on.
      if (!this.running || !this.status.has(id)) this.status.set(id, state);
    }
  }

  /** Loads a network node's metrics history for the Output tab. */
  /** Loads a network node's curves: those of the model it holds, or of an earlier `run` of it (the run picker). */
  async loadMetrics(node: string, run?: string): Promise<void> {
    void this.evaluations.load(node, run);
    try {
      const history = await this.api.getMetrics({ node, ...(run ? { run } : {}) });
      runInAction(() => this.metrics.of(node).load(history));
    } catch {
      // No history yet (never trained): the Output tab says so.
    }
  }

  // ---------------------------------------------------------------- events

  /** Mirrors one engine event into the stores. */
  handleEvent(event: EngineEvent): void {
    switch (event.type) {
      case 'run-started':
        this.run = {
          runId: event.runId,
          mode: event.mode,
          nodes: event.nodes,
          startedAt: Date.now(),
          ...(event.mode === 'repeat' ? { repeat: { seeds: event.seeds ?? 1, trained: 0 } } : {}),
        };
        this.starting = false;
        // A search or a repeat trains apart from the node: the node keeps its state and model.
        if (event.mode === 'tuning') this.tuningOf(event.nodes[0]).searchStarted(event.search);
        else if (event.mode !== 'repeat')
          for (const id of event.nodes)
            this.patchStatus(id, { state: 'queued', done: undefined, total: undefined, message: undefined });
        this.logs.add(
          'info',
          `Run started (${runModeLabel(event.mode)}${event.sampleSize ? `, ${event.sampleSize} items per dataset` : ''}): ${event.nodes.length} node(s)`,
        );
        break;
      case 'node-state':
        this.patchStatus(event.node, {
          state: event.state,
          message: event.message,
          ...(event.state === 'done' ? { sample: event.sample === true } : {}),
          ...(event.state === 'running' ? { done: 0, total: undefined } : {}),
        });
        // A failure's reason reaches the log once, from its `error` event.

        break;
      case 'progress':
        // A repeat's seeds and a tuning trial's training are theirs, never the node's own.
        if (event.trial && this.run?.repeat) break;
        if (event.trial)
          this.tuningOf(event.node).trialProgress(event.trial, { done: event.done, total: event.total });
        else this.patchStatus(event.node, { done: event.done, total: event.total });
        break;
      case 'shape':
        this.patchStatus(event.node, {
          shape: event.shape,
          colorMode: event.colorMode,
          dtype: event.dtype,
          count: event.count,
        });
        break;
      case 'file-state':
        this.filesVersion.set(event.node, (this.filesVersion.get(event.node) ?? 0) + 1);
        break;
      case 'epoch':
        if (event.trial && this.run?.repeat)
          this.run = { ...this.run, repeat: { ...this.run.repeat, epoch: event.epoch } };
        else if (event.trial) this.tuningOf(event.node).trialProgress(event.trial, { epoch: event.epoch });
        else this.metrics.of(event.node).live(event.epoch, event.split, event.metrics);
        break;
      case 'evaluation':
        if (event.trial && this.run?.repeat)
          this.run = {
            ...this.run,
            repeat: { seeds: this.run.repeat.seeds, trained: this.run.repeat.trained + 1 },
          };
        if (!event.trial) {
          this.metrics.of(event.node).setTest(event.metrics, event.confusion, event.items, event.geometry);
          // The engine stored the study of these scores before telling: read it back.
          void this.evaluations.load(event.node);
        }
        break;
      case 'trial':
        this.tuningOf(event.node).addTrial(event.trial);
        // A failed trial's reason comes as the engine's own warning.
        if (event.trial.status !== 'failed')
          this.logs.add(
            'info',
            `Tuning trial ${event.trial.id} (generation ${event.trial.generation}): ${event.trial.status}${event.trial.score !== null ? `, score ${event.trial.score.toFixed(4)}` : ''}`,
            event.node,
          );
        break;
      case 'log':
        this.logs.add(event.level, event.message, event.node);
        break;
      case 'error':
        this.logs.add('error', event.file ? `${event.file}: ${event.message}` : event.message, event.node);
        break;
      case 'run-finished':
        // A search's end (from here or elsewhere): its trials, counts and top table as the engine has them.
        if (this.run?.mode === 'tuning' && this.run.nodes[0]) void this.tuningOf(this.run.nodes[0]).load();
        this.run = null;
        this.runSerial++;
        this.starting = false;
        this.logs.add(
          event.status === 'failed' ? 'error' : 'info',
          `Run ${event.status} in ${event.seconds.toFixed(1)} s`,
        );
        if (event.status === 'cancelled') this.toast('info', 'Run cancelled');
        break;
      case 'graph-changed':
        // Another front end's edit (this one's own is already in the mirror; applying it again changes nothing).
        if (event.change && this.inFlight === 0) {
          this.graph = applyGraphChange(this.graph, event.change);
          for (const id of event.change.removedNodes) this.status.delete(id);
        }
        for (const id of event.staleNodes) {
          const current = this.status.get(id);
          if (current && current.state !== 'idle') this.patchStatus(id, { state: 'stale' });
        }
        break;
      case 'backend':
        this.backend = event.name;
        break;
      case 'pacs-progress':
        this.pacs.onProgress(event);
        break;
      default:
        // A new event type in the contract must be handled here (compile-time check).
        event satisfies never;
    }
  }

  private patchStatus(id: string, patch: Partial<NodeStatus>): void {
    const current = this.status.get(id) ?? { state: 'idle' };
    this.status.set(id, { ...current, ...patch });
  }

  // ---------------------------------------------------------------- derived

  /** Node type descriptors by id. */
  get nodeTypes(): Map<string, NodeTypeDescriptor> {
    return new Map((this.info?.nodeTypes ?? []).map((t) => [t.id, t]));
  }

  /** Descriptor of a node's type, if the engine knows it. */
  typeOf(node: GraphNode): NodeTypeDescriptor | undefined {
    return this.nodeTypes.get(node.type);
  }

  /** The selected node and the nodes feeding it: whose items the Files and View tabs show. */
  get nodesShown(): string[] {
    const node = this.selectedNode;
    if (!node) return [];
    return [node.id, ...this.graph.edges.filter((e) => e.target === node.id).map((e) => e.source)];
  }

  /** The node a panel shows: the single selected node. */
  get selectedNode(): GraphNode | undefined {
    if (this.selection.size !== 1) return undefined;
    const [id] = this.selection;
    return this.graph.nodes.find((n) => n.id === id);
  }

  /** The first validation error of a node, if any. */
  issueOf(id: string): string | undefined {
    return this.nodeIssues.get(id);
  }

  /** What the engine warns of at a node (a dataset's skipped files, imbalance...); empty when nothing. */
  warningsOf(id: string): string[] {
    return this.nodeWarnings.get(id) ?? [];
  }

  /** The one selected node's id and kind (stable while it is dragged), for its toolbar. */
  get soleSelectedNode(): { id: string; kind: GraphNode['kind'] } | undefined {
    if (this.selection.size !== 1) return undefined;
    const [id] = this.selection;
    const node = this.graph.nodes.find((n) => n.id === id);
    return node ? { id, kind: node.kind } : undefined;
  }

  /** Network nodes of the project, for the Output tab. */
  get networkNodes(): GraphNode[] {
    return this.graph.nodes.filter((n) => n.kind === 'network');
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get running(): boolean {
    return this.run !== null || this.starting;
  }

  /** Why RUN is off while a run goes on (the tooltip of disabled run buttons), or null when idle. */
  get runBlockedReason(): string | null {
    if (!this.running) return null;
    if (this.run?.mode === 'tuning')
      return `Auto tuning of ${this.run.nodes[0] ?? 'a network'} is running: wait for it or cancel it`;
    if (this.run?.mode === 'repeat')
      return `${this.run.nodes[0] ?? 'A network'} is being trained with several seeds: wait for it or cancel it`;
    return 'A run is in progress: wait for it or cancel it';
  }

  /** Overall progress of the current run in [0, 1], or null when idle. */
  get runProgress(): number | null {
    if (!this.run) return this.starting ? 0 : null;
    if (this.run.mode === 'tuning') return this.tuningOf(this.run.nodes[0] ?? '').progress;
    // A repeat trains apart from the node, whose own state says nothing of it.
    if (this.run.repeat) return this.run.repeat.trained / this.run.repeat.seeds;
    const nodes = this.run.nodes;
    if (nodes.length === 0) return 0;
    let sum = 0;
    for (const id of nodes) {
      const s = this.status.get(id);
      if (!s) continue;
      if (s.state === 'done' || s.state === 'failed') sum += 1;
      else if (s.state === 'running' && s.total) sum += Math.min(1, (s.done ?? 0) / s.total);
    }
    return sum / nodes.length;
  }

  // ---------------------------------------------------------------- editing

  /**
   * Applies edits locally at once, sends them to the engine (in order) and,
   * when `undoable`, records their inverse. The engine's snapshot is the
   * truth: on refusal the project is reloaded and the reason shown.
   */
  edit(edits: GraphEdit[], label: string, undoable = true): Promise<void> {
    if (edits.length === 0) return Promise.resolve();
    // A batch the graph cannot take has no undo: the engine refuses it with the reason.
    if (undoable && this.takes(edits)) {
      this.recordHistory({ label, edits, inverse: invertGraphEdits(this.graph, edits) });
    }
    return this.send(edits);
  }

  private recordHistory(entry: HistoryEntry): void {
    runInAction(() => {
      this.undoStack.push(entry);
      if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
      this.redoStack.splice(0);
    });
  }

  /** Applies edits to the local mirror only, by the engine's rule; a batch it would refuse leaves the mirror as it is. */
  applyLocal(edits: GraphEdit[]): void {
    if (this.takes(edits)) this.graph = applyGraphEdits(this.graph, edits);
  }

  /** Whether the graph takes the batch (the engine's rule). */
  private takes(edits: GraphEdit[]): boolean {
    try {
      applyGraphEdits(this.graph, edits);
      return true;
    } catch (error) {
      if (error instanceof GraphEditRefused) return false;
      throw error;
    }
  }

  private send(edits: GraphEdit[]): Promise<void> {
    this.applyLocal(edits);
    this.inFlight++;
    this.projects.writeStarted();
    const job = this.editChain.then(async () => {
      try {
        const delta = await this.api.editGraph({ edits });
        runInAction(() => this.inFlight--);
        this.projects.writeEnded(true);
        this.adoptDelta(delta);
      } catch (error) {
        runInAction(() => this.inFlight--);
        this.projects.writeEnded(false);
        this.toast('error', messageOf(error));
        this.logs.add('error', `Edit refused: ${messageOf(error)}`);
        const snapshot = await this.api.getProject({}).catch(() => null);
        if (snapshot && this.inFlight === 0) this.adoptSnapshot(snapshot);
      }
    });
    this.editChain = job;
    return job;
  }

  /** Undoes the last step by sending its inverse edits. */
  async undo(): Promise<void> {
    const entry = this.undoStack.at(-1);
    if (!entry) return;
    runInAction(() => {
      this.undoStack.pop();
      this.redoStack.push(entry);
    });
    await this.send(entry.inverse);
  }

  /** Re-applies the last undone step. */
  async redo(): Promise<void> {
    const entry = this.redoStack.at(-1);
    if (!entry) return;
    runInAction(() => {
      this.redoStack.pop();
      this.undoStack.push(entry);
    });
    await this.send(entry.edits);
  }

  /** Label of what Undo would undo, for the tooltip. */
  get undoLabel(): string | undefined {
    return this.undoStack.at(-1)?.label;
  }

  /** Label of what Redo would redo. */
  get redoLabel(): string | undefined {
    return this.redoStack.at(-1)?.label;
  }

  /** Adds a node of a type at a position (palette drop); returns its id. */
  async addNode(typeId: string, position: { x: number; y: number }): Promise<string | undefined> {
    const type = this.nodeTypes.get(typeId);
    if (!type) return undefined;
    const id = freshNodeId(this.graph, type.id);
    await this.edit(
      [
        {
          op: 'add-node',
          node: {
            id,
            kind: type.kind,
            type: type.id,
            version: type.version,
            params: defaultParams(type),
            position,
          },
        },
      ],
      `Add ${type.title}`,
    );
    this.setSelection([id]);
    return id;
  }

  /**
   * Connects `source` to `target`'s port after the engine's typed check;
   * a refused connection is not drawn and its reason is shown.
   */
  async connect(
    source: string,
    target: string,
    targetPort = 'in',
  ): Promise<{ ok: boolean; reason?: string }> {
    if (source === target) return this.refuse('A node cannot feed itself');
    if (
      this.graph.edges.some((e) => e.target === target && e.targetPort === targetPort && e.source === source)
    ) {
      return this.refuse('These nodes are already connected');
    }
    let check: { ok: boolean; reason?: string };
    // The engine must have every earlier edit (e.g. the node just dropped) before it judges.
    await this.editChain;
    try {
      check = await this.api.checkConnection({ source, target, targetPort });
    } catch (error) {
      check = { ok: false, reason: messageOf(error) };
    }
    if (!check.ok) return this.refuse(check.reason ?? 'These nodes cannot be connected');
    await this.edit(
      [
        {
          op: 'add-edge',
          edge: { id: this.freshEdgeId(source, target, targetPort), source, target, targetPort },
        },
      ],
      'Connect',
    );
    return { ok: true };
  }

  /** Edge ids are unique for the engine: a re-drawn edge whose id is still in the undo history gets a suffix. */
  private freshEdgeId(source: string, target: string, port: string): string {
    const base = edgeId(source, target, port);
    const taken = new Set(this.graph.edges.map((e) => e.id));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}#${i}`)) return `${base}#${i}`;
  }

  private refuse(reason: string): { ok: false; reason: string } {
    this.toast('error', `Connection refused: ${reason}`);
    return { ok: false, reason };
  }

  /** Removes edges by id. */
  removeEdges(ids: string[]): Promise<void> {
    return this.edit(
      ids.map((id): GraphEdit => ({ op: 'remove-edge', id })),
      ids.length === 1 ? 'Remove connection' : `Remove ${ids.length} connections`,
    );
  }

  /** Deletes the selected connections and nodes (a node's edges go with it), as one step. */
  deleteSelection(): Promise<void> {
    const ids = [...this.selection];
    const edges = [...this.edgeSelection].filter((id) => this.graph.edges.some((e) => e.id === id));
    runInAction(() => this.edgeSelection.clear());
    this.setSelection([]);
    const count = ids.length + edges.length;
    return this.edit(
      [
        ...edges.map((id): GraphEdit => ({ op: 'remove-edge', id })),
        ...ids.map((id): GraphEdit => ({ op: 'remove-node', id })),
      ],
      count === 1 ? (ids.length ? 'Delete node' : 'Delete connection') : `Delete ${count} items`,
    );
  }

  /** Commits node moves at the end of a drag, as one undoable step. */
  moveNodes(moves: { id: string; position: { x: number; y: number } }[], from: Graph): Promise<void> {
    const edits = moves.map((m): GraphEdit => ({ op: 'move-node', id: m.id, position: m.position }));
    // The drag already moved the nodes locally: the inverse comes from before the drag.
    this.recordHistory({
      label: moves.length === 1 ? 'Move node' : `Move ${moves.length} nodes`,
      edits,
      inverse: invertGraphEdits(from, edits),
    });
    return this.send(edits);
  }

  /**
   * Sets a node's params to `params`. The edit carries the params this window
   * showed, so the engine writes only the fields changed here and refuses one
   * that someone else changed meanwhile (said in a toast; the node then shows theirs).
   */
  setParams(id: string, params: Record<string, unknown>): Promise<void> {
    const previous = this.graph.nodes.find((n) => n.id === id)?.params;
    return this.edit(
      [{ op: 'set-params', id, params, ...(previous ? { previous } : {}) }],
      'Change parameter',
    );
  }

  /** Copies the selected nodes. */
  copy(): void {
    if (this.selection.size === 0) return;
    this.clipboard = copySelection(this.graph, this.selection);
    this.pasteCount = 0;
  }

  /** True when Paste has something to paste. */
  get canPaste(): boolean {
    return this.clipboard !== null && this.clipboard.nodes.length > 0;
  }

  /** Pastes the clipboard, shifted so copies do not hide their originals, and selects the copies. */
  async paste(): Promise<string[]> {
    if (!this.clipboard) return [];
    this.pasteCount++;
    const taken = new Set<string>();
    const { edits, ids } = pasteEdits(
      this.clipboard,
      { x: 40 * this.pasteCount, y: 40 * this.pasteCount },
      (base) => {
        const id = freshNodeId(this.graph, base, taken);
        taken.add(id);
        return id;
      },
    );
    await this.edit(edits, ids.length === 1 ? 'Paste node' : `Paste ${ids.length} nodes`);
    this.setSelection(ids);
    return ids;
  }

  // ---------------------------------------------------------------- selection & panels

  /** Selects one node (or toggles it with `additive`). */
  select(id: string, additive = false): void {
    if (!additive) this.selection.clear();
    if (additive && this.selection.has(id)) this.selection.delete(id);
    else this.selection.add(id);
  }

  /** Replaces the selection. */
  setSelection(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (next.size === this.selection.size && [...next].every((id) => this.selection.has(id))) return;
    this.selection.replace(next);
  }

  /** Replaces the selected connections. */
  setEdgeSelection(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (next.size === this.edgeSelection.size && [...next].every((id) => this.edgeSelection.has(id))) return;
    this.edgeSelection.replace(next);
  }

  setRightTab(tab: RightTab): void {
    this.rightTab = tab;
  }

  /** Shows one item of a node in the View tab (the error gallery's click): selects the node, opens the tab. */
  openInView(node: string, sampleId: string): void {
    this.selection.clear();
    this.selection.add(node);
    this.viewItem = { node, sampleId };
    this.rightTab = 'view';
  }

  setBottomTab(tab: BottomTab): void {
    this.bottomTab = tab;
    if (tab === 'logs') this.logs.markSeen();
  }

  /** Shows a message for a few seconds. */
  toast(kind: Toast['kind'], message: string): void {
    const toast = { id: ++this.toastSeq, kind, message };
    // The same message again replaces the older one instead of stacking.
    this.toasts = [...this.toasts.filter((t) => t.message !== message).slice(-3), toast];
    setTimeout(() => this.dismissToast(toast.id), kind === 'error' ? 8000 : 4000);
  }

  dismissToast(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  // ---------------------------------------------------------------- running

  /** RUN (All modules). */
  runAll(): Promise<RunResult | undefined> {
    return this.startRun({ mode: 'all' });
  }

  /** Sample RUN: asks the size the first time, then reuses it. */
  sampleRun(): Promise<RunResult | undefined> {
    if (!this.sampleSize) {
      this.askingSampleSize = true;
      return Promise.resolve(undefined);
    }
    return this.startRun({ mode: 'sample', sample: this.sampleSize });
  }

  /** Opens the sample size dialog to change the remembered size. */
  changeSampleSize(): void {
    runInAction(() => (this.askingSampleSize = true));
  }

  /** Keeps the size chosen in the dialog in the project (a project setting) and, when asked, starts the sample run. */
  setSampleSize(size: SampleSize, thenRun = true): Promise<RunResult | undefined> {
    this.sampleSize = size;
    this.askingSampleSize = false;
    if (this.project) {
      this.projects.writeStarted();
      this.settingsWrite = this.api.setProjectSettings({ sampleSize: size }).then(
        () => this.projects.writeEnded(true),
        (error: unknown) => {
          this.projects.writeEnded(false);
          this.toast('error', `The sample size was not saved: ${messageOf(error)}`);
        },
      );
    }
    return thenRun ? this.sampleRun() : Promise.resolve(undefined);
  }

  /**
   * Reads node states again when the window comes back into use: files of a
   * dataset changed meanwhile (in a file manager, by a script) show as out of
   * date before anyone presses RUN. Nothing is asked while a run or an edit is
   * on its way: their own answers carry the states.
   */
  async recheck(): Promise<void> {
    if (!this.project || this.running || this.inFlight > 0) return;
    const snapshot = await this.api.getProject({}).catch(() => null);
    if (snapshot && snapshot.path === this.project?.path && this.inFlight === 0) this.adoptSnapshot(snapshot);
  }

  /**
   * Save (Ctrl+S): the engine writes every edit at once, so this waits for the
   * writes on their way, checks the engine still holds the project and says so.
   */
  async save(): Promise<boolean> {
    if (!this.project) return false;
    await this.editChain;
    await this.settingsWrite;
    try {
      const snapshot = await this.api.getProject({});
      if (snapshot?.path !== this.project.path) throw new Error('the engine has another project open');
      const at = this.projects.savedAt;
      this.toast(
        'success',
        `Saved: every change is in ${this.project.name}.phiproj${at ? ` (last write ${clockTime(at)})` : ''}`,
      );
      return true;
    } catch (error) {
      this.toast('error', `Not saved: ${messageOf(error)}`);
      return false;
    }
  }

  /**
   * Reconnect (status bar): opens a new connection to the same engine, then
   * reads node types and the open project again.
   */
  async reconnect(): Promise<void> {
    if (!this.api.reconnect) return;
    this.api.reconnect();
    try {
      const [info, snapshot] = await Promise.all([this.api.getInfo({}), this.api.getProject({})]);
      runInAction(() => {
        this.info = info;
        this.connectionError = null;
      });
      if (snapshot) this.adoptSnapshot(snapshot, snapshot.path !== this.project?.path);
      else runInAction(() => (this.project = null));
      this.toast('success', 'Reconnected to the engine');
    } catch (error) {
      runInAction(() => (this.connectionError = messageOf(error)));
    }
  }

  cancelSampleSizeDialog(): void {
    this.askingSampleSize = false;
  }

  /** Run: this node alone, from its upstream's cached outputs. */
  runNode(id: string): Promise<RunResult | undefined> {
    return this.startRun({ mode: 'node', node: id });
  }

  /** Step forward: this node and everything downstream. */
  stepForward(id: string): Promise<RunResult | undefined> {
    return this.startRun({ mode: 'step-forward', node: id });
  }

  /** Cancels the run in progress. */
  async cancel(): Promise<void> {
    if (!this.running) return;
    await this.api.cancel({ runId: this.run?.runId });
  }

  private async startRun(request: {
    mode: RunMode;
    node?: string;
    sample?: SampleSize;
  }): Promise<RunResult | undefined> {
    if (this.running) {
      this.toast('info', this.runBlockedReason ?? 'A run is already in progress');
      return undefined;
    }
    runInAction(() => (this.starting = true));
    // Edits still on their way must reach the engine before it plans the run.
    await this.editChain;
    try {
      const result = await this.api.run(request);
      if (result.status === 'done') this.toast('success', `${runModeLabel(request.mode)} finished`);
      else if (result.errors[0]) this.toast('error', result.errors[0].message);
      // The errors are in the log already, from the run's `error` events.
      for (const network of this.networkNodes)
        if (result.ran.includes(network.id)) void this.loadMetrics(network.id);
      return result;
    } catch (error) {
      this.toast('error', messageOf(error));
      this.logs.add('error', `Run refused: ${messageOf(error)}`);
      return undefined;
    } finally {
      runInAction(() => {
        this.starting = false;
        this.run = null;
      });
    }
  }
}

/** Default params of a node type from its JSON Schema `default`s. */
export function defaultParams(type: NodeTypeDescriptor): Record<string, unknown> {
  const properties = (type.params.properties ?? {}) as Record<string, { default?: unknown }>;
  const params: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties))
    if (schema.default !== undefined) params[name] = schema.default;
  return params;
}

/** What the menus call each run mode. */
export function runModeLabel(mode: RunMode | 'tuning' | 'repeat'): string {
  return {
    all: 'RUN (All modules)',
    sample: 'Sample RUN',
    node: 'Run module',
    'step-forward': 'Step forward',
    tuning: 'Auto tuning',
    repeat: 'Repeat with seeds',
  }[mode];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
