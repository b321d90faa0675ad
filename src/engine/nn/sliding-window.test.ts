import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWith } from '../test-support/python';
import {
  importanceMap,
  scanInterval,
  slidingWindowInference,
  windowStarts,
  type BlendMode,
  type PatchPredictor,
} from './sliding-window';
import { tf, tfl } from './tf';

interface Reference {
  positions: {
    imageSize: number[];
    patchSize: number[];
    overlap: number;
    interval: number[];
    starts: number[][];
  }[];
  blends: {
    shape: number[];
    patchSize: number[];
    overlap: number;
    image: number[];
    kernel: number[];
    out: Record<BlendMode, number[]>;
    importance: number[];
  }[];
}

/** MONAI's windowing and blending reproduced in numpy by tools/metrics-reference/sliding_window.py. */
function reference(): Reference {
  const python = pythonWith(['numpy', 'scipy'], 'python3-numpy python3-scipy');
  const script = join(__dirname, '../../../tools/metrics-reference/sliding_window.py');
  const run = spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Reference;
}

/** Seeded values with a few decimals, so sums of equal copies stay exact in float32. */
function volume(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s % 2001) / 8 - 125;
  });
}

describe('sliding-window inference', () => {
  const ref = reference();
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("window positions are MONAI's dense_patch_slices", () => {
    for (const p of ref.positions) {
      const step = scanInterval(p.imageSize, p.patchSize, p.overlap);
      expect(step).toEqual(p.interval);
      expect(windowStarts(p.imageSize, p.patchSize, step)).toEqual(p.starts);
    }
  });

  it("the Gaussian weights are MONAI's compute_importance_map", () => {
    for (const b of ref.blends) {
      const got = importanceMap(b.patchSize, 'gaussian');
      expect(got.length).toBe(b.importance.length);
      got.forEach((v, i) =>
        expect(Math.abs(v - b.importance[i])).toBeLessThanOrEqual(1e-6 * b.importance[i]),
      );
    }
  });

  it.each(['constant', 'gaussian'] as const)(
    '%s blending of a 3x3(x3) convolution equals MONAI sliding_window_inference, padding included',
    async (mode) => {
      for (const b of ref.blends) {
        const dims = b.shape.length;
        const kernel = tf.tidy(() =>
          tf
            .tensor(b.kernel, [2, ...new Array<number>(dims).fill(3)])
            .transpose([...Array.from({ length: dims }, (_, a) => a + 1), 0])
            .expandDims(dims),
        );
        const predict: PatchPredictor = (x) =>
          dims === 3
            ? tf.conv3d(x as tf.Tensor5D, kernel as tf.Tensor5D, 1, 'same')
            : tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same');
        const got = await slidingWindowInference({ data: b.image, shape: [...b.shape, 1] }, predict, {
          patchSize: b.patchSize,
          overlap: b.overlap,
          mode,
          batchSize: 4,
        });
        kernel.dispose();
        expect(got.shape).toEqual([...b.shape, 2]);
        let worst = 0;
        got.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b.out[mode][i]))));
        expect(worst).toBeLessThanOrEqual(1e-5);
      }
    },
  );

  it('an identity network gives back the input of a volume not a multiple of the patch, with both blend modes', async () => {
    const shape = [19, 23, 10, 2];
    const data = volume(19 * 23 * 10 * 2, 7);
    for (const mode of ['constant', 'gaussian'] as const) {
      const got = await slidingWindowInference({ data, shape }, (x) => x.clone(), {
        patchSize: [8, 8, 8],
        mode,
        batchSize: 3,
      });
      expect(got.shape).toEqual(shape);
      if (mode === 'constant') expect(got.data).toEqual(data);
      else
        got.data.forEach((v, i) =>
          expect(Math.abs(v - data[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(data[i]))),
        );
    }
  });

  it('a 1x1x1 layer with known weights on the wasm backend gives its per-voxel output, a batch of patches at a time, and frees its tensors', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [8, 6, 8, 2], units: 3, useBias: true })],
    });
    const w = [0.5, -1, 2, 0.25, 3, -0.75];
    const bias = [1, -2, 0.5];
    model.setWeights([tf.tensor2d(w, [2, 3]), tf.tensor1d(bias)]);
    const shape = [13, 11, 20, 2];
    const data = volume(13 * 11 * 20 * 2, 3);
    const batches: number[][] = [];
    const before = tf.memory();
    let heldBytes = 0;
    const got = await slidingWindowInference(
      { data, shape },
      (x) => {
        batches.push(x.shape);
        heldBytes = Math.max(heldBytes, tf.memory().numBytes - before.numBytes);
        return model.predict(x) as tf.Tensor;
      },
      { patchSize: [8, 6, 8], overlap: 0.5, mode: 'gaussian', batchSize: 2 },
    );
    expect(tf.memory().numTensors).toBe(before.numTensors);
    model.dispose();
    await tf.setBackend('cpu');
    // While the network runs, only the batch of patches is on the heap, never the whole input.
    expect(heldBytes).toBe(2 * 8 * 6 * 8 * 2 * 4);
    expect(heldBytes).toBeLessThan(data.byteLength);
    const windows = windowStarts([13, 11, 20], [8, 6, 8], scanInterval([13, 11, 20], [8, 6, 8], 0.5)).length;
    expect(batches.reduce((n, b) => n + b[0], 0)).toBe(windows);
    for (const b of batches) {
      expect(b[0]).toBeLessThanOrEqual(2);
      expect(b.slice(1)).toEqual([8, 6, 8, 2]);
    }
    expect(got.shape).toEqual([13, 11, 20, 3]);
    for (let v = 0; v < 13 * 11 * 20; v++)
      for (let k = 0; k < 3; k++) {
        const want = data[v * 2] * w[k] + data[v * 2 + 1] * w[3 + k] + bias[k];
        expect(Math.abs(got.data[v * 3 + k] - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
      }
  });

  it('refuses a patch of the wrong rank and an overlap outside [0, 1)', async () => {
    const input = { data: new Float32Array(16), shape: [4, 4, 1] };
    await expect(slidingWindowInference(input, (x) => x.clone(), { patchSize: [2, 2, 2] })).rejects.toThrow(
      /patch size 2x2x2/,
    );
    await expect(
      slidingWindowInference(input, (x) => x.clone(), { patchSize: [2, 2], overlap: 1 }),
    ).rejects.toThrow(/overlap/);
  });
});
