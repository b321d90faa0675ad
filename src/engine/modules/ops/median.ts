/** Median filter with a square odd window; borders replicate (OpenCV `medianBlur`). */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate } from '../../imaging/image';
import { borderTable } from './border';
import { withOpenCv } from './opencv';

/** Median of each `size x size` window, per channel; exact for every dtype (a selection, no arithmetic). */
export function medianFilter(src: PixelArray, h: number, w: number, c: number, size: number): PixelArray {
  const dtype = dtypeOf(src);
  if (dtype === 'uint8' || ((dtype === 'uint16' || dtype === 'float32') && size <= 5)) {
    const viaCv = withOpenCv(src, h, w, c, (cv, a, b) => cv.medianBlur(a, b, size));
    if (viaCv) return viaCv;
  }
  const r = (size - 1) >> 1;
  const bx = borderTable(w, r, r, 'replicate');
  const by = borderTable(h, r, r, 'replicate');
  const out = allocate(dtypeOf(src), src.length);
  const win = new Float64Array(size * size);
  const mid = (size * size) >> 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let n = 0;
        for (let dy = 0; dy < size; dy++) {
          const row = by[y + dy] * w;
          for (let dx = 0; dx < size; dx++) win[n++] = src[(row + bx[x + dx]) * c + ch];
        }
        out[(y * w + x) * c + ch] = select(win, n, mid);
      }
    }
  }
  return out;
}

/** k-th smallest of the first n entries (Hoare quickselect, in place). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
