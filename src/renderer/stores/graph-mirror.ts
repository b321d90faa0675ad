/**
 * The local copy of the project graph. Edits are optimistic and ordered: they
 * apply here at once (the canvas answers without a round trip), then go to the
 * engine one after another. The engine's graph is the truth, taken whenever no
 * edit of this window is on its way (docs/ui.md, "The renderer is a view of the engine").
 */
import { action, makeObservable, observableRef, runInAction } from 'mobx';
import {
  applyGraphChange,
  applyGraphEdits,
  GraphEditRefused,
  type EngineApi,
  type Graph,
  type GraphChange,
  type GraphDelta,
  type GraphEdit,
} from '../../engine/api';

const EMPTY_GRAPH: Graph = { nodes: [], edges: [] };

/** What becomes of an edit batch sent to the engine. */
export interface EditOutcome {
  /** A batch left for the engine (the saved indicator shows a write on its way). */
  sent(): void;
  /** The engine took the batch: what changed, the states it can change, the graph's problems. */
  taken(delta: GraphDelta): void;
  /** The engine refused it (or could not be reached): `error` says why. */
  refused(error: unknown): Promise<void> | void;
}

/** The graph as this window shows it, and the edits on their way. */
export class GraphMirror {
  graph: Graph = EMPTY_GRAPH;
  /** Edits sent but not yet answered: while >0 the engine's graph would undo newer local edits. */
  private inFlight = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly api: Pick<EngineApi, 'editGraph'>,
    private readonly outcome: EditOutcome,
  ) {
    makeObservable(this, { graph: observableRef, applyLocal: action, adopt: action, adoptChange: action });
  }

  /** True while edits of this window are on their way. */
  get editing(): boolean {
    return this.inFlight > 0;
  }

  /** Resolves once every edit sent so far is answered (runs and checks must see them). */
  settled(): Promise<unknown> {
    return this.chain;
  }

  /** Whether the graph takes the batch (the engine's rule). */
  takes(edits: GraphEdit[]): boolean {
    try {
      applyGraphEdits(this.graph, edits);
      return true;
    } catch (error) {
      if (error instanceof GraphEditRefused) return false;
      throw error;
    }
  }

  /** Applies edits to the local graph only, by the engine's rule; a batch it would refuse leaves it as it is. */
  applyLocal(edits: GraphEdit[]): void {
    if (this.takes(edits)) this.graph = applyGraphEdits(this.graph, edits);
  }

  /** Applies the edits here, then sends them after those before them. */
  send(edits: GraphEdit[]): Promise<void> {
    this.applyLocal(edits);
    this.inFlight++;
    this.outcome.sent();
    const job = this.chain.then(async () => {
      try {
        const delta = await this.api.editGraph({ edits });
        runInAction(() => this.inFlight--);
        this.outcome.taken(delta);
      } catch (error) {
        runInAction(() => this.inFlight--);
        await this.outcome.refused(error);
      }
    });
    this.chain = job;
    return job;
  }

  /** Takes the engine's whole graph (a snapshot); unless `force`, only when no edit is on its way. */
  adopt(graph: Graph, force = false): void {
    if (force || this.inFlight === 0) this.graph = graph;
  }

  /**
   * Takes a change the engine made (an edit's answer, another front end's edit); while
   * edits are on their way the local graph already holds this window's and stays ahead.
   * Returns whether it was applied.
   */
  adoptChange(change: GraphChange): boolean {
    if (this.inFlight > 0) return false;
    this.graph = applyGraphChange(this.graph, change);
    return true;
  }
}
