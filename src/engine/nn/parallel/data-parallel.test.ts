import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select';
import { vgg16 } from '../networks/builtin';
import { NetworkParamsSchema, resolveParams } from '../params';
import { tf } from '../tf';
import { computeLoss } from '../train/losses';
import type { DataGeometry, Prepared } from '../train/prepare';
import { buildNetwork } from '../train/setup';
import { inputTensor, targetTensors, disposeTargets } from '../train/tensors';
import { DataParallel, shardSizes, trainThreads } from './data-parallel';
import { relL2 } from '../../test-support/arrays';

// A net without batch norm or dropout: there the sharded gradient equals the whole batch's.
const spec = vgg16({ depth: 2, width: 0.0625, dropout: 0 });
const geo: DataGeometry = { task: 'classification', classes: 2, inputShape: [16, 16, 1] };
const p = resolveParams(
  NetworkParamsSchema.parse({ task: 'classification', loss: 'cross-entropy', seed: 3 }),
  'classification',
);

function batchOf(n: number): Prepared[] {
  let s = 7;
  const rand = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    x: Float32Array.from({ length: 256 }, rand),
    classIndex: i % 2,
    offset: 0,
    scale: 1,
  }));
}

describe('data-parallel training', () => {
  let dp: DataParallel | null;
  beforeAll(async () => {
    await selectBackend('wasm');
    dp = await DataParallel.start(
      1,
      { backend: 'wasm', spec, geometry: geo, seed: 3, params: p, classWeights: null },
      (m) => {
        throw new Error(m);
      },
    );
  }, 120_000);
  afterAll(async () => {
    await dp?.close();
  });

  it('splits batches into near-equal shards and reads PHI_TRAIN_THREADS', () => {
    expect(shardSizes(7, 2)).toEqual([4, 3]);
    expect(shardSizes(1, 2)).toEqual([1]);
    expect(shardSizes(8, 3)).toEqual([3, 3, 2]);
    expect(trainThreads({ PHI_TRAIN_THREADS: '1' })).toBe(1);
    expect(trainThreads({ PHI_TRAIN_THREADS: '3' })).toBe(3);
    expect(trainThreads({})).toBeGreaterThanOrEqual(1);
  });

  it('falls back (null, with a warning) when a worker cannot build the network', async () => {
    const warnings: string[] = [];
    const bad = {
      ...spec,
      layers: [...spec.layers, { id: 'x', type: 'Nope', params: {}, inputs: ['input'] }],
    };
    const none = await DataParallel.start(
      1,
      { backend: 'wasm', spec: bad as typeof spec, geometry: geo, seed: 3, params: p, classWeights: null },
      (m) => warnings.push(m),
    );
    expect(none).toBeNull();
    expect(warnings[0]).toMatch(/^Training on one thread: a training worker did not start/);
  }, 120_000);

  it.each(['sgd', 'adam'] as const)(
    'one %s step gives the weights and loss of single-thread training',
    async (kind) => {
      const batch = batchOf(7);
      const before = tf.memory().numTensors;
      const single = buildNetwork(spec, geo, 3).compiled.model;
      const sharded = buildNetwork(spec, geo, 3).compiled.model;
      const opt1 = kind === 'sgd' ? tf.train.sgd(0.1) : tf.train.adam(0.01);
      const opt2 = kind === 'sgd' ? tf.train.sgd(0.1) : tf.train.adam(0.01);

      const x = inputTensor(batch, geo);
      const t = targetTensors(batch, geo);
      const loss = opt1.minimize(
        () => computeLoss(p, t, single.apply(x, { training: true }) as tf.Tensor, 2, null),
        true,
      ) as tf.Scalar;
      const singleLoss = (await loss.data())[0];
      tf.dispose([x, loss]);
      disposeTargets(t);

      const step = await (dp as DataParallel).step(sharded, opt2, batch, geo);
      expect(step.pred.shape).toEqual([7, 2]);
      step.pred.dispose();
      expect(Math.abs(step.loss - singleLoss) / singleLoss).toBeLessThan(1e-4);
      const w1 = single.getWeights();
      const w2 = sharded.getWeights();
      // The step moved the weights (so equal weights are not just the initial ones).
      const init = buildNetwork(spec, geo, 3).compiled.model;
      expect(
        relL2(w1[0].dataSync() as Float32Array, init.getWeights()[0].dataSync() as Float32Array),
      ).toBeGreaterThan(1e-3);
      init.dispose();
      w1.forEach((w, i) =>
        expect(relL2(w2[i].dataSync() as Float32Array, w.dataSync() as Float32Array)).toBeLessThan(1e-4),
      );
      single.dispose();
      sharded.dispose();
      opt1.dispose();
      opt2.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
    120_000,
  );

  it("evaluates a batch across threads with the model's current weights", async () => {
    const batch = batchOf(7);
    const before = tf.memory().numTensors;
    // Another seed than the worker's network: matching outputs mean the worker used the weights sent.
    const model = buildNetwork(spec, geo, 11).compiled.model;
    const x = inputTensor(batch, geo);
    const single = tf.tidy(() => model.predict(x) as tf.Tensor);
    const sharded = await (dp as DataParallel).predict(model, batch, geo);
    expect(sharded.shape).toEqual([7, 2]);
    expect(relL2(sharded.dataSync() as Float32Array, single.dataSync() as Float32Array)).toBeLessThan(1e-5);
    tf.dispose([x, single, sharded]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('sends the weights once per unchanged model, and again after they change', async () => {
    const batch = batchOf(5);
    const model = buildNetwork(spec, geo, 13).compiled.model;
    const other = buildNetwork(spec, geo, 17).compiled.model;
    const x = inputTensor(batch, geo);
    const check = async (): Promise<void> => {
      const single = tf.tidy(() => model.predict(x) as tf.Tensor);
      const sharded = await (dp as DataParallel).predict(model, batch, geo);
      expect(relL2(sharded.dataSync() as Float32Array, single.dataSync() as Float32Array)).toBeLessThan(1e-5);
      tf.dispose([single, sharded]);
    };
    await check();
    await check();
    // New values (as an optimizer step or a loaded checkpoint gives): the workers must get them.
    model.setWeights(other.getWeights());
    await check();
    tf.dispose(x);
    model.dispose();
    other.dispose();
  }, 120_000);
});
