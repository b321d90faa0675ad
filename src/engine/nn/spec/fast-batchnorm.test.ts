import { describe, expect, it } from 'vitest';
import { tf, tfl } from '../tf';
import { patchBatchNorm } from './fast-batchnorm';
import { relL2, seededValues } from '../../test-support/arrays';

/** Output, gradients (x, gamma, beta) and moving stats after one training call of a BN layer. */
function run(patched: boolean, backend: string): Float32Array[] {
  tf.setBackend(backend);
  const layer = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
  if (patched) patchBatchNorm(layer);
  const x = tf.tensor4d(seededValues(3 * 5 * 4 * 6, 1, -1, 3), [3, 5, 4, 6]);
  layer.build(x.shape);
  const w = layer.getWeights();
  const init = [tf.tensor1d(seededValues(6, 2, -1, 3)), tf.tensor1d(seededValues(6, 3, -1, 3))];
  layer.setWeights([...init, w[2], w[3]]);
  tf.dispose(init);
  const r = tf.tensor4d(seededValues(3 * 5 * 4 * 6, 4, -1, 3), [3, 5, 4, 6]);
  const { value, grads } = tf.variableGrads(
    () => {
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return tf.sum(tf.mul(y, r)) as tf.Scalar;
    },
    layer.trainableWeights.map((v) => v.read() as tf.Variable),
  );
  const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx, { training: true }) as tf.Tensor, r)))(
    x,
  );
  const out = [
    value.dataSync() as Float32Array,
    dx.dataSync() as Float32Array,
    ...Object.values(grads).map((g) => g.dataSync() as Float32Array),
    ...layer
      .getWeights()
      .slice(2)
      .map((t) => t.dataSync() as Float32Array),
  ];
  tf.dispose([x, r, value, dx, ...Object.values(grads)]);
  // The layer was never applied symbolically, so Layer.dispose refuses: release its variables.
  for (const v of layer.weights) (v as unknown as { dispose(): void }).dispose();
  return out;
}

describe('fast batch-norm training gradient', () => {
  it.each(['cpu', 'wasm'])(
    'matches tf.js layers on %s (output, dx, dgamma, dbeta, moving stats)',
    async (backend) => {
      await tf.setBackend(backend);
      await tf.ready();
      const ref = run(false, backend);
      const before = tf.memory().numTensors;
      const got = run(true, backend);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.length).toBe(ref.length);
      got.forEach((g, i) => expect(relL2(g, ref[i])).toBeLessThan(1e-4));
    },
  );
});
