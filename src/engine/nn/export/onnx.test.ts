/**
 * The ONNX converter against tf.js: networks using every layer of the
 * catalogue (2-D and 3-D), the built-in U-Net and 3-D CNN, with trained-looking
 * weights, pass ONNX's own checker (Debian's python3-onnx) and give tf.js's
 * outputs under ONNX Runtime; a layer without a mapping is refused by name.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select';
import { cnn3d, unet, unet3d, unet3dRegression } from '../networks/builtin';
import { compileSpec } from '../spec/compile';
import type { NetworkSpec } from '../../api/network-spec';
import { seededValues } from '../../test-support/arrays';
import { tf, tfl } from '../tf';
import { ONNX_IR_VERSION, ONNX_OPSET, toOnnx, toOnnxModel } from './onnx';
import { checkOnnx } from './onnx-checker';
import { OnnxNetwork } from './runtime';

const dir = mkdtempSync(join(tmpdir(), 'phi-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
});

/** Layer list to spec: `[id, type, params, inputs]`, the first an Input. */
function spec(name: string, layers: [string, string, Record<string, unknown>, string[]][]): NetworkSpec {
  return {
    format: 'phi-network',
    version: 1,
    name,
    task: 'classification',
    description: '',
    layers: layers.map(([id, type, params, inputs]) => ({ id, type, params, inputs })),
    output: layers[layers.length - 1][0],
  };
}

/** Seeded biases and batch-norm parameters and statistics, as training would leave them (kernels keep their initial values). */
function trainedLooking(model: tfl.LayersModel): void {
  let seed = 11;
  for (const w of model.weights) {
    const kind = w.originalName.split('/').pop() as string;
    if (kind.endsWith('kernel')) continue;
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = kind === 'moving_variance' || kind === 'gamma' ? [0.5, 1.5] : [-0.5, 0.5];
    w.write(tf.tensor(seededValues(n, seed++, lo, hi), shape));
  }
}

/** Max |ONNX Runtime - tf.js| over a batch of two seeded inputs. */
async function maxDifference(model: tfl.LayersModel, name: string): Promise<number> {
  const shape = [2, ...(model.inputs[0].shape.slice(1) as number[])];
  const x = seededValues(
    shape.reduce((a, b) => a * b),
    5,
    -2,
    2,
  );
  const expected = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync());
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, toOnnx(model));
  expect(checkOnnx(path)).toBe(`${ONNX_IR_VERSION} ${ONNX_OPSET}`);
  const net = await OnnxNetwork.load(path);
  const got = await net.run(x, shape);
  await net.release();
  expect(got.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected[i]));
  return max;
}

describe('ONNX export', () => {
  it('maps every 2-D layer and activation of the catalogue', async () => {
    const s = spec('every-layer', [
      ['input', 'Input', {}, []],
      ['c1', 'Conv2D', { filters: 4, kernelSize: 3, activation: 'elu' }, ['input']],
      ['dw', 'DepthwiseConv2D', { strides: 2, depthMultiplier: 2, activation: 'selu' }, ['c1']],
      ['sep', 'SeparableConv2D', { filters: 6, padding: 'valid', activation: 'swish' }, ['dw']],
      ['zp', 'ZeroPadding2D', { padding: 2 }, ['sep']],
      ['ap', 'AvgPool2D', { poolSize: 3, strides: 2, padding: 'same' }, ['zp']],
      ['bn', 'BatchNorm', {}, ['ap']],
      ['lk', 'Activation', { activation: 'leakyRelu', alpha: 0.2 }, ['bn']],
      ['up', 'UpSampling2D', { size: 2, interpolation: 'bilinear' }, ['lk']],
      ['ct', 'Conv2DTranspose', { filters: 6, kernelSize: 3, strides: 2, activation: 'tanh' }, ['up']],
      ['cr', 'Cropping2D', { cropping: 4 }, ['ct']],
      ['c2', 'Conv2D', { filters: 6, kernelSize: 1, activation: 'leakyRelu' }, ['cr']],
      ['add', 'Add', {}, ['cr', 'c2']],
      ['mul', 'Multiply', {}, ['add', 'up']],
      ['cat', 'Concatenate', {}, ['mul', 'up']],
      ['ct2', 'Conv2DTranspose', { filters: 2, kernelSize: 1, strides: 2, padding: 'valid' }, ['cat']],
      ['near', 'UpSampling2D', { size: 2 }, ['ct2']],
      ['mp', 'MaxPool2D', { poolSize: 3, strides: 2, padding: 'same' }, ['near']],
      ['sd', 'SpatialDropout2D', { rate: 0.3 }, ['mp']],
      ['d4', 'Dense', { units: 3, activation: 'sigmoid' }, ['sd']],
      ['rs', 'Reshape', { targetShape: [256, 3] }, ['d4']],
      ['fl', 'Flatten', {}, ['rs']],
      ['d1', 'Dense', { units: 5, activation: 'relu' }, ['fl']],
      ['do', 'Dropout', { rate: 0.5 }, ['d1']],
      ['gap', 'GlobalAvgPool2D', {}, ['cat']],
      ['gmp', 'GlobalMaxPool2D', {}, ['mp']],
      ['cat2', 'Concatenate', {}, ['gap', 'do', 'gmp']],
      ['out', 'Dense', { units: 3 }, ['cat2']],
    ]);
    const { model, shapes } = compileSpec(s, { inputShape: [12, 12, 2], seed: 3 });
    expect(shapes.ct).toEqual([null, 16, 16, 6]);
    trainedLooking(model);
    expect(await maxDifference(model, 'every-layer')).toBeLessThan(1e-4);
    model.dispose();
  });

  it('maps 3-D convolution and pooling on volumes', async () => {
    const s = spec('volume', [
      ['input', 'Input', {}, []],
      ['c', 'Conv3D', { filters: 3, kernelSize: 3, strides: 2, activation: 'relu' }, ['input']],
      ['mp', 'MaxPool3D', { poolSize: 2 }, ['c']],
      ['ap', 'AvgPool3D', { poolSize: 2, strides: 1, padding: 'same' }, ['mp']],
      ['fl', 'Flatten', {}, ['ap']],
      ['out', 'Dense', { units: 2, activation: 'softmax' }, ['fl']],
    ]);
    const { model } = compileSpec(s, { inputShape: [6, 8, 8, 1], seed: 5 });
    trainedLooking(model);
    expect(await maxDifference(model, 'volume')).toBeLessThan(1e-4);
    model.dispose();
  });

  it('exports the built-in cnn3d, its 3-D global average pooling as GlobalAveragePool', async () => {
    const { model } = compileSpec(cnn3d({ baseFilters: 3, depth: 2, dropout: 0 }), {
      inputShape: [8, 12, 8, 2],
      vars: { classes: 3 },
      seed: 4,
    });
    trainedLooking(model);
    const ops = toOnnxModel(model).graph.node.map((n) => n.opType);
    expect(ops).toContain('GlobalAveragePool');
    expect(await maxDifference(model, 'cnn3d')).toBeLessThan(1e-4);
    model.dispose();
  });

  it('exports the built-in 3-D U-Nets, their up-sampling as a 3-D ConvTranspose', async () => {
    for (const [name, build] of [
      ['unet3d', unet3d],
      ['unet3d-regression', unet3dRegression],
    ] as const) {
      const { model } = compileSpec(build({ baseFilters: 3, depth: 2 }), {
        inputShape: [8, 12, 4, 1],
        vars: { classes: 3, channels: 1 },
        seed: 6,
      });
      trainedLooking(model);
      const transposed = toOnnxModel(model).graph.node.filter((n) => n.opType === 'ConvTranspose');
      expect(transposed).toHaveLength(2);
      expect(await maxDifference(model, name)).toBeLessThan(1e-4);
      model.dispose();
    }
  });

  it('exports the built-in U-Net with per-pixel probabilities in NHWC', async () => {
    const { model } = compileSpec(unet({ baseFilters: 4, depth: 2 }), {
      inputShape: [16, 16, 1],
      vars: { classes: 3 },
    });
    trainedLooking(model);
    expect(await maxDifference(model, 'unet')).toBeLessThan(1e-4);
    model.dispose();
  });

  it('refuses a layer or an activation without a mapping, naming it', () => {
    const input = tfl.input({ shape: [4] });
    const norm = tfl.layers.layerNormalization({ name: 'norm' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: norm });
    expect(() => toOnnx(model)).toThrow('Layer "norm" (LayerNormalization) has no ONNX export.');
    const soft = tfl.layers.dense({ units: 2, activation: 'softplus', name: 'soft' }).apply(input);
    const other = tfl.model({ inputs: input, outputs: soft as tfl.SymbolicTensor });
    expect(() => toOnnx(other)).toThrow(
      'Layer "soft" uses the activation "softplus", which has no ONNX export.',
    );
    model.dispose();
    other.dispose();
  });
});
