/** Value statistics of decoded pixels, as `phi inspect` prints them. */
import type { PixelArray } from '../api';

/** Minimum, maximum and mean of finite values (null when there are none). */
export interface ValueStats {
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Stats of `data[start, end)`; NaN and infinities are left out. */
export function valueStats(data: PixelArray, start = 0, end = data.length): ValueStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n === 0 ? { min: null, max: null, mean: null } : { min, max, mean: sum / n };
}
