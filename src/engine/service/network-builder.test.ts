/** The layer builder's engine side: palette, shape inference on edges, saving specs. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSpec } from '../nn/spec/compile';
import { parseSpec } from '../api/network-spec';
import { tf } from '../nn/tf';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir, writeClassFolders } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { Engine } from './engine';
import { builtinSpecPath } from './network-builder';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Input 32x32x1 -> Conv 8 3x3 same -> MaxPool 2 -> Flatten -> Dense $classes. */
const tiny = {
  format: 'phi-network',
  version: 1,
  name: 'tiny',
  task: 'classification',
  layers: [
    { id: 'in', type: 'Input', params: { shape: [32, 32, 1] } },
    { id: 'conv', type: 'Conv2D', params: { filters: 8, kernelSize: 3, padding: 'same' }, inputs: ['in'] },
    { id: 'pool', type: 'MaxPool2D', params: { poolSize: 2 }, inputs: ['conv'] },
    { id: 'flat', type: 'Flatten', params: {}, inputs: ['pool'] },
    { id: 'out', type: 'Dense', params: { units: '$classes', activation: 'softmax' }, inputs: ['flat'] },
  ],
  output: 'out',
};

describe('network builder', () => {
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry: createBuiltinRegistry() });

  it('lists the layer palette by category with param schemas', async () => {
    const palette = await engine.getLayerCatalogue();
    const conv = palette.find((l) => l.type === 'Conv2D');
    expect(conv).toMatchObject({ category: 'Convolution', inputs: 1 });
    expect(Object.keys((conv?.params as { properties: object }).properties)).toContain('filters');
    expect(palette.find((l) => l.type === 'Add')?.inputs).toBe('many');
    expect(palette.find((l) => l.type === 'Input')?.inputs).toBe(0);
  });

  it('infers the shape of every layer and counts parameters (worked by hand)', async () => {
    const check = await engine.checkNetworkSpec({ spec: tiny });
    expect(check.ok).toBe(true);
    expect(check.shapes).toMatchObject({ conv: [32, 32, 8], pool: [16, 16, 8], flat: [2048], out: [2] });
    // conv: 3*3*1*8 + 8 = 80; dense: 2048*2 + 2 = 4098.
    expect(check.parameters).toBe(80 + 4098);
  });

  it('names the layer when shapes do not fit', async () => {
    // A Dense layer fed by two layers: Dense takes one input.
    const broken = {
      ...tiny,
      layers: [
        ...tiny.layers.slice(0, 3),
        { id: 'flat', type: 'Dense', params: { units: 4 }, inputs: ['pool', 'conv'] },
        tiny.layers[4],
      ],
    };
    const check = await engine.checkNetworkSpec({ spec: broken });
    expect(check.ok).toBe(false);
    expect(check.error?.layer).toBe('flat');
    expect(check.error?.message).toBe('Dense takes 1 input(s), got 2');
  });

  it('checks the shipped specs and saves user specs in the project with versions', async () => {
    const unet = JSON.parse(readFileSync(builtinSpecPath('unet'), 'utf8'));
    expect((await engine.checkNetworkSpec({ spec: unet })).ok).toBe(true);
    const path = join(dir, 'nets.phiproj');
    ProjectStore.create(path, { graph: { nodes: [], edges: [] } }).close();
    await engine.openProject({ path });
    await expect(engine.saveNetworkSpec({ title: 'U-Net', id: 'unet', spec: tiny })).rejects.toThrow(
      /built-in/,
    );
    // A new network's id comes from its name; saving it again (renamed) is its next version.
    expect(await engine.saveNetworkSpec({ title: 'Tiny, 2 convs', spec: tiny })).toMatchObject({
      ok: true,
      id: 'my-tiny-2-convs',
      version: 1,
    });
    expect(
      await engine.saveNetworkSpec({ title: 'Tiny (lung)', id: 'my-tiny-2-convs', spec: tiny }),
    ).toMatchObject({ ok: true, id: 'my-tiny-2-convs', version: 2 });
    const list = await engine.listNetworkSpecs();
    expect(list).toContainEqual({ id: 'my-tiny-2-convs', title: 'Tiny (lung)', builtin: false });
    expect(list).toContainEqual({ id: 'small-cnn', title: 'small-cnn', builtin: true });
    expect(await engine.getNetworkSpec({ id: 'my-tiny-2-convs' })).toMatchObject({
      title: 'Tiny (lung)',
      version: 2,
    });
    engine.closeProject();
    const store = ProjectStore.open(path);
    expect(store.networkSpec('my-tiny-2-convs')?.version).toBe(2);
    store.close();
  });
});

describe('the per-layer check with a 10-class dataset', () => {
  const registry = createBuiltinRegistry();
  const engine = new Engine({ cacheDir: join(dir, 'cache-ten'), registry });
  const classes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`class${i}`, 3]));

  it('compiles with the real class count: shapes and parameters as tf.js counts them', async () => {
    await writeClassFolders(join(dir, 'ten'), { classes, size: [16, 16], channels: 1 });
    const path = join(dir, 'ten.phiproj');
    ProjectStore.create(path, {
      graph: new GraphBuilder(registry)
        .chain(
          ['data', 'dataset', { path: 'ten', splitByPatient: false }],
          ['net', 'neural-network', { task: 'classification' }],
        )
        .build(),
    }).close();
    await engine.openProject({ path });

    // Before any run: the class count comes from the dataset's index, the input shape from the spec.
    const check = await engine.checkNetworkSpec({ spec: tiny, node: 'net' });
    expect(check.ok).toBe(true);
    expect(check.vars).toEqual({ classes: 10, channels: 1, fromData: true });
    expect(check.layers?.out).toEqual({ shape: [10], parameters: 2048 * 10 + 10 });

    // The same spec compiled by tf.js with 10 classes: every layer's shape and count, and the total.
    await tf.ready();
    const { model } = compileSpec(parseSpec(tiny), { vars: { classes: 10, channels: 1 } });
    const rows: string[] = [];
    model.summary(120, undefined, (line: string) => rows.push(line));
    for (const layer of model.layers) {
      expect(check.layers?.[layer.name]).toEqual({
        shape: (layer.outputShape as (number | null)[]).slice(1),
        parameters: layer.countParams(),
      });
      // model.summary's row of the layer ends with the same count.
      const row = rows.find((r) => r.startsWith(`${layer.name} (`));
      expect(row?.trim().split(/\s+/).at(-1)).toBe(String(check.layers?.[layer.name].parameters));
    }
    expect(check.parameters).toBe(model.countParams());
    expect(rows.find((r) => r.startsWith('Total params'))).toBe(`Total params: ${check.parameters}`);
    model.dispose();

    // After the dataset ran: the data's own input shape (16 x 16 x 1) replaces the spec's.
    expect((await engine.run({ mode: 'node', node: 'data' })).status).toBe('done');
    const ran = await engine.checkNetworkSpec({ spec: tiny, node: 'net' });
    expect(ran.layers?.conv.shape).toEqual([16, 16, 8]);
    expect(ran.layers?.out).toEqual({ shape: [10], parameters: 512 * 10 + 10 });
  });

  it('keeps the shapes it can compute and names only the layers that do not fit, in words', async () => {
    const before = tf.memory().numTensors;
    const loose = {
      ...tiny,
      layers: [
        ...tiny.layers,
        // After Flatten, a Conv2D gets a vector; a second Conv2D is connected to nothing.
        { id: 'conv-2', type: 'Conv2D', params: { filters: 4, kernelSize: 3 }, inputs: ['flat'] },
        { id: 'conv-3', type: 'Conv2D', params: { filters: 4, kernelSize: 3 }, inputs: [] },
      ],
    };
    const check = await engine.checkNetworkSpec({ spec: loose, node: 'net' });
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      {
        layer: 'conv-2',
        message:
          'Conv2D needs an image (height x width x channels); after Flatten (flat) it gets a vector of 512',
      },
      { layer: 'conv-3', message: 'Conv2D has no input: connect the layer that feeds it' },
    ]);
    expect(check.error).toEqual(check.problems?.[0]);
    expect(check.parameters).toBeUndefined();
    expect(check.shapes).toEqual({
      in: [16, 16, 1],
      conv: [16, 16, 8],
      pool: [8, 8, 8],
      flat: [512],
      out: [10],
    });
    expect(check.layers?.out.parameters).toBe(5130);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says which inputs of a merge do not fit', async () => {
    const merge = {
      ...tiny,
      layers: [
        ...tiny.layers.slice(0, 3),
        { id: 'join', type: 'Add', params: {}, inputs: ['conv', 'pool'] },
        { id: 'flat', type: 'Flatten', params: {}, inputs: ['join'] },
        tiny.layers[4],
      ],
    };
    const check = await engine.checkNetworkSpec({ spec: merge, node: 'net' });
    expect(check.problems).toEqual([
      {
        layer: 'join',
        message: 'Add needs inputs of the same shape; it gets 16 x 16 x 8 from conv and 8 x 8 x 8 from pool',
      },
    ]);
    expect(Object.keys(check.shapes)).toEqual(['in', 'conv', 'pool']);
    engine.closeProject();
  });
});
