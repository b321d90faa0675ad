/**
 * Edge detection: Sobel gradient magnitude (OpenCV `Sobel`, 3x3, reflect-101)
 * and Canny (OpenCV `Canny` with the L1 or L2 norm, replicate border,
 * non-maximum suppression by 22.5-degree sectors, 8-connected hysteresis).
 */
import type { PixelArray } from '../../api';
import { borderTable, type BorderMode } from './border';

/** Horizontal and vertical 3x3 Sobel derivatives of one channel `[h, w]`, float. */
export function sobel(
  src: PixelArray,
  h: number,
  w: number,
  border: BorderMode = 'reflect101',
): [Float32Array, Float32Array] {
  const bx = borderTable(w, 1, 1, border);
  const by = borderTable(h, 1, 1, border);
  const gx = new Float32Array(h * w);
  const gy = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    const r0 = by[y] * w;
    const r1 = by[y + 1] * w;
    const r2 = by[y + 2] * w;
    for (let x = 0; x < w; x++) {
      const x0 = bx[x];
      const x1 = bx[x + 1];
      const x2 = bx[x + 2];
      gx[y * w + x] =
        src[r0 + x2] - src[r0 + x0] + 2 * (src[r1 + x2] - src[r1 + x0]) + src[r2 + x2] - src[r2 + x0];
      gy[y * w + x] =
        src[r2 + x0] - src[r0 + x0] + 2 * (src[r2 + x1] - src[r0 + x1]) + src[r2 + x2] - src[r0 + x2];
    }
  }
  return [gx, gy];
}

/** sqrt(gx^2 + gy^2) of the Sobel derivatives, float32. */
export function sobelMagnitude(src: PixelArray, h: number, w: number): Float32Array {
  const [gx, gy] = sobel(src, h, w);
  const out = new Float32Array(h * w);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
  return out;
}

/**
 * Canny edges of one channel: 1 on edges, 0 elsewhere. Thresholds are on the
 * gradient magnitude (|gx| + |gy| unless `l2`), in the image's units x 4 (Sobel gain).
 */
export function canny(
  src: PixelArray,
  h: number,
  w: number,
  low: number,
  high: number,
  l2 = false,
): Uint8Array {
  if (low > high) [low, high] = [high, low];
  const [gx, gy] = sobel(src, h, w, 'replicate');
  const mag = new Float64Array((h + 2) * (w + 2));
  const mw = w + 2;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      mag[(y + 1) * mw + x + 1] = l2
        ? Math.sqrt(gx[i] * gx[i] + gy[i] * gy[i])
        : Math.abs(gx[i]) + Math.abs(gy[i]);
    }
  if (l2) {
    // OpenCV compares squared magnitudes with squared thresholds in L2 mode.
    low = Math.min(32767, low);
    high = Math.min(32767, high);
  }
  // 0: not an edge, 1: weak candidate, 2: strong edge.
  const state = new Uint8Array(h * w);
  // OpenCV's fixed-point tan(22.5 deg) and tan(67.5 deg) = tan22 + 2, so sectors split alike.
  const tg22 = 13573 / 32768;
  const tg67 = tg22 + 2;
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m = mag[(y + 1) * mw + x + 1];
      if (m <= low) continue;
      const xs = gx[i];
      const ys = gy[i];
      const ax = Math.abs(xs);
      const ay = Math.abs(ys);
      const c = (y + 1) * mw + x + 1;
      let isMax: boolean;
      if (ay < ax * tg22) isMax = m > mag[c - 1] && m >= mag[c + 1];
      else if (ay > ax * tg67) isMax = m > mag[c - mw] && m >= mag[c + mw];
      else {
        const s = xs * ys < 0 ? -1 : 1;
        isMax = m > mag[c - mw - s] && m > mag[c + mw + s];
      }
      if (!isMax) continue;
      if (m > high) {
        state[i] = 2;
        stack.push(i);
      } else state[i] = 1;
    }
  }
  while (stack.length) {
    const i = stack.pop() as number;
    const y = Math.floor(i / w);
    const x = i - y * w;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const j = yy * w + xx;
        if (state[j] === 1) {
          state[j] = 2;
          stack.push(j);
        }
      }
  }
  const out = new Uint8Array(h * w);
  for (let i = 0; i < out.length; i++) out[i] = state[i] === 2 ? 1 : 0;
  return out;
}
