/**
 * A network node through the engine: per-epoch metrics stored and served,
 * the test evaluation with its confusion matrix, predictions with Grad-CAM,
 * an unchanged network not trained twice, and sample runs trained apart.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { EventLog, GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A dataset of two classes in `name/` and a project `name.phiproj` that trains a small CNN on it, opened. */
async function networkProject(
  name: string,
  classes: Record<string, number>,
  epochs: number,
): Promise<{ engine: Engine; log: EventLog }> {
  const registry = createBuiltinRegistry();
  await writeClassFolders(join(dir, name), { classes, size: [16, 16], channels: 1 });
  const path = join(dir, `${name}.phiproj`);
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: name, splitByPatient: false }],
        ['net', 'neural-network', { task: 'classification', epochs, batchSize: 4, baseFilters: 4, depth: 1 }],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, `cache-${name}`), registry });
  const log = new EventLog();
  engine.onDidEmit(log.listener);
  await engine.openProject({ path });
  return { engine, log };
}

it('trains, serves metrics and predictions, and caches the trained network', async () => {
  const { engine, log } = await networkProject('data', { benign: 10, malignant: 10 }, 2);

  const first = await engine.run({ mode: 'all' });
  expect(first.status).toBe('done');
  expect(first.ran).toEqual(['data', 'net']);
  expect(log.of('epoch').map((e) => `${e.epoch}:${e.split}`)).toEqual([
    '1:train',
    '1:validation',
    '2:train',
    '2:validation',
  ]);
  expect(log.of('backend')[0]?.name).toMatch(/wasm|cpu|webgpu|tensorflow/);

  const metrics = await engine.getMetrics({ node: 'net' });
  expect(metrics.classes).toEqual(['benign', 'malignant']);
  expect(metrics.epochs).toHaveLength(4);
  expect(metrics.epochs[0].metrics).toHaveProperty('sensitivity');
  const confusion = metrics.test?.confusion ?? [];
  expect(confusion).toHaveLength(2);
  // Every test item counted once: rows are true classes.
  const testItems = (await engine.listFiles({ node: 'data', limit: 100 })).items.filter(
    (i) => i.split === 'test',
  );
  expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(testItems.length);

  const prediction = await engine.getPrediction({ node: 'net', sampleId: testItems[0].id });
  expect(prediction.probabilities?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  expect(prediction.gradCam?.dataUrl).toMatch(/^data:image\/png;base64,/);
  expect((await engine.getImage({ node: 'net', sampleId: testItems[0].id })).width).toBeGreaterThan(0);

  const again = await engine.run({ mode: 'all' });
  expect(again.cached).toEqual(['data', 'net']);
  expect(metrics.run).toEqual({ kind: 'full' });

  // A Sample RUN trains apart: the full run's model and curves stay, and the next full run reuses them.
  const model = join(dir, 'data.phidata', 'net', 'best.ckpt');
  const fullModel = readFileSync(model);
  const sample = await engine.run({ mode: 'sample', sample: { count: 8 } });
  expect(sample.ran).toContain('net');
  expect(readFileSync(model).equals(fullModel)).toBe(true);
  const sampled = await engine.getMetrics({ node: 'net' });
  expect(sampled.run).toEqual({ kind: 'sample', items: 8 });
  // The View tab predicts with the model the node holds, and says it is a sample's.
  const sampleItem = (await engine.listFiles({ node: 'data', limit: 100 })).items[0].id;
  expect((await engine.getPrediction({ node: 'net', sampleId: sampleItem })).fromSample).toBe(8);
  const full = await engine.run({ mode: 'all' });
  expect(full.cached).toContain('net');
  expect(readFileSync(model).equals(fullModel)).toBe(true);
  const back = await engine.getMetrics({ node: 'net' });
  expect(back.run).toEqual({ kind: 'full' });
  // The run picker: both trainings listed, newest first; the sample's curves on request.
  expect(back.runs?.map((r) => [r.id, r.kind])).toEqual([
    [sample.runId, 'sample'],
    [first.runId, 'full'],
  ]);
  expect(back.shown).toBe(first.runId);
  const picked = await engine.getMetrics({ node: 'net', run: sample.runId });
  expect(picked.run?.kind).toBe('sample');
  expect(picked.shown).toBe(sample.runId);
  expect(picked.epochs).toEqual(sampled.epochs);
  await expect(engine.getMetrics({ node: 'net', run: 'nope' })).rejects.toThrow(/did not train "net"/);
  expect((await engine.getPrediction({ node: 'net', sampleId: testItems[0].id })).fromSample).toBeUndefined();
  engine.closeProject();

  // On an engine whose output cache lacks this project's (a run from the CLI, another machine),
  // the metrics still name the classes, from the trained model.
  const elsewhere = new Engine({ cacheDir: join(dir, 'cache-elsewhere'), registry: createBuiltinRegistry() });
  await elsewhere.openProject({ path: join(dir, 'data.phiproj') });
  expect((await elsewhere.getMetrics({ node: 'net' })).classes).toEqual(['benign', 'malignant']);
  elsewhere.closeProject();
  expect(back.epochs).toEqual(metrics.epochs);
  engine.closeProject();
});

it('a training cancelled part-way says after which epoch it stopped, and RUN resumes from there', async () => {
  const { engine, log } = await networkProject('stop', { a: 10, b: 10 }, 4);
  engine.onDidEmit((event) => {
    if (event.type === 'epoch' && event.epoch === 2 && event.split === 'validation') void engine.cancel({});
  });
  expect((await engine.run({ mode: 'all' })).status).toBe('cancelled');
  const snapshot = await engine.getProject();
  expect(snapshot?.status.net).toMatchObject({
    state: 'idle',
    message: expect.stringMatching(/^Training stopped after epoch 2: RUN resumes from it/),
  });
  log.clear();
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  expect(log.of('epoch').map((e) => e.epoch)[0]).toBe(3);
  engine.closeProject();
});

it('asking fewer epochs than trained keeps the trained model, its curves and its test table, and says so', async () => {
  const { engine, log } = await networkProject('fewer', { a: 10, b: 10 }, 3);
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  const trained = await engine.getMetrics({ node: 'net' });
  expect(trained.epochs.map((e) => e.epoch)).toEqual([1, 1, 2, 2, 3, 3]);
  const model = readFileSync(join(dir, 'fewer.phidata', 'net', 'best.ckpt'));

  await engine.editGraph({ edits: [{ op: 'set-params', id: 'net', params: { epochs: 2 } }] });
  log.clear();
  const fewer = await engine.run({ mode: 'all' });
  expect(fewer.status).toBe('done');
  expect(fewer.ran).toContain('net');
  const note = 'Trained for 3 epochs (more than the 2 asked): the model and its curves are kept';
  expect(log.of('epoch')).toHaveLength(0);
  expect(log.of('log').map((e) => e.message)).toContain(note);
  expect(log.of('node-state').find((e) => e.node === 'net' && e.state === 'done')?.message).toBe(note);
  expect((await engine.getProject())?.status.net).toMatchObject({ state: 'done', message: note });
  // The same model: its weights, its three epochs of curves, and a test table evaluated on it.
  expect(readFileSync(join(dir, 'fewer.phidata', 'net', 'best.ckpt')).equals(model)).toBe(true);
  const kept = await engine.getMetrics({ node: 'net' });
  expect(kept.epochs).toEqual(trained.epochs);
  expect(kept.test?.confusion).toEqual(log.of('evaluation')[0]?.confusion);

  // Asking more again trains on from the kept model.
  await engine.editGraph({ edits: [{ op: 'set-params', id: 'net', params: { epochs: 4 } }] });
  log.clear();
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  expect([...new Set(log.of('epoch').map((e) => e.epoch))]).toEqual([4]);
  expect((await engine.getMetrics({ node: 'net' })).epochs.map((e) => e.epoch)).toEqual([
    1, 1, 2, 2, 3, 3, 4, 4,
  ]);
  engine.closeProject();
});

it('a training stopped part-way is kept when fewer epochs are then asked than it reached', async () => {
  const { engine, log } = await networkProject('stopfewer', { a: 10, b: 10 }, 3);
  const stop = engine.onDidEmit((event) => {
    if (event.type === 'epoch' && event.epoch === 2 && event.split === 'validation') void engine.cancel({});
  });
  expect((await engine.run({ mode: 'all' })).status).toBe('cancelled');
  stop();
  await engine.editGraph({ edits: [{ op: 'set-params', id: 'net', params: { epochs: 1 } }] });
  log.clear();
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  expect(log.of('epoch')).toHaveLength(0);
  expect((await engine.getProject())?.status.net).toMatchObject({
    state: 'done',
    message: 'Trained for 2 epochs (more than the 1 asked): the model and its curves are kept',
  });
  expect((await engine.getMetrics({ node: 'net' })).epochs.map((e) => e.epoch)).toEqual([1, 1, 2, 2]);
  // Its checkpoint still says where it stopped: asking 3 again trains epoch 3 only.
  await engine.editGraph({ edits: [{ op: 'set-params', id: 'net', params: { epochs: 3 } }] });
  log.clear();
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  expect([...new Set(log.of('epoch').map((e) => e.epoch))]).toEqual([3]);
  engine.closeProject();
});
