/**
 * Transformation (image-to-image) metrics accumulated over a split: MAE, MSE,
 * RMSE, MSLE and PSNR with R the data range of the targets (docs/design.md section 7).
 */

/** Result of {@link RegressionAccumulator.metrics}; `null` where undefined. */
export interface RegressionMetrics {
  mae: number | null;
  mse: number | null;
  rmse: number | null;
  /** Mean of (log1p(y) - log1p(p))^2; `null` if any value is <= -1. */
  msle: number | null;
  /** 10 log10(R^2 / MSE); `null` for MSE 0 (infinite) or no data. */
  psnr: number | null;
}

/** Streams pairs of target/prediction arrays; memory is constant. */
export class RegressionAccumulator {
  private n = 0;
  private abs = 0;
  private sq = 0;
  private sqLog = 0;
  private logValid = true;
  private min = Infinity;
  private max = -Infinity;

  /** @param range fixed data range R for PSNR; when absent, max - min of all targets seen. */
  constructor(private readonly range?: number) {}

  /** Adds one image (or batch) of targets and predictions of equal length. */
  add(truth: ArrayLike<number>, pred: ArrayLike<number>): void {
    if (truth.length !== pred.length)
      throw new Error(`target has ${truth.length} values but prediction ${pred.length}`);
    for (let i = 0; i < truth.length; i++) {
      const y = truth[i];
      const p = pred[i];
      const d = y - p;
      this.abs += Math.abs(d);
      this.sq += d * d;
      if (y <= -1 || p <= -1) this.logValid = false;
      else {
        const l = Math.log1p(y) - Math.log1p(p);
        this.sqLog += l * l;
      }
      if (y < this.min) this.min = y;
      if (y > this.max) this.max = y;
    }
    this.n += truth.length;
  }

  /** The data range R that PSNR uses: the fixed range, else max - min of the targets; `null` before data. */
  dataRange(): number | null {
    return this.range ?? (this.n === 0 ? null : this.max - this.min);
  }

  /** The metrics over everything added. */
  metrics(): RegressionMetrics {
    if (this.n === 0) return { mae: null, mse: null, rmse: null, msle: null, psnr: null };
    const mse = this.sq / this.n;
    const r = this.dataRange() as number;
    return {
      mae: this.abs / this.n,
      mse,
      rmse: Math.sqrt(mse),
      msle: this.logValid ? this.sqLog / this.n : null,
      psnr: mse === 0 || r <= 0 ? null : 10 * Math.log10((r * r) / mse),
    };
  }
}
