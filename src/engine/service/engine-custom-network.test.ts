/**
 * A network drawn in the layer builder, trained by the network node: the saved
 * spec is what gets compiled (its layers and parameter count), editing the
 * spec makes the node stale and retrains it, a spec for another task or a
 * missing id fails with a message naming it, tuning trials train it too, and
 * getNetworkSpec serves built-in and saved specs.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrained, releaseTrained } from '../nn/predict';
import { ProjectStore } from '../store/project-store';
import { EventLog, GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { dispatch } from './dispatch';
import { Engine } from './engine';

const dir = tempDir();
const registry = createBuiltinRegistry();
const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
const log = new EventLog();
engine.onDidEmit(log.listener);

/** Input (shape from the data) -> Conv2D `filters` 3x3 -> global average -> Dense($classes, softmax). */
function tinyNet(filters: number, task = 'classification') {
  return {
    format: 'phi-network',
    version: 1,
    name: 'tiny-net',
    task,
    layers: [
      { id: 'input', type: 'Input', params: {} },
      {
        id: 'my-conv',
        type: 'Conv2D',
        params: { filters, kernelSize: 3, padding: 'same', activation: 'relu' },
        inputs: ['input'],
      },
      { id: 'my-gap', type: 'GlobalAvgPool2D', params: {}, inputs: ['my-conv'] },
      {
        id: 'my-out',
        type: 'Dense',
        params: { units: '$classes', activation: 'softmax' },
        inputs: ['my-gap'],
      },
    ],
    output: 'my-out',
  };
}

/** Network node params training the saved spec `id`. */
function custom(id: string): Record<string, unknown> {
  return {
    task: 'classification',
    architecture: 'custom',
    customSpec: id,
    epochs: 6,
    batchSize: 4,
    learningRate: 0.03,
    // Single-threaded: the test checks the network, not data-parallel training.
    backend: 'cpu',
  };
}

async function setNetwork(params: Record<string, unknown>): Promise<void> {
  await engine.editGraph({ edits: [{ op: 'set-params', id: 'net', params }] });
}

beforeAll(async () => {
  await writeClassFolders(join(dir, 'data'), {
    classes: { benign: 8, malignant: 8 },
    size: [16, 16],
    channels: 1,
  });
  const path = join(dir, 'custom.phiproj');
  ProjectStore.create(path, {
    graph: new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'data', splitByPatient: false }],
        ['net', 'neural-network', custom('tiny-net')],
      )
      .build(),
  }).close();
  await engine.openProject({ path });
});

afterAll(() => {
  releaseTrained();
  engine.closeProject();
  rmSync(dir, { recursive: true, force: true });
});

describe('custom network specs in training', () => {
  it('trains the saved spec: its layers, its parameter count, epoch events', async () => {
    const saved = await engine.saveNetworkSpec({ title: 'Tiny net', id: 'tiny-net', spec: tinyNet(6) });
    expect(saved.ok).toBe(true);
    // conv 3*3*1*6 + 6 = 60; dense 6*2 + 2 = 14 (worked by hand).
    expect(saved.parameters).toBe(74);

    const result = await engine.run({ mode: 'all' });
    expect(result.errors).toEqual([]);
    expect(result.ran).toEqual(['data', 'net']);
    const train = log.of('epoch').filter((e) => e.node === 'net' && e.split === 'train');
    expect(train.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const losses = train.map((e) => e.metrics.loss as number);
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
    // The phantoms' classes differ in brightness: even this tiny network learns a little.
    expect(losses.at(-1)).toBeLessThan(losses[0]);

    const trained = await loadTrained(join(dir, 'custom.phidata', 'net'));
    expect(trained.manifest.params).toMatchObject({ architecture: 'custom', customSpec: 'tiny-net' });
    expect(trained.manifest.spec.layers.map((l) => l.id)).toEqual(['input', 'my-conv', 'my-gap', 'my-out']);
    expect(trained.model.layers.map((l) => l.name)).toEqual(['input', 'my-conv', 'my-gap', 'my-out']);
    expect(trained.model.countParams()).toBe(saved.parameters);
  });

  it('is not retrained while the spec is unchanged; editing the spec makes it stale and retrains it', async () => {
    expect((await engine.run({ mode: 'all' })).cached).toEqual(['data', 'net']);
    // A new name is not a new network: nothing goes out of date.
    await engine.saveNetworkSpec({ title: 'Tiny net, renamed', id: 'tiny-net', spec: tinyNet(6) });
    expect((await engine.getProject())?.status.net.state).toBe('done');

    // conv 3*3*1*4 + 4 = 40; dense 4*2 + 2 = 10.
    expect(
      (await engine.saveNetworkSpec({ title: 'Tiny net', id: 'tiny-net', spec: tinyNet(4) })).parameters,
    ).toBe(50);
    const snapshot = await engine.getProject();
    expect(snapshot?.status.net.state).toBe('stale');
    expect(snapshot?.status.data.state).toBe('done');

    const again = await engine.run({ mode: 'all' });
    expect(again.errors).toEqual([]);
    expect(again.ran).toEqual(['net']);
    const trained = await loadTrained(join(dir, 'custom.phidata', 'net'));
    expect(trained.model.countParams()).toBe(50);
  });

  it('refuses a saved spec made for another task, naming it on the node before a run', async () => {
    const seg = { ...tinyNet(4, 'segmentation'), name: 'seg-net' };
    expect((await engine.saveNetworkSpec({ title: 'Seg net', id: 'seg-net', spec: seg })).ok).toBe(true);
    const snapshot = await engine.editGraph({
      edits: [{ op: 'set-params', id: 'net', params: custom('seg-net') }],
    });
    expect(snapshot.issues).toContainEqual(
      expect.objectContaining({
        node: 'net',
        message: 'Node "net": network "seg-net" is for segmentation, but the node\'s task is classification',
      }),
    );
    const result = await engine.run({ mode: 'all' });
    expect(result.status).toBe('failed');
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/network "seg-net" is for segmentation/);
  });

  it('names a spec id that is not saved, and asks for one when custom has none', async () => {
    const snapshot = await engine.editGraph({
      edits: [{ op: 'set-params', id: 'net', params: custom('no-such-net') }],
    });
    expect(snapshot.issues.map((i) => i.message)).toContain(
      'Node "net": network "no-such-net" is not saved in this project: save it in the layer builder',
    );
    const missing = await engine.run({ mode: 'all' });
    expect(missing.status).toBe('failed');
    expect(missing.errors.map((e) => e.message).join('\n')).toMatch(
      /network "no-such-net" is not saved in this project/,
    );

    await setNetwork({ ...custom(''), customSpec: undefined });
    const empty = await engine.run({ mode: 'all' });
    expect(empty.errors.map((e) => e.message).join('\n')).toMatch(/Architecture custom needs the id/);
  });

  it('auto tuning trains the saved spec in every trial', async () => {
    await setNetwork({ ...custom('tiny-net'), epochs: 1 });
    const state = await engine.startTuning({
      node: 'net',
      search: [{ param: 'batchSize', values: [2, 4] }],
      population: 2,
      generations: 1,
    });
    expect(state.trials.map((t) => t.status)).toEqual(['done', 'done']);
  });

  it('getNetworkSpec returns built-in and saved specs, and names a missing one', async () => {
    const builtin = await engine.getNetworkSpec({ id: 'small-cnn' });
    expect(builtin).toMatchObject({ id: 'small-cnn', builtin: true, spec: { name: 'small-cnn' } });
    expect(builtin.version).toBeUndefined();

    const saved = await engine.getNetworkSpec({ id: 'tiny-net' });
    // Saved three times: as "Tiny net", renamed, and edited under its first name again.
    expect(saved).toMatchObject({ id: 'tiny-net', title: 'Tiny net', builtin: false, version: 3 });
    expect(saved.spec).toEqual({ ...tinyNet(4), name: 'Tiny net' });

    await expect(engine.getNetworkSpec({ id: 'zzz' })).rejects.toThrow(
      /No network "zzz": it is neither built-in nor saved/,
    );
    // Ids are only looked up among the listed built-ins: no path reaches the disk.
    await expect(engine.getNetworkSpec({ id: '../networks/small-cnn' })).rejects.toThrow(/No network/);
    await expect(dispatch(engine, 'getNetworkSpec', { id: '' })).rejects.toThrow(/Bad parameters/);
  });
});
