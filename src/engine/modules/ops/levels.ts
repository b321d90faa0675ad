/**
 * Discrete levels for histogram-based operations. 8- and 16-bit images use
 * their values as levels (256 or 65536, as OpenCV does); int16 (HU) and float
 * images are quantised to 65536 levels over their own min..max and mapped back,
 * so Hounsfield data is never squeezed to 8 bits.
 */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { fromFloat, minMax } from '../../imaging/image';

/** Pixel levels plus the way back to the image's dtype and unit. */
export interface Levels {
  /** Number of levels (histogram bins). */
  count: number;
  /** Level of every element. */
  index: Uint8Array | Uint16Array;
  /** Turns one level per element (e.g. after a LUT) back into the source dtype. */
  restore(levels: ArrayLike<number>): PixelArray;
}

/** Levels of an array (see the module comment). */
export function toLevels(src: PixelArray): Levels {
  const dtype = dtypeOf(src);
  if (dtype === 'uint8' || dtype === 'uint16') {
    const count = dtype === 'uint8' ? 256 : 65536;
    return { count, index: src as Uint8Array | Uint16Array, restore: (v) => fromFloat(v, dtype) };
  }
  const [lo, hi] = minMax(src);
  const span = hi - lo;
  const index = new Uint16Array(src.length);
  if (span > 0) for (let i = 0; i < src.length; i++) index[i] = Math.round(((src[i] - lo) / span) * 65535);
  return {
    count: 65536,
    index,
    restore(v) {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = lo + (v[i] / 65535) * span;
      return fromFloat(out, dtype);
    },
  };
}

/** Histogram of levels. */
export function levelHistogram(index: ArrayLike<number>, count: number): Int32Array {
  const hist = new Int32Array(count);
  for (let i = 0; i < index.length; i++) hist[index[i]]++;
  return hist;
}
