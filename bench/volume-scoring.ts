/**
 * Scoring a whole validation volume of a patch-trained network (its blended prediction against
 * its mask: the training loss and the confusion matrix) slab by slab (nn/train/patch-evaluation.ts)
 * against whole-volume tensors, in the same run on the wasm backend: tf.js's peak memory
 * (tf.profile) and CPU seconds of each, and their ratios.
 *
 * `node bin/run-ts.mjs bench/volume-scoring.ts [--volume 64x128x128] [--window 32x64x64] [--loss bce-dice]`
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/engine/nn/backends/select';
import type { ResolvedParams } from '../src/engine/nn/params';
import { tf } from '../src/engine/nn/tf';
import { EpochAccumulator } from '../src/engine/nn/train/epoch-metrics';
import { computeLoss } from '../src/engine/nn/train/losses';
import { scoreVolume } from '../src/engine/nn/train/patch-evaluation';
import type { DataGeometry, Prepared } from '../src/engine/nn/train/prepare';
import { disposeTargets, pixelConfusion, targetTensors } from '../src/engine/nn/train/tensors';
import { seededValues } from '../src/engine/test-support/arrays';

const { values } = parseArgs({
  options: {
    volume: { type: 'string', default: '64x128x128' },
    window: { type: 'string', default: '32x64x64' },
    loss: { type: 'string', default: 'bce-dice' },
  },
});
const spatial = values.volume.split('x').map(Number);
const windowVoxels = values.window
  .split('x')
  .map(Number)
  .reduce((a, b) => a * b, 1);
const loss = values.loss as ResolvedParams['loss'];
const voxels = spatial.reduce((a, b) => a * b, 1);

await selectBackend('wasm');
const geo: DataGeometry = { task: 'segmentation', classes: 2, inputShape: [...spatial, 1] };
const probability = seededValues(voxels, 3, 0, 1);
const out = new Float32Array(voxels * 2);
for (let v = 0; v < voxels; v++) {
  out[2 * v] = 1 - probability[v];
  out[2 * v + 1] = probability[v];
}
const mask = Int32Array.from(seededValues(voxels, 5, 0, 2), Math.floor);
const prepared: Prepared = { id: 'v', x: new Float32Array(0), mask, offset: 0, scale: 1 };

function whole(): number {
  const targets = targetTensors([prepared], geo);
  const pred = tf.tensor(out, [1, ...spatial, 2]);
  try {
    const value = tf.tidy(
      () => computeLoss({ loss } as ResolvedParams, targets, pred, 2, null).dataSync()[0],
    );
    pixelConfusion(targets.oneHot as tf.Tensor, pred, 2);
    return value;
  } finally {
    pred.dispose();
    disposeTargets(targets);
  }
}

const slabs = (): number =>
  scoreVolume(out, prepared, geo, { loss }, null, windowVoxels, new EpochAccumulator('segmentation', 2));

/** Loss, peak bytes beyond what was held before, and CPU seconds of one scoring. */
async function measure(run: () => number): Promise<{ value: number; peak: number; cpu: number }> {
  const before = tf.memory().numBytes;
  const t0 = process.cpuUsage();
  let value = 0;
  const info = await tf.profile(() => {
    value = run();
    return [];
  });
  const used = process.cpuUsage(t0);
  return { value, peak: info.peakBytes - before, cpu: (used.user + used.system) / 1e6 };
}

whole();
slabs();
const a = await measure(whole);
const b = await measure(slabs);
const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
console.log(`volume ${values.volume} (2 classes, ${loss}), slabs of about ${values.window} voxels, wasm`);
console.log(`whole tensors: loss ${a.value.toFixed(6)}, peak ${mib(a.peak)} MiB, ${a.cpu.toFixed(2)} s CPU`);
console.log(`slab by slab:  loss ${b.value.toFixed(6)}, peak ${mib(b.peak)} MiB, ${b.cpu.toFixed(2)} s CPU`);
console.log(
  `peak memory ratio whole/slabs ${(a.peak / b.peak).toFixed(1)}, CPU time ratio slabs/whole ${(b.cpu / a.cpu).toFixed(2)}`,
);
