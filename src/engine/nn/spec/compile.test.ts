import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, type ArchitectureId } from '../networks/builtin';
import { VOLUME_ARCHITECTURES } from '../task-options';
import { tf } from '../tf';
import { LAYER_TYPES } from './catalogue';
import { compileSpec, inferShapes, SpecError } from './compile';
import { parseSpec, type NetworkSpec } from '../../api/network-spec';

const vars = { classes: 3, channels: 1 };

describe('network specs', () => {
  it.each(Object.keys(ARCHITECTURES))(
    'built-in %s compiles and its resources JSON is current',
    async (id) => {
      await tf.setBackend('cpu');
      const make = ARCHITECTURES[id as keyof typeof ARCHITECTURES];
      const shipped = parseSpec(
        JSON.parse(readFileSync(join(__dirname, '../../../../resources/networks', `${id}.json`), 'utf8')),
      );
      expect(shipped).toEqual(parseSpec(make()));
      const before = tf.memory().numTensors;
      // The 3-D networks take volumes (d, h, w, c); the others images.
      const inputShape = VOLUME_ARCHITECTURES.includes(id as ArchitectureId) ? [8, 16, 16, 1] : [32, 32, 1];
      const { model, shapes } = compileSpec(shipped, { inputShape, vars });
      const out = shapes[shipped.output];
      if (shipped.task === 'classification') expect(out).toEqual([null, 3]);
      if (shipped.task === 'segmentation') expect(out).toEqual([null, ...inputShape.slice(0, -1), 3]);
      if (shipped.task === 'transformation') expect(out).toEqual([null, ...inputShape.slice(0, -1), 1]);
      if (shipped.task === 'detection') expect(out).toEqual([null, 8, 8, 3 + 4]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('infers a shape per layer', () => {
    const shapes = inferShapes(ARCHITECTURES['small-cnn'](), { inputShape: [64, 64, 1], vars });
    expect(shapes.conv1).toEqual([null, 64, 64, 16]);
    expect(shapes.pool3).toEqual([null, 8, 8, 64]);
    expect(shapes.predictions).toEqual([null, 3]);
  });

  it('a wrong spec gets an error naming the layer and the shapes', () => {
    const spec: NetworkSpec = {
      format: 'phi-network',
      version: 1,
      name: 'bad',
      task: 'segmentation',
      description: '',
      layers: [
        { id: 'input', type: 'Input', params: {}, inputs: [] },
        { id: 'down', type: 'MaxPool2D', params: { poolSize: 2 }, inputs: ['input'] },
        { id: 'join', type: 'Add', params: {}, inputs: ['input', 'down'] },
      ],
      output: 'join',
    };
    expect(() => compileSpec(spec, { inputShape: [16, 16, 2] })).toThrow(SpecError);
    expect(() => compileSpec(spec, { inputShape: [16, 16, 2] })).toThrow(
      'Layer "join": Add needs inputs of the same shape; it gets 16 x 16 x 2 from input and 8 x 8 x 2 from down',
    );
    const badParam = {
      ...spec,
      layers: [spec.layers[0], { id: 'c', type: 'Conv2D', params: { filters: 0 }, inputs: ['input'] }],
      output: 'c',
    };
    expect(() => compileSpec(badParam, { inputShape: [8, 8, 1] })).toThrow(/Layer "c": bad params: filters/);
    const cycle = {
      ...spec,
      layers: [spec.layers[0], { id: 'a', type: 'Add', params: {}, inputs: ['input', 'a'] }],
      output: 'a',
    };
    expect(() => compileSpec(cycle, { inputShape: [8, 8, 1] })).toThrow(/cycle/);
  });

  it('every catalogue layer describes every param', () => {
    for (const t of Object.values(LAYER_TYPES)) {
      expect(t.description.length).toBeGreaterThan(5);
      for (const [name, schema] of Object.entries(t.params.shape)) {
        expect((schema as { description?: string }).description, `${t.type}.${name}`).toBeTruthy();
      }
    }
  });

  it("passes each param to tf.js under tfjs-layers' own name: the built layer's config holds it", () => {
    // Values other than the defaults, so a param that does not arrive shows.
    const chosen: Record<string, unknown> = {
      filters: 5,
      kernelSize: 5,
      strides: 2,
      padding: 'valid',
      useBias: false,
      depthMultiplier: 3,
      units: 7,
      rate: 0.25,
      momentum: 0.8,
      epsilon: 0.01,
      axis: 1,
      interpolation: 'bilinear',
      targetShape: [4, 2],
      cropping: 2,
    };
    let seed = 0;
    for (const t of Object.values(LAYER_TYPES)) {
      if (t.type === 'Input') continue;
      const names = Object.keys(t.params.shape);
      const raw = Object.fromEntries(names.filter((n) => n in chosen).map((n) => [n, chosen[n]]));
      if (t.type === 'ZeroPadding2D') raw.padding = 3;
      const params = t.params.parse(raw);
      const config = t.build(params, { name: `x-${t.type}`, nextSeed: () => ++seed }).getConfig();
      expect(config.name).toBe(`x-${t.type}`);
      for (const name of names.filter((n) => n in raw)) {
        const value = config[name];
        // tf.js spells a square window as one number per axis.
        const spread = Array.isArray(value) && !Array.isArray(raw[name]);
        const values = spread ? [...new Set((value as unknown[]).flat())] : value;
        expect(values, `${t.type}.${name}`).toEqual(spread ? [raw[name]] : raw[name]);
      }
    }
  });

  it('covers the catalogue layers of docs/networks.md, 3-D and spatial dropout included', () => {
    const spec: NetworkSpec = {
      format: 'phi-network',
      version: 1,
      name: 'all',
      task: 'classification',
      description: '',
      layers: [
        { id: 'in', type: 'Input', params: {}, inputs: [] },
        { id: 'pad', type: 'ZeroPadding2D', params: { padding: 1 }, inputs: ['in'] },
        { id: 'crop', type: 'Cropping2D', params: { cropping: 1 }, inputs: ['pad'] },
        { id: 'dw', type: 'DepthwiseConv2D', params: { depthMultiplier: 2 }, inputs: ['crop'] },
        {
          id: 'sep',
          type: 'SeparableConv2D',
          params: { filters: 4, activation: 'leakyRelu' },
          inputs: ['dw'],
        },
        { id: 'sd', type: 'SpatialDropout2D', params: { rate: 0.2 }, inputs: ['sep'] },
        { id: 'bn', type: 'BatchNorm', params: {}, inputs: ['sd'] },
        { id: 'act', type: 'Activation', params: { activation: 'swish' }, inputs: ['bn'] },
        { id: 'mul', type: 'Multiply', params: {}, inputs: ['act', 'bn'] },
        { id: 'ap', type: 'AvgPool2D', params: {}, inputs: ['mul'] },
        { id: 'up', type: 'UpSampling2D', params: {}, inputs: ['ap'] },
        { id: 'tr', type: 'Conv2DTranspose', params: { filters: 4, strides: 1 }, inputs: ['up'] },
        { id: 'gm', type: 'GlobalMaxPool2D', params: {}, inputs: ['tr'] },
        { id: 'rs', type: 'Reshape', params: { targetShape: [2, 2] }, inputs: ['gm'] },
        { id: 'fl', type: 'Flatten', params: {}, inputs: ['rs'] },
        { id: 'dr', type: 'Dropout', params: { rate: 0.1 }, inputs: ['fl'] },
        { id: 'out', type: 'Dense', params: { units: 2, activation: 'softmax' }, inputs: ['dr'] },
      ],
      output: 'out',
    };
    const shapes = inferShapes(spec, { inputShape: [8, 8, 2] });
    expect(shapes.dw).toEqual([null, 8, 8, 4]);
    expect(shapes.out).toEqual([null, 2]);
    const { model } = compileSpec(spec, { inputShape: [8, 8, 2] });
    const y = tf.tidy(() => (model.apply(tf.ones([3, 8, 8, 2]), { training: true }) as tf.Tensor).shape);
    expect(y).toEqual([3, 2]);
    model.dispose();
    const vol: NetworkSpec = {
      ...spec,
      layers: [
        { id: 'in', type: 'Input', params: {}, inputs: [] },
        { id: 'c3', type: 'Conv3D', params: { filters: 2 }, inputs: ['in'] },
        { id: 'p3', type: 'MaxPool3D', params: {}, inputs: ['c3'] },
        { id: 'a3', type: 'AvgPool3D', params: {}, inputs: ['p3'] },
      ],
      output: 'a3',
    };
    expect(inferShapes(vol, { inputShape: [8, 8, 8, 1] }).a3).toEqual([null, 2, 2, 2, 2]);
  });
});
