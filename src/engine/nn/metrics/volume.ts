/**
 * Segmentation metrics of 3-D volumes (docs/metrics.md, "Volumes"): per volume and
 * per foreground class, Dice, IoU, HD95 and mean surface distance in millimetres; then,
 * per class, the mean over the volumes where the value is defined. Background (class 0)
 * is left out, as MONAI's `include_background=False`.
 */
import { meanOfNonNull } from '../../api/metric-names';
import { surfaceDistances } from './surface';

/** The metrics reported per volume and class. */
export const VOLUME_METRICS = ['dice', 'iou', 'hd95', 'msd'] as const;

/** One of {@link VOLUME_METRICS}. */
export type VolumeMetric = (typeof VOLUME_METRICS)[number];

/** One volume's values, per foreground class (index 0 is class 1). */
export interface VolumeResult {
  name: string;
  perClass: Record<VolumeMetric, (number | null)[]>;
  /** Per foreground class, why HD95 and the mean surface distance are `null` (else `null`). */
  distanceUndefined: (string | null)[];
}

/**
 * Dice, IoU, HD95 and mean surface distance of classes `1..classes-1` in one volume of class
 * indices. A class in neither truth nor prediction has Dice and IoU `null`; predicted but not in
 * the truth (or the reverse) they are 0. Surface distances need the class in both.
 */
export function volumeMetrics(
  name: string,
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  shape: readonly number[],
  spacing: readonly number[],
  classes: number,
): VolumeResult {
  const perClass: VolumeResult['perClass'] = { dice: [], iou: [], hd95: [], msd: [] };
  const distanceUndefined: (string | null)[] = [];
  const t = new Uint8Array(truth.length);
  const p = new Uint8Array(truth.length);
  for (let c = 1; c < classes; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      t[i] = truth[i] === c ? 1 : 0;
      p[i] = pred[i] === c ? 1 : 0;
      if (t[i] && p[i]) tp++;
      else if (p[i]) fp++;
      else if (t[i]) fn++;
    }
    const union = tp + fp + fn;
    perClass.dice.push(union === 0 ? null : (2 * tp) / (2 * tp + fp + fn));
    perClass.iou.push(union === 0 ? null : tp / union);
    const s = surfaceDistances(t, p, shape, spacing);
    perClass.hd95.push(s.hd95);
    perClass.msd.push(s.msd);
    distanceUndefined.push(s.reason ?? null);
  }
  return { name, perClass, distanceUndefined };
}

/** Per metric and foreground class, the mean over the volumes where it is defined. */
export function meanOverVolumes(results: readonly VolumeResult[]): Record<VolumeMetric, (number | null)[]> {
  const classes = results[0]?.perClass.dice.length ?? 0;
  const out = {} as Record<VolumeMetric, (number | null)[]>;
  for (const m of VOLUME_METRICS)
    out[m] = Array.from({ length: classes }, (_, c) => meanOfNonNull(results.map((r) => r.perClass[m][c])));
  return out;
}
