/**
 * Evaluation runs of network nodes for the Output tab (docs/ui.md, "Output tab"): the
 * study report of the test split and external evaluations from `getEvaluation`, loaded
 * with the node's curves and again when a training's evaluation arrives, and where the
 * last "Export report…" wrote its file.
 */
import { action, makeObservable, observable, runInAction } from 'mobx';
import type { EngineApi, EvaluationHistory } from '../../engine/api';

/** See the module comment. */
export class EvaluationsStore {
  /** Per node: its evaluations, as of the run shown. */
  readonly history = observable.map<string, EvaluationHistory>({}, { deep: false });
  /** Per node: where its report was written last, or why it could not be. */
  readonly exported = observable.map<string, { path?: string; error?: string }>({}, { deep: false });
  /** Nodes whose report is being written. */
  readonly exporting = observable.set<string>();

  constructor(private readonly api: Pick<EngineApi, 'getEvaluation' | 'exportReport'>) {
    makeObservable(this, { forget: action });
  }

  /** Loads the evaluations of `node` (of the training `run`, or of the model it holds). */
  async load(node: string, run?: string): Promise<void> {
    try {
      const history = await this.api.getEvaluation({ node, ...(run ? { run } : {}) });
      runInAction(() => this.history.set(node, history));
    } catch {
      // An older engine or a node that is gone: the Output tab shows no study.
      this.forget(node);
    }
  }

  /** Forgets what was loaded for `node`. */
  forget(node: string): void {
    this.history.delete(node);
  }

  /** Writes the node's report beside the project (the engine picks the file) and remembers where. */
  async exportReport(node: string): Promise<void> {
    runInAction(() => this.exporting.add(node));
    try {
      const { path } = await this.api.exportReport({ node });
      runInAction(() => this.exported.set(node, { path }));
    } catch (error) {
      runInAction(() => this.exported.set(node, { error: (error as Error).message }));
    } finally {
      runInAction(() => this.exporting.delete(node));
    }
  }
}
