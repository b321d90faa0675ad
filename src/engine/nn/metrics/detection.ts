/**
 * Detection metrics: COCO-style average precision with 101-point interpolated
 * precision, per class, mAP@0.5 and mAP@[.5:.95] (docs/design.md section 7).
 */
import { meanOfNonNull } from '../../api/metric-names';
import { ConfusionMatrix } from './confusion';

/** An axis-aligned box in pixel coordinates. */
export interface DetBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  classIndex: number;
}

/** A predicted box with its confidence. */
export interface ScoredBox extends DetBox {
  score: number;
}

/** One image's ground truth and predictions. */
export interface DetectionImage {
  truth: DetBox[];
  predictions: ScoredBox[];
}

/** Intersection over union of two boxes (continuous coordinates, as pycocotools). */
export function boxIou(a: DetBox, b: DetBox): number {
  const iw = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const ih = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const area = (x: DetBox): number => (x.xmax - x.xmin) * (x.ymax - x.ymin);
  return inter / (area(a) + area(b) - inter);
}

/**
 * AP of one class at one IoU threshold: detections sorted by score are matched
 * greedily, per image, to the unmatched truth box of highest IoU; precision is
 * made monotone and sampled at recall 0, 0.01, ..., 1. `null` when the class
 * has no truth boxes (COCO leaves such classes out of the mean).
 */
export function averagePrecision(
  images: DetectionImage[],
  classIndex: number,
  iouThreshold: number,
): number | null {
  const dets: { image: number; box: ScoredBox }[] = [];
  let nTruth = 0;
  images.forEach((img, i) => {
    nTruth += img.truth.filter((b) => b.classIndex === classIndex).length;
    for (const p of img.predictions) if (p.classIndex === classIndex) dets.push({ image: i, box: p });
  });
  if (nTruth === 0) return null;
  dets.sort((a, b) => b.box.score - a.box.score);
  const used = images.map((img) => img.truth.map(() => false));
  const tp: number[] = [];
  for (const d of dets) {
    const truth = images[d.image].truth;
    let best = -1;
    let bestIou = iouThreshold;
    truth.forEach((t, j) => {
      if (t.classIndex !== classIndex || used[d.image][j]) return;
      const iou = boxIou(t, d.box);
      if (iou >= bestIou) {
        bestIou = iou;
        best = j;
      }
    });
    if (best >= 0) used[d.image][best] = true;
    tp.push(best >= 0 ? 1 : 0);
  }
  const precision: number[] = [];
  const recall: number[] = [];
  let ctp = 0;
  tp.forEach((v, i) => {
    ctp += v;
    precision.push(ctp / (i + 1));
    recall.push(ctp / nTruth);
  });
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i], precision[i + 1]);
  let sum = 0;
  for (let r = 0; r <= 100; r++) {
    const t = r / 100;
    const idx = recall.findIndex((v) => v >= t - 1e-12);
    sum += idx >= 0 ? precision[idx] : 0;
  }
  return sum / 101;
}

/** Result of {@link detectionMetrics}. */
export interface DetectionMetrics {
  map50: number | null;
  /** Mean over IoU 0.50:0.05:0.95. */
  map: number | null;
  /** AP@0.5 per class (`null` where the class has no truth). */
  ap50: (number | null)[];
}

/** mAP@0.5 and mAP@[.5:.95] over classes `0..classes-1`. */
export function detectionMetrics(images: DetectionImage[], classes: number): DetectionMetrics {
  const ap50: (number | null)[] = [];
  const perThreshold: (number | null)[] = [];
  for (let c = 0; c < classes; c++) ap50.push(averagePrecision(images, c, 0.5));
  for (let k = 0; k < 10; k++) {
    const thr = 0.5 + 0.05 * k;
    perThreshold.push(
      meanOfNonNull(Array.from({ length: classes }, (_, c) => averagePrecision(images, c, thr))),
    );
  }
  return { map50: meanOfNonNull(ap50), map: meanOfNonNull(perThreshold), ap50 };
}

/** Score a box needs to count as found, unless a node or `phi metrics --score-threshold` says otherwise. */
export const DEFAULT_SCORE_THRESHOLD = 0.3;

/**
 * Accuracy by class for detection: per image, whether a class is present in the
 * truth against whether a box of it scores at least `scoreThreshold`; per class
 * and their macro mean (classes without any image of either kind left out).
 */
export function presenceAccuracy(
  images: readonly DetectionImage[],
  classes: number,
  scoreThreshold: number,
): { perClass: (number | null)[]; macro: number | null } {
  const perClass = Array.from({ length: classes }, (_, c) => {
    const cm = new ConfusionMatrix(2);
    for (const img of images)
      cm.add(
        img.truth.some((b) => b.classIndex === c) ? 1 : 0,
        img.predictions.some((b) => b.classIndex === c && b.score >= scoreThreshold) ? 1 : 0,
      );
    return cm.metrics().accuracy;
  });
  return { perClass, macro: meanOfNonNull(perClass) };
}
