/**
 * `runTuning` end to end: a real project file, and a tiny real network node
 * type whose per-epoch metrics are a closed-form function of its params, so
 * every trial's score can be worked out by hand.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EngineEvent, GraphNode, Trial, TuningRequest } from '../api';
import { TuningRequestSchema } from '../api';
import type { NetworkNodeType, SampleCollection } from '../graph/node-type';
import { ProjectStore } from '../store/project-store';
import { tempDir } from '../test-support/pipeline';
import { runTuning, trialParams, tuningState, type TuningHost } from './index';
import { searchSettingKey, type SearchRecord } from './records';

const root = tempDir('phi-tuning-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TinyParams = z.object({
  learningRate: z.number().positive().max(1).default(0.001).describe('Step size, > 0'),
  batchSize: z.number().int().min(1).max(256).default(16).describe('Images per step'),
  optimizer: z.enum(['adam', 'sgd']).default('sgd').describe('Update rule'),
  epochs: z.number().int().min(1).max(10).default(3).describe('Passes over the data'),
});

/**
 * Peak validation accuracy of the tiny network: 0.9 at lr 0.01, batch 32,
 * adam; 0.1 less per decade of lr, 0.05 less per doubling of batch, 0.1 less for sgd.
 */
function peak(p: { learningRate: number; batchSize: number; optimizer: string }): number {
  return (
    0.9 -
    0.1 * Math.abs(Math.log10(p.learningRate) + 2) -
    0.05 * Math.abs(Math.log2(p.batchSize) - 5) -
    (p.optimizer === 'adam' ? 0 : 0.1)
  );
}

/** Each trial's trainings, so tests can check what every trial ran with. */
const trainings: { dir: string; params: z.infer<typeof TinyParams> }[] = [];

/** Validation accuracy peaks at epoch 2 (overfits after), so "best epoch" matters. */
const tinyNetwork: NetworkNodeType<typeof TinyParams> = {
  kind: 'network',
  id: 'tiny-network',
  version: 1,
  title: 'Tiny Network',
  category: 'Neural Network',
  description: 'Closed-form metrics for tuning tests.',
  params: TinyParams,
  async run(collection, params, ctx) {
    const marker = join(ctx.artifactsDir, 'checkpoint.json');
    if (existsSync(marker)) throw new Error(`folder ${ctx.artifactsDir} was used by another trial`);
    writeFileSync(marker, JSON.stringify(params));
    trainings.push({ dir: ctx.artifactsDir, params });
    if (params.learningRate > 0.5) throw new Error('loss became NaN at epoch 1: lower the learning rate');
    const q = peak(params);
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      if (ctx.signal.aborted) return;
      ctx.emit({ type: 'progress', node: ctx.nodeId, done: epoch, total: params.epochs });
      ctx.emit({
        type: 'epoch',
        node: ctx.nodeId,
        epoch,
        split: 'train',
        metrics: { loss: 1 - q + 0.1 / epoch, accuracy: q, count: collection.items.length },
      });
      const accuracy = q - 0.02 * Math.abs(epoch - 2);
      ctx.emit({
        type: 'epoch',
        node: ctx.nodeId,
        epoch,
        split: 'validation',
        metrics: { loss: 1 - accuracy, accuracy, sensitivity: [accuracy, accuracy] },
      });
    }
  },
};

const collection: SampleCollection = {
  task: 'classification',
  classes: ['benign', 'malignant'],
  items: Array.from({ length: 8 }, (_, i) => ({
    id: `x${i}.png`,
    split: 'train',
    classIndex: i % 2,
    shape: [4, 4, 1],
  })),
  load: async (id) => {
    throw new Error(`the tiny network never loads pixels (${id})`);
  },
};

const netNode: GraphNode = {
  id: 'net',
  kind: 'network',
  type: 'tiny-network',
  version: 1,
  params: { epochs: 3, learningRate: 0.001 },
  position: { x: 0, y: 0 },
};

let projects = 0;
function newProject(): ProjectStore {
  projects++;
  return ProjectStore.create(join(root, `p${projects}.phiproj`), { graph: { nodes: [netNode], edges: [] } });
}

function host(store: ProjectStore, events: EngineEvent[], signal = new AbortController().signal): TuningHost {
  return {
    store,
    node: netNode,
    networkType: tinyNetwork as unknown as NetworkNodeType,
    collection,
    trialDir: (trialId) => join(store.artifactsFor('net'), 'trials', trialId),
    emit: (event) => events.push(event),
    signal,
    seed: 7,
  };
}

const request = (extra: Partial<z.input<typeof TuningRequestSchema>> = {}): TuningRequest =>
  TuningRequestSchema.parse({
    node: 'net',
    search: [
      { param: 'learningRate', min: 1e-3, max: 1e-1, log: true },
      { param: 'batchSize', values: [8, 16, 32, 64] },
      { param: 'optimizer' },
    ],
    metric: 'validation.accuracy',
    goal: 'max',
    population: 6,
    generations: 4,
    seed: 3,
    ...extra,
  });

const searched = (t: Trial) => t.params as { learningRate: number; batchSize: number; optimizer: string };

describe('runTuning', () => {
  it('searches the ticked params, keeps unticked ones, scores each trial at its best epoch, records it all', async () => {
    const store = newProject();
    const events: EngineEvent[] = [];
    const before = trainings.length;
    const state = await runTuning(request(), host(store, events));

    // 6 random, then 3 generations of 5 children beside 1 elite; lr is continuous so all differ.
    expect(state.trials.length).toBe(6 + 3 * 5);
    expect(state).toMatchObject({ node: 'net', metric: 'validation.accuracy', goal: 'max', running: false });
    const mine = trainings.slice(before);
    expect(mine.length).toBe(21);
    // Every trial trained in its own fresh folder with epochs fixed at the node's 3.
    expect(new Set(mine.map((t) => t.dir)).size).toBe(21);
    expect(mine.every((t) => t.params.epochs === 3)).toBe(true);

    for (const trial of state.trials) {
      const p = searched(trial);
      expect(Object.keys(p).sort()).toEqual(['batchSize', 'learningRate', 'optimizer']);
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-3);
      expect(p.learningRate).toBeLessThanOrEqual(1e-1);
      expect([8, 16, 32, 64]).toContain(p.batchSize);
      const q = peak(p);
      expect(trial.status).toBe('done');
      // Best epoch is 2, where validation accuracy is the peak and train loss is 1 - q + 0.05.
      expect(trial.score).toBeCloseTo(q, 12);
      expect(trial.metrics['validation.accuracy']).toBeCloseTo(q, 12);
      expect(trial.metrics['validation.loss']).toBeCloseTo(1 - q, 12);
      expect(trial.metrics['train.loss']).toBeCloseTo(1 - q + 0.05, 12);
      expect(trial.metrics['train.count']).toBe(8);
      expect(trial.metrics).not.toHaveProperty('validation.sensitivity');
    }
    expect(state.trials.map((t) => t.generation)).toEqual([
      1,
      1,
      1,
      1,
      1,
      1,
      ...[2, 3, 4].flatMap((g) => Array(5).fill(g)),
    ]);

    // The search improves on its random start and finds the best optimizer and batch size.
    const best = Math.max(...state.trials.map((t) => t.score ?? -1));
    const firstGeneration = Math.max(...state.trials.slice(0, 6).map((t) => t.score ?? -1));
    expect(best).toBeGreaterThan(firstGeneration);
    const winner = state.trials.find((t) => t.score === best)!;
    expect(searched(winner)).toMatchObject({ batchSize: 32, optimizer: 'adam' });

    // Top five per metric, worked out independently of the ranking code.
    const byAccuracy = [...state.trials].sort((a, b) => peak(searched(b)) - peak(searched(a))).slice(0, 5);
    expect(state.top['validation.accuracy']).toEqual(byAccuracy.map((t) => t.id));
    expect(state.top['validation.loss']).toEqual(byAccuracy.map((t) => t.id));
    expect(state.top['validation.accuracy'][0]).toBe(winner.id);

    // Events: the trainings' events pass through, then one trial event per trial.
    const trialEvents = events.filter((e) => e.type === 'trial');
    expect(trialEvents.map((e) => e.trial.id)).toEqual(state.trials.map((t) => t.id));
    expect(trialEvents.every((e) => e.node === 'net')).toBe(true);
    expect(events.filter((e) => e.type === 'epoch').length).toBe(21 * 3 * 2);
    expect(events.filter((e) => e.type === 'progress').length).toBe(21 * 3);
    expect(events.findIndex((e) => e.type === 'trial')).toBe(3 * 3);

    // Apply: the node's params with the winner's values.
    expect(trialParams(store, 'net', winner.id)).toEqual({ epochs: 3, ...searched(winner) });
    expect(TinyParams.safeParse(trialParams(store, 'net', winner.id)).success).toBe(true);

    // The project holds the search: same state after reopening.
    const [run] = store.runs();
    expect(run).toMatchObject({ mode: 'tuning', status: 'done', seed: 3, nodeVersions: { net: 1 } });
    const path = store.path;
    store.close();
    const reopened = ProjectStore.open(path);
    expect(tuningState(reopened, 'net')).toEqual(state);
    expect(trialParams(reopened, 'net', winner.id)).toEqual({ epochs: 3, ...searched(winner) });
    reopened.close();
  });

  it('gives the same trials for the same seed', async () => {
    const a = await runTuning(request({ generations: 2 }), host(newProject(), []));
    const b = await runTuning(request({ generations: 2 }), host(newProject(), []));
    const c = await runTuning(request({ generations: 2, seed: 4 }), host(newProject(), []));
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
  });

  it('never trains one param set twice when the space is small', async () => {
    const store = newProject();
    const state = await runTuning(
      request({
        search: [{ param: 'optimizer' }, { param: 'batchSize', values: [16, 32] }],
        population: 3,
        generations: 5,
      }),
      host(store, []),
    );
    const keys = state.trials.map((t) => JSON.stringify([searched(t).optimizer, searched(t).batchSize]));
    expect(keys.length).toBe(4);
    expect(new Set(keys).size).toBe(4);
    expect(store.trials(store.runs()[0].id).length).toBe(4);
    store.close();
  });

  it('records failed trials with the reason, goes on, and keeps them out of the top table', async () => {
    const store = newProject();
    const events: EngineEvent[] = [];
    // lr above 0.5 makes the tiny network fail.
    const state = await runTuning(
      request({ search: [{ param: 'learningRate', min: 0.01, max: 0.9 }], population: 6, generations: 3 }),
      host(store, events),
    );
    const failed = state.trials.filter((t) => t.status === 'failed');
    const done = state.trials.filter((t) => t.status === 'done');
    expect(failed.length).toBeGreaterThan(0);
    expect(done.length).toBeGreaterThan(0);
    for (const trial of failed) {
      expect(searched(trial).learningRate).toBeGreaterThan(0.5);
      expect(trial).toMatchObject({
        score: null,
        metrics: {},
        message: 'loss became NaN at epoch 1: lower the learning rate',
      });
      expect(() => trialParams(store, 'net', trial.id)).toThrow(/failed: apply a finished one/);
    }
    expect(done.every((t) => searched(t).learningRate <= 0.5)).toBe(true);
    const top = state.top['validation.accuracy'];
    expect(top.length).toBe(Math.min(5, done.length));
    expect(top.every((id) => done.some((t) => t.id === id))).toBe(true);
    expect(store.runs()[0].status).toBe('done');
    store.close();
  });

  it('fails, without training, a trial whose params the network schema refuses as a whole', async () => {
    // A cross-field rule the per-parameter checks cannot see.
    const strict = {
      ...tinyNetwork,
      params: TinyParams.refine((p) => !(p.optimizer === 'sgd' && p.batchSize > 16), {
        message: 'sgd needs batches of 16 or fewer',
      }),
    };
    const store = newProject();
    const before = trainings.length;
    const state = await runTuning(
      request({
        search: [{ param: 'optimizer' }, { param: 'batchSize', values: [8, 32] }],
        population: 4,
        generations: 1,
      }),
      { ...host(store, []), networkType: strict as unknown as NetworkNodeType },
    );
    expect(state.trials.length).toBe(4);
    const refused = state.trials.filter((t) => t.status === 'failed');
    expect(refused.map((t) => t.params)).toEqual([{ optimizer: 'sgd', batchSize: 32 }]);
    expect(refused[0].message).toBe('The network refuses these params: sgd needs batches of 16 or fewer');
    expect(trainings.length - before).toBe(3);
    store.close();
  });

  it('stops on cancel between trials and keeps the finished ones', async () => {
    const store = newProject();
    const controller = new AbortController();
    const events: EngineEvent[] = [];
    const h = host(store, events, controller.signal);
    h.emit = (event) => {
      events.push(event);
      if (events.filter((e) => e.type === 'trial').length === 3) controller.abort();
    };
    const state = await runTuning(request(), h);
    expect(state.trials.map((t) => t.status)).toEqual(['done', 'done', 'done']);
    expect(store.runs()[0].status).toBe('cancelled');
    expect(state.running).toBe(false);
    store.close();
  });

  it('marks the trial being trained when cancelled as cancelled', async () => {
    const store = newProject();
    const controller = new AbortController();
    const h = host(store, [], controller.signal);
    let epochs = 0;
    h.emit = (event) => {
      // Cancel during the second trial's first epoch.
      if (event.type === 'epoch' && event.split === 'validation' && ++epochs === 4) controller.abort();
    };
    const state = await runTuning(request(), h);
    expect(state.trials.map((t) => t.status)).toEqual(['done', 'cancelled']);
    expect(state.trials[1]).toMatchObject({ score: null, message: 'cancelled' });
    expect(state.top['validation.accuracy']).toEqual([state.trials[0].id]);
    store.close();
  });

  it('fails every trial with a clear message when the network never reports the chosen metric', async () => {
    const store = newProject();
    const state = await runTuning(
      request({ metric: 'validation.dice', population: 2, generations: 1 }),
      host(store, []),
    );
    expect(state.trials.map((t) => t.status)).toEqual(['failed', 'failed']);
    expect(state.trials[0].message).toMatch(
      /^The training reported no value of validation.dice \(it reported .*validation.accuracy/,
    );
    expect(store.runs()[0].status).toBe('failed');
    store.close();
  });

  it('refuses a bad request before anything runs, naming the parameter or metric', async () => {
    const store = newProject();
    const bad = async (extra: Partial<z.input<typeof TuningRequestSchema>>, node = netNode) =>
      runTuning(request(extra), { ...host(store, []), node });
    await expect(bad({ search: [{ param: 'momentum', values: [0.9] }] })).rejects.toThrow(
      /Tiny Network has no parameter "momentum"/,
    );
    await expect(bad({ search: [{ param: 'learningRate', min: 1e-3, max: 2, log: true }] })).rejects.toThrow(
      'The range of "learningRate" 0.001..2 is outside what the network allows (0 (exclusive) to 1)',
    );
    await expect(bad({ metric: 'test.accuracy' })).rejects.toThrow(/train or validation/);
    await expect(bad({ metric: 'accuracy' })).rejects.toThrow(/split.metric/);
    await expect(bad({}, { ...netNode, params: { epochs: 0 } })).rejects.toThrow(
      /params of node "net" are not valid/,
    );
    await expect(bad({ node: 'other' })).rejects.toThrow(/for node "other"/);
    expect(store.runs()).toEqual([]);
    expect(tuningState(store, 'net')).toEqual({ node: 'net', running: false, trials: [], top: {} });
    store.close();
  });
});

describe('tuningState', () => {
  it('shows the latest search of the node only', async () => {
    const store = newProject();
    await runTuning(request({ population: 2, generations: 1 }), host(store, []));
    const second = await runTuning(
      request({ population: 3, generations: 1, metric: 'validation.loss', goal: 'min' }),
      host(store, []),
    );
    expect(second.trials.length).toBe(3);
    expect(tuningState(store, 'net')).toEqual(second);
    expect(second).toMatchObject({ metric: 'validation.loss', goal: 'min' });
    expect(() => trialParams(store, 'other', second.trials[0].id)).toThrow(
      /belongs to node "net", not "other"/,
    );
    expect(() => trialParams(store, 'net', 'nope')).toThrow(/No tuning trial "nope"/);
    store.close();
  });

  it('reads a trial left unfinished by a killed process as cancelled, and the search as not running', () => {
    const store = newProject();
    const runId = store.startRun({ mode: 'tuning', seed: 1, appVersion: 'test', nodeVersions: { net: 1 } });
    const search: SearchRecord = {
      runId,
      node: 'net',
      metric: 'validation.accuracy',
      goal: 'max',
      search: [{ param: 'optimizer' }],
      population: 2,
      generations: 1,
      seed: 1,
      startedAt: new Date().toISOString(),
    };
    store.setSetting(searchSettingKey('net'), search);
    store.recordTrial(runId, {
      node: 'net',
      generation: 1,
      key: '{"optimizer":"adam"}',
      searched: { optimizer: 'adam' },
      params: { optimizer: 'adam' },
    });
    // While the run is live the unfinished trial is the one training: not listed yet.
    expect(tuningState(store, 'net')).toMatchObject({ running: true, trials: [] });
    const path = store.path;
    store.close();
    const reopened = ProjectStore.open(path);
    const state = tuningState(reopened, 'net');
    expect(state.running).toBe(false);
    expect(state.trials).toMatchObject([{ status: 'cancelled', score: null, params: { optimizer: 'adam' } }]);
    reopened.close();
  });
});
