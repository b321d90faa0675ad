/**
 * ROC and precision-recall curves of one class against the rest, with scikit-learn's
 * definitions (docs/metrics.md, "ROC and precision-recall"): thresholds are the distinct
 * scores, an item is called positive when its score is >= the threshold, the AUC is the
 * trapezoidal area under the ROC curve and the average precision is the step-wise sum
 * over recall increments, never interpolated. Items may carry weights (bootstrap
 * multiplicities); a curve with no positive (or, for the AUC, no negative) weight is
 * undefined: `null`.
 */

/** Cumulative positive and negative weight at each distinct score, highest score first. */
export interface ThresholdCounts {
  thresholds: number[];
  tps: number[];
  fps: number[];
}

/** ROC points; `thresholds[0]` is +Infinity, the point (0, 0) where nothing is called positive. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** Precision-recall points in increasing threshold order, ending with (recall 0, precision 1). */
export interface PrCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** Scores of one binary problem, sorted once so that each weighting costs one pass. */
export class BinaryScores {
  private readonly order: Int32Array;

  /** `positive[i]` is 1 for an item of the class, 0 otherwise; `score[i]` its probability. */
  constructor(
    readonly positive: ArrayLike<number>,
    readonly score: ArrayLike<number>,
  ) {
    if (positive.length !== score.length)
      throw new Error(`${positive.length} labels but ${score.length} scores`);
    const order = Int32Array.from({ length: score.length }, (_, i) => i);
    order.sort((a, b) => score[b] - score[a]);
    this.order = order;
  }

  /** Counts at each distinct score (items of zero weight are left out, as scikit-learn does). */
  counts(weight?: ArrayLike<number>): ThresholdCounts {
    const thresholds: number[] = [];
    const tps: number[] = [];
    const fps: number[] = [];
    let tp = 0;
    let fp = 0;
    let current = 0;
    let started = false;
    for (const i of this.order) {
      const w = weight ? weight[i] : 1;
      if (w === 0) continue;
      if (started && this.score[i] !== current) {
        thresholds.push(current);
        tps.push(tp);
        fps.push(fp);
      }
      current = this.score[i];
      started = true;
      if (this.positive[i]) tp += w;
      else fp += w;
    }
    if (started) {
      thresholds.push(current);
      tps.push(tp);
      fps.push(fp);
    }
    return { thresholds, tps, fps };
  }

  /** The ROC curve with collinear points dropped (scikit-learn's `drop_intermediate`). */
  roc(weight?: ArrayLike<number>): RocCurve | null {
    const { thresholds, tps, fps } = this.counts(weight);
    const p = tps[tps.length - 1] ?? 0;
    const n = fps[fps.length - 1] ?? 0;
    if (p === 0 || n === 0) return null;
    const keep: number[] = [];
    for (let i = 0; i < tps.length; i++) {
      const ends = i === 0 || i === tps.length - 1;
      if (ends || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0)
        keep.push(i);
    }
    return {
      fpr: [0, ...keep.map((i) => fps[i] / n)],
      tpr: [0, ...keep.map((i) => tps[i] / p)],
      thresholds: [Infinity, ...keep.map((i) => thresholds[i])],
    };
  }

  /** Area under the ROC curve (trapezoidal); `null` without positives or negatives. */
  auc(weight?: ArrayLike<number>): number | null {
    const { tps, fps } = this.counts(weight);
    const p = tps[tps.length - 1] ?? 0;
    const n = fps[fps.length - 1] ?? 0;
    if (p === 0 || n === 0) return null;
    let area = 0;
    let x = 0;
    let y = 0;
    for (let i = 0; i < tps.length; i++) {
      const nx = fps[i] / n;
      const ny = tps[i] / p;
      area += ((nx - x) * (ny + y)) / 2;
      x = nx;
      y = ny;
    }
    return area;
  }

  /** The precision-recall curve at every distinct score, in increasing threshold order as scikit-learn returns it. */
  pr(weight?: ArrayLike<number>): PrCurve | null {
    const { thresholds, tps, fps } = this.counts(weight);
    const p = tps[tps.length - 1] ?? 0;
    if (p === 0) return null;
    const precision: number[] = [];
    const recall: number[] = [];
    const kept: number[] = [];
    for (let i = tps.length - 1; i >= 0; i--) {
      precision.push(tps[i] / (tps[i] + fps[i]));
      recall.push(tps[i] / p);
      kept.push(thresholds[i]);
    }
    precision.push(1);
    recall.push(0);
    return { precision, recall, thresholds: kept };
  }

  /** Average precision: sum over thresholds of (recall increase) x precision; `null` without positives. */
  averagePrecision(weight?: ArrayLike<number>): number | null {
    const { tps, fps } = this.counts(weight);
    const p = tps[tps.length - 1] ?? 0;
    if (p === 0) return null;
    let ap = 0;
    let prevRecall = 0;
    for (let i = 0; i < tps.length; i++) {
      const recall = tps[i] / p;
      ap += (recall - prevRecall) * (tps[i] / (tps[i] + fps[i]));
      prevRecall = recall;
    }
    return ap;
  }
}
