/** The layer builder's engine side: palette, shape inference on edges, saving specs. */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { tempDir } from '../test-support/pipeline';
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
    expect(check.error?.message).toMatch(/flat/);
  });

  it('checks the shipped specs and saves user specs in the project with versions', async () => {
    const unet = JSON.parse(readFileSync(builtinSpecPath('unet'), 'utf8'));
    expect((await engine.checkNetworkSpec({ spec: unet })).ok).toBe(true);
    const path = join(dir, 'nets.phiproj');
    ProjectStore.create(path, { graph: { nodes: [], edges: [] } }).close();
    await engine.openProject({ path });
    await expect(engine.saveNetworkSpec({ id: 'unet', spec: tiny })).rejects.toThrow(/built-in/);
    expect((await engine.saveNetworkSpec({ id: 'my-tiny', spec: tiny })).ok).toBe(true);
    expect((await engine.saveNetworkSpec({ id: 'my-tiny', spec: tiny })).ok).toBe(true);
    const list = await engine.listNetworkSpecs();
    expect(list).toContainEqual({ id: 'my-tiny', builtin: false });
    expect(list).toContainEqual({ id: 'small-cnn', builtin: true });
    engine.closeProject();
    const store = ProjectStore.open(path);
    expect(store.networkSpec('my-tiny')?.version).toBe(2);
    store.close();
  });
});
