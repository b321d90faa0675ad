/**
 * CLAHE with OpenCV's semantics (`createCLAHE(clipLimit, (n, n))`): the image
 * is split into n x n tiles (padded by reflection at the bottom/right when the
 * size does not divide, as OpenCV does); each tile's histogram is clipped at
 * `clipLimit * tileArea / levels` (at least 1) and the excess is spread evenly;
 * pixels interpolate bilinearly between the four nearest tile look-up tables.
 * Float32 arithmetic is reproduced with Math.fround so 8-bit results match.
 */
import type { PixelArray } from '../../api';
import { rint } from '../../imaging/image';
import { borderIndex } from './border';
import { toLevels } from './levels';
import { withOpenCv } from './opencv';

/** Applies CLAHE to one channel `[h, w]` of any dtype. */
export function clahe(src: PixelArray, h: number, w: number, clipLimit: number, tiles: number): PixelArray {
  if (src instanceof Uint8Array || src instanceof Uint16Array) {
    const viaCv = withOpenCv(src, h, w, 1, (cv, a, b) => {
      const op = new cv.CLAHE(clipLimit, new cv.Size(tiles, tiles));
      try {
        op.apply(a, b);
      } finally {
        op.delete();
      }
    });
    if (viaCv) return viaCv;
  }
  const levels = toLevels(src);
  const n = levels.count;
  const idx = levels.index;
  const divisible = w % tiles === 0 && h % tiles === 0;
  const extH = divisible ? h : h + tiles - (h % tiles);
  const extW = divisible ? w : w + tiles - (w % tiles);
  const tileH = Math.floor(extH / tiles);
  const tileW = Math.floor(extW / tiles);
  const tileArea = tileH * tileW;
  const lutScale = Math.fround((n - 1) / tileArea);
  let clip = 0;
  if (clipLimit > 0) clip = Math.max(1, Math.trunc((clipLimit * tileArea) / n));
  const luts = new Float32Array(tiles * tiles * n);
  const hist = new Int32Array(n);
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      hist.fill(0);
      for (let y = ty * tileH; y < (ty + 1) * tileH; y++) {
        const sy = borderIndex(y, h, 'reflect101');
        for (let x = tx * tileW; x < (tx + 1) * tileW; x++)
          hist[idx[sy * w + borderIndex(x, w, 'reflect101')]]++;
      }
      if (clip > 0) {
        let clipped = 0;
        for (let i = 0; i < n; i++)
          if (hist[i] > clip) {
            clipped += hist[i] - clip;
            hist[i] = clip;
          }
        const batch = Math.floor(clipped / n);
        let residual = clipped - batch * n;
        for (let i = 0; i < n; i++) hist[i] += batch;
        if (residual !== 0) {
          const step = Math.max(Math.floor(n / residual), 1);
          for (let i = 0; i < n && residual > 0; i += step, residual--) hist[i]++;
        }
      }
      const base = (ty * tiles + tx) * n;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += hist[i];
        luts[base + i] = Math.min(n - 1, rint(Math.fround(sum * lutScale)));
      }
    }
  }
  const invW = Math.fround(1 / tileW);
  const invH = Math.fround(1 / tileH);
  const tx1s = new Int32Array(w);
  const tx2s = new Int32Array(w);
  const xas = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const txf = Math.fround(Math.fround(x * invW) - 0.5);
    const t1 = Math.floor(txf);
    xas[x] = Math.fround(txf - t1);
    tx1s[x] = Math.max(t1, 0);
    tx2s[x] = Math.min(t1 + 1, tiles - 1);
  }
  const out = new Float64Array(src.length);
  const f = Math.fround;
  for (let y = 0; y < h; y++) {
    const tyf = f(f(y * invH) - 0.5);
    const t1 = Math.floor(tyf);
    const ya = f(tyf - t1);
    const ya1 = f(1 - ya);
    const row1 = Math.max(t1, 0) * tiles;
    const row2 = Math.min(t1 + 1, tiles - 1) * tiles;
    for (let x = 0; x < w; x++) {
      const v = idx[y * w + x];
      const xa = xas[x];
      const xa1 = f(1 - xa);
      const a = f(f(luts[(row1 + tx1s[x]) * n + v] * xa1) + f(luts[(row1 + tx2s[x]) * n + v] * xa));
      const b = f(f(luts[(row2 + tx1s[x]) * n + v] * xa1) + f(luts[(row2 + tx2s[x]) * n + v] * xa));
      out[y * w + x] = rint(f(f(a * ya1) + f(b * ya)));
    }
  }
  return levels.restore(out);
}
