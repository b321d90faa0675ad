/** Global histogram equalization: OpenCV `equalizeHist`, generalised from 256 to any number of levels. */
import type { PixelArray } from '../../api';
import { rint } from '../../imaging/image';
import { levelHistogram, toLevels } from './levels';
import { withOpenCv } from './opencv';

/** Look-up table of `equalizeHist` for a histogram (the darkest present level maps to 0). */
export function equalizeLut(hist: Int32Array, total: number): Float64Array {
  const n = hist.length;
  const lut = new Float64Array(n);
  let i = 0;
  while (i < n && !hist[i]) i++;
  if (i === n) return lut;
  if (hist[i] === total) {
    // A flat image keeps its value (OpenCV: dst.setTo(i)).
    lut.fill(i);
    return lut;
  }
  // OpenCV computes the scale in float32; keep its rounding.
  const scale = Math.fround((n - 1) / (total - hist[i]));
  let sum = 0;
  lut[i++] = 0;
  for (; i < n; i++) {
    sum += hist[i];
    lut[i] = Math.min(n - 1, rint(Math.fround(sum * scale)));
  }
  return lut;
}

/** Equalizes one channel's values (any dtype): 8/16-bit use all levels of the dtype. */
export function equalizeHistogram(src: PixelArray): PixelArray {
  if (src instanceof Uint8Array) {
    const viaCv = withOpenCv(src, 1, src.length, 1, (cv, a, b) => cv.equalizeHist(a, b));
    if (viaCv) return viaCv;
  }
  const levels = toLevels(src);
  const lut = equalizeLut(levelHistogram(levels.index, levels.count), src.length);
  if (src instanceof Uint8Array || src instanceof Uint16Array) {
    // 8/16-bit: the LUT holds output levels of the same dtype; map straight into it.
    const out = src instanceof Uint8Array ? new Uint8Array(src.length) : new Uint16Array(src.length);
    const table = src instanceof Uint8Array ? Uint8Array.from(lut) : Uint16Array.from(lut);
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
    return out;
  }
  const mapped = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) mapped[i] = lut[levels.index[i]];
  return levels.restore(mapped);
}
