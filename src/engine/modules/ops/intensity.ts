/**
 * Point-wise intensity maps (each output value depends on one input value and
 * global statistics). Labels are never touched by these.
 */
import type { DType, PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { dtypeRange, fromFloat, minMax } from '../../imaging/image';

/**
 * The range an image's values are read against: the dtype's range for unsigned
 * integers (as scikit-image does), the image's own min..max for int16 (HU) and float.
 */
export function valueRange(src: PixelArray): [number, number] {
  const dtype = dtypeOf(src);
  if (dtype === 'uint8' || dtype === 'uint16') return dtypeRange(dtype) as [number, number];
  return minMax(src);
}

/** out = lo + gain * (hi - lo) * ((x - lo) / (hi - lo)) ^ gamma over {@link valueRange}; same dtype. */
export function gammaCorrection(src: PixelArray, gamma: number, gain = 1): PixelArray {
  const [lo, hi] = valueRange(src);
  const span = hi - lo;
  const out = new Float64Array(src.length);
  if (span === 0) return fromFloat(Float64Array.from(src), dtypeOf(src));
  for (let i = 0; i < src.length; i++) {
    const t = Math.max(0, (src[i] - lo) / span);
    out[i] = lo + gain * span * Math.pow(t, gamma);
  }
  return fromFloat(out, dtypeOf(src));
}

/** Linear map of the image's min..max onto `[min, max]` (OpenCV NORM_MINMAX), float32. A flat image maps to `min`. */
export function minMaxNormalize(src: PixelArray, min: number, max: number): Float32Array {
  const [lo, hi] = minMax(src);
  const out = new Float32Array(src.length);
  const scale = hi > lo ? (max - min) / (hi - lo) : 0;
  for (let i = 0; i < src.length; i++) out[i] = (src[i] - lo) * scale + min;
  return out;
}

/** Mean and population standard deviation. */
export function meanStd(src: ArrayLike<number>): [number, number] {
  let sum = 0;
  for (let i = 0; i < src.length; i++) sum += src[i];
  const mean = src.length ? sum / src.length : 0;
  let sq = 0;
  for (let i = 0; i < src.length; i++) sq += (src[i] - mean) * (src[i] - mean);
  return [mean, src.length ? Math.sqrt(sq / src.length) : 0];
}

/** (x - mean) / std with the population std, float32; a flat image becomes zeros. */
export function zScoreNormalize(src: PixelArray): Float32Array {
  const [mean, std] = meanStd(src);
  const out = new Float32Array(src.length);
  const inv = std > 0 ? 1 / std : 0;
  for (let i = 0; i < src.length; i++) out[i] = (src[i] - mean) * inv;
  return out;
}

/** Clamps to `[min, max]`, same dtype (bounds saturated to the dtype first). */
export function clip(src: PixelArray, min: number, max: number): PixelArray {
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] < min ? min : src[i] > max ? max : src[i];
  return fromFloat(out, dtypeOf(src));
}

/** lo + hi - x over {@link valueRange} (255 - x for 8-bit, like `cv2.bitwise_not`), same dtype. */
export function invert(src: PixelArray): PixelArray {
  const [lo, hi] = valueRange(src);
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lo + hi - src[i];
  return fromFloat(out, dtypeOf(src));
}

/**
 * Window (center/width) to `[0, 1]`: values at or below center - width/2 map
 * to 0, at or above center + width/2 to 1, linearly in between.
 */
export function applyWindow(src: PixelArray, center: number, width: number): Float32Array {
  const lo = center - width / 2;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const t = (src[i] - lo) / width;
    out[i] = t <= 0 ? 0 : t >= 1 ? 1 : t;
  }
  return out;
}

/** How bit-depth conversion maps values. */
export type DepthScaling = 'dtype' | 'minmax' | 'none';

/**
 * Converts to another dtype. `dtype`: proportional between full dtype ranges
 * (float read as 0..1, int16 as its full range; 65535 -> 255); `minmax`: the
 * image's min..max onto the target's full range (0..1 for float); `none`: values
 * kept, rounded and saturated.
 */
export function convertDepth(src: PixelArray, target: DType, scaling: DepthScaling): PixelArray {
  if (scaling === 'none') return fromFloat(Float64Array.from(src), target);
  const [slo, shi] = scaling === 'minmax' ? minMax(src) : (dtypeRange(dtypeOf(src)) ?? [0, 1]);
  const [tlo, thi] = dtypeRange(target) ?? [0, 1];
  const scale = shi > slo ? (thi - tlo) / (shi - slo) : 0;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i] - slo) * scale + tlo;
  return fromFloat(out, target);
}
