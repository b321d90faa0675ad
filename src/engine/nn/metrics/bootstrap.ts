/**
 * 95% confidence intervals by stratified bootstrap, percentile method (docs/metrics.md,
 * "Confidence intervals"): each resample draws, within every true class, as many items
 * as the class has, with replacement, from a seeded generator, so the same inputs and
 * seed give the same intervals. A resample is a vector of item multiplicities that the
 * statistic reads as weights.
 */
import { createRng } from '../../run/rng';

/** Resamples unless the user gives another count. */
export const DEFAULT_RESAMPLES = 2000;

/** A closed interval `[lower, upper]`. */
export type Interval = [number, number];

/** Options of {@link stratifiedBootstrap}. */
export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** Two-sided coverage; 0.95 for the 2.5th and 97.5th percentiles. */
  level?: number;
}

/**
 * The `q`-quantile of sorted values with linear interpolation between order statistics
 * (numpy's default): position `(n - 1) q`.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile interval of the defined values; `null` when no resample gave one. */
export function percentileInterval(values: ArrayLike<number>, level = 0.95): Interval | null {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return [quantileSorted(sorted, (1 - level) / 2), quantileSorted(sorted, 1 - (1 - level) / 2)];
}

/**
 * Runs `statistic` on `resamples` stratified resamples and returns, per key it reports,
 * the percentile interval of its defined values (a resample where a value is `null`,
 * e.g. a PPV with nothing called positive, is left out of that value's interval).
 */
export function stratifiedBootstrap(
  strata: ArrayLike<number>,
  options: BootstrapOptions,
  statistic: (weight: Float64Array) => Record<string, number | null>,
): Record<string, Interval | null> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < strata.length; i++) {
    const g = groups.get(strata[i]);
    if (g) g.push(i);
    else groups.set(strata[i], [i]);
  }
  const rng = createRng(options.seed);
  const weight = new Float64Array(strata.length);
  // Per key, its defined values in resample order, in one preallocated array.
  const draws = new Map<string, { values: Float64Array; count: number }>();
  const members = [...groups.values()].map((items) => Int32Array.from(items));
  for (let r = 0; r < options.resamples; r++) {
    weight.fill(0);
    for (const items of members)
      for (let k = 0; k < items.length; k++) weight[items[Math.floor(rng() * items.length)]]++;
    const values = statistic(weight);
    for (const key in values) {
      let list = draws.get(key);
      if (!list) draws.set(key, (list = { values: new Float64Array(options.resamples), count: 0 }));
      const value = values[key];
      if (value !== null && Number.isFinite(value)) list.values[list.count++] = value;
    }
  }
  const out: Record<string, Interval | null> = {};
  for (const [key, list] of draws)
    out[key] = percentileInterval(list.values.subarray(0, list.count), options.level);
  return out;
}
