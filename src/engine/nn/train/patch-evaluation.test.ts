/**
 * Whole-volume scoring of a patch-trained network, slab by slab: on a volume whose whole tensors
 * fit, every loss and the confusion matrix (segmentation) and the errors (transformation) equal
 * the whole-volume computation's, and the most memory tf.js holds while scoring (tf.profile's
 * peak) is a few window outputs, where the whole-volume way holds several whole-volume outputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select';
import { unet3d, unet3dRegression } from '../networks/builtin';
import { predictWhole } from '../patch-inference';
import type { ResolvedParams } from '../params';
import { compileSpec } from '../spec/compile';
import { seededValues } from '../../test-support/arrays';
import { tf } from '../tf';
import { EpochAccumulator } from './epoch-metrics';
import { computeLoss } from './losses';
import { scoreVolume, slabDepth } from './patch-evaluation';
import type { PatchSettings } from './patches';
import type { DataGeometry, Prepared } from './prepare';
import { disposeTargets, pixelConfusion, targetTensors } from './tensors';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spatial = [40, 12, 10];
const voxels = spatial.reduce((a, b) => a * b, 1);
const settings: PatchSettings = { size: [4, 8, 8], foreground: 1 / 3, overlap: 0.5, blend: 'gaussian' };
const windowVoxels = settings.size.reduce((a, b) => a * b, 1);
const classWeights = [0.4, 1.6];

/** The whole-volume way: the prediction and the targets as whole tensors, the loss at once. */
function wholeVolumeScore(
  out: Float32Array,
  prepared: Prepared,
  geo: DataGeometry,
  loss: ResolvedParams['loss'],
  channels: number,
): { loss: number; confusion?: Float32Array } {
  const targets = targetTensors([prepared], geo);
  const pred = tf.tensor(out, [1, ...spatial, channels]);
  try {
    const value = tf.tidy(() =>
      computeLoss({ loss } as ResolvedParams, targets, pred, geo.classes, classWeights).dataSync(),
    )[0];
    const confusion =
      geo.task === 'segmentation' ? pixelConfusion(targets.oneHot as tf.Tensor, pred, 2) : undefined;
    return { loss: value, ...(confusion ? { confusion } : {}) };
  } finally {
    pred.dispose();
    disposeTargets(targets);
  }
}

/** Bytes tf.js holds at most while `run` runs, beyond what it held before. */
async function peakBytes(run: () => void): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => {
    run();
    return [];
  });
  return info.peakBytes - before;
}

/** One volume scored slab by slab and with whole tensors: the losses, the slab way's accumulator, both peaks. */
async function bothWays(
  out: Float32Array,
  prepared: Prepared,
  geo: DataGeometry,
  loss: ResolvedParams['loss'],
  channels: number,
): Promise<{
  value: number;
  reference: ReturnType<typeof wholeVolumeScore>;
  acc: EpochAccumulator;
  slabs: number;
  whole: number;
}> {
  const reference = wholeVolumeScore(out, prepared, geo, loss, channels);
  const scoreBySlabs = (acc: EpochAccumulator): number =>
    scoreVolume(out, prepared, geo, { loss }, classWeights, windowVoxels, acc);
  const acc = new EpochAccumulator(geo.task, geo.classes);
  const before = tf.memory().numTensors;
  const value = scoreBySlabs(acc);
  expect(tf.memory().numTensors).toBe(before);
  const slabs = await peakBytes(() => scoreBySlabs(new EpochAccumulator(geo.task, geo.classes)));
  const whole = await peakBytes(() => wholeVolumeScore(out, prepared, geo, loss, channels));
  console.log(
    `${loss}: loss ${value.toFixed(6)} (whole tensors ${reference.loss.toFixed(6)}); peak ${slabs} B by slabs, ${whole} B whole, one output ${out.length * 4} B`,
  );
  return { value, reference, acc, slabs, whole };
}

describe('whole-volume scoring of patch-trained networks', () => {
  it('cuts slabs of about one window of voxels', () => {
    expect(slabDepth(spatial, windowVoxels)).toBe(2);
    expect(slabDepth([3, 64, 64], windowVoxels)).toBe(1);
    expect(slabDepth([3, 2, 2], windowVoxels)).toBe(3);
  });

  it('segmentation: the same loss and confusion as the whole-volume tensors, within one slab of memory', async () => {
    const geo: DataGeometry = { task: 'segmentation', classes: 2, inputShape: [...spatial, 1] };
    const { model } = compileSpec(unet3d({ baseFilters: 2, depth: 1 }), {
      inputShape: [...settings.size, 1],
      vars: { classes: 2 },
      seed: 3,
    });
    const x = seededValues(voxels, 7, -1, 1);
    const mask = Int32Array.from(seededValues(voxels, 9, 0, 2), Math.floor);
    const prepared: Prepared = { id: 'v', x, mask, offset: 0, scale: 1 };
    const out = predictWhole(model, x, [...spatial, 1], settings);
    model.dispose();
    for (const loss of ['cross-entropy', 'weighted-cross-entropy', 'focal', 'dice', 'bce-dice'] as const) {
      const { value, reference, acc, slabs, whole } = await bothWays(out, prepared, geo, loss, 2);
      expect(value).toBeCloseTo(reference.loss, 5);
      expect(acc.confusionRows().flat()).toEqual(Array.from(reference.confusion as Float32Array));
      // The scoring's temporaries are a dozen outputs' worth either way: of one window or of the volume.
      expect(slabs).toBeLessThan(16 * windowVoxels * 2 * 4);
      expect(slabs * 10).toBeLessThan(whole);
      expect(whole).toBeGreaterThan(out.length * 4);
    }
  });

  it('transformation: the same L1 and L2 losses as the whole volume at once, within one slab of memory', async () => {
    const geo: DataGeometry = {
      task: 'transformation',
      classes: 1,
      inputShape: [...spatial, 1],
      targetChannels: 1,
    };
    const { model } = compileSpec(unet3dRegression({ baseFilters: 2, depth: 1 }), {
      inputShape: [...settings.size, 1],
      vars: { channels: 1 },
      seed: 4,
    });
    const x = seededValues(voxels, 11, 0, 1);
    const target = seededValues(voxels, 13, 0, 1);
    const prepared: Prepared = { id: 'v', x, target, offset: 100, scale: 40 };
    const out = predictWhole(model, x, [...spatial, 1], settings);
    model.dispose();
    for (const loss of ['l1', 'l2'] as const) {
      const { value, reference, slabs, whole } = await bothWays(out, prepared, geo, loss, 1);
      expect(value).toBeCloseTo(reference.loss, 5);
      expect(slabs * 10).toBeLessThan(whole);
    }
  });
});
