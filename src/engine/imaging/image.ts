/**
 * Shared pixel helpers: geometry of an ImageData, dtype ranges, allocation and
 * the saturating, round-half-to-even store that OpenCV's `saturate_cast` uses,
 * so integer outputs match the references users trust.
 */
import type { DType, ImageData, PixelArray } from '../api';
import { dtypeOf } from '../api';

/** Sizes of an image's axes; `depth` is 1 for 2-D images. */
export interface Geometry {
  depth: number;
  height: number;
  width: number;
  channels: number;
}

/** Reads `[h, w, c]` or `[d, h, w, c]`; throws a readable error on any other shape. */
export function geometry(image: Pick<ImageData, 'shape' | 'data'>): Geometry {
  const s = image.shape;
  let g: Geometry;
  if (s.length === 3) g = { depth: 1, height: s[0], width: s[1], channels: s[2] };
  else if (s.length === 4) g = { depth: s[0], height: s[1], width: s[2], channels: s[3] };
  else if (s.length === 2) g = { depth: 1, height: s[0], width: s[1], channels: 1 };
  else throw new Error(`Image shape [${s.join(', ')}] is neither [h, w, c] nor [d, h, w, c]`);
  const n = g.depth * g.height * g.width * g.channels;
  if (n !== image.data.length)
    throw new Error(
      `Image shape [${s.join(', ')}] needs ${n} values but the data holds ${image.data.length}`,
    );
  return g;
}

/** Shape array for a geometry, 2-D when depth is 1 and the source was 2-D. */
export function shapeOf(g: Geometry, threeD: boolean): number[] {
  return threeD ? [g.depth, g.height, g.width, g.channels] : [g.height, g.width, g.channels];
}

/** True for `[d, h, w, c]` images. */
export function isVolume(image: Pick<ImageData, 'shape'>): boolean {
  return image.shape.length === 4;
}

/** Representable range of an integer dtype; `null` for float32. */
export function dtypeRange(dtype: DType): [number, number] | null {
  switch (dtype) {
    case 'uint8':
      return [0, 255];
    case 'uint16':
      return [0, 65535];
    case 'int16':
      return [-32768, 32767];
    default:
      return null;
  }
}

/** A zeroed typed array of a dtype. */
export function allocate(dtype: DType, length: number): PixelArray {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int16':
      return new Int16Array(length);
    default:
      return new Float32Array(length);
  }
}

/** Round half to even (C `rint`), as OpenCV's `cvRound` does. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Stores float results into a dtype: float32 as is; integers rounded half to
 * even and saturated to the dtype's range (OpenCV `saturate_cast`). NaN becomes 0.
 */
export function fromFloat(values: ArrayLike<number>, dtype: DType): PixelArray {
  const n = values.length;
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  const out = allocate(dtype, n);
  const [lo, hi] = dtypeRange(dtype) as [number, number];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[i] = v >= hi ? hi : v <= lo ? lo : v === v ? rint(v) : 0;
  }
  return out;
}

/** Copies any pixel array into a new Float32Array. */
export function toFloat(data: PixelArray): Float32Array {
  return Float32Array.from(data);
}

/** Minimum and maximum of an array (NaN ignored); `[0, 0]` when empty. */
export function minMax(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 0] : [lo, hi];
}

/** New ImageData with other pixels (and shape), keeping modality, spacing and unit. */
export function withPixels(image: ImageData, data: PixelArray, shape: number[] = image.shape): ImageData {
  return { ...image, data, shape };
}

/** The dtype of an image. */
export function dtypeOfImage(image: Pick<ImageData, 'data'>): DType {
  return dtypeOf(image.data);
}

/** Splits an image into its 2-D slices `[h, w, c]` (one for a 2-D image). */
export function slices(image: ImageData): PixelArray[] {
  const g = geometry(image);
  const n = g.height * g.width * g.channels;
  const out: PixelArray[] = [];
  for (let z = 0; z < g.depth; z++) out.push(image.data.subarray(z * n, (z + 1) * n));
  return out;
}

/** Joins equally sized slices into one array of their dtype. */
export function stack(parts: PixelArray[]): PixelArray {
  if (parts.length === 1) return parts[0];
  const n = parts[0].length;
  const out = allocate(dtypeOf(parts[0]), n * parts.length);
  parts.forEach((p, i) => out.set(p, i * n));
  return out;
}

/** One value stored as a dtype would store it (rounded half to even, saturated). */
export function saturate(value: number, dtype: DType): number {
  const range = dtypeRange(dtype);
  if (!range) return value;
  return value >= range[1] ? range[1] : value <= range[0] ? range[0] : value === value ? rint(value) : 0;
}
