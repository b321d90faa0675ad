/** Border extrapolation of indices, named as OpenCV names its border modes. */

/** How pixels outside the image are read. */
export type BorderMode = 'reflect101' | 'replicate' | 'reflect';

/** Maps an index outside `[0, n)` into it (OpenCV `borderInterpolate`). */
export function borderIndex(i: number, n: number, mode: BorderMode): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  if (mode === 'replicate') return i < 0 ? 0 : n - 1;
  // Reflections repeat for kernels wider than the image.
  const delta = mode === 'reflect101' ? 1 : 0;
  do {
    if (i < 0) i = -i - 1 + delta;
    else i = n - 1 - (i - n) - delta;
  } while (i < 0 || i >= n);
  return i;
}

/** Source index for each position of a padded line of `n + before + after` entries. */
export function borderTable(n: number, before: number, after: number, mode: BorderMode): Int32Array {
  const t = new Int32Array(n + before + after);
  for (let i = 0; i < t.length; i++) t[i] = borderIndex(i - before, n, mode);
  return t;
}
