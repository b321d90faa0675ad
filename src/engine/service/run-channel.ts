/**
 * The engine's runs channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import { registryForRun } from './cluster';
import { KEY_SEPARATOR, type ProjectSession } from './session';
import type { EngineEvent, EngineParams, Graph, RunRequest, RunResult } from '../api';
import { EngineRequests } from '../api';
import { inputsOf } from '../graph/plan';
import { isNoSpace, onProjectDisk } from '../run/disk-full';
import { messageOf } from '../errors';
import { executeRun, networkDir, selectionOf } from '../run/executor';
import type { ProjectStore } from '../store/project-store';
import { recordTestEvaluation, stampOf } from './evaluations';
import { measuredOnGrid, measureInSource, sessionMeasureContext } from './source-evaluation';
import { itemAttributes, studySettings } from './test-study';
import { APP_VERSION } from './version';

/** RUN in its modes: one run at a time, its events mirrored into node states and the store, and cancel. */
export class RunChannel {
  constructor(private readonly session: ProjectSession) {}

  /** Test evaluations being completed (measured in the source geometry, their study computed); the run ends after them. */
  private sourceMeasures: Promise<void>[] = [];
  /** Per network node, its test evaluation being completed: its `node-state` waits for it. */
  private readonly completing = new Map<string, Promise<void>>();

  private complete(node: string, work: Promise<void>): void {
    this.completing.set(node, work);
    this.sourceMeasures.push(work);
  }

  async run(params: EngineParams<'run'>): Promise<RunResult> {
    const request: RunRequest = EngineRequests.run.parse(params);
    const store = this.session.requireStore();
    this.session.requireNoRun();
    if (request.mode === 'sample' && !request.sample) throw new Error('Sample RUN needs a sample size');
    const graph = this.session.graph();
    this.session.datasets.clear(); // re-index datasets: files may have changed on disk
    const controller = new AbortController();
    const nodeVersions = Object.fromEntries(graph.nodes.map((n) => [n.id, n.version]));
    const runId = store.startRun({
      mode: request.mode,
      seed: this.session.seed,
      appVersion: APP_VERSION,
      nodeVersions,
    });
    const selection = this.inputsSelection(graph, request);
    this.session.current = {
      runId,
      controller,
      selection: selection ?? selectionOf(request, this.session.seed),
    };
    const started = Date.now();
    const ran: string[] = [];
    const cached: string[] = [];
    try {
      const outcome = await executeRun({
        graph,
        registry: registryForRun(this.session),
        cache: this.session.cache,
        request,
        runId,
        seed: this.session.seed,
        signal: controller.signal,
        concurrency: this.session.options.concurrency,
        emit: (event) => this.onRunEvent(runId, event),
        ...(selection ? { selection } : {}),
        openDataset: (node) => this.session.openDataset(node),
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
        savedSpec: this.session.savedSpec,
      });
      await Promise.all(this.sourceMeasures.splice(0));
      for (const [id, node] of outcome.nodes) {
        if (node.key && node.state !== 'idle') (node.fromCache ? cached : ran).push(id);
      }
      finishRunRecord(store, runId, outcome.status);
      this.session.emit({
        type: 'run-finished',
        runId,
        status: outcome.status,
        seconds: (Date.now() - started) / 1000,
      });
      const errors = outcome.errors.map((e) => ({ ...e, message: this.session.explainMissing(e.message) }));
      return { runId, status: outcome.status, ran, cached, errors };
    } catch (thrown) {
      const message = messageOf(onProjectDisk(thrown, store.dir));
      finishRunRecord(store, runId, 'failed');
      this.session.emit({ type: 'error', message });
      this.session.emit({
        type: 'run-finished',
        runId,
        status: 'failed',
        seconds: (Date.now() - started) / 1000,
      });
      return { runId, status: 'failed', ran, cached, errors: [{ message }] };
    } finally {
      this.session.current = undefined;
      this.session.live.clear();
      this.completing.clear();
    }
  }

  /** Mirrors run events into live node status and the store, then forwards them. */
  private onRunEvent(runId: string, event: EngineEvent): void {
    if ((event.type === 'node-state' || event.type === 'error') && event.message)
      event = { ...event, message: this.session.explainMissing(event.message) };
    const pending = event.type === 'node-state' ? this.completing.get(event.node) : undefined;
    if (pending && event.type === 'node-state') {
      // A network is done once its test evaluation is stored, not before.
      this.completing.delete(event.node);
      this.sourceMeasures.push(pending.then(() => this.onRunEvent(runId, event)));
      return;
    }
    if (event.type === 'node-state') {
      const previous = this.session.live.get(event.node) ?? { state: event.state };
      this.session.live.set(event.node, { ...previous, state: event.state, message: event.message });
    } else if (event.type === 'progress') {
      const previous = this.session.live.get(event.node) ?? { state: 'running' };
      this.session.live.set(event.node, { ...previous, done: event.done, total: event.total });
    } else if (event.type === 'epoch') {
      this.session.store?.recordEpoch(runId, event.node, event.epoch, event.split, event.metrics);
    } else if (
      event.type === 'evaluation' &&
      measuredOnGrid(event) &&
      this.session.store &&
      this.session.current
    ) {
      this.complete(event.node, this.measureTestInSource(runId, event));
      return;
    } else if (event.type === 'evaluation') {
      // The test split is evaluated once; its row carries the (square) confusion matrix, row-major.
      this.session.store?.recordTest(
        runId,
        event.node,
        {
          ...event.metrics,
          confusion: event.confusion.flat(),
          items: event.items,
          ...(event.geometry ? { sourceGeometry: event.geometry === 'source' ? 1 : 0 } : {}),
        },
        event.volumes ?? [],
      );
      if (this.session.store && event.scores && !event.trial) {
        this.complete(event.node, this.recordStudy(runId, event));
        return;
      }
    }
    this.session.emit(event);
  }

  /**
   * Stores a classifier's test study with the node's operating rule and its items' subgroup
   * attributes (read from the cache), then sends the event, so the study is there when it arrives.
   */
  private async recordStudy(
    runId: string,
    event: Extract<EngineEvent, { type: 'evaluation' }>,
  ): Promise<void> {
    const store = this.session.requireStore();
    const warn = (message: string): void =>
      this.session.emit({ type: 'log', level: 'warn', node: event.node, message });
    try {
      const settings = studySettings(this.session.graph(), this.session.registry, event.node, store.dir);
      const input = this.session.inputManifest(event.node);
      const metaOf = async (id: string) =>
        input ? (await this.session.cache.read(input.nodeKey, id)).meta : {};
      const ids = event.scores?.test.ids ?? [];
      const attributes = await itemAttributes(ids, metaOf, settings.subgroupFile).catch(
        async (error: Error) => {
          warn(`Subgroups: ${error.message}; the study reports the DICOM attributes only`);
          return itemAttributes(ids, metaOf);
        },
      );
      const selection = this.session.current?.selection ?? 'all';
      recordTestEvaluation(
        store,
        runId,
        event,
        this.session.seed,
        { rule: settings.rule, attributes },
        stampOf(networkDir(store.artifactsFor(event.node), selection), selection),
      );
    } catch (error) {
      warn(`The test study was not stored: ${(error as Error).message}`);
    }
    this.session.emit(event);
  }

  /** Records and sends a test evaluation once its figures are measured in the source geometry. */
  private async measureTestInSource(
    runId: string,
    event: Extract<EngineEvent, { type: 'evaluation' }>,
  ): Promise<void> {
    const store = this.session.requireStore();
    const current = this.session.current as NonNullable<typeof this.session.current>;
    const selection = current.selection ?? 'all';
    const measured = await measureInSource(
      sessionMeasureContext(
        this.session,
        (node) => networkDir(store.artifactsFor(node), selection),
        current.controller.signal,
      ),
      event,
    ).catch(() => undefined);
    if (measured) this.onRunEvent(runId, measured);
  }

  async cancel(params: EngineParams<'cancel'>): Promise<{ cancelled: boolean }> {
    const { runId } = EngineRequests.cancel.parse(params);
    if (!this.session.current || (runId && runId !== this.session.current.runId)) return { cancelled: false };
    this.session.current.controller.abort();
    return { cancelled: true };
  }

  /**
   * A Run of one module or a Step forward works on what its inputs hold: after
   * a Sample RUN, on that sample (said in the log). Undefined when that is all items.
   */
  private inputsSelection(graph: Graph, request: RunRequest): string | undefined {
    if ((request.mode !== 'node' && request.mode !== 'step-forward') || !request.node) return undefined;
    const results = this.session.requireStore().nodeResults();
    for (const { source } of inputsOf(graph).get(request.node) ?? []) {
      const [, selection] = results[source]?.cacheKey.split(KEY_SEPARATOR) ?? [];
      if (selection && selection !== 'all') {
        const items = this.session.manifestOf(source)?.items.length;
        this.session.emit({
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
}

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
