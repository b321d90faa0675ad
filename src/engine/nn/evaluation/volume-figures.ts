/**
 * The test figures of a 3-D segmentation in its source volumes (docs/metrics.md,
 * "Test metrics in the source geometry"): each volume measured on its own with the
 * source label's voxel spacing (nn/metrics/volume.ts), then the mean over volumes
 * per class and over classes, the figures `phi metrics` gives on NIfTI label volumes.
 */
import { volumeClassKey, type EpochMetrics, type Sample, type VolumeFigureRow } from '../../api';
import { macroKey, meanOfNonNull } from '../../api/metric-names';
import { geometry } from '../../imaging/image';
import { meanOverVolumes, VOLUME_METRICS, volumeMetrics, type VolumeResult } from '../metrics/volume';

/** Per-volume Dice, IoU, HD95 and mean surface distance, gathered over the test volumes. */
export class VolumeFigures {
  private readonly volumes: VolumeResult[] = [];

  constructor(private readonly classes: number) {}

  /** Measures one volume: `predicted` class indices on the grid of `source`'s label volume. */
  add(source: Sample, predicted: ArrayLike<number>): void {
    if (source.label?.kind !== 'mask') throw new Error('the dataset gives no label volume for this item');
    const truth = source.label.mask;
    const g = geometry(truth);
    const spacing = truth.spacing ?? source.image.spacing;
    if (!spacing || spacing.length !== 3)
      throw new Error(
        'its label volume gives no voxel spacing (pixdim), so distances in mm cannot be measured',
      );
    if (truth.data.length !== predicted.length)
      throw new Error(`its label volume has ${truth.data.length} voxels but the image ${predicted.length}`);
    this.volumes.push(
      volumeMetrics(source.id, truth.data, predicted, [g.depth, g.height, g.width], spacing, this.classes),
    );
  }

  /** Each volume's mean Dice over the foreground classes, and each foreground class's Dice and HD95. */
  rows(): VolumeFigureRow[] {
    return this.volumes.map((v) => ({
      id: v.name,
      figures: {
        macroDice: meanOfNonNull(v.perClass.dice),
        ...Object.fromEntries(
          v.perClass.dice.flatMap((dice, i) => [
            [volumeClassKey('dice', i + 1), dice],
            [volumeClassKey('hd95', i + 1), v.perClass.hd95[i]],
          ]),
        ),
      },
    }));
  }

  /**
   * Per metric, an array in class order (background, left out as in `phi metrics`, is
   * `null`) and its macro mean over the foreground classes.
   */
  metrics(): EpochMetrics {
    const perClass = meanOverVolumes(this.volumes);
    const out: EpochMetrics = {};
    for (const name of VOLUME_METRICS) {
      out[name] = [null, ...perClass[name]];
      out[macroKey(name)] = meanOfNonNull(perClass[name]);
    }
    return out;
  }
}
