/**
 * Deterministic test arrays and the error measure the network tests compare
 * backends with.
 */

/**
 * `n` values in [lo, hi) from a linear congruential sequence; with `levels`
 * > 0 quantised to that many steps, so pooling windows hold ties.
 */
export function seededValues(n: number, seed: number, lo = -1, hi = 1, levels = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = levels ? Math.floor((s / 2 ** 32) * levels) / levels : s / 2 ** 32;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/** Relative L2 error of `got` against `ref`: |got - ref| / |ref|. */
export function relL2(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (got[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Largest |got - ref| over two arrays, which must have the same length. */
export function maxAbsDifference(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) throw new Error(`lengths differ: ${got.length} and ${ref.length}`);
  let max = 0;
  for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(got[i] - ref[i]));
  return max;
}
