/**
 * Opening a spec in the builder: the drawing keeps every layer's params and
 * the order of a merge layer's inputs (so the spec it makes is the one
 * opened), layers sit one row below their deepest input, a built-in spec is
 * named `My <name>` for Save as while a saved one keeps its name (and Save
 * keeps its id), and JSON that is not a spec is refused.
 */
import { describe, expect, it } from 'vitest';
import type { EngineResults, LayerTypeDescriptor } from '../../engine/api';
import {
  NetworkBuilderStore,
  layersFromSpec,
  savedSpecIdOf,
  specOf,
  type BuilderApi,
} from './network-builder';

/** Input -> conv -> (conv, input) -> Add -> GAP -> Dense: a residual block, the Add's inputs crossed. */
const residual = {
  format: 'phi-network',
  version: 1,
  name: 'res',
  task: 'classification',
  layers: [
    { id: 'in', type: 'Input', params: {}, inputs: [] },
    { id: 'c1', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' }, inputs: ['in'] },
    { id: 'c2', type: 'Conv2D', params: { filters: 1, kernelSize: 1 }, inputs: ['c1'] },
    { id: 'sum', type: 'Add', params: {}, inputs: ['c2', 'in'] },
    { id: 'gap', type: 'GlobalAvgPool2D', params: {}, inputs: ['sum'] },
    { id: 'out', type: 'Dense', params: { units: '$classes', activation: 'softmax' }, inputs: ['gap'] },
  ],
  output: 'out',
};

const catalogue: LayerTypeDescriptor[] = [
  { type: 'Input', title: 'Input', category: 'Input', description: '', params: {}, inputs: 0 },
];

/** An engine that knows `residual` as built-in `res` and as saved `my-res` named "Residual (seg)" (version 3). */
function api(checked: unknown[]): BuilderApi {
  return {
    getLayerCatalogue: async () => catalogue,
    listNetworkSpecs: async () => [
      { id: 'res', title: 'res', builtin: true },
      { id: 'my-res', title: 'Residual (seg)', builtin: false },
    ],
    saveNetworkSpec: async () => ({ ok: true, shapes: {} }),
    checkNetworkSpec: async ({ spec }) => {
      checked.push(spec);
      return { ok: true, shapes: {} };
    },
    getNetworkSpec: async ({ id }): Promise<EngineResults['getNetworkSpec']> => {
      if (id === 'res') return { id, title: 'res', builtin: true, spec: residual };
      if (id === 'my-res')
        return {
          id,
          title: 'Residual (seg)',
          builtin: false,
          version: 3,
          spec: { ...residual, task: 'segmentation' },
        };
      throw new Error(`No network "${id}": it is neither built-in nor saved in this project`);
    },
  };
}

describe('opening a spec', () => {
  it('lays layers out by depth and keeps params and input order, so the spec round-trips', () => {
    const { layers, edges, task } = layersFromSpec(residual);
    expect(task).toBe('classification');
    expect(Object.fromEntries(layers.map((l) => [l.id, [l.position.x, l.position.y]]))).toEqual({
      in: [0, 0],
      c1: [0, 110],
      c2: [0, 220],
      sum: [0, 330],
      gap: [0, 440],
      out: [0, 550],
    });
    const { spec, problem } = specOf(layers, edges, 'res', 'classification');
    expect(problem).toBeUndefined();
    expect(spec.output).toBe('out');
    expect(spec.layers).toEqual(residual.layers);
  });

  it('puts layers of the same depth side by side', () => {
    const branches = {
      ...residual,
      layers: [
        residual.layers[0],
        { id: 'a', type: 'Conv2D', params: { filters: 2 }, inputs: ['in'] },
        { id: 'b', type: 'Conv2D', params: { filters: 2 }, inputs: ['in'] },
        { id: 'cat', type: 'Concatenate', params: {}, inputs: ['b', 'a'] },
      ],
      output: 'cat',
    };
    const { layers, edges } = layersFromSpec(branches);
    expect(layers.map((l) => [l.id, l.position.x, l.position.y])).toEqual([
      ['in', 0, 0],
      ['a', 0, 110],
      ['b', 180, 110],
      ['cat', 0, 220],
    ]);
    expect(specOf(layers, edges, 'x', 'classification').spec.layers[3].inputs).toEqual(['b', 'a']);
  });

  it('refuses JSON that is not a spec', () => {
    expect(() => layersFromSpec({ layers: 'no' })).toThrow(/not a network spec/);
    expect(() => layersFromSpec({ ...residual, task: 'painting' })).toThrow(/not a network spec/);
    expect(() => layersFromSpec(null)).toThrow(/not a network spec/);
  });

  it('names a built-in spec My <name> and a saved one by its name, takes its task, and checks it', async () => {
    const checked: unknown[] = [];
    const store = new NetworkBuilderStore(api(checked));
    await store.open('net', 'classification');
    expect(store.opened).toBeNull();

    await store.openSpec('res');
    expect(store.opened).toEqual({ id: 'res', title: 'res', builtin: true });
    expect(store.name).toBe('My res');
    expect(store.saveTarget(store.name)).toEqual({
      id: 'my-res',
      replaces: { id: 'my-res', title: 'Residual (seg)', builtin: false },
    });
    expect(store.layers.map((l) => l.id)).toEqual(['in', 'c1', 'c2', 'sum', 'gap', 'out']);
    await store.runCheck();
    expect(checked.at(-1)).toMatchObject({ name: 'My res', layers: residual.layers, output: 'out' });

    await store.openSpec('my-res');
    expect(store.opened).toEqual({ id: 'my-res', title: 'Residual (seg)', builtin: false });
    expect(store.name).toBe('Residual (seg)');
    // Saving under its own name saves a new version of it; another name, a new network.
    expect(store.saveTarget('Residual (seg)').id).toBe('my-res');
    expect(store.saveTarget('Residual, wider')).toEqual({ id: 'my-residual-wider' });
    expect(store.task).toBe('segmentation');

    await expect(store.openSpec('gone')).rejects.toThrow(/No network "gone"/);
    // A failed open leaves the drawing as it was.
    expect(store.opened).toEqual({ id: 'my-res', title: 'Residual (seg)', builtin: false });
    store.close();
  });

  it('opens on the saved network the node trains, or the starter when it cannot be read', async () => {
    expect(savedSpecIdOf({ architecture: 'custom', customSpec: 'my-res' })).toBe('my-res');
    expect(savedSpecIdOf({ architecture: 'custom' })).toBeUndefined();
    expect(savedSpecIdOf({ architecture: 'resnet18', customSpec: 'my-res' })).toBeUndefined();
    expect(savedSpecIdOf({})).toBeUndefined();

    const store = new NetworkBuilderStore(api([]));
    await store.open('net', 'classification', undefined, 'my-res');
    expect(store.opened).toEqual({ id: 'my-res', title: 'Residual (seg)', builtin: false });
    expect(store.layers.map((l) => l.id)).toEqual(['in', 'c1', 'c2', 'sum', 'gap', 'out']);

    await store.open('net', 'classification', undefined, 'gone');
    expect(store.opened).toBeNull();
    expect(store.layers.map((l) => l.type)).toEqual(['Input', 'Conv2D', 'MaxPool2D', 'Flatten', 'Dense']);
    store.close();
  });
});
