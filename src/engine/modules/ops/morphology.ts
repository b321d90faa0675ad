/**
 * Grayscale morphology with OpenCV's conventions: structuring elements as
 * `getStructuringElement` builds them, anchor at the centre, pixels outside
 * the image ignored (OpenCV's default border value for erode/dilate).
 */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, rint, saturate } from '../../imaging/image';
import { withOpenCv } from './opencv';

const CV_OP = { erode: 0, dilate: 1, open: 2, close: 3, gradient: 4, tophat: 5, blackhat: 6 } as const;
const CV_SHAPE = { rect: 0, cross: 1, ellipse: 2 } as const;

/** Shapes of structuring elements. */
export type StructuringShape = 'rect' | 'ellipse' | 'cross';

/** Morphological operations. */
export type MorphOperation = 'erode' | 'dilate' | 'open' | 'close' | 'gradient' | 'tophat' | 'blackhat';

/** A `size x size` 0/1 element, row-major (OpenCV `getStructuringElement`, odd or even sizes). */
export function structuringElement(shape: StructuringShape, size: number): Uint8Array {
  const se = new Uint8Array(size * size);
  const r = Math.floor(size / 2);
  const c = Math.floor(size / 2);
  const invR2 = r ? 1 / (r * r) : 0;
  for (let i = 0; i < size; i++) {
    let j1 = 0;
    let j2 = 0;
    if (shape === 'rect' || (shape === 'cross' && i === r)) j2 = size;
    else if (shape === 'cross') {
      j1 = c;
      j2 = c + 1;
    } else {
      const dy = i - r;
      if (Math.abs(dy) <= r) {
        const dx = rint(c * Math.sqrt((r * r - dy * dy) * invR2));
        j1 = Math.max(c - dx, 0);
        j2 = Math.min(c + dx + 1, size);
      }
    }
    for (let j = j1; j < j2; j++) se[i * size + j] = 1;
  }
  return se;
}

/** Erosion (`max = false`) or dilation (`max = true`) of `[h, w, c]` with a element, same dtype. */
export function extremeFilter(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  se: Uint8Array,
  size: number,
  max: boolean,
): PixelArray {
  const anchor = Math.floor(size / 2);
  if (se.every((v) => v === 1)) return rectExtreme(src, h, w, c, size, anchor, max);
  const offsets: [number, number][] = [];
  for (let i = 0; i < size; i++)
    for (let j = 0; j < size; j++) if (se[i * size + j]) offsets.push([i - anchor, j - anchor]);
  const out = allocate(dtypeOf(src), src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        let best = max ? -Infinity : Infinity;
        for (const [dy, dx] of offsets) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          const v = src[(yy * w + xx) * c + ch];
          if (max ? v > best : v < best) best = v;
        }
        out[(y * w + x) * c + ch] = best;
      }
    }
  }
  return out;
}

/** Rectangle elements are separable: a row pass then a column pass of running extremes. */
function rectExtreme(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  size: number,
  anchor: number,
  max: boolean,
): PixelArray {
  const before = anchor;
  const after = size - 1 - anchor;
  const tmp = allocate(dtypeOf(src), src.length);
  const out = allocate(dtypeOf(src), src.length);
  if (c === 1 && size === 3 && max) {
    // The common 3x3 dilation, unrolled (the benchmarked case).
    for (let y = 0; y < h; y++) {
      const r = y * w;
      if (w === 1) {
        tmp[r] = src[r];
        continue;
      }
      let a = src[r];
      let b = src[r + 1];
      tmp[r] = a > b ? a : b;
      for (let x = 1; x < w - 1; x++) {
        const n = src[r + x + 1];
        const m = a > b ? a : b;
        tmp[r + x] = m > n ? m : n;
        a = b;
        b = n;
      }
      tmp[r + w - 1] = a > b ? a : b;
    }
    for (let y = 0; y < h; y++) {
      const r = y * w;
      const up = y > 0 ? r - w : r;
      const down = y < h - 1 ? r + w : r;
      for (let x = 0; x < w; x++) {
        const m = tmp[up + x] > tmp[r + x] ? tmp[up + x] : tmp[r + x];
        out[r + x] = m > tmp[down + x] ? m : tmp[down + x];
      }
    }
    return out;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - before);
      const x1 = Math.min(w - 1, x + after);
      for (let ch = 0; ch < c; ch++) {
        let best = src[(y * w + x0) * c + ch];
        for (let xx = x0 + 1; xx <= x1; xx++) {
          const v = src[(y * w + xx) * c + ch];
          if (max ? v > best : v < best) best = v;
        }
        tmp[(y * w + x) * c + ch] = best;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - before);
    const y1 = Math.min(h - 1, y + after);
    for (let i = 0; i < w * c; i++) {
      let best = tmp[y0 * w * c + i];
      for (let yy = y0 + 1; yy <= y1; yy++) {
        const v = tmp[yy * w * c + i];
        if (max ? v > best : v < best) best = v;
      }
      out[y * w * c + i] = best;
    }
  }
  return out;
}

/** `a - b` element-wise, saturated to the dtype. */
function subtract(a: PixelArray, b: PixelArray): PixelArray {
  const dtype = dtypeOf(a);
  const out = allocate(dtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = saturate(a[i] - b[i], dtype);
  return out;
}

/** Applies a morphological operation (OpenCV `morphologyEx` semantics, `iterations` erosions/dilations). */
export function morphology(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  op: MorphOperation,
  shape: StructuringShape,
  size: number,
  iterations = 1,
): PixelArray {
  const viaCv = withOpenCv(src, h, w, c, (cv, a, b) => {
    const k = cv.getStructuringElement(CV_SHAPE[shape], new cv.Size(size, size));
    try {
      cv.morphologyEx(
        a,
        b,
        CV_OP[op],
        k,
        new cv.Point(-1, -1),
        iterations,
        cv.BORDER_CONSTANT,
        cv.morphologyDefaultBorderValue(),
      );
    } finally {
      k.delete();
    }
  });
  if (viaCv) return viaCv;
  const se = structuringElement(shape, size);
  const repeat = (img: PixelArray, max: boolean): PixelArray => {
    let r = img;
    for (let i = 0; i < iterations; i++) r = extremeFilter(r, h, w, c, se, size, max);
    return r;
  };
  const erode = (img: PixelArray): PixelArray => repeat(img, false);
  const dilate = (img: PixelArray): PixelArray => repeat(img, true);
  switch (op) {
    case 'erode':
      return erode(src);
    case 'dilate':
      return dilate(src);
    case 'open':
      return dilate(erode(src));
    case 'close':
      return erode(dilate(src));
    case 'gradient':
      return subtract(dilate(src), erode(src));
    case 'tophat':
      return subtract(src, dilate(erode(src)));
    default:
      return subtract(erode(dilate(src)), src);
  }
}
