/**
 * Per-class clinical metrics from a confusion matrix (docs/design.md section 7):
 * one-vs-rest TP/FP/TN/FN per class, a 0/0 is `null` and left out of means.
 * A class with no true item in the counted split has every per-class metric
 * `null` ("n/a"): its specificity or accuracy would say nothing about it.
 */
import { meanOfNonNull } from '../../api/metric-names';

/** Per-class metric names, each an array in class order. */
export const PER_CLASS_METRICS = [
  'accuracyByClass',
  'sensitivity',
  'specificity',
  'ppv',
  'npv',
  'dice',
  'iou',
] as const;

/** One of {@link PER_CLASS_METRICS}. */
export type PerClassMetric = (typeof PER_CLASS_METRICS)[number];

/** Result of {@link classMetrics}. */
export interface ClassMetrics {
  /** Correct / all; `null` when there are no items. */
  accuracy: number | null;
  /** Mean IoU over classes whose IoU is defined. */
  miou: number | null;
  perClass: Record<PerClassMetric, (number | null)[]>;
  macro: Record<PerClassMetric, number | null>;
}

/** `a / b`, or `null` for a zero denominator (never 0 or 1 by accident). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Square confusion matrix `m[true][pred]` accumulated over batches. */
export class ConfusionMatrix {
  readonly counts: number[][];

  constructor(readonly classes: number) {
    this.counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /** Counts one item (or `weight` items, e.g. pixels). */
  add(truth: number, pred: number, weight = 1): void {
    this.counts[truth][pred] += weight;
  }

  /** Adds a whole matrix (row-major `classes x classes`). */
  addMatrix(m: ArrayLike<number>): void {
    for (let t = 0; t < this.classes; t++)
      for (let p = 0; p < this.classes; p++) this.counts[t][p] += m[t * this.classes + p];
  }

  /** The metrics of section 7 for what has been counted. */
  metrics(): ClassMetrics {
    return classMetrics(this.counts);
  }
}

/** Computes every per-class metric, macro means, accuracy and mIoU from `m[true][pred]`. */
export function classMetrics(m: number[][]): ClassMetrics {
  const k = m.length;
  let total = 0;
  let correct = 0;
  const rowSum = new Array<number>(k).fill(0);
  const colSum = new Array<number>(k).fill(0);
  for (let t = 0; t < k; t++)
    for (let p = 0; p < k; p++) {
      total += m[t][p];
      rowSum[t] += m[t][p];
      colSum[p] += m[t][p];
      if (t === p) correct += m[t][p];
    }
  const perClass = Object.fromEntries(
    PER_CLASS_METRICS.map((name) => [name, [] as (number | null)[]]),
  ) as Record<PerClassMetric, (number | null)[]>;
  for (let c = 0; c < k; c++) {
    // A class absent from the truth has no metrics of its own: never a 0 or 1 that reads as a result.
    if (rowSum[c] === 0) {
      for (const name of PER_CLASS_METRICS) perClass[name].push(null);
      continue;
    }
    const tp = m[c][c];
    const fn = rowSum[c] - tp;
    const fp = colSum[c] - tp;
    const tn = total - tp - fn - fp;
    perClass.accuracyByClass.push(ratio(tp + tn, total));
    perClass.sensitivity.push(ratio(tp, tp + fn));
    perClass.specificity.push(ratio(tn, tn + fp));
    perClass.ppv.push(ratio(tp, tp + fp));
    perClass.npv.push(ratio(tn, tn + fn));
    perClass.dice.push(ratio(2 * tp, 2 * tp + fp + fn));
    perClass.iou.push(ratio(tp, tp + fp + fn));
  }
  const macro = Object.fromEntries(
    PER_CLASS_METRICS.map((name) => [name, meanOfNonNull(perClass[name])]),
  ) as Record<PerClassMetric, number | null>;
  return { accuracy: ratio(correct, total), miou: macro.iou, perClass, macro };
}
