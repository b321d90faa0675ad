/**
 * Training losses per task. All take the network output and batch targets as
 * tensors and return a scalar; they run inside the optimizer's gradient tape.
 */
import { tf } from '../tf';
import type { ResolvedParams } from '../params';

const EPS = 1e-7;

/** Targets of a batch as tensors (only the task's fields are set). */
export interface BatchTargets {
  /** One-hot `[B, C]` (classification) or `[B, H, W, C]` / `[B, D, H, W, C]` (segmentation). */
  oneHot?: tf.Tensor;
  /** CenterNet targets. */
  heatmap?: tf.Tensor4D;
  regression?: tf.Tensor4D;
  centerMask?: tf.Tensor4D;
  /** Transformation target. */
  target?: tf.Tensor;
}

/** Per-pixel/per-item cross-entropy weighted by class, optionally focal. */
function crossEntropy(
  oneHot: tf.Tensor,
  pred: tf.Tensor,
  weights: number[] | null,
  focalGamma: number,
): tf.Scalar {
  // log(p + eps) rather than clipping: a clip would turn a NaN output into a finite loss
  // and hide a diverged run.
  let ce = tf.mul(tf.neg(oneHot), tf.log(tf.add(pred, EPS)));
  if (focalGamma > 0) ce = tf.mul(ce, tf.pow(tf.relu(tf.sub(1, pred)), focalGamma));
  if (weights) ce = tf.mul(ce, tf.tensor1d(weights));
  // Sum over classes, mean over items (and pixels).
  return tf.mean(tf.sum(ce, -1));
}

/** Per-class sums of a soft Dice over every axis but the classes: `|A∩B|` and `|A| + |B|`. */
export function diceSums(oneHot: tf.Tensor, pred: tf.Tensor): { inter: tf.Tensor; denom: tf.Tensor } {
  // Every axis but the classes: batch and pixels (or voxels).
  const axes = Array.from({ length: pred.rank - 1 }, (_, i) => i);
  return {
    inter: tf.sum(tf.mul(oneHot, pred), axes),
    denom: tf.add(tf.sum(oneHot, axes), tf.sum(pred, axes)),
  };
}

/** Soft Dice loss from {@link diceSums}: 1 - mean over classes of 2|A∩B| / (|A| + |B|). */
export function diceOf(inter: tf.Tensor, denom: tf.Tensor): tf.Scalar {
  return tf.sub(1, tf.mean(tf.div(tf.add(tf.mul(inter, 2), 1), tf.add(denom, 1))));
}

/** CenterNet loss: focal loss on heatmaps + L1 on size/offset at centres (size weighted 0.1). */
function centerNetLoss(t: BatchTargets, pred: tf.Tensor, classes: number): tf.Scalar {
  const heat = t.heatmap as tf.Tensor4D;
  const [b, h, w] = heat.shape;
  const p = tf.slice(pred, [0, 0, 0, 0], [b, h, w, classes]);
  const reg = tf.slice(pred, [0, 0, 0, classes], [b, h, w, 4]);
  const pos = tf.cast(tf.equal(heat, 1), 'float32');
  const neg = tf.sub(1, pos);
  const posLoss = tf.mul(tf.mul(tf.log(tf.add(p, 1e-4)), tf.square(tf.sub(1, p))), pos);
  const negLoss = tf.mul(
    tf.mul(tf.mul(tf.log(tf.add(tf.sub(1, p), 1e-4)), tf.square(p)), tf.pow(tf.sub(1, heat), 4)),
    neg,
  );
  const nPos = tf.maximum(tf.sum(pos), 1);
  const focal = tf.div(tf.neg(tf.add(tf.sum(posLoss), tf.sum(negLoss))), nPos);
  const m = t.centerMask as tf.Tensor4D;
  const diff = tf.mul(tf.abs(tf.sub(reg, t.regression as tf.Tensor4D)), m);
  const sizeL1 = tf.sum(tf.slice(diff, [0, 0, 0, 0], [b, h, w, 2]));
  const offL1 = tf.sum(tf.slice(diff, [0, 0, 0, 2], [b, h, w, 2]));
  const nCenters = tf.maximum(tf.sum(m), 1);
  return tf.add(focal, tf.div(tf.add(tf.mul(sizeL1, 0.1), offL1), nCenters));
}

/** Whether the params' loss has a soft Dice term (over the whole batch, not a mean over pixels). */
export function hasDiceTerm(params: Pick<ResolvedParams, 'loss'>): boolean {
  return params.loss === 'dice' || params.loss === 'bce-dice';
}

/**
 * The part of a pixel-wise loss that is a mean over items and pixels (cross-entropy, focal, L1,
 * L2), so that the loss of a whole volume is the voxel-weighted mean of its parts'; undefined for
 * a loss without one (Dice) and for CenterNet.
 */
export function averagedTerm(
  params: Pick<ResolvedParams, 'loss'>,
  t: BatchTargets,
  pred: tf.Tensor,
  classWeights: number[] | null,
): tf.Scalar | undefined {
  switch (params.loss) {
    case 'cross-entropy':
      return crossEntropy(t.oneHot as tf.Tensor, pred, null, 0);
    case 'weighted-cross-entropy':
    case 'bce-dice':
      return crossEntropy(t.oneHot as tf.Tensor, pred, classWeights, 0);
    case 'focal':
      return crossEntropy(t.oneHot as tf.Tensor, pred, classWeights, 2);
    case 'l1':
      return tf.mean(tf.abs(tf.sub(pred, t.target as tf.Tensor))) as tf.Scalar;
    case 'l2':
      return tf.mean(tf.square(tf.sub(pred, t.target as tf.Tensor))) as tf.Scalar;
    case 'dice':
    case 'centernet':
      return undefined;
  }
}

/** The loss of the params for one batch. */
export function computeLoss(
  params: ResolvedParams,
  t: BatchTargets,
  pred: tf.Tensor,
  classes: number,
  classWeights: number[] | null,
): tf.Scalar {
  if (params.loss === 'centernet') return centerNetLoss(t, pred, classes);
  const mean = averagedTerm(params, t, pred, classWeights);
  if (!hasDiceTerm(params)) return mean as tf.Scalar;
  const { inter, denom } = diceSums(t.oneHot as tf.Tensor, pred);
  const dice = diceOf(inter, denom);
  return mean ? tf.add(mean, dice) : dice;
}

/**
 * Class weights from the `classWeights` param: explicit list, `balanced`
 * (n / (k * count_c), as scikit-learn), or null for equal weights.
 */
export function parseClassWeights(spec: string, classes: number, counts: number[]): number[] | null {
  const s = spec.trim();
  if (!s) return null;
  if (s === 'balanced') {
    const n = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => (c > 0 ? n / (classes * c) : 0));
  }
  const w = s.split(',').map((v) => Number(v.trim()));
  if (w.length !== classes || w.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(
      `Class weights "${spec}": give ${classes} non-negative numbers separated by commas, or "balanced"`,
    );
  return w;
}
