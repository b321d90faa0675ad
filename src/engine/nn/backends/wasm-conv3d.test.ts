import { afterAll, describe, expect, it } from 'vitest';
import { tf, tfl } from '../tf';
import { seededValues } from '../../test-support/arrays';

/** Largest absolute difference between two arrays of the same length. */
function maxAbsDiff(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]));
  return m;
}

/** Runs `f` on cpu and on wasm; every output must agree within `tolerance` and wasm must not leak tensors. */
async function matchesCpu(f: () => tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const values = (ts: tf.Tensor[]): Float32Array[] =>
    ts.map((t) => {
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
  await tf.setBackend('cpu');
  const ref = values(f());
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const got = values(f());
  expect(tf.memory().numTensors).toBe(before);
  expect(got.length).toBe(ref.length);
  ref.forEach((r, i) => {
    expect(got[i].length).toBe(r.length);
    expect(maxAbsDiff(got[i], r)).toBeLessThan(tolerance);
  });
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

type Triple = [number, number, number];
interface ConvCase {
  shape: [number, number, number, number, number];
  kernel: Triple;
  co: number;
  strides: Triple;
  pad: 'same' | 'valid';
}

const convCases: ConvCase[] = [];
for (const strides of [
  [1, 1, 1],
  [2, 2, 2],
] as Triple[]) {
  for (const pad of ['same', 'valid'] as const) {
    // Odd depth, height and width; one input channel (a first layer), a few, and enough for 2-D im2col to be passed over.
    convCases.push({ shape: [2, 7, 9, 5, 1], kernel: [3, 3, 3], co: 4, strides, pad });
    convCases.push({ shape: [1, 9, 7, 11, 3], kernel: [3, 3, 3], co: 5, strides, pad });
    convCases.push({ shape: [2, 5, 6, 7, 16], kernel: [3, 3, 3], co: 8, strides, pad });
  }
}
// Kernels of unequal and even sizes, mixed strides, a 1x1x1 kernel.
convCases.push({ shape: [1, 8, 6, 7, 2], kernel: [2, 3, 2], co: 3, strides: [2, 1, 2], pad: 'valid' });
convCases.push({ shape: [1, 9, 6, 7, 6], kernel: [3, 2, 3], co: 2, strides: [3, 2, 1], pad: 'same' });
convCases.push({ shape: [2, 4, 5, 3, 4], kernel: [1, 1, 1], co: 3, strides: [1, 1, 1], pad: 'valid' });

describe('Conv3D on wasm matches the cpu backend', () => {
  it.each(convCases)('$shape kernel $kernel -> $co, strides $strides, $pad', async (c) => {
    const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
    const ci = c.shape[4];
    const filterShape = [...c.kernel, ci, c.co] as ConvCase['shape'];
    await matchesCpu(() => {
      const x = tf.tensor5d(seededValues(size(c.shape), 1), c.shape);
      const f = tf.tensor5d(seededValues(size(filterShape), 2), filterShape);
      const forward = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor5D =>
        tf.conv3d(xx as tf.Tensor5D, ff as tf.Tensor5D, c.strides, c.pad);
      const y = forward(x, f);
      const r = tf.tensor(seededValues(y.size, 3), y.shape);
      const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(forward(xx, ff), r)))([x, f]);
      tf.dispose([x, f, r]);
      return [y, dx, df];
    });
  });

  it('a dilated forward conv (the package kernel) matches cpu', async () => {
    await matchesCpu(() => {
      const x = tf.tensor5d(seededValues(2 * 7 * 8 * 9 * 3, 5), [2, 7, 8, 9, 3]);
      const f = tf.tensor5d(seededValues(27 * 3 * 4, 6), [3, 3, 3, 3, 4]);
      const y = tf.conv3d(x, f, 1, 'same', 'NDHWC', [2, 2, 2]);
      tf.dispose([x, f]);
      return [y];
    });
  });

  it.each([
    { shape: [2, 3, 4, 5, 6], kernel: [2, 2, 2], co: 3, strides: [2, 2, 2], pad: 'same' },
    { shape: [1, 3, 3, 4, 4], kernel: [3, 3, 3], co: 2, strides: [2, 2, 2], pad: 'valid' },
    { shape: [1, 4, 3, 5, 16], kernel: [3, 3, 3], co: 4, strides: [1, 1, 1], pad: 'same' },
  ] as ConvCase[])(
    'a transposed conv (Conv3DBackpropInputV2 forward) and its gradients, $shape, strides $strides, $pad',
    async (c) => {
      const [n, d, h, w, ci] = c.shape;
      const filterShape: ConvCase['shape'] = [...c.kernel, c.co, ci];
      const outShape = (len: number, k: number, s: number): number =>
        c.pad === 'same' ? len * s : (len - 1) * s + k;
      const out: ConvCase['shape'] = [
        n,
        outShape(d, c.kernel[0], c.strides[0]),
        outShape(h, c.kernel[1], c.strides[1]),
        outShape(w, c.kernel[2], c.strides[2]),
        c.co,
      ];
      await matchesCpu(() => {
        const x = tf.tensor5d(seededValues(n * d * h * w * ci, 11), c.shape);
        const f = tf.tensor5d(
          seededValues(
            filterShape.reduce((a, b) => a * b, 1),
            12,
          ),
          filterShape,
        );
        const forward = (xx: tf.Tensor, ff: tf.Tensor): tf.Tensor5D =>
          tf.conv3dTranspose(xx as tf.Tensor5D, ff as tf.Tensor5D, out, c.strides, c.pad);
        const y = forward(x, f);
        const r = tf.tensor(seededValues(y.size, 13), y.shape);
        const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(forward(xx, ff), r)))([
          x,
          f,
        ]);
        tf.dispose([x, f, r]);
        return [y, dx, df];
      });
    },
  );
});

describe('3-D pooling on wasm matches the cpu backend', () => {
  const cases: { shape: ConvCase['shape']; size: number; stride: number; pad: 'same' | 'valid' }[] = [
    { shape: [2, 8, 6, 4, 3], size: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 9, 5, 3], size: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 9, 5, 3], size: 2, stride: 2, pad: 'same' },
    { shape: [1, 7, 8, 9, 4], size: 3, stride: 2, pad: 'same' },
    { shape: [1, 5, 5, 6, 2], size: 3, stride: 1, pad: 'valid' },
  ];
  // Four levels: most windows hold ties, which go to the same position on both backends.
  for (const levels of [0, 4]) {
    it.each(cases)(
      `max and average pooling $shape size $size stride $stride $pad, ${levels} levels`,
      async (c) => {
        const n = c.shape.reduce((a, b) => a * b, 1);
        await matchesCpu(() => {
          const x = tf.tensor5d(seededValues(n, 1, -1, 1, levels), c.shape);
          const out: tf.Tensor[] = [];
          for (const pool of [tf.maxPool3d, tf.avgPool3d]) {
            const y = pool(x, c.size, c.stride, c.pad);
            const r = tf.tensor(seededValues(y.size, 2), y.shape);
            const dx = tf.grad((xx: tf.Tensor) =>
              tf.sum(tf.mul(pool(xx as tf.Tensor5D, c.size, c.stride, c.pad), r)),
            )(x);
            out.push(y, dx);
            r.dispose();
          }
          x.dispose();
          return out;
        });
      },
    );
  }
});

describe('a small 3-D CNN trains on wasm', () => {
  /** conv3d + maxPooling3d + global average pooling + dense, with seeded weights. */
  function build(): ReturnType<typeof tfl.sequential> {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv3d({
          inputShape: [7, 9, 8, 1],
          filters: 6,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
        }),
        tfl.layers.maxPooling3d({ poolSize: 2, strides: 2, padding: 'same' }),
        tfl.layers.conv3d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu' }),
        // tfjs-layers has no globalAveragePooling3d: flatten the volume and pool over it.
        tfl.layers.reshape({ targetShape: [2 * 3 * 2, 4] }),
        tfl.layers.globalAveragePooling1d(),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const weights = model
      .getWeights()
      .map((w, i) => tf.tensor(seededValues(w.size, 20 + i, -0.5, 0.5), w.shape));
    model.setWeights(weights);
    tf.dispose(weights);
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    return model;
  }

  async function trainLosses(backend: string, steps: number): Promise<{ losses: number[]; leaked: number }> {
    await tf.setBackend(backend);
    const model = build();
    // Items of the second class are brighter: a task a few steps can make progress on.
    const voxels = 7 * 9 * 8;
    const items = [0, 1, 0, 1].map((label, i) =>
      seededValues(voxels, 30 + i, label * 0.5, 0.5 + label * 0.5),
    );
    const x = tf.tensor5d(Float32Array.from(items.flatMap((v) => Array.from(v))), [4, 7, 9, 8, 1]);
    const y = tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]);
    const out: number[] = [];
    let after = 0;
    for (let i = 0; i < steps; i++) {
      // From the second step on the optimizer holds all its state: a step must leave no tensor behind.
      if (i === 2) after = tf.memory().numTensors;
      out.push((await model.trainOnBatch(x, y)) as number);
    }
    const leaked = tf.memory().numTensors - after;
    tf.dispose([x, y]);
    model.dispose();
    return { losses: out, leaked };
  }

  it('with the losses of the cpu backend over its first steps, decreasing, and no tensor left per step', async () => {
    const cpu = await trainLosses('cpu', 3);
    const wasm = await trainLosses('wasm', 8);
    // The first step's loss is the forward pass; the next two follow from the gradients applied.
    cpu.losses.forEach((loss, i) => expect(Math.abs(wasm.losses[i] - loss)).toBeLessThan(1e-4));
    expect(wasm.losses.at(-1)).toBeLessThan(wasm.losses[0] * 0.9);
    expect(wasm.leaked).toBe(0);
  });
});
