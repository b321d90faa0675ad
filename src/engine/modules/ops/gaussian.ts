/** Gaussian kernels and blur with OpenCV's `GaussianBlur(src, (0, 0), sigma)` conventions. */
import type { DType, PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { fromFloat } from '../../imaging/image';
import { convolveSeparable } from './convolve';
import { withOpenCv } from './opencv';

/** Kernel length OpenCV derives from sigma: round(sigma * (3 for 8-bit, else 4) * 2 + 1), made odd. */
export function gaussianKernelSize(sigma: number, dtype: DType): number {
  const n = Math.round(sigma * (dtype === 'uint8' ? 3 : 4) * 2 + 1) | 1;
  return Math.max(1, n);
}

/** Normalised sampled Gaussian of odd length `n` (OpenCV `getGaussianKernel`). */
export function gaussianKernel(n: number, sigma: number): Float64Array {
  const k = new Float64Array(n);
  const s = sigma > 0 ? sigma : ((n - 1) * 0.5 - 1) * 0.3 + 0.8;
  const scale = -0.5 / (s * s);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - (n - 1) * 0.5;
    k[i] = Math.exp(scale * x * x);
    sum += k[i];
  }
  for (let i = 0; i < n; i++) k[i] /= sum;
  return k;
}

/** Blurs `[h, w, c]` with a Gaussian of `sigma` pixels, float result. */
export function gaussianBlurFloat(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  sigma: number,
): Float32Array {
  const k = gaussianKernel(gaussianKernelSize(sigma, dtypeOf(src)), sigma);
  return convolveSeparable(src, h, w, c, k, k, 'reflect101');
}

/** Blurs `[h, w, c]` keeping the dtype (rounded, saturated). */
export function gaussianBlur(src: PixelArray, h: number, w: number, c: number, sigma: number): PixelArray {
  const viaCv = withOpenCv(src, h, w, c, (cv, a, b) =>
    cv.GaussianBlur(a, b, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REFLECT_101),
  );
  if (viaCv) return viaCv;
  return fromFloat(gaussianBlurFloat(src, h, w, c, sigma), dtypeOf(src));
}
