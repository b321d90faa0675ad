/**
 * Data-parallel training of the 3-D U-Net on wasm (docs/networks.md, "Data-parallel training"):
 * Adam steps on random patches on the trainer's thread alone, then with the batch sharded across
 * gradient workers (nn/parallel/data-parallel.ts), in patches per wall-clock second measured in
 * the same run. Data-parallel training buys wall time with more threads, so wall time is what
 * is compared; on a shared machine run it twice and read the ratio.
 *
 * `node bin/run-ts.mjs bench/unet3d-parallel.ts [--patch 16] [--batch 4] [--steps 4] [--threads 2]`
 */
import { parseArgs } from 'node:util';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '../src/engine/nn/backends/select';
import { unet3d } from '../src/engine/nn/networks/builtin';
import { DataParallel } from '../src/engine/nn/parallel/data-parallel';
import { NetworkParamsSchema, resolveParams } from '../src/engine/nn/params';
import { tf } from '../src/engine/nn/tf';
import { computeLoss } from '../src/engine/nn/train/losses';
import type { DataGeometry, Prepared } from '../src/engine/nn/train/prepare';
import { buildNetwork } from '../src/engine/nn/train/setup';
import { disposeTargets, inputTensor, targetTensors } from '../src/engine/nn/train/tensors';

const { values } = parseArgs({
  options: {
    patch: { type: 'string', default: '16' },
    batch: { type: 'string', default: '4' },
    steps: { type: 'string', default: '4' },
    threads: { type: 'string', default: '2' },
  },
});
const patch = Number(values.patch);
const batchSize = Number(values.batch);
const steps = Number(values.steps);
const threads = Number(values.threads);

const spec = unet3d();
const geo: DataGeometry = { task: 'segmentation', classes: 2, inputShape: [patch, patch, patch, 1] };
const params = resolveParams(NetworkParamsSchema.parse({ task: 'segmentation', seed: 1 }), 'segmentation');

function batch(seed: number): Prepared[] {
  let s = seed;
  const rand = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  const voxels = patch ** 3;
  return Array.from({ length: batchSize }, (_, i) => {
    const x = Float32Array.from({ length: voxels }, rand);
    const mask = Int32Array.from(x, (v) => (v > 0.7 ? 1 : 0));
    return { id: String(i), x, mask, offset: 0, scale: 1 };
  });
}

/** Wall seconds of `steps` steps after one warm-up step. */
async function timed(step: (model: LayersModel, optimizer: tf.Optimizer, b: Prepared[]) => Promise<void>) {
  const model = buildNetwork(spec, geo, 1).compiled.model;
  const optimizer = tf.train.adam(1e-3);
  await step(model, optimizer, batch(1));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step(model, optimizer, batch(2 + i));
  const seconds = (performance.now() - t0) / 1000;
  optimizer.dispose();
  model.dispose();
  return seconds;
}

await selectBackend('wasm');
const single = await timed(async (model, optimizer, b) => {
  const x = inputTensor(b, geo);
  const t = targetTensors(b, geo);
  const loss = optimizer.minimize(
    () => computeLoss(params, t, model.apply(x, { training: true }) as tf.Tensor, 2, null),
    true,
  ) as tf.Scalar;
  await loss.data();
  tf.dispose([x, loss]);
  disposeTargets(t);
});
const dp = await DataParallel.start(
  threads - 1,
  { backend: 'wasm', spec, geometry: geo, seed: 1, params, classWeights: null },
  (m) => {
    throw new Error(m);
  },
);
if (!dp) throw new Error('the gradient workers did not start');
const parallel = await timed(async (model, optimizer, b) => {
  const step = await dp.step(model, optimizer, b, geo);
  step.pred.dispose();
});
await dp.close();

const rate = (seconds: number): number => (steps * batchSize) / seconds;
console.log(
  `unet3d (base 8, depth 2), ${patch}^3 patches, batch ${batchSize}, ${steps} Adam steps, patches per wall second:`,
);
console.log(`  1 thread: ${rate(single).toFixed(2)}`);
console.log(
  `  ${threads} threads: ${rate(parallel).toFixed(2)} (${(single / parallel).toFixed(2)}x the 1-thread rate)`,
);
