/**
 * Inverse-mapped warps: for every output pixel, the source position is
 * computed and sampled (nearest or bilinear), outside pixels take a constant.
 * Pixel centres are at integer coordinates, as in OpenCV `warpAffine` and
 * scikit-image `warp` (the float bilinear of scikit-image, not OpenCV's
 * 1/32-pixel fixed point).
 */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, dtypeRange, rint, saturate } from '../../imaging/image';
import type { Size2D } from './geometry';

/** 2x3 affine matrix `[a, b, c, d, e, f]`: x' = a x + b y + c, y' = d x + e y + f. */
export type Affine = [number, number, number, number, number, number];

/** Inverse of an affine map. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new Error('The affine transform is singular (zero scale)');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Applies an affine map to a point. */
export function mapPoint(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * The forward map rotating by `angle` degrees (counter-clockwise on screen,
 * like `cv2.getRotationMatrix2D`) and scaling by `scale` about `(cx, cy)`.
 */
export function rotationMatrix(cx: number, cy: number, angle: number, scale: number): Affine {
  const t = (angle * Math.PI) / 180;
  const a = scale * Math.cos(t);
  const b = scale * Math.sin(t);
  return [a, b, (1 - a) * cx - b * cy, -b, a, b * cx + (1 - a) * cy];
}

/** Samples `src` at source positions given per output pixel by `map(x, y, out)`. */
export function remap(
  src: PixelArray,
  s: Size2D,
  out: { height: number; width: number },
  map: (x: number, y: number, at: Float64Array) => void,
  interpolation: 'nearest' | 'bilinear',
  fill = 0,
): PixelArray {
  const { height: h, width: w, channels: c } = s;
  const dtype = dtypeOf(src);
  const dst = allocate(dtype, out.height * out.width * c);
  const range = dtypeRange(dtype);
  const fillValue = saturate(fill, dtype);
  const at = new Float64Array(2);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      map(x, y, at);
      const sx = at[0];
      const sy = at[1];
      const d = (y * out.width + x) * c;
      if (interpolation === 'nearest') {
        const ix = Math.round(sx);
        const iy = Math.round(sy);
        const inside = ix >= 0 && ix < w && iy >= 0 && iy < h;
        for (let k = 0; k < c; k++) dst[d + k] = inside ? src[(iy * w + ix) * c + k] : fillValue;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < c; k++) {
        const p = (yy: number, xx: number): number =>
          yy >= 0 && yy < h && xx >= 0 && xx < w ? src[(yy * w + xx) * c + k] : fill;
        if (x0 < -1 || x0 >= w || y0 < -1 || y0 >= h) {
          dst[d + k] = fillValue;
          continue;
        }
        const v =
          (p(y0, x0) * (1 - fx) + p(y0, x0 + 1) * fx) * (1 - fy) +
          (p(y0 + 1, x0) * (1 - fx) + p(y0 + 1, x0 + 1) * fx) * fy;
        dst[d + k] = range ? (v >= range[1] ? range[1] : v <= range[0] ? range[0] : rint(v)) : v;
      }
    }
  }
  return dst;
}

/** Warps with a forward affine map `m` (source -> output) into an output of the given size. */
export function warpAffine(
  src: PixelArray,
  s: Size2D,
  m: Affine,
  out: { height: number; width: number },
  interpolation: 'nearest' | 'bilinear',
  fill = 0,
): PixelArray {
  const inv = invertAffine(m);
  return remap(
    src,
    s,
    out,
    (x, y, at) => {
      at[0] = inv[0] * x + inv[1] * y + inv[2];
      at[1] = inv[3] * x + inv[4] * y + inv[5];
    },
    interpolation,
    fill,
  );
}
