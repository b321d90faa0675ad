/**
 * DeLong's variance of an AUC and its normal-approximation interval, computed with the
 * fast midrank algorithm (docs/metrics.md, "Confidence intervals").
 */
import type { Interval } from './bootstrap';

/** Two-sided 95% standard normal quantile. */
const Z95 = 1.959963984540054;

/** Midranks (1-based, ties share the mean of their ranks) of `values`. */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** The AUC and DeLong's estimate of its variance. */
export interface DeLong {
  auc: number;
  variance: number;
}

const sampleVariance = (v: Float64Array): number => {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1);
};

/** `null` unless there are at least two positives and two negatives. */
export function delong(positive: ArrayLike<number>, score: ArrayLike<number>): DeLong | null {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < score.length; i++) (positive[i] ? x : y).push(score[i]);
  const m = x.length;
  const n = y.length;
  if (m < 2 || n < 2) return null;
  const tx = midranks(x);
  const ty = midranks(y);
  const tz = midranks([...x, ...y]);
  // Structural components: v10[i] = P(score of positive i > a negative), v01[j] likewise.
  const v10 = Float64Array.from({ length: m }, (_, i) => (tz[i] - tx[i]) / n);
  const v01 = Float64Array.from({ length: n }, (_, j) => 1 - (tz[m + j] - ty[j]) / m);
  const auc = v10.reduce((s, v) => s + v, 0) / m;
  return { auc, variance: sampleVariance(v10) / m + sampleVariance(v01) / n };
}

/** AUC +- 1.96 standard errors, clipped to [0, 1]. */
export function delongInterval(d: DeLong): Interval {
  const half = Z95 * Math.sqrt(d.variance);
  return [Math.max(0, d.auc - half), Math.min(1, d.auc + half)];
}
