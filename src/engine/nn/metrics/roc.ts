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
  /** Scores and labels in `order`, so that the AUC and AP passes read memory in sequence. */
  private readonly sortedScore: Float64Array;
  private readonly sortedPositive: Uint8Array;

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
    this.sortedScore = Float64Array.from(order, (i) => score[i]);
    this.sortedPositive = Uint8Array.from(order, (i) => (positive[i] ? 1 : 0));
  }

  /** Total positive and negative weight. */
  private totals(weight?: ArrayLike<number>): [number, number] {
    let p = 0;
    let n = 0;
    const positive = this.sortedPositive;
    for (let j = 0; j < positive.length; j++) {
      const w = weight ? weight[this.order[j]] : 1;
      if (positive[j]) p += w;
      else n += w;
    }
    return [p, n];
  }

  /**
   * Calls `visit(tp, fp, score)` with the cumulative weights at each distinct score,
   * highest first, without building lists (a bootstrap calls this thousands of times).
   */
  private walk(
    weight: ArrayLike<number> | undefined,
    visit: (tp: number, fp: number, threshold: number) => void,
  ): void {
    const { order, sortedScore, sortedPositive } = this;
    let tp = 0;
    let fp = 0;
    let current = 0;
    let started = false;
    for (let j = 0; j < order.length; j++) {
      const w = weight ? weight[order[j]] : 1;
      if (w === 0) continue;
      if (started && sortedScore[j] !== current) visit(tp, fp, current);
      current = sortedScore[j];
      started = true;
      if (sortedPositive[j]) tp += w;
      else fp += w;
    }
    if (started) visit(tp, fp, current);
  }

  /** Counts at each distinct score (items of zero weight are left out, as scikit-learn does). */
  counts(weight?: ArrayLike<number>): ThresholdCounts {
    const thresholds: number[] = [];
    const tps: number[] = [];
    const fps: number[] = [];
    this.walk(weight, (tp, fp, threshold) => {
      thresholds.push(threshold);
      tps.push(tp);
      fps.push(fp);
    });
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
    return this.areas(weight).auc;
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
    return this.areas(weight).averagePrecision;
  }

  /** The AUC and the average precision in one pass over the sorted scores. */
  areas(weight?: ArrayLike<number>): { auc: number | null; averagePrecision: number | null } {
    const [p, n] = this.totals(weight);
    if (p === 0) return { auc: null, averagePrecision: null };
    let area = 0;
    let x = 0;
    let y = 0;
    let ap = 0;
    this.walk(weight, (tp, fp) => {
      const nx = fp / n;
      const ny = tp / p;
      area += ((nx - x) * (ny + y)) / 2;
      ap += (ny - y) * (tp / (tp + fp));
      x = nx;
      y = ny;
    });
    return { auc: n === 0 ? null : area, averagePrecision: ap };
  }
}
