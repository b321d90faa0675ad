/**
 * Validation and test of a patch-trained network on whole volumes: each volume is predicted by
 * sliding windows (nn/patch-inference.ts), its loss is the training loss over the whole volume
 * and its voxels go into the split's confusion matrix, so every figure is about whole volumes,
 * never about patches.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SampleCollection } from '../../graph/node-type';
import { predictWhole } from '../patch-inference';
import type { ResolvedParams } from '../params';
import { tf } from '../tf';
import type { EpochAccumulator } from './epoch-metrics';
import { computeLoss } from './losses';
import type { PatchSettings } from './patches';
import { wholeGeometry } from './patches';
import { prepareSample, type DataGeometry } from './prepare';
import { disposeTargets, pixelConfusion, targetTensors } from './tensors';

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
  for (const id of ids) {
    beforeEach();
    const sample = await collection.load(id);
    const whole = wholeGeometry(geo, sample.image.shape);
    const prepared = prepareSample(sample, whole, p.normalization);
    const out = await predictWhole(model, prepared.x, sample.image.shape, settings);
    const spatial = sample.image.shape.slice(0, -1);
    const targets = targetTensors([prepared], whole);
    const pred = tf.tensor(out, [1, ...spatial, geo.classes]);
    try {
      const loss = tf.tidy(() => computeLoss(p, targets, pred, geo.classes, classWeights));
      acc.addLoss((await loss.data())[0], 1);
      loss.dispose();
      acc.addConfusion(pixelConfusion(targets.oneHot as tf.Tensor, pred, geo.classes));
    } finally {
      pred.dispose();
      disposeTargets(targets);
    }
    onItem();
  }
}
