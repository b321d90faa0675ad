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

describe('Slice, SplitV and Concat on wasm match the cpu backend', () => {
  const boxes: { shape: number[]; begin: number[]; size: number[] }[] = [
    { shape: [2, 5, 4, 3, 7], begin: [1, 1, 0, 2, 3], size: [1, 3, 4, 1, 4] },
    { shape: [2, 5, 4, 3, 7], begin: [0, 2, 0, 0, 0], size: [2, 3, -1, -1, -1] },
    { shape: [3, 4, 5, 6, 70], begin: [0, 1, 1, 0, 5], size: [3, 2, 3, 6, 60] },
    { shape: [9], begin: [2], size: [5] },
    { shape: [2, 3, 2, 2, 2, 5], begin: [1, 0, 1, 0, 1, 1], size: [1, 3, 1, 2, 1, 3] },
  ];
  it.each(boxes)(
    'slice of $shape from $begin, size $size, and its gradient',
    async ({ shape, begin, size }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      await matchesCpu(() => {
        const x = tf.tensor(seededValues(n, 21), shape);
        const part = tf.slice(x, begin, size);
        const r = tf.tensor(seededValues(part.size, 22), part.shape);
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.slice(xx, begin, size), r)))(x);
        tf.dispose([x, r]);
        return [part, dx];
      }, 1e-7);
    },
  );

  const joins: { shapes: number[][]; axis: number }[] = [
    // Channels of odd counts, and runs long enough for `set`.
    {
      shapes: [
        [2, 3, 4, 5, 3],
        [2, 3, 4, 5, 5],
      ],
      axis: -1,
    },
    {
      shapes: [
        [2, 3, 4, 5, 40],
        [2, 3, 4, 5, 33],
        [2, 3, 4, 5, 1],
      ],
      axis: 4,
    },
    {
      shapes: [
        [2, 1, 4, 5, 3],
        [2, 4, 4, 5, 3],
      ],
      axis: 1,
    },
    {
      shapes: [
        [1, 3, 2, 2, 3],
        [2, 3, 2, 2, 3],
      ],
      axis: 0,
    },
    // Equal inputs of short runs (a U-Net's skip connection, 8 + 8 channels) go through a transpose.
    {
      shapes: [
        [2, 3, 4, 5, 8],
        [2, 3, 4, 5, 8],
      ],
      axis: -1,
    },
    {
      shapes: [
        [2, 3, 2, 2, 3],
        [2, 3, 2, 2, 3],
        [2, 3, 2, 2, 3],
      ],
      axis: 2,
    },
    {
      shapes: [
        [3, 4],
        [3, 0],
        [3, 2],
      ],
      axis: 1,
    },
  ];
  it.each(joins)('concat of $shapes on axis $axis, and its gradient (SplitV)', async ({ shapes, axis }) => {
    await matchesCpu(() => {
      const xs = shapes.map((s, i) =>
        tf.tensor(
          seededValues(
            s.reduce((a, b) => a * b, 1),
            30 + i,
          ),
          s,
        ),
      );
      const joined = tf.concat(xs, axis);
      const r = tf.tensor(seededValues(joined.size, 40), joined.shape);
      const grads = tf.grads((...parts: tf.Tensor[]) => tf.sum(tf.mul(tf.concat(parts, axis), r)))(xs);
      const split = tf.split(joined, [shapes[0][(axis + 5) % 5] ?? 0, -1], axis);
      tf.dispose([...xs, r]);
      return [joined, ...grads, ...split];
    }, 1e-7);
  });

  it('int32 tensors keep the package kernels', async () => {
    await matchesCpu(() => {
      const x = tf.tensor(
        Int32Array.from({ length: 60 }, (_, i) => i * 3 - 7),
        [1, 3, 4, 5, 1],
        'int32',
      );
      const joined = tf.concat([x, x], 4);
      const [a, b] = tf.split(joined, 2, 4);
      const part = tf.slice(x, [0, 1, 1, 1, 0], [1, 2, 2, 2, 1]);
      x.dispose();
      return [joined, a, b, part].map((t) => {
        const f = tf.cast(t, 'float32');
        t.dispose();
        return f;
      });
    }, 1e-9);
  });
});

describe('Sum over every axis but the channels on wasm matches the cpu backend', () => {
  // Up to 4096 rows are summed in JavaScript, more through average pooling (65536 rows: a bias gradient at 2x32^3).
  const cases: { shape: number[]; axis: number[]; keepDims: boolean }[] = [
    { shape: [2, 32, 32, 32, 8], axis: [0, 1, 2, 3], keepDims: false },
    { shape: [2, 5, 7, 3, 6], axis: [3, 1, 0, 2], keepDims: true },
    { shape: [4099, 3], axis: [0], keepDims: false },
    { shape: [3, 5, 4], axis: [0, 1], keepDims: false },
    // Not a per-channel sum: the package's kernel.
    { shape: [3, 5, 4], axis: [1, 2], keepDims: false },
  ];
  it.each(cases)('sum of $shape over $axis (keepDims $keepDims)', async ({ shape, axis, keepDims }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    await matchesCpu(() => {
      const x = tf.tensor(seededValues(n, 50, 2, 4), shape);
      const s = tf.sum(x, axis, keepDims);
      expect(s.shape).toEqual(
        keepDims
          ? shape.map((d, i) => (axis.includes(i) ? 1 : d))
          : shape.filter((_, i) => !axis.includes(i)),
      );
      x.dispose();
      return [s];
    }, 1e-6);
  });
});

describe('the LeakyRelu gradient on wasm matches the cpu backend', () => {
  // Zeros in x take the alpha branch on both backends (x > 0 is false).
  const cases: { shape: number[]; alpha: number }[] = [
    { shape: [2, 5, 7, 3, 6], alpha: 0.2 },
    { shape: [3, 11, 13, 1], alpha: 0.01 },
    { shape: [17], alpha: 0.5 },
  ];
  it.each(cases)('leakyRelu of $shape, alpha $alpha', async ({ shape, alpha }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    await matchesCpu(() => {
      const x = tf.tensor(seededValues(n, 60, -1, 1, 8), shape);
      const r = tf.tensor(seededValues(n, 61), shape);
      const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(xx, alpha), r)))(x);
      const y = tf.leakyRelu(x, alpha);
      tf.dispose([x, r]);
      return [y, dx];
    }, 1e-7);
  });
});
