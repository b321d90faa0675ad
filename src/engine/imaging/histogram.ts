/** Value histograms for the Processing Result view. */
import type { Histogram } from '../api';
import { minMax } from './image';

/**
 * Histogram of all values in `bins` equal bins over min..max (the last bin
 * includes max). Integer data with fewer distinct levels than bins gets one bin per level.
 */
export function valueHistogram(values: ArrayLike<number>, bins = 64, integer = false): Histogram {
  const [lo, hi] = minMax(values);
  if (hi === lo) return { edges: [lo, lo + 1], counts: [values.length] };
  const n = integer ? Math.min(bins, hi - lo + 1) : bins;
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    const b = Math.floor((v - lo) / width);
    counts[b >= n ? n - 1 : b]++;
  }
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + i * width);
  return { edges, counts };
}
