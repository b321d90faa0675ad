/**
 * 3-D global average pooling: the mean of each channel over the volume, kept through tf.js's
 * JSON serialization; and the cnn3d that ends in it, trained on 8x8x8 volumes and loaded back
 * from its checkpoint into the network built for 12x16x8 volumes, classifies those as it learnt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select';
import { cnn3d } from '../networks/builtin';
import { checkpointPath, loadCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { seededValues } from '../../test-support/arrays';
import { tf, tfl } from '../tf';
import { compileSpec } from './compile';

const dir = mkdtempSync(join(tmpdir(), 'phi-gap3d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('wasm');
});

/** `n` volumes of `shape` (d, h, w) whose values centre on -1 (class 0) or +1 (class 1), alternating. */
function volumes(n: number, shape: number[], seed: number): { x: tf.Tensor; classes: number[] } {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * size);
  const classes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    classes.push(c);
    const noise = seededValues(size, seed + i, -0.6, 0.6);
    for (let v = 0; v < size; v++) data[i * size + v] = (c ? 1 : -1) + noise[v];
  }
  return { x: tf.tensor(data, [n, ...shape, 1]), classes };
}

describe('GlobalAvgPool3D', () => {
  it('averages each channel over the volume and survives tf.js serialization', async () => {
    const spec = {
      format: 'phi-network' as const,
      version: 1,
      name: 'gap3d',
      task: 'classification' as const,
      description: '',
      layers: [
        { id: 'input', type: 'Input', params: {}, inputs: [] },
        { id: 'gap', type: 'GlobalAvgPool3D', params: {}, inputs: ['input'] },
      ],
      output: 'gap',
    };
    const { model, shapes } = compileSpec(spec, { inputShape: [3, 4, 5, 2] });
    expect(shapes.gap).toEqual([null, 2]);
    const x = tf.tensor(seededValues(2 * 3 * 4 * 5 * 2, 3), [2, 3, 4, 5, 2]);
    const expected = tf.tidy(() => tf.mean(x, [1, 2, 3]).arraySync() as number[][]);
    const got = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i], 5));
    const restored = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
    expect(restored.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'GlobalAveragePooling3D']);
    const again = tf.tidy(() => (restored.predict(x) as tf.Tensor).arraySync() as number[][]);
    expect(again).toEqual(got);
    tf.dispose([x]);
    model.dispose();
    restored.dispose();
  });

  it('lets a cnn3d trained on 8x8x8 volumes classify 12x16x8 volumes from its checkpoint', async () => {
    const spec = cnn3d({ baseFilters: 2, depth: 2, dropout: 0 });
    const trained = compileSpec(spec, { inputShape: [8, 8, 8, 1], vars: { classes: 2 }, seed: 2 }).model;
    const train = volumes(8, [8, 8, 8], 20);
    const oneHot = tf.oneHot(tf.tensor1d(train.classes, 'int32'), 2).asType('float32');
    const optimizer = tf.train.adam(0.01);
    let first = 0;
    let last = 0;
    for (let step = 0; step < 40; step++) {
      const loss = optimizer.minimize(
        () =>
          tfl.metrics
            .categoricalCrossentropy(oneHot, trained.apply(train.x) as tf.Tensor)
            .mean() as tf.Scalar,
        true,
      ) as tf.Scalar;
      last = loss.dataSync()[0];
      if (step === 0) first = last;
      loss.dispose();
    }
    console.log(`cnn3d on 8x8x8 volumes: loss ${first.toFixed(3)} -> ${last.toFixed(3)} in 40 steps`);
    expect(last).toBeLessThan(first / 2);
    const path = checkpointPath(dir, 'best');
    const meta = { trainingKey: 'k', epoch: 1, finished: true, bestValue: null, bestEpoch: 1, stale: 0 };
    await saveCheckpoint(path, { ...meta, earlyValue: null, backend: 'wasm' }, trained);

    const larger = compileSpec(spec, { inputShape: [12, 16, 8, 1], vars: { classes: 2 }, seed: 9 }).model;
    await loadCheckpoint(path, larger);
    const test = volumes(6, [12, 16, 8], 70);
    const probs = tf.tidy(() => (larger.predict(test.x) as tf.Tensor).arraySync() as number[][]);
    const predicted = probs.map((p) => p.indexOf(Math.max(...p)));
    console.log(`12x16x8 volumes: predicted ${predicted.join(',')}, true ${test.classes.join(',')}`);
    expect(predicted).toEqual(test.classes);
    tf.dispose([train.x, test.x, oneHot]);
    optimizer.dispose();
    trained.dispose();
    larger.dispose();
  });
});
