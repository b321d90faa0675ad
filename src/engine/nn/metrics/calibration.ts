/**
 * Calibration of predicted probabilities (docs/metrics.md, "Calibration"): Brier score,
 * expected calibration error over equal-width bins with its reliability diagram, and the
 * calibration slope and intercept of a logistic recalibration of logit(p). Items may
 * carry weights (bootstrap multiplicities); an undefined value is `null`.
 */

/** Equal-width bins of [0, 1] unless the user gives another count. */
export const DEFAULT_BINS = 10;

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Items (summed weights) whose confidence falls in [lower, upper); the last bin includes 1. */
  count: number;
  /** Mean confidence in the bin; `null` for an empty bin. */
  meanConfidence: number | null;
  /** Fraction of the bin's items that are positive (or correct); `null` for an empty bin. */
  observedFrequency: number | null;
}

/** Expected calibration error and the bins it was computed over. */
export interface Calibration {
  ece: number | null;
  bins: ReliabilityBin[];
}

const weightOf = (weight: ArrayLike<number> | undefined, i: number): number => (weight ? weight[i] : 1);

/** Mean squared error of `p` against 0/1 `outcome`: the one-vs-rest Brier score of one class. */
export function brierBinary(
  outcome: ArrayLike<number>,
  p: ArrayLike<number>,
  weight?: ArrayLike<number>,
): number | null {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const w = weightOf(weight, i);
    sum += w * (p[i] - outcome[i]) ** 2;
    total += w;
  }
  return total === 0 ? null : sum / total;
}

/** Multi-class Brier score: mean over items of the sum over classes of (p_c - [truth = c])^2. */
export function brierMulticlass(
  truth: ArrayLike<number>,
  probs: readonly ArrayLike<number>[],
  weight?: ArrayLike<number>,
): number | null {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const w = weightOf(weight, i);
    let s = 0;
    for (let c = 0; c < probs[i].length; c++) s += (probs[i][c] - (truth[i] === c ? 1 : 0)) ** 2;
    sum += w * s;
    total += w;
  }
  return total === 0 ? null : sum / total;
}

/** The bin of a confidence in [0, 1]: `floor(p * bins)`, with p = 1 in the last bin. */
export function binOf(p: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
}

/**
 * Expected calibration error: sum over bins of (bin items / all items) x |observed
 * frequency - mean confidence|, with the reliability diagram's bins.
 */
export function calibration(
  confidence: ArrayLike<number>,
  outcome: ArrayLike<number>,
  bins = DEFAULT_BINS,
  weight?: ArrayLike<number>,
): Calibration {
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const hits = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < confidence.length; i++) {
    const w = weightOf(weight, i);
    if (w === 0) continue;
    const b = binOf(confidence[i], bins);
    count[b] += w;
    conf[b] += w * confidence[i];
    hits[b] += w * outcome[i];
    total += w;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const meanConfidence = count[b] ? conf[b] / count[b] : null;
    const observedFrequency = count[b] ? hits[b] / count[b] : null;
    if (meanConfidence !== null && observedFrequency !== null)
      ece += (count[b] / total) * Math.abs(observedFrequency - meanConfidence);
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b], meanConfidence, observedFrequency });
  }
  return { ece: total === 0 ? null : ece, bins: out };
}

/** Probabilities are clipped to [EPS, 1 - EPS] before the logit, so 0 and 1 stay finite. */
const EPS = 1e-12;
const MAX_NEWTON_STEPS = 100;

/** Calibration slope and intercept: the logistic regression outcome ~ intercept + slope x logit(p). */
export interface RecalibrationFit {
  slope: number;
  intercept: number;
}

/**
 * The logistic recalibration of one class's probabilities, fitted by Newton-Raphson
 * (unpenalised maximum likelihood). The logits are computed once, so that each
 * weighting (a bootstrap resample) costs only the Newton steps.
 */
export class Recalibration {
  private readonly logit: Float64Array;
  /** The weighted items of one fit, zero weights left out: Newton's passes then read only these. */
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly w: Float64Array;

  constructor(
    private readonly outcome: ArrayLike<number>,
    p: ArrayLike<number>,
  ) {
    this.logit = Float64Array.from({ length: p.length }, (_, i) => {
      const q = Math.min(1 - EPS, Math.max(EPS, p[i]));
      return Math.log(q / (1 - q));
    });
    this.x = new Float64Array(p.length);
    this.y = new Float64Array(p.length);
    this.w = new Float64Array(p.length);
  }

  /**
   * The fit for items weighted by `weight`, Newton's steps starting at `start` (a
   * resample starts at the whole set's fit: the same optimum in fewer steps). `null`
   * when it does not exist: one outcome only, all logits equal, or separable data
   * (the fit does not converge).
   */
  fit(
    weight?: ArrayLike<number>,
    start: RecalibrationFit = { slope: 1, intercept: 0 },
  ): RecalibrationFit | null {
    const { x, y, w } = this;
    let n = 0;
    for (let i = 0; i < this.logit.length; i++) {
      const weightI = weightOf(weight, i);
      if (weightI === 0) continue;
      x[n] = this.logit[i];
      y[n] = this.outcome[i];
      w[n++] = weightI;
    }
    let a = start.intercept;
    let b = start.slope;
    for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
      // Gradient g and Hessian H of the log-likelihood in (a, b).
      let g0 = 0;
      let g1 = 0;
      let h00 = 0;
      let h01 = 0;
      let h11 = 0;
      for (let i = 0; i < n; i++) {
        const mu = 1 / (1 + Math.exp(-(a + b * x[i])));
        const r = w[i] * (y[i] - mu);
        const v = w[i] * mu * (1 - mu);
        g0 += r;
        g1 += r * x[i];
        h00 += v;
        h01 += v * x[i];
        h11 += v * x[i] * x[i];
      }
      const det = h00 * h11 - h01 * h01;
      if (!(det > 1e-300) || !Number.isFinite(det)) return null;
      const da = (h11 * g0 - h01 * g1) / det;
      const db = (h00 * g1 - h01 * g0) / det;
      a += da;
      b += db;
      if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
      if (Math.abs(da) <= 1e-12 * (1 + Math.abs(a)) && Math.abs(db) <= 1e-12 * (1 + Math.abs(b)))
        return { slope: b, intercept: a };
    }
    return null;
  }
}

/** {@link Recalibration.fit} of one set, from slope 1 and intercept 0. */
export function recalibration(
  outcome: ArrayLike<number>,
  p: ArrayLike<number>,
  weight?: ArrayLike<number>,
): RecalibrationFit | null {
  return new Recalibration(outcome, p).fit(weight);
}
