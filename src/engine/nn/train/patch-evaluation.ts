/**
 * Validation and test of a patch-trained network on whole volumes: each volume is predicted by
 * sliding windows (nn/patch-inference.ts) into a host array; its loss (the training loss over the
 * whole volume) and its segmentation confusion or transformation errors are then computed on
 * slabs of slices that hold about one window's voxels, so no tensor holds the whole volume and
 * every figure is about whole volumes, never about patches.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SampleCollection } from '../../graph/node-type';
import { predictWhole } from '../patch-inference';
import type { ResolvedParams } from '../params';
import type { EpochAccumulator } from './epoch-metrics';
import type { PatchSettings } from './patches';
import { wholeGeometry } from './patches';
import { prepareSample, type DataGeometry, type Prepared } from './prepare';
import { SlabLoss } from './slab-loss';
import { tf } from '../tf';
import { disposeTargets, pixelConfusion, targetTensors } from './tensors';

/** Slices per slab: as many as hold `windowVoxels` voxels, at least one. */
export function slabDepth(spatial: readonly number[], windowVoxels: number): number {
  const slice = spatial.slice(1).reduce((a, b) => a * b, 1);
  return Math.max(1, Math.min(spatial[0], Math.floor(windowVoxels / slice)));
}

/**
 * The loss of one whole volume's prediction `out` (`[...spatial, outChannels]`, channels last)
 * against its prepared labels, computed slab by slab; segmentation voxels also go into the
 * split's confusion matrix.
 */
export function scoreVolume(
  out: Float32Array,
  prepared: Prepared,
  geo: DataGeometry,
  p: Pick<ResolvedParams, 'loss'>,
  classWeights: number[] | null,
  windowVoxels: number,
  acc: EpochAccumulator,
): number {
  const spatial = geo.inputShape.slice(0, -1);
  const outChannels = geo.task === 'segmentation' ? geo.classes : (geo.targetChannels as number);
  const slice = spatial.slice(1).reduce((a, b) => a * b, 1);
  const depth = slabDepth(spatial, windowVoxels);
  const loss = new SlabLoss(p, classWeights);
  try {
    for (let z0 = 0; z0 < spatial[0]; z0 += depth) {
      const z1 = Math.min(spatial[0], z0 + depth);
      const slabGeo = { ...geo, inputShape: [z1 - z0, ...geo.inputShape.slice(1)] };
      const targetChannels = geo.targetChannels ?? 1;
      const slab: Prepared = {
        ...prepared,
        ...(prepared.mask ? { mask: prepared.mask.subarray(z0 * slice, z1 * slice) } : {}),
        ...(prepared.target
          ? { target: prepared.target.subarray(z0 * slice * targetChannels, z1 * slice * targetChannels) }
          : {}),
      };
      const targets = targetTensors([slab], slabGeo);
      const pred = tf.tensor(out.subarray(z0 * slice * outChannels, z1 * slice * outChannels), [
        1,
        z1 - z0,
        ...spatial.slice(1),
        outChannels,
      ]);
      try {
        loss.add(targets, pred, (z1 - z0) * slice);
        if (geo.task === 'segmentation')
          acc.addConfusion(pixelConfusion(targets.oneHot as tf.Tensor, pred, geo.classes));
      } finally {
        pred.dispose();
        disposeTargets(targets);
      }
    }
    return loss.value();
  } finally {
    loss.dispose();
  }
}

/** Evaluates `ids` one whole volume at a time; `beforeEach` may throw to cancel. */
export async function evaluateWholeVolumes(
  model: LayersModel,
  collection: SampleCollection,
  ids: string[],
  p: ResolvedParams,
  geo: DataGeometry,
  settings: PatchSettings,
  acc: EpochAccumulator,
  classWeights: number[] | null,
  beforeEach: () => void,
  onItem: () => void,
): Promise<void> {
  const windowVoxels = settings.size.reduce((a, b) => a * b, 1);
  for (const id of ids) {
    beforeEach();
    const sample = await collection.load(id);
    const whole = wholeGeometry(geo, sample.image.shape);
    const prepared = prepareSample(sample, whole, p.normalization);
    const out = predictWhole(model, prepared.x, sample.image.shape, settings);
    const loss = scoreVolume(out, prepared, whole, p, classWeights, windowVoxels, acc);
    if (!Number.isFinite(loss))
      throw new Error(
        `The loss of ${id} became ${loss}: lower the learning rate (now ${p.learningRate}), check the input normalization, or use another optimizer`,
      );
    acc.addLoss(loss, 1);
    if (geo.task === 'transformation') acc.addOutputs([prepared], out);
    onItem();
  }
}
