/**
 * The renderer's root store: it mirrors the engine (node types, the project
 * graph, node states, metrics, logs) from requests and events, and turns user
 * actions into engine requests. Components only read it and call its actions
 * (the renderer is a view). Each concern lives in its own store, composed
 * here; this file keeps the connection's life cycle, the project's adoption
 * and the surface components use (docs/ui.md, "Layout of the code").
 */
import {
  action,
  compareStructural,
  computed,
  makeObservable,
  observable,
  observableRef,
  reaction,
  runInAction,
} from 'mobx';
import type {
  EngineEvent,
  EngineInfo,
  Graph,
  GraphDelta,
  GraphEdit,
  GraphNode,
  NodeTypeDescriptor,
  ProjectSnapshot,
  RunResult,
  SampleSize,
} from '../../engine/api';
import type { ConnectionState, PhiApi } from '../../engine/api/wire/client';
import { CustomModulesStore } from './custom-modules';
import { applyEngineEvent, type EventTargets } from './engine-events';
import { EvaluationsStore } from './evaluations';
import { errorMessage } from './format';
import { GraphCommands } from './graph-commands';
import { GraphIssuesStore } from './graph-issues';
import { GraphMirror } from './graph-mirror';
import { LogsStore } from './logs-store';
import { MetricsStore } from './metrics-store';
import { NetworkBuilderStore } from './network-builder';
import { NodeStatesStore } from './node-states';
import { PacsStore } from './pacs';
import { PanelsStore, type BottomTab, type RightTab } from './panels';
import { clockTime, ProjectsStore } from './projects';
import { RunsStore } from './runs';
import { SelectionStore } from './selection';
import { ToastsStore, type Toast } from './toasts';
import { TuningStore } from './tuning';

/** The root store. */
export class Workbench {
  info: EngineInfo | null = null;
  project: { path: string; name: string } | null = null;
  connection: ConnectionState = 'connecting';
  connectionError: string | null = null;
  backend: string | null = null;
  /** True once getInfo/getProject answered (or failed). */
  loaded = false;

  /** The project graph as this window shows it, and the edits on their way. */
  readonly mirror: GraphMirror;
  /** Graph editing commands and their undo history. */
  readonly editor: GraphCommands;
  /** The engine's validation of the graph. */
  readonly graphIssues = new GraphIssuesStore();
  /** Node states and the Files tab's refetch counters. */
  readonly nodeStates = new NodeStatesStore();
  /** Selected nodes and connections. */
  readonly selected: SelectionStore;
  /** The tabs the panels show. */
  readonly panels: PanelsStore;
  /** The run going on and the run commands. */
  readonly runs: RunsStore;
  /** Messages over the canvas. */
  readonly toaster = new ToastsStore();
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
  private readonly eventTargets: EventTargets;
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
    this.mirror = new GraphMirror(api, {
      sent: () => this.projects.writeStarted(),
      taken: (delta) => {
        this.projects.writeEnded(true);
        this.adoptDelta(delta);
      },
      refused: (error) => this.editRefused(error),
    });
    this.selected = new SelectionStore(() => this.mirror.graph);
    this.panels = new PanelsStore(this.selected, this.logs);
    this.editor = new GraphCommands({
      api,
      mirror: this.mirror,
      selection: this.selected,
      nodeTypes: () => this.nodeTypes,
      adoptDelta: (delta) => this.adoptDelta(delta),
      toast: (kind, message) => this.toast(kind, message),
    });
    this.runs = new RunsStore({
      api,
      status: this.nodeStates.status,
      tuningOf: (node) => this.tuningOf(node),
      hasProject: () => this.project !== null,
      networkNodes: () => this.networkNodes,
      editsSettled: () => this.mirror.settled(),
      loadMetrics: (node) => this.loadMetrics(node),
      projects: this.projects,
      logs: this.logs,
      toast: (kind, message) => this.toast(kind, message),
    });
    this.eventTargets = {
      runs: this.runs,
      states: this.nodeStates,
      mirror: this.mirror,
      metrics: this.metrics,
      evaluations: this.evaluations,
      logs: this.logs,
      pacs: this.pacs,
      tuningOf: (node) => this.tuningOf(node),
      toast: (kind, message) => this.toast(kind, message),
      setBackend: (name) => (this.backend = name),
    };
    makeObservable<Workbench, 'adoptDelta'>(this, {
      info: observableRef,
      project: observableRef,
      connection: observable,
      connectionError: observable,
      backend: observable,
      loaded: observable,
      nodeTypes: computed,
      networkNodes: computed,
      handleEvent: action,
      adoptSnapshot: action,
      adoptDelta: action,
    });
  }

  // ---------------------------------------------------------------- life cycle

  /** Subscribes to events and loads node types and the open project. */
  async start(): Promise<void> {
    this.disposers.push(this.api.onDidEmit((event) => this.handleEvent(event)));
    // Every node's states, but the per-item file states only of the node a tab shows (and its inputs).
    this.disposers.push(
      reaction(
        () => this.selected.nodesShown,
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
      this.logs.add('error', `Could not reach the engine: ${errorMessage(error)}`);
      runInAction(() => (this.connectionError = errorMessage(error)));
    } finally {
      runInAction(() => (this.loaded = true));
    }
  }

  /** Fetches the engine's recent projects (File > Open recent, the start screen). */
  private async loadRecent(): Promise<void> {
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

  /** Unsubscribes everything (tests and window unload). */
  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
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
      runInAction(() => (this.connectionError = errorMessage(error)));
    }
  }

  /** Mirrors one engine event into the stores. */
  handleEvent(event: EngineEvent): void {
    applyEngineEvent(event, this.eventTargets);
  }

  // ---------------------------------------------------------------- the project

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
      this.editor.history.clear();
      this.selected.setNodes([]);
      this.runs.projectOpened(snapshot.settings?.sampleSize);
      this.projects.opened(snapshot.path);
      void this.loadRecent();
      this.nodeStates.clear();
      this.tuningStores.clear();
      void this.customModules.load();
      for (const network of snapshot.graph.nodes.filter((n) => n.kind === 'network'))
        void this.loadMetrics(network.id);
    }
    this.mirror.adopt(snapshot.graph, fresh);
    this.graphIssues.adopt(snapshot.issues);
    this.nodeStates.adopt(snapshot.status, this.running);
    this.nodeStates.keepOnly(snapshot.graph.nodes.map((n) => n.id));
    this.selected.keepExisting();
  }

  /** Takes the engine's answer to an edit: what changed, the states it can change, the graph's problems. */
  private adoptDelta(delta: GraphDelta): void {
    this.mirror.adoptChange(delta);
    this.graphIssues.adopt(delta.issues);
    this.nodeStates.adopt(delta.status, this.running);
    this.nodeStates.forget(delta.removedNodes);
    for (const id of delta.removedNodes) this.selected.nodes.delete(id);
  }

  /** A refused edit: the reason is shown and the engine's project replaces the local one. */
  private async editRefused(error: unknown): Promise<void> {
    this.projects.writeEnded(false);
    this.toast('error', errorMessage(error));
    this.logs.add('error', `Edit refused: ${errorMessage(error)}`);
    const snapshot = await this.api.getProject({}).catch(() => null);
    if (snapshot && !this.mirror.editing) this.adoptSnapshot(snapshot);
  }

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

  /**
   * Reads node states again when the window comes back into use: files of a
   * dataset changed meanwhile (in a file manager, by a script) show as out of
   * date before anyone presses RUN. Nothing is asked while a run or an edit is
   * on its way: their own answers carry the states.
   */
  async recheck(): Promise<void> {
    if (!this.project || this.running || this.mirror.editing) return;
    const snapshot = await this.api.getProject({}).catch(() => null);
    if (snapshot && snapshot.path === this.project?.path && !this.mirror.editing)
      this.adoptSnapshot(snapshot);
  }

  /**
   * Save (Ctrl+S): the engine writes every edit at once, so this waits for the
   * writes on their way, checks the engine still holds the project and says so.
   */
  async save(): Promise<boolean> {
    if (!this.project) return false;
    await this.mirror.settled();
    await this.runs.settingsWritten();
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
      this.toast('error', `Not saved: ${errorMessage(error)}`);
      return false;
    }
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

  /** Network nodes of the project, for the Output tab. */
  get networkNodes(): GraphNode[] {
    return this.graph.nodes.filter((n) => n.kind === 'network');
  }

  // ------------------------------------------- the surface components use, kept by the stores above

  get graph() {
    return this.mirror.graph;
  }
  get issues() {
    return this.graphIssues.issues;
  }
  issueOf(id: string): string | undefined {
    return this.graphIssues.errorOf(id);
  }
  warningsOf(id: string): string[] {
    return this.graphIssues.warningsOf(id);
  }
  get status() {
    return this.nodeStates.status;
  }
  get filesVersion() {
    return this.nodeStates.filesVersion;
  }

  get selection() {
    return this.selected.nodes;
  }
  get edgeSelection() {
    return this.selected.edges;
  }
  get selectedNode() {
    return this.selected.selectedNode;
  }
  get soleSelectedNode() {
    return this.selected.soleSelectedNode;
  }
  select(id: string, additive = false): void {
    this.selected.select(id, additive);
  }
  setSelection(ids: Iterable<string>): void {
    this.selected.setNodes(ids);
  }
  setEdgeSelection(ids: Iterable<string>): void {
    this.selected.setEdges(ids);
  }

  get rightTab(): RightTab {
    return this.panels.rightTab;
  }
  get bottomTab(): BottomTab {
    return this.panels.bottomTab;
  }
  get viewItem() {
    return this.panels.viewItem;
  }
  setRightTab(tab: RightTab): void {
    this.panels.setRightTab(tab);
  }
  setBottomTab(tab: BottomTab): void {
    this.panels.setBottomTab(tab);
  }
  openInView(node: string, sampleId: string): void {
    this.panels.openInView(node, sampleId);
  }

  get toasts(): Toast[] {
    return this.toaster.toasts;
  }
  toast(kind: Toast['kind'], message: string): void {
    this.toaster.show(kind, message);
  }
  dismissToast(id: number): void {
    this.toaster.dismiss(id);
  }

  edit(edits: GraphEdit[], label: string, undoable = true): Promise<void> {
    return this.editor.edit(edits, label, undoable);
  }
  applyLocal(edits: GraphEdit[]): void {
    this.mirror.applyLocal(edits);
  }
  undo(): Promise<void> {
    return this.editor.undo();
  }
  redo(): Promise<void> {
    return this.editor.redo();
  }
  get canUndo(): boolean {
    return this.editor.history.canUndo;
  }
  get canRedo(): boolean {
    return this.editor.history.canRedo;
  }
  get undoLabel(): string | undefined {
    return this.editor.history.undoLabel;
  }
  get redoLabel(): string | undefined {
    return this.editor.history.redoLabel;
  }
  addNode(typeId: string, position: { x: number; y: number }): Promise<string | undefined> {
    return this.editor.addNode(typeId, position);
  }
  connect(source: string, target: string, targetPort = 'in'): Promise<{ ok: boolean; reason?: string }> {
    return this.editor.connect(source, target, targetPort);
  }
  deleteSelection(): Promise<void> {
    return this.editor.deleteSelection();
  }
  moveNodes(moves: { id: string; position: { x: number; y: number } }[], from: Graph): Promise<void> {
    return this.editor.moveNodes(moves, from);
  }
  setParams(id: string, params: Record<string, unknown>): Promise<void> {
    return this.editor.setParams(id, params);
  }
  applyTrial(node: string, trialId: string): Promise<void> {
    return this.editor.applyTrial(node, trialId);
  }
  copy(): void {
    this.editor.copy();
  }
  get canPaste(): boolean {
    return this.editor.canPaste;
  }
  paste(): Promise<string[]> {
    return this.editor.paste();
  }

  get run() {
    return this.runs.run;
  }
  get running(): boolean {
    return this.runs.running;
  }
  get runBlockedReason(): string | null {
    return this.runs.runBlockedReason;
  }
  get runProgress(): number | null {
    return this.runs.runProgress;
  }
  get runSerial(): number {
    return this.runs.runSerial;
  }
  get sampleSize(): SampleSize | null {
    return this.runs.sampleSize;
  }
  get askingSampleSize(): boolean {
    return this.runs.askingSampleSize;
  }
  runAll(): Promise<RunResult | undefined> {
    return this.runs.runAll();
  }
  sampleRun(): Promise<RunResult | undefined> {
    return this.runs.sampleRun();
  }
  changeSampleSize(): void {
    this.runs.changeSampleSize();
  }
  setSampleSize(size: SampleSize, thenRun = true): Promise<RunResult | undefined> {
    return this.runs.setSampleSize(size, thenRun);
  }
  cancelSampleSizeDialog(): void {
    this.runs.cancelSampleSizeDialog();
  }
  runNode(id: string): Promise<RunResult | undefined> {
    return this.runs.runNode(id);
  }
  stepForward(id: string): Promise<RunResult | undefined> {
    return this.runs.stepForward(id);
  }
  cancel(): Promise<void> {
    return this.runs.cancel();
  }
}
