/** Auto tuning through the engine API: start, read the table, apply a trial to the network. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tf } from '../nn/tf';
import { ProjectStore } from '../store/project-store';
import { EventLog, GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('tunes a network on its cached input and applies the chosen trial', async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data'), { classes: { a: 8, b: 8 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'tune.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        [
          'net',
          'neural-network',
          { task: 'classification', epochs: 1, batchSize: 4, baseFilters: 4, depth: 1, backend: 'cpu' },
        ],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  const log = new EventLog();
  engine.onDidEmit(log.listener);
  await engine.openProject({ path });

  await expect(
    engine.startTuning({ node: 'net', search: [{ param: 'batchSize', values: [2, 4] }] }),
  ).rejects.toThrow(/run the pipeline before it first/);
  await engine.run({ mode: 'node', node: 'data' });
  await tf.ready();
  const tensors = tf.memory().numTensors;
  const state = await engine.startTuning({
    node: 'net',
    search: [{ param: 'batchSize', values: [2, 8] }],
    population: 2,
    generations: 1,
  });
  // Every trial's model, optimizer and batches are released.
  expect(tf.memory().numTensors).toBe(tensors);
  expect(state.trials.length).toBe(2);
  expect(log.of('trial')).toHaveLength(2);
  expect(new Set(state.trials.map((t) => t.params.batchSize))).toEqual(new Set([2, 8]));
  const best = state.top['validation.accuracy']?.[0] ?? state.trials[0].id;

  const reopened = await engine.getTuning({ node: 'net' });
  expect(reopened.trials.map((t) => t.id)).toEqual(state.trials.map((t) => t.id));
  await engine.applyTrial({ node: 'net', trialId: best });
  const snapshot = (await engine.getProject())!;
  const applied = state.trials.find((t) => t.id === best);
  expect(snapshot.graph.nodes.find((n) => n.id === 'net')?.params.batchSize).toBe(applied?.params.batchSize);
  expect(snapshot.graph.nodes.find((n) => n.id === 'net')?.params.epochs).toBe(1);
  engine.closeProject();
});

it("a search is one run like any other: started, refused beside another run, cancelled, its trials never the node's own", async () => {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, 'data2'), { classes: { a: 8, b: 8 }, size: [16, 16], channels: 1 });
  const path = join(dir, 'run.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data2', splitByPatient: false }],
        [
          'net',
          'neural-network',
          { task: 'classification', epochs: 1, batchSize: 4, baseFilters: 4, depth: 1, backend: 'cpu' },
        ],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache2'), registry });
  const log = new EventLog();
  engine.onDidEmit(log.listener);
  await engine.openProject({ path });
  await engine.run({ mode: 'node', node: 'data' });
  log.clear();

  let refused = '';
  let running: boolean | undefined;
  engine.onDidEmit((event) => {
    if (event.type === 'trial' && !refused) {
      void engine.run({ mode: 'all' }).catch((e: Error) => (refused = e.message));
      void engine.getProject().then((s) => (running = s?.running));
    }
  });
  // Three class weights for two classes: that trial fails, with the network's reason.
  const state = await engine.startTuning({
    node: 'net',
    search: [{ param: 'classWeights', values: ['', '1,2,3', 'balanced'] }],
    population: 2,
    generations: 3,
  });
  const started = log.of('run-started');
  expect(started).toHaveLength(1);
  expect(started[0]).toMatchObject({
    mode: 'tuning',
    nodes: ['net'],
    search: { population: 2, generations: 3 },
  });
  expect(log.of('run-finished')).toEqual([
    expect.objectContaining({ runId: started[0].runId, status: 'done' }),
  ]);
  expect(refused).toMatch(/A run is already in progress/);
  expect(running).toBe(true);

  // Failed trials say why, in the trial, the state and the log.
  const failed = state.trials.filter((t) => t.status === 'failed');
  expect(failed).toHaveLength(1);
  expect(failed[0].message).toMatch(/Class weights "1,2,3": give 2 non-negative numbers/);
  expect(log.of('log').map((e) => e.message)).toContain(
    `Tuning trial ${failed[0].id} (generation ${failed[0].generation}) failed: ${failed[0].message}`,
  );

  // The counts add up: 2 x 3 asked; the space holds 3 sets of values: 2 trained in generation 1, the
  // best kept and the third trained in generation 2, nothing new left for generation 3.
  expect(state.tally).toEqual({
    asked: 6,
    done: 2,
    failed: 1,
    cancelled: 0,
    carried: 1,
    exhausted: 2,
    stopped: 0,
  });
  expect(state.summary).toBe(
    '6 trials asked (population 2 x 3 generations): 3 trained (2 done, 1 failed); 1 kept from the generation before (the best carry over unchanged and are not trained again); 2 not tried: no values were left that had not been tried already',
  );
  expect(log.of('log').map((e) => e.message)).toContain(state.summary);

  // Trial trainings are tagged as the trial's; the node itself was never trained.
  expect(log.of('epoch').length).toBeGreaterThan(0);
  expect(log.of('epoch').every((e) => e.trial !== undefined)).toBe(true);
  expect(log.of('evaluation').every((e) => e.trial !== undefined)).toBe(true);
  const metrics = await engine.getMetrics({ node: 'net' });
  expect(metrics.epochs).toEqual([]);
  expect(metrics.test).toBeUndefined();

  // Cancel reaches a search like any run; the slots not reached are counted as such.
  log.clear();
  engine.onDidEmit((event) => {
    if (event.type === 'epoch' && event.trial) void engine.cancel({ runId: log.of('run-started')[0]?.runId });
  });
  const cancelled = await engine.startTuning({
    node: 'net',
    search: [{ param: 'batchSize', values: [2, 4, 8] }],
    population: 3,
    generations: 2,
  });
  expect(log.of('run-finished')[0]?.status).toBe('cancelled');
  const c = cancelled.tally!;
  expect(c.cancelled).toBe(1);
  expect(c.done + c.failed + c.cancelled + c.carried + c.exhausted + c.stopped).toBe(6);
  expect(cancelled.summary).toMatch(/not run: the search was cancelled/);
  engine.closeProject();
});
