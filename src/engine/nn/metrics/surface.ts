/**
 * Surface distances of a segmented structure in millimetres, as MONAI's
 * `compute_hausdorff_distance(percentile=95, directed=False)` and
 * `compute_average_surface_distance(symmetric=True)` define them
 * (docs/metrics.md, "Volumes"):
 * - the surface of a mask is its voxels with a face neighbour (6-connectivity in 3-D, 4 in 2-D)
 *   outside the mask or outside the image: `mask XOR binary_erosion(mask)` with SciPy's default
 *   cross-shaped structure, MONAI's `get_mask_edges`;
 * - a directed distance set holds, for every surface voxel of one mask, the Euclidean distance
 *   (voxel spacing applied per axis) to the nearest surface voxel of the other, from an exact
 *   distance transform (Felzenszwalb and Huttenlocher's separable algorithm);
 * - HD95 is the larger of the two directed sets' 95th percentiles (linear interpolation, as
 *   `torch.quantile`); the mean surface distance is the mean of both sets together.
 * Arrays are row-major over `shape` (the last axis fastest), `spacing` in the same axis order.
 */
import { quantileSorted } from './bootstrap';

/** The mask's surface voxels (1), by face-connected erosion with voxels outside the image counted as background. */
export function surfaceOf(mask: Uint8Array, shape: readonly number[]): Uint8Array {
  const strides = stridesOf(shape);
  const out = new Uint8Array(mask.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      let edge = false;
      for (let a = 0; a < shape.length && !edge; a++) {
        const s = strides[a];
        edge = index[a] === 0 || index[a] === shape[a] - 1 || mask[i - s] === 0 || mask[i + s] === 0;
      }
      if (edge) out[i] = 1;
    }
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a];
  }
  return strides;
}

/**
 * One line of the squared distance transform along an axis of spacing² `w`: `out[q] =
 * min_p w·(q − p)² + f[p]` by the lower envelope of parabolas (Felzenszwalb and Huttenlocher
 * 2012); infinite `f` values (no feature yet) take no part.
 */
function envelope1d(
  f: Float64Array,
  n: number,
  w: number,
  out: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    const fq = f[q] + w * q * q;
    let s: number;
    for (;;) {
      const p = v[k];
      s = (fq - (f[p] + w * p * p)) / (2 * w * (q - p));
      if (s > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    out.fill(Infinity, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const d = q - v[k];
    out[q] = w * d * d + f[v[k]];
  }
}

/**
 * The exact Euclidean distance (in the units of `spacing`) from every voxel to the nearest
 * feature voxel (`features[i] = 1`), `Infinity` everywhere when there is none; SciPy's
 * `distance_transform_edt(features == 0, sampling=spacing)`.
 */
export function distanceTransform(
  features: Uint8Array,
  shape: readonly number[],
  spacing: readonly number[],
): Float64Array {
  const d = new Float64Array(features.length);
  for (let i = 0; i < d.length; i++) d[i] = features[i] ? 0 : Infinity;
  const strides = stridesOf(shape);
  const longest = Math.max(...shape);
  const line = new Float64Array(longest);
  const done = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  for (let a = 0; a < shape.length; a++) {
    const n = shape[a];
    const stride = strides[a];
    const w = spacing[a] * spacing[a];
    // Every line along axis a starts at an index whose axis-a coordinate is 0.
    const outer = stride * n;
    for (let base = 0; base < d.length; base += outer)
      for (let inner = 0; inner < stride; inner++) {
        const start = base + inner;
        for (let q = 0; q < n; q++) line[q] = d[start + q * stride];
        envelope1d(line, n, w, done, v, z);
        for (let q = 0; q < n; q++) d[start + q * stride] = done[q];
      }
  }
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]);
  return d;
}

/** Surface distances of one class in one volume; `null` values come with the reason. */
export interface SurfaceDistances {
  /** 95th-percentile symmetric Hausdorff distance (mm). */
  hd95: number | null;
  /** Mean (average symmetric) surface distance (mm). */
  msd: number | null;
  /** Why the distances are `null`: the structure is missing from the truth, the prediction or both. */
  reason?: string;
}

/** The distances from every surface voxel of `from` to the nearest surface voxel of `to` (`toDistance`). */
function directed(from: Uint8Array, toDistance: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < from.length; i++) n += from[i];
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < from.length; i++) if (from[i]) out[k++] = toDistance[i];
  return out.sort();
}

/**
 * HD95 and mean surface distance between two binary masks of one shape; `percentile` 95
 * unless given. The distance transforms run over the masks' joint bounding box grown by one
 * voxel, where every surface voxel lies, so their cost follows the structure's size, not the volume's.
 */
export function surfaceDistances(
  truth: Uint8Array,
  pred: Uint8Array,
  shape: readonly number[],
  spacing: readonly number[],
  percentile = 95,
): SurfaceDistances {
  const box = jointBox(truth, pred, shape);
  const inTruth = box !== null && box.truth;
  const inPred = box !== null && box.pred;
  if (!inTruth || !inPred)
    return {
      hd95: null,
      msd: null,
      reason: inTruth
        ? 'not in the prediction'
        : inPred
          ? 'not in the truth, but predicted'
          : 'in neither truth nor prediction',
    };
  const t = surfaceOf(crop(truth, shape, box), box.shape);
  const p = surfaceOf(crop(pred, shape, box), box.shape);
  const predToTruth = directed(p, distanceTransform(t, box.shape, spacing));
  const truthToPred = directed(t, distanceTransform(p, box.shape, spacing));
  const q = percentile / 100;
  let sum = 0;
  for (const x of predToTruth) sum += x;
  for (const x of truthToPred) sum += x;
  return {
    hd95: Math.max(quantileSorted(predToTruth, q), quantileSorted(truthToPred, q)),
    msd: sum / (predToTruth.length + truthToPred.length),
  };
}

interface Box {
  start: number[];
  shape: number[];
  truth: boolean;
  pred: boolean;
}

/**
 * The bounding box of both masks' voxels grown by one voxel on every side (clipped to the
 * image: outside it counts as background anyway), and which masks have any voxel; `null` for none.
 */
function jointBox(truth: Uint8Array, pred: Uint8Array, shape: readonly number[]): Box | null {
  const lo = shape.map((n) => n);
  const hi = shape.map(() => -1);
  const index = new Array<number>(shape.length).fill(0);
  let inTruth = false;
  let inPred = false;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] || pred[i]) {
      inTruth ||= truth[i] !== 0;
      inPred ||= pred[i] !== 0;
      for (let a = 0; a < shape.length; a++) {
        if (index[a] < lo[a]) lo[a] = index[a];
        if (index[a] > hi[a]) hi[a] = index[a];
      }
    }
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  if (!inTruth && !inPred) return null;
  const start = lo.map((l) => Math.max(0, l - 1));
  const end = hi.map((h, a) => Math.min(shape[a] - 1, h + 1));
  return { start, shape: end.map((e, a) => e - start[a] + 1), truth: inTruth, pred: inPred };
}

/** The box's part of a row-major array. */
function crop(mask: Uint8Array, shape: readonly number[], box: Box): Uint8Array {
  const out = new Uint8Array(box.shape.reduce((a, b) => a * b, 1));
  const strides = stridesOf(shape);
  const index = new Array<number>(box.shape.length).fill(0);
  const last = box.shape.length - 1;
  const row = box.shape[last];
  for (let o = 0; o < out.length; o += row) {
    let from = 0;
    for (let a = 0; a <= last; a++) from += (box.start[a] + index[a]) * strides[a];
    out.set(mask.subarray(from, from + row), o);
    for (let a = last - 1; a >= 0; a--) {
      if (++index[a] < box.shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}
