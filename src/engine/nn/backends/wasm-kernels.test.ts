import { afterAll, describe, expect, it } from 'vitest';
import { batchNormTraining } from '../spec/fast-batchnorm';
import { tf } from '../tf';
import { relL2, seededValues } from '../../test-support/arrays';

/** Runs `f` on cpu and on wasm and compares every output; wasm must not leak tensors. */
async function matchesCpu(f: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  await tf.setBackend('cpu');
  const ref = f().map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const got = f().map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
  expect(tf.memory().numTensors).toBe(before);
  expect(got.length).toBe(ref.length);
  ref.forEach((r, i) => {
    expect(got[i].length).toBe(r.length);
    expect(relL2(got[i], r)).toBeLessThan(tolerance);
  });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('MaxPoolGrad on wasm matches the cpu backend', () => {
  const cases: {
    name: string;
    shape: [number, number, number, number];
    size: number;
    stride: number;
    pad: 'same' | 'valid';
  }[] = [
    { name: '2x2 stride 2 tiling exactly', shape: [2, 8, 6, 3], size: 2, stride: 2, pad: 'valid' },
    { name: '2x2 stride 2 on odd sizes', shape: [2, 9, 7, 3], size: 2, stride: 2, pad: 'valid' },
    { name: '2x2 stride 2 same padding on odd sizes', shape: [1, 9, 7, 2], size: 2, stride: 2, pad: 'same' },
    { name: '3x3 stride 2 overlapping, same padding', shape: [2, 9, 8, 4], size: 3, stride: 2, pad: 'same' },
    { name: '3x3 stride 1 valid', shape: [1, 7, 7, 5], size: 3, stride: 1, pad: 'valid' },
  ];
  it.each(cases)('$name', async ({ shape, size, stride, pad }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    // Four levels: most windows hold ties, which go to the first maximum on both backends.
    await matchesCpu(() => {
      const x = tf.tensor4d(seededValues(n, 1, -1, 1, 4), shape);
      const probe = tf.maxPool(x, size, stride, pad);
      const r = tf.tensor(seededValues(probe.size, 2), probe.shape);
      const dx = tf.grad((xx: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, size, stride, pad), r)),
      )(x);
      tf.dispose([x, probe, r]);
      return [dx];
    }, 1e-6);
  });
});

describe('batch normalization kernels on wasm match the cpu backend', () => {
  // Small batches are summed in JavaScript; more than 4096 rows go through average pooling,
  // and 4099 rows (a prime) through JavaScript again. Means of 100 test the centred variance.
  const shapes: { shape: number[]; mean: number }[] = [
    { shape: [3, 5, 4, 6], mean: 0 },
    { shape: [8, 32, 32, 4], mean: 100 },
    { shape: [1, 4099, 3], mean: -50 },
    { shape: [64, 5], mean: 3 },
  ];

  it.each(shapes)('training forward and gradients of $shape around $mean', async ({ shape, mean }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const c = shape[shape.length - 1];
    await matchesCpu(() => {
      const x = tf.tensor(seededValues(n, 3, mean - 2, mean + 2), shape);
      const gamma = tf.tensor1d(seededValues(c, 4, 0.5, 1.5));
      const beta = tf.tensor1d(seededValues(c, 5));
      const r = tf.tensor(seededValues(n, 6), shape);
      const loss = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Scalar => {
        const out = batchNormTraining(xx, gg, bb, 1e-3);
        tf.dispose([out.mean, out.variance]);
        return tf.sum(tf.mul(out.y, r));
      };
      const grads = tf.grads(loss)([x, gamma, beta]);
      const forward = batchNormTraining(x, gamma, beta, 1e-3);
      tf.dispose([x, gamma, beta, r]);
      return [forward.y, forward.mean, forward.variance, ...grads];
    });
  });

  it('inference (FusedBatchNorm) with per-channel and with broadcast parameters', async () => {
    await matchesCpu(() => {
      const x = tf.tensor4d(seededValues(2 * 33 * 65 * 7, 7, 90, 110), [2, 33, 65, 7]);
      const params: tf.Tensor[] = [];
      const p = (seed: number, lo: number, hi: number): tf.Tensor1D => {
        params.push(tf.tensor1d(seededValues(7, seed, lo, hi)));
        return params[params.length - 1] as tf.Tensor1D;
      };
      const channel = tf.batchNorm(x, p(8, 95, 105), p(9, 1, 4), p(10, -1, 1), p(11, 0.5, 2), 1e-3);
      // Parameters over H, W and C are not per-channel: the wasm package's own kernel runs.
      const full = [33, 65, 7];
      const q = (seed: number, lo: number, hi: number): tf.Tensor3D => {
        params.push(tf.tensor3d(seededValues(33 * 65 * 7, seed, lo, hi), full as [number, number, number]));
        return params[params.length - 1] as tf.Tensor3D;
      };
      const spatial = tf.batchNorm(x, q(12, 95, 105), q(13, 1, 4), q(14, -1, 1), q(15, 0.5, 2), 1e-3);
      tf.dispose([x, ...params]);
      return [channel, spatial];
    });
  });
});

describe('Identity and same-dtype Cast on wasm share data instead of copying', () => {
  it('a clone or a float32 cast outlives its source; a cast to int32 still converts', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const clone = tf.clone(x);
    const same = tf.cast(x, 'float32');
    // Shared: three tensors on one buffer of the wasm heap.
    expect(clone.dataId).toBe(x.dataId);
    expect(same.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(clone.dataSync())).toEqual([1.5, -2.25, 3]);
    clone.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
    const ints = tf.cast(same, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
