/**
 * The engine's tuning channel over the open project (session.ts); engine.ts
 * routes its requests here (docs/architecture.md, "The engine's channels").
 */
import type { ProjectChannel } from './project-channel';
import type { ProjectSession } from './session';
import { join } from 'node:path';
import type { EngineEvent, EngineParams, EngineResults } from '../api';
import { EngineRequests } from '../api';
import { fitTuningRequest } from '../graph/task-options';
import { writeFileAtomically } from '../run/disk-full';
import { collectionFrom } from '../run/executor';
import { runTuning, trainTrial, trialParams, tuningState } from '../tuning';
import { acrossSeeds } from '../nn/repeat/summary';
import { tuningExecutorFor } from './cluster';
import { measureInSource, sessionMeasureContext } from './source-evaluation';

/** Hyper-parameter search, repeatability across seeds, and applying a trial. */
export class TuningChannel {
  constructor(
    private readonly session: ProjectSession,
    private readonly project: ProjectChannel,
  ) {}

  async startTuning(params: EngineParams<'startTuning'>): Promise<EngineResults['startTuning']> {
    const request = EngineRequests.startTuning.parse(params);
    const store = this.session.requireStore();
    this.session.requireNoRun();
    const { node, type } = this.session.networkNode(request.node);
    // Metric and searched values must fit the node's task (unet is no choice for classes).
    const fitted = type.taskOptions
      ? fitTuningRequest(type.taskOptions, request, type.params.safeParse(node.params).data?.task)
      : request;
    const input = this.session.inputManifest(node.id);
    if (!input) {
      throw new Error(
        `Auto tuning trains on the input of "${node.id}": run the pipeline before it first (RUN or Sample RUN)`,
      );
    }
    const controller = new AbortController();
    // One run at a time, seen as one: a search is a run for the status bar, RUN and Cancel.
    this.session.current = { runId: `tuning-${node.id}`, controller, tuningNode: node.id };
    const started = Date.now();
    let runId: string | undefined;
    const finish = (status: 'done' | 'failed' | 'cancelled'): void => {
      if (runId)
        this.session.emit({ type: 'run-finished', runId, status, seconds: (Date.now() - started) / 1000 });
    };
    const trialDir = (trialId: string): string => join(store.artifactsFor(node.id), 'trials', trialId);
    try {
      const executor = tuningExecutorFor(this.session)?.({
        store,
        node,
        networkType: type,
        input,
        cacheRoot: this.session.cache.root,
        savedSpec: this.session.savedSpec,
        seed: this.session.seed,
        trialDir,
      });
      const state = await runTuning(fitted, {
        ...(executor ? { executor } : {}),
        store,
        node,
        // Trials of a custom network read its saved spec like a run does.
        networkType: {
          ...type,
          run: (data, p, ctx) => type.run(data, p, { ...ctx, savedSpec: this.session.savedSpec }),
        },
        collection: collectionFrom(input, this.session.cache),
        trialDir,
        // Trial events (tagged with their trial) go to front ends for the Auto Tuning tab; they are
        // never stored as the node's curves or test table.
        emit: (event) => this.session.emit(event),
        signal: controller.signal,
        seed: this.session.seed,
        onStart: (id) => {
          runId = id;
          if (this.session.current) this.session.current.runId = id;
          this.session.emit({
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
      this.session.current = undefined;
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
    const store = this.session.requireStore();
    this.session.requireNoRun();
    const { node, type } = this.session.networkNode(request.node);
    const parsed = type.params.safeParse(node.params);
    if (!parsed.success) throw new Error(`Node "${node.id}" has invalid params: fix them first`);
    const input = this.session.inputManifest(node.id);
    if (!input)
      throw new Error(
        `Repeating trains on the input of "${node.id}": run the pipeline before it first (RUN)`,
      );
    const first = (parsed.data as { seed?: number }).seed ?? 0;
    const controller = new AbortController();
    const runId = `repeat-${node.id}`;
    this.session.current = { runId, controller };
    const started = Date.now();
    this.session.emit({ type: 'run-started', runId, mode: 'repeat', nodes: [node.id], seeds: request.seeds });
    const seeds: EngineResults['repeatTraining']['seeds'] = [];
    try {
      for (let i = 0; i < request.seeds && !controller.signal.aborted; i++) {
        const seed = first + i;
        let evaluation: Extract<EngineEvent, { type: 'evaluation' }> | undefined;
        const seedDir = join(store.artifactsFor(node.id), 'repeats', `seed-${seed}`);
        this.session.emit({
          type: 'log',
          level: 'info',
          node: node.id,
          message: `Repeat ${i + 1} of ${request.seeds}: training with seed ${seed}`,
        });
        const result = await trainTrial({
          networkType: {
            ...type,
            run: (data, p, ctx) => type.run(data, p, { ...ctx, savedSpec: this.session.savedSpec }),
          },
          nodeId: node.id,
          collection: collectionFrom(input, this.session.cache),
          params: { ...node.params, seed },
          artifactsDir: seedDir,
          runId,
          trialId: `seed-${seed}`,
          seed: this.session.seed,
          signal: controller.signal,
          emit: (event) => {
            if (event.type === 'evaluation' && event.node === node.id) evaluation = event;
            this.session.emit(event);
          },
        });
        // A seed's figures are measured as the node's own are: in the source geometry.
        if (evaluation && !evaluation.scores)
          evaluation = await measureInSource(
            sessionMeasureContext(this.session, () => seedDir, controller.signal),
            evaluation,
          );
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
      this.session.emit({ type: 'run-finished', runId, status, seconds: (Date.now() - started) / 1000 });
      return summary;
    } catch (error) {
      this.session.emit({
        type: 'run-finished',
        runId,
        status: 'failed',
        seconds: (Date.now() - started) / 1000,
      });
      throw error;
    } finally {
      this.session.current = undefined;
    }
  }

  async getTuning(params: EngineParams<'getTuning'>): Promise<EngineResults['getTuning']> {
    const { node } = EngineRequests.getTuning.parse(params);
    const state = tuningState(this.session.requireStore(), node);
    return { ...state, running: this.session.current?.tuningNode === node || state.running };
  }

  async applyTrial(params: EngineParams<'applyTrial'>): Promise<EngineResults['applyTrial']> {
    const { node, trialId } = EngineRequests.applyTrial.parse(params);
    const chosen = trialParams(this.session.requireStore(), node, trialId);
    return this.project.editGraph({ edits: [{ op: 'set-params', id: node, params: chosen }] });
  }
}
