/**
 * Whole-volume geometry on channels-last `[d, h, w, c]` arrays: flips along any axis, quarter turns
 * in any plane whose two sides are equal (so the volume keeps its size), and an affine map about
 * the volume's centre (voxel centres at integer coordinates, centre at (n - 1) / 2 per axis), read
 * trilinearly or nearest, with a fill value outside. Axes are numbered 0 = slices (z), 1 = rows
 * (y), 2 = columns (x).
 */
import type { PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, saturate } from '../../imaging/image';

/** The spatial size and channels of a volume. */
export interface VolumeSize {
  depth: number;
  height: number;
  width: number;
  channels: number;
}

function sides(v: VolumeSize): [number, number, number] {
  return [v.depth, v.height, v.width];
}

/** Moves every voxel to `target(z, y, x)` (an index triple of the same-sized output). */
function rearrange(
  src: PixelArray,
  v: VolumeSize,
  target: (z: number, y: number, x: number) => [number, number, number],
): PixelArray {
  const out = allocate(dtypeOf(src), src.length);
  const { depth, height, width, channels: c } = v;
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const [tz, ty, tx] = target(z, y, x);
        const from = ((z * height + y) * width + x) * c;
        const to = ((tz * height + ty) * width + tx) * c;
        for (let k = 0; k < c; k++) out[to + k] = src[from + k];
      }
  return out;
}

/** Mirrors the volume along `axis`. */
export function flipVolume(src: PixelArray, v: VolumeSize, axis: 0 | 1 | 2): PixelArray {
  const n = sides(v)[axis];
  return rearrange(src, v, (z, y, x) => {
    const at: [number, number, number] = [z, y, x];
    at[axis] = n - 1 - at[axis];
    return at;
  });
}

/**
 * Turns the volume by `k` quarter turns in the plane of axes `a` and `b`, whose sides must be
 * equal: index `(i, j)` of that plane goes to `(j, n - 1 - i)`, as `numpy.rot90(x, -k, (a, b))`.
 */
export function rotate90Volume(
  src: PixelArray,
  v: VolumeSize,
  a: 0 | 1 | 2,
  b: 0 | 1 | 2,
  k: number,
): PixelArray {
  const n = sides(v)[a];
  if (sides(v)[b] !== n)
    throw new Error(`a quarter turn needs equal sides, not ${sides(v)[a]} and ${sides(v)[b]}`);
  let out = src;
  for (let turn = 0; turn < ((k % 4) + 4) % 4; turn++)
    out = rearrange(out, v, (z, y, x) => {
      const at: [number, number, number] = [z, y, x];
      const i = at[a];
      at[a] = at[b];
      at[b] = n - 1 - i;
      return at;
    });
  return out;
}

/** A 3x3 matrix, row-major, acting on (z, y, x). */
export type Matrix3 = [number, number, number, number, number, number, number, number, number];

/** The product `a b`. */
export function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9).fill(0) as Matrix3;
  for (let r = 0; r < 3; r++)
    for (let col = 0; col < 3; col++)
      for (let k = 0; k < 3; k++) out[r * 3 + col] += a[r * 3 + k] * b[k * 3 + col];
  return out;
}

/** A rotation by `radians` in the plane of axes `a` and `b` (from `a` towards `b`). */
export function planeRotation(a: number, b: number, radians: number): Matrix3 {
  const m: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  m[a * 3 + a] = cos;
  m[b * 3 + b] = cos;
  m[b * 3 + a] = sin;
  m[a * 3 + b] = -sin;
  return m;
}

/**
 * The volume seen through `inverse`, a map from output voxel coordinates (relative to the centre)
 * to input ones: trilinear (`linear`) or nearest, voxels read from outside get `fill`. Integer
 * dtypes are rounded half to even and saturated.
 */
export function warpVolume(
  src: PixelArray,
  v: VolumeSize,
  inverse: Matrix3,
  mode: 'linear' | 'nearest',
  fill: number,
): PixelArray {
  const { depth, height, width, channels: c } = v;
  const dtype = dtypeOf(src);
  const out = allocate(dtype, src.length);
  const centre = [(depth - 1) / 2, (height - 1) / 2, (width - 1) / 2];
  const size = [depth, height, width];
  const at = (z: number, y: number, x: number, k: number): number =>
    z < 0 || y < 0 || x < 0 || z >= depth || y >= height || x >= width
      ? fill
      : src[((z * height + y) * width + x) * c + k];
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const d = [z - centre[0], y - centre[1], x - centre[2]];
        const p = [0, 1, 2].map(
          (r) => inverse[r * 3] * d[0] + inverse[r * 3 + 1] * d[1] + inverse[r * 3 + 2] * d[2] + centre[r],
        );
        const o = ((z * height + y) * width + x) * c;
        if (mode === 'nearest') {
          const [nz, ny, nx] = p.map((q) => Math.round(q));
          for (let k = 0; k < c; k++) out[o + k] = at(nz, ny, nx, k);
          continue;
        }
        // Outside by more than half a voxel: the fill, as nearest would give.
        if (p.some((q, axis) => q < -0.5 || q > size[axis] - 0.5)) {
          for (let k = 0; k < c; k++) out[o + k] = saturate(fill, dtype);
          continue;
        }
        const base = p.map((q, axis) => Math.min(Math.max(Math.floor(q), 0), size[axis] - 1));
        const t = p.map((q, axis) => Math.min(Math.max(q - base[axis], 0), 1));
        const next = base.map((b, axis) => Math.min(b + 1, size[axis] - 1));
        for (let k = 0; k < c; k++) {
          let value = 0;
          for (let corner = 0; corner < 8; corner++) {
            const pick = [corner >> 2, (corner >> 1) & 1, corner & 1];
            let weight = 1;
            for (let axis = 0; axis < 3; axis++) weight *= pick[axis] ? t[axis] : 1 - t[axis];
            if (weight === 0) continue;
            value +=
              weight *
              at(pick[0] ? next[0] : base[0], pick[1] ? next[1] : base[1], pick[2] ? next[2] : base[2], k);
          }
          out[o + k] = saturate(value, dtype);
        }
      }
  return out;
}
