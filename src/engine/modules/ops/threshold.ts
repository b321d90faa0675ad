/** Thresholds: Otsu's level (OpenCV `THRESH_OTSU`, generalised to 16-bit) and the binary map. */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate } from '../../imaging/image';
import { levelHistogram, toLevels } from './levels';

/** Otsu's threshold in the image's own values; pixels strictly above it are foreground. */
export function otsuThreshold(src: PixelArray): number {
  const levels = toLevels(src);
  const hist = levelHistogram(levels.index, levels.count);
  const n = levels.count;
  const total = src.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += i * hist[i];
  mu /= total;
  let q1 = 0;
  let mu1 = 0;
  let best = 0;
  let bestLevel = 0;
  const eps = 1.1920928955078125e-7; // FLT_EPSILON, as OpenCV uses.
  for (let i = 0; i < n; i++) {
    const p = hist[i] / total;
    mu1 *= q1;
    q1 += p;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < eps || Math.max(q1, q2) > 1 - eps) continue;
    mu1 = (mu1 + i * p) / q1;
    const mu2 = (mu - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > best) {
      best = sigma;
      bestLevel = i;
    }
  }
  // Back to image values: the level itself for 8/16-bit, the level's value otherwise.
  const back = levels.restore([bestLevel]);
  return back[0];
}

/** `src > t ? high : low` per element (OpenCV THRESH_BINARY; swapped values give THRESH_BINARY_INV). */
export function binaryThreshold(src: PixelArray, t: number, high: number, low = 0): PixelArray {
  const out = allocate(dtypeOf(src), src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] > t ? high : low;
  return out;
}
