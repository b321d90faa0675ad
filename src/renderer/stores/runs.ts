/**
 * Runs: RUN, Sample RUN and its remembered size, Run module, Step forward and
 * Cancel; the run going on (from `run-started` to `run-finished`, whichever
 * front end started it) and its overall progress.
 */
import { action, computed, makeObservable, observable, observableRef, runInAction } from 'mobx';
import type {
  EngineApi,
  EngineEvent,
  GraphNode,
  NodeStatus,
  RunMode,
  RunResult,
  SampleSize,
} from '../../engine/api';
import { errorMessage } from './format';
import type { LogsStore } from './logs-store';
import type { ProjectsStore } from './projects';
import type { Toast } from './toasts';
import type { TuningStore } from './tuning';

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

/** What runs read and tell beyond their own state. */
export interface RunsContext {
  api: Pick<EngineApi, 'run' | 'cancel' | 'setProjectSettings'>;
  status: ReadonlyMap<string, NodeStatus>;
  tuningOf: (node: string) => TuningStore;
  hasProject: () => boolean;
  networkNodes: () => GraphNode[];
  /** Resolves once edits on their way reached the engine (it plans the run from them). */
  editsSettled: () => Promise<unknown>;
  loadMetrics: (node: string) => Promise<void>;
  projects: ProjectsStore;
  logs: LogsStore;
  toast: (kind: Toast['kind'], message: string) => void;
}

/** The run going on and the commands that start or stop one. */
export class RunsStore {
  run: ActiveRun | null = null;
  /** Set while a run request is being sent, before `run-started` arrives. */
  starting = false;
  /**
   * Bumped when a run finishes: the engine records node results at the end of
   * a run, so lists fetched during it (Files, View) are fetched again then.
   */
  runSerial = 0;
  sampleSize: SampleSize | null = null;
  /** True while the Sample RUN size dialog is open. */
  askingSampleSize = false;
  /** The last project-settings write, awaited by Save. */
  private settingsWrite: Promise<unknown> = Promise.resolve();

  constructor(private readonly context: RunsContext) {
    makeObservable(this, {
      run: observableRef,
      starting: observable,
      runSerial: observable,
      sampleSize: observableRef,
      askingSampleSize: observable,
      running: computed,
      runProgress: computed,
      started: action,
      repeatEpoch: action,
      repeatTrained: action,
      finished: action,
      projectOpened: action,
      setSampleSize: action,
      cancelSampleSizeDialog: action,
    });
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
    if (this.run.mode === 'tuning') return this.context.tuningOf(this.run.nodes[0] ?? '').progress;
    // A repeat trains apart from the node, whose own state says nothing of it.
    if (this.run.repeat) return this.run.repeat.trained / this.run.repeat.seeds;
    const nodes = this.run.nodes;
    if (nodes.length === 0) return 0;
    let sum = 0;
    for (const id of nodes) {
      const s = this.context.status.get(id);
      if (!s) continue;
      if (s.state === 'done' || s.state === 'failed') sum += 1;
      else if (s.state === 'running' && s.total) sum += Math.min(1, (s.done ?? 0) / s.total);
    }
    return sum / nodes.length;
  }

  // ---------------------------------------------------------------- the engine's events

  /** `run-started`: this run is the one going on. */
  started(event: Extract<EngineEvent, { type: 'run-started' }>): void {
    this.run = {
      runId: event.runId,
      mode: event.mode,
      nodes: event.nodes,
      startedAt: Date.now(),
      ...(event.mode === 'repeat' ? { repeat: { seeds: event.seeds ?? 1, trained: 0 } } : {}),
    };
    this.starting = false;
  }

  /** A repeat's training reached an epoch. */
  repeatEpoch(epoch: number): void {
    if (this.run?.repeat) this.run = { ...this.run, repeat: { ...this.run.repeat, epoch } };
  }

  /** A repeat's training finished (its evaluation arrived). */
  repeatTrained(): void {
    if (this.run?.repeat)
      this.run = {
        ...this.run,
        repeat: { seeds: this.run.repeat.seeds, trained: this.run.repeat.trained + 1 },
      };
  }

  /** `run-finished`: nothing runs any more; lists fetched during the run are fetched again. */
  finished(): void {
    this.run = null;
    this.runSerial++;
    this.starting = false;
  }

  /** A project was opened: its remembered Sample RUN size. */
  projectOpened(sampleSize: SampleSize | null | undefined): void {
    this.sampleSize = sampleSize ?? null;
  }

  // ---------------------------------------------------------------- commands

  /** RUN (All modules). */
  runAll(): Promise<RunResult | undefined> {
    return this.startRun({ mode: 'all' });
  }

  /** Sample RUN: asks the size the first time, then reuses it. */
  sampleRun(): Promise<RunResult | undefined> {
    if (!this.sampleSize) {
      runInAction(() => (this.askingSampleSize = true));
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
    if (this.context.hasProject()) {
      const { projects } = this.context;
      projects.writeStarted();
      this.settingsWrite = this.context.api.setProjectSettings({ sampleSize: size }).then(
        () => projects.writeEnded(true),
        (error: unknown) => {
          projects.writeEnded(false);
          this.context.toast('error', `The sample size was not saved: ${errorMessage(error)}`);
        },
      );
    }
    return thenRun ? this.sampleRun() : Promise.resolve(undefined);
  }

  cancelSampleSizeDialog(): void {
    this.askingSampleSize = false;
  }

  /** Resolves once the last project-settings write is answered (Save waits for it). */
  settingsWritten(): Promise<unknown> {
    return this.settingsWrite;
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
    await this.context.api.cancel({ runId: this.run?.runId });
  }

  private async startRun(request: {
    mode: RunMode;
    node?: string;
    sample?: SampleSize;
  }): Promise<RunResult | undefined> {
    const { api, toast, logs } = this.context;
    if (this.running) {
      toast('info', this.runBlockedReason ?? 'A run is already in progress');
      return undefined;
    }
    runInAction(() => (this.starting = true));
    // Edits still on their way must reach the engine before it plans the run.
    await this.context.editsSettled();
    try {
      const result = await api.run(request);
      if (result.status === 'done') toast('success', `${runModeLabel(request.mode)} finished`);
      else if (result.errors[0]) toast('error', result.errors[0].message);
      // The errors are in the log already, from the run's `error` events.
      for (const network of this.context.networkNodes())
        if (result.ran.includes(network.id)) void this.context.loadMetrics(network.id);
      return result;
    } catch (error) {
      toast('error', errorMessage(error));
      logs.add('error', `Run refused: ${errorMessage(error)}`);
      return undefined;
    } finally {
      runInAction(() => {
        this.starting = false;
        this.run = null;
      });
    }
  }
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
