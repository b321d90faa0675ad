/**
 * Data-parallel training of 3-D networks on wasm: the gradient workers build
 * the 3-D U-Nets (Conv3D, MaxPool3D, Conv3DTranspose; softmax and linear
 * heads) and the 3-D CNN with the engine's own 3-D kernels, a batch of 8x8x8
 * patches is sharded across 1 or 2 workers, and one SGD step gives the loss
 * and weights of single-thread training; a Dice loss is each shard's own;
 * repeated steps lower the loss and leave no tensor behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkSpec } from '../../api/network-spec';
import { relL2 } from '../../test-support/arrays';
import { selectBackend } from '../backends/select';
import { cnn3d, unet3d, unet3dRegression } from '../networks/builtin';
import { NetworkParamsSchema, resolveParams } from '../params';
import { tf } from '../tf';
import { computeLoss } from '../train/losses';
import type { DataGeometry, Prepared } from '../train/prepare';
import { buildNetwork } from '../train/setup';
import { disposeTargets, inputTensor, targetTensors } from '../train/tensors';
import { DataParallel, shardSizes } from './data-parallel';

const SIDE = 8;
const VOXELS = SIDE ** 3;

const unet = (loss: 'cross-entropy' | 'bce-dice') => ({
  spec: unet3d({ baseFilters: 2, depth: 1 }),
  geo: { task: 'segmentation', classes: 2, inputShape: [SIDE, SIDE, SIDE, 1] } as DataGeometry,
  params: resolveParams(NetworkParamsSchema.parse({ task: 'segmentation', loss, seed: 5 }), 'segmentation'),
});
// A voxel-mean loss: the sharded gradient is the whole batch's.
const segmentation = unet('cross-entropy');
const classification = {
  spec: cnn3d({ baseFilters: 2, depth: 1, dropout: 0 }),
  geo: { task: 'classification', classes: 2, inputShape: [SIDE, SIDE, SIDE, 1] } as DataGeometry,
  params: resolveParams(
    NetworkParamsSchema.parse({ task: 'classification', loss: 'cross-entropy', seed: 5 }),
    'classification',
  ),
};
const transformation = {
  spec: unet3dRegression({ baseFilters: 2, depth: 1 }),
  geo: {
    task: 'transformation',
    classes: 0,
    inputShape: [SIDE, SIDE, SIDE, 1],
    targetChannels: 1,
  } as DataGeometry,
  params: resolveParams(
    NetworkParamsSchema.parse({ task: 'transformation', loss: 'l1', seed: 5 }),
    'transformation',
  ),
};
type Case = typeof segmentation;

/** Patches with a bright cube (label 1) at a seeded place in noise; the class is whether the cube is in the upper half. */
function patches(n: number, seed: number): Prepared[] {
  let s = seed;
  const rand = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, (_, i) => {
    const x = new Float32Array(VOXELS);
    const mask = new Int32Array(VOXELS);
    const [cz, cy, cx] = [0, 0, 0].map(() => Math.floor(rand() * (SIDE - 3)));
    for (let v = 0; v < VOXELS; v++) {
      const z = Math.floor(v / 64);
      const y = Math.floor(v / 8) % 8;
      const xx = v % 8;
      const inside = z >= cz && z < cz + 3 && y >= cy && y < cy + 3 && xx >= cx && xx < cx + 3;
      mask[v] = inside ? 1 : 0;
      x[v] = (inside ? 0.8 : 0.1) + 0.2 * rand();
    }
    // The regression target: the cube without the noise.
    const target = Float32Array.from(mask, (m) => (m ? 0.9 : 0.2));
    return { id: String(i), x, mask, target, classIndex: cz < 3 ? 0 : 1, offset: 0, scale: 1 };
  });
}

/** One single-thread SGD step on `batch`: its loss and the new weights. */
async function singleThreadStep(
  c: Case,
  batch: Prepared[],
): Promise<{ loss: number; weights: Float32Array[] }> {
  const model = buildNetwork(c.spec, c.geo, 5).compiled.model;
  const optimizer = tf.train.sgd(0.05);
  const x = inputTensor(batch, c.geo);
  const t = targetTensors(batch, c.geo);
  const loss = optimizer.minimize(
    () => computeLoss(c.params, t, model.apply(x, { training: true }) as tf.Tensor, c.geo.classes, null),
    true,
  ) as tf.Scalar;
  const value = (await loss.data())[0];
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  tf.dispose([x, loss]);
  disposeTargets(t);
  optimizer.dispose();
  model.dispose();
  return { loss: value, weights };
}

const started: DataParallel[] = [];
async function start(workers: number, c: Case): Promise<DataParallel> {
  const dp = await DataParallel.start(
    workers,
    {
      backend: 'wasm',
      spec: c.spec as NetworkSpec,
      geometry: c.geo,
      seed: 5,
      params: c.params,
      classWeights: null,
    },
    (m) => {
      throw new Error(m);
    },
  );
  if (!dp) throw new Error('the gradient workers did not start');
  started.push(dp);
  return dp;
}

describe('data-parallel training of 3-D networks', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(async () => {
    for (const dp of started) await dp.close();
  });

  it.each([
    ['unet3d, 1 worker', segmentation, 1],
    ['unet3d, 2 workers', segmentation, 2],
    ['cnn3d, 1 worker', classification, 1],
    ['unet3d-regression, 2 workers', transformation, 2],
  ] as const)(
    '%s: one step gives the loss and weights of single-thread training',
    async (_name, c, workers) => {
      const batch = patches(5, 11);
      const before = tf.memory().numTensors;
      const single = await singleThreadStep(c, batch);
      const dp = await start(workers, c);
      expect(dp.threads).toBe(workers + 1);
      const model = buildNetwork(c.spec, c.geo, 5).compiled.model;
      const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      const optimizer = tf.train.sgd(0.05);
      const step = await dp.step(model, optimizer, batch, c.geo);
      const outputs: Record<string, number[]> = {
        segmentation: [SIDE, SIDE, SIDE, 2],
        transformation: [SIDE, SIDE, SIDE, 1],
        classification: [2],
      };
      expect(step.pred.shape).toEqual([5, ...outputs[c.geo.task]]);
      step.pred.dispose();
      expect(Math.abs(step.loss - single.loss) / single.loss).toBeLessThan(1e-4);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      // The step moved every kernel, and to where the single-thread step did.
      weights.forEach((w, i) => {
        expect(relL2(w, initial[i])).toBeGreaterThan(1e-6);
        expect(relL2(w, single.weights[i])).toBeLessThan(1e-4);
      });
      optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
    240_000,
  );

  it("with a Dice loss, each shard's Dice is over its own patches: the step's loss is their size-weighted mean", async () => {
    const dice = unet('bce-dice');
    const batch = patches(5, 11);
    const sizes = shardSizes(batch.length, 3);
    const model = buildNetwork(dice.spec, dice.geo, 5).compiled.model;
    const lossOf = (items: Prepared[]): number => {
      const x = inputTensor(items, dice.geo);
      const t = targetTensors(items, dice.geo);
      const value = tf.tidy(
        () =>
          computeLoss(dice.params, t, model.apply(x, { training: true }) as tf.Tensor, 2, null).dataSync()[0],
      );
      tf.dispose(x);
      disposeTargets(t);
      return value;
    };
    let at = 0;
    const perShard = sizes.map((n) => lossOf(batch.slice(at, (at += n))));
    const whole = lossOf(batch);
    const dp = await start(2, dice);
    const optimizer = tf.train.sgd(0.05);
    const step = await dp.step(model, optimizer, batch, dice.geo);
    step.pred.dispose();
    const weighted = perShard.reduce((sum, l, i) => sum + l * sizes[i], 0) / batch.length;
    expect(Math.abs(step.loss - weighted) / weighted).toBeLessThan(1e-4);
    // Not the Dice of the whole batch: this is what the docs say of Dice losses.
    expect(Math.abs(step.loss - whole) / whole).toBeGreaterThan(1e-4);
    optimizer.dispose();
    model.dispose();
  }, 240_000);

  it('a data-parallel 3-D U-Net run lowers its loss and leaks no tensors', async () => {
    const dp = await start(1, segmentation);
    const before = tf.memory().numTensors;
    const model = buildNetwork(segmentation.spec, segmentation.geo, 5).compiled.model;
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      const step = await dp.step(model, optimizer, patches(4, 100 + epoch), segmentation.geo);
      step.pred.dispose();
      losses.push(step.loss);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.8 * mean(losses.slice(0, 3)));
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});
