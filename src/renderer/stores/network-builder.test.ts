/**
 * The network builder's logic: the spec its layers and connections make
 * (inputs in the order drawn, one output), the connection rules (no input
 * into Input, one input unless a merge layer, no loops), fresh ids, and
 * starting params from a layer's JSON Schema.
 */
import { describe, expect, it } from 'vitest';
import type { LayerTypeDescriptor, SpecCheck } from '../../engine/api';
import {
  NetworkBuilderStore,
  connectionProblem,
  edgeOf,
  freshLayerId,
  layerDefaults,
  shapeText,
  specOf,
  starterLayers,
  wouldCycle,
  type BuilderApi,
} from './network-builder';

const catalogue: LayerTypeDescriptor[] = [
  { type: 'Input', title: 'Input', category: 'Input', description: '', params: {}, inputs: 0 },
  {
    type: 'Conv2D',
    title: 'Conv2D',
    category: 'Convolution',
    description: '',
    params: {
      type: 'object',
      properties: { filters: { type: 'integer' }, kernelSize: { type: 'integer', default: 3 } },
      required: ['filters'],
    },
    inputs: 1,
  },
  { type: 'Add', title: 'Add', category: 'Merge', description: '', params: {}, inputs: 'many' },
  { type: 'Flatten', title: 'Flatten', category: 'Reshaping', description: '', params: {}, inputs: 1 },
  { type: 'Dense', title: 'Dense', category: 'Core', description: '', params: {}, inputs: 1 },
  { type: 'MaxPool2D', title: 'MaxPool2D', category: 'Pooling', description: '', params: {}, inputs: 1 },
];

describe('spec from the drawing', () => {
  it('the starter network is a chain ending in Dense($classes)', () => {
    const { layers, edges } = starterLayers([64, 48, 1]);
    const { spec, problem } = specOf(layers, edges, 'net', 'classification');
    expect(problem).toBeUndefined();
    expect(spec.output).toBe('dense-1');
    expect(spec.layers.map((l) => [l.id, l.type, l.inputs])).toEqual([
      ['input', 'Input', []],
      ['conv2d-1', 'Conv2D', ['input']],
      ['maxpool2d-1', 'MaxPool2D', ['conv2d-1']],
      ['flatten-1', 'Flatten', ['maxpool2d-1']],
      ['dense-1', 'Dense', ['flatten-1']],
    ]);
    expect(spec.layers[0].params).toEqual({ shape: [64, 48, 1] });
    expect(spec.layers[4].params).toEqual({ units: '$classes', activation: 'softmax' });
  });

  it('keeps a merge layer inputs in the order drawn, and names a second loose end', () => {
    const { layers, edges } = starterLayers();
    const add = { id: 'add-1', type: 'Add', params: {}, position: { x: 0, y: 0 } };
    const drawn = [...edges, edgeOf('maxpool2d-1', 'add-1'), edgeOf('conv2d-1', 'add-1')];
    const { spec, problem } = specOf([...layers, add], drawn, 'net', 'classification');
    expect(spec.layers.find((l) => l.id === 'add-1')?.inputs).toEqual(['maxpool2d-1', 'conv2d-1']);
    expect(spec.output).toBe('dense-1');
    expect(problem?.layer).toBe('add-1');
    expect(problem?.message).toMatch(/dense-1, add-1 lead nowhere/);
  });
});

describe('connection rules', () => {
  const { layers, edges } = starterLayers();
  const all = [...layers, { id: 'add-1', type: 'Add', params: {}, position: { x: 0, y: 0 } }];

  it('refuses an input into Input, a second input into a one-input layer, a loop, a duplicate', () => {
    expect(connectionProblem(all, edges, catalogue, 'conv2d-1', 'input')).toMatch(/takes no input/);
    expect(connectionProblem(all, edges, catalogue, 'input', 'flatten-1')).toMatch(
      /flatten-1 \(Flatten\) takes one input and already has maxpool2d-1/,
    );
    expect(connectionProblem(all, edges, catalogue, 'dense-1', 'add-1')).toBeNull();
    expect(
      connectionProblem(all, [...edges, edgeOf('dense-1', 'add-1')], catalogue, 'add-1', 'conv2d-1'),
    ).toMatch(/one input/);
    expect(connectionProblem(all, edges, catalogue, 'input', 'conv2d-1')).toMatch(/already connected/);
    expect(connectionProblem(all, edges, catalogue, 'flatten-1', 'flatten-1')).toMatch(/itself/);
  });

  it('finds loops through any path', () => {
    expect(wouldCycle(edges, 'dense-1', 'conv2d-1')).toBe(true);
    expect(wouldCycle(edges, 'conv2d-1', 'dense-1')).toBe(false);
    const merge = [...edges, edgeOf('dense-1', 'add-1')];
    expect(connectionProblem(all, merge, catalogue, 'add-1', 'add-1')).toMatch(/itself/);
    expect(wouldCycle(merge, 'add-1', 'input')).toBe(true);
  });

  it('gives fresh ids per type and starting params from the schema', () => {
    expect(freshLayerId('Conv2D', ['conv2d-1', 'conv2d-3'])).toBe('conv2d-2');
    expect(freshLayerId('MaxPool2D', [])).toBe('maxpool2d-1');
    // filters is required without a default: a common start is filled in.
    expect(layerDefaults(catalogue[1])).toEqual({ kernelSize: 3, filters: 16 });
    expect(shapeText([32, null, 8])).toBe('32 × ? × 8');
  });
});

describe('the store', () => {
  it('drops the answer to an older spec when a newer check was asked', async () => {
    const answers: ((check: SpecCheck) => void)[] = [];
    const api: BuilderApi = {
      getLayerCatalogue: async () => catalogue,
      listNetworkSpecs: async () => [],
      saveNetworkSpec: async () => ({ ok: true, shapes: {} }),
      checkNetworkSpec: () => new Promise<SpecCheck>((resolve) => answers.push(resolve)),
      getNetworkSpec: async () => Promise.reject(new Error('not used')),
    };
    const store = new NetworkBuilderStore(api);
    await store.open('net', 'classification');
    store.close();
    const first = store.runCheck();
    const second = store.runCheck();
    await new Promise((r) => setTimeout(r, 0));
    answers[answers.length - 1]({ ok: true, shapes: { input: [8, 8, 1] }, parameters: 2 });
    answers[answers.length - 2]({ ok: false, shapes: {}, error: { message: 'old' } });
    expect(await second).toMatchObject({ ok: true });
    expect(await first).toBeNull();
    expect(store.check?.parameters).toBe(2);
  });

  it('adds, connects and removes layers; a refused connection is not drawn', async () => {
    const api: BuilderApi = {
      getLayerCatalogue: async () => catalogue,
      listNetworkSpecs: async () => [],
      saveNetworkSpec: async () => ({ ok: true, shapes: {} }),
      checkNetworkSpec: async () => ({ ok: true, shapes: {} }),
      getNetworkSpec: async () => Promise.reject(new Error('not used')),
    };
    const store = new NetworkBuilderStore(api);
    await store.open('net', 'classification');
    const id = store.addLayer('Add', { x: 10, y: 10 })!;
    expect(id).toBe('add-1');
    expect(store.selected).toBe('add-1');
    expect(store.connect('conv2d-1', 'add-1')).toBeNull();
    expect(store.connect('add-1', 'flatten-1')).toMatch(/one input/);
    expect(store.edges.filter((e) => e.target === 'flatten-1')).toHaveLength(1);
    store.removeLayer('add-1');
    expect(store.edges.some((e) => e.source === 'add-1' || e.target === 'add-1')).toBe(false);
    expect(store.problem).toBeNull();
    store.close();
  });
});
