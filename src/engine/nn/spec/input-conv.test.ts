import { describe, expect, it } from 'vitest';
import { tf, tfl } from '../tf';
import { patchInputConv } from './input-conv';
import { seededValues } from '../../test-support/arrays';

/** Training-mode output and kernel/bias gradients of a conv on `x`, and the kernels the gradient ran. */
async function run(patched: boolean, activation: 'relu' | 'linear', strides: number) {
  const layer = tfl.layers.conv2d({
    filters: 3,
    kernelSize: 3,
    strides,
    padding: 'same',
    activation,
    useBias: true,
  });
  if (patched) patchInputConv(layer);
  const x = tf.tensor4d(seededValues(2 * 9 * 7 * 2, 1), [2, 9, 7, 2]);
  layer.build(x.shape);
  layer.setWeights([
    tf.tensor4d(seededValues(3 * 3 * 2 * 3, 2), [3, 3, 2, 3]),
    tf.tensor1d(seededValues(3, 3)),
  ]);
  const r = tf.tensor4d(seededValues(2 * Math.ceil(9 / strides) * Math.ceil(7 / strides) * 3, 4), [
    2,
    Math.ceil(9 / strides),
    Math.ceil(7 / strides),
    3,
  ]);
  let result: Float32Array[] = [];
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
      layer.trainableWeights.map((v) => v.read() as tf.Variable),
    );
    result = [value, ...Object.values(grads)].map((t) => t.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads)]);
  });
  const inference = layer.apply(x, { training: false }) as tf.Tensor;
  result.push(inference.dataSync() as Float32Array);
  tf.dispose([x, r, inference]);
  for (const v of layer.weights) (v as unknown as { dispose(): void }).dispose();
  return { result, kernels: profile.kernels.map((k) => k.name) };
}

describe('a conv on the network input skips the input gradient', () => {
  it.each([
    ['wasm', 'linear', 1],
    ['wasm', 'linear', 2],
    ['cpu', 'linear', 2],
    ['wasm', 'relu', 1],
  ] as const)(
    '%s, %s, stride %i: same output and weight gradients, no input gradient',
    async (backend, act, s) => {
      await tf.setBackend(backend);
      const plain = await run(false, act, s);
      const patched = await run(true, act, s);
      // tf.js fuses (and computes every gradient) only for a linear activation.
      if (act === 'linear') expect(plain.kernels).toContain('Conv2DBackpropInput');
      expect(patched.kernels).not.toContain('Conv2DBackpropInput');
      expect(patched.kernels).toContain('Conv2DBackpropFilter');
      patched.result.forEach((v, i) => {
        expect(v.length).toBe(plain.result[i].length);
        v.forEach((e, j) => expect(e).toBeCloseTo(plain.result[i][j], 4));
      });
    },
  );
});
