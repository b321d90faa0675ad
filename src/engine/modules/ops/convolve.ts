/**
 * Separable correlation of an interleaved `[h, w, c]` array with a row and a
 * column kernel, in float (the caller stores the result in its dtype). Channels
 * are filtered independently; borders follow OpenCV's default (reflect-101).
 */
import type { PixelArray } from '../../api';
import { borderTable, type BorderMode } from './border';

/** Correlates rows with `kx` then columns with `ky` (both odd-length, anchored at the centre). */
export function convolveSeparable(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  kx: ArrayLike<number>,
  ky: ArrayLike<number>,
  border: BorderMode = 'reflect101',
): Float32Array {
  const rx = (kx.length - 1) >> 1;
  const ry = (ky.length - 1) >> 1;
  const bx = borderTable(w, rx, rx, border);
  const by = borderTable(h, ry, ry, border);
  const tmp = new Float32Array(h * w * c);
  const nkx = kx.length;
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < nkx; k++) acc += src[row + bx[x + k] * c + ch] * kx[k];
        tmp[row + x * c + ch] = acc;
      }
    }
  }
  const out = new Float32Array(h * w * c);
  const rowLen = w * c;
  const nky = ky.length;
  for (let y = 0; y < h; y++) {
    const dst = y * rowLen;
    for (let k = 0; k < nky; k++) {
      const srcRow = by[y + k] * rowLen;
      const wk = ky[k];
      for (let i = 0; i < rowLen; i++) out[dst + i] += tmp[srcRow + i] * wk;
    }
  }
  return out;
}
