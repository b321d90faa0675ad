/**
 * Separable resampling with per-axis tap tables: the engine behind resize,
 * resample-to-spacing and keep-aspect resize. Conventions follow OpenCV's
 * `cv::resize` (half-pixel centres, edge replication, bicubic A = -0.75,
 * INTER_AREA box weights), because that is the reference users compare with.
 */
import type { DType, PixelArray } from '../../api';
import { dtypeOf } from '../../api';
import { allocate, dtypeRange } from '../../imaging/image';
import { withOpenCv } from './opencv';

/** Interpolation methods of resize-like modules. */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'area';

/** OpenCV's interpolation flags (INTER_NEAREST_EXACT, INTER_LINEAR, INTER_CUBIC, INTER_AREA). */
const CV_INTERPOLATION: Record<Interpolation, number> = { nearest: 6, bilinear: 1, bicubic: 2, area: 3 };

/** For each output coordinate, `taps` source indices and weights. */
export interface AxisTable {
  size: number;
  taps: number;
  index: Int32Array;
  weight: Float32Array;
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Nearest with half-pixel centres (OpenCV INTER_NEAREST_EXACT, PIL, scikit-image order 0). */
export function nearestTable(src: number, dst: number): AxisTable {
  const index = new Int32Array(dst);
  const weight = new Float32Array(dst).fill(1);
  // OpenCV's 16.16 fixed point of (d + 0.5) * src / dst: it settles exact ties (a centre on a pixel
  // border) towards the lower index, so we reproduce it rather than the real-valued formula.
  const step = Math.floor((src * 65536 + Math.floor(dst / 2)) / dst);
  const start = Math.floor(step / 2) - (src % 2);
  for (let d = 0; d < dst; d++)
    index[d] = Math.min(src - 1, Math.max(0, Math.floor((step * d + start) / 65536)));
  return { size: dst, taps: 1, index, weight };
}

/** Bilinear with half-pixel centres (OpenCV INTER_LINEAR; no antialiasing when shrinking). */
export function linearTable(src: number, dst: number, areaMode = false): AxisTable {
  const scale = src / dst;
  const index = new Int32Array(dst * 2);
  const weight = new Float32Array(dst * 2);
  for (let d = 0; d < dst; d++) {
    let s: number;
    let f: number;
    if (!areaMode) {
      f = (d + 0.5) * scale - 0.5;
      s = Math.floor(f);
      f -= s;
    } else {
      // OpenCV INTER_AREA when enlarging: linear with box-overlap weights.
      s = Math.floor(d * scale);
      f = d + 1 - (s + 1) / scale;
      f = f <= 0 ? 0 : f - Math.floor(f);
    }
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= src - 1) {
      s = src - 1;
      f = 0;
    }
    index[2 * d] = s;
    index[2 * d + 1] = clampIndex(s + 1, src);
    weight[2 * d] = 1 - f;
    weight[2 * d + 1] = f;
  }
  return { size: dst, taps: 2, index, weight };
}

/** Bicubic convolution, A = -0.75 (OpenCV INTER_CUBIC), edges replicated. */
export function cubicTable(src: number, dst: number): AxisTable {
  const A = -0.75;
  const scale = src / dst;
  const index = new Int32Array(dst * 4);
  const weight = new Float32Array(dst * 4);
  for (let d = 0; d < dst; d++) {
    const fx = (d + 0.5) * scale - 0.5;
    const s = Math.floor(fx);
    const x = fx - s;
    const c0 = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
    const c1 = ((A + 2) * x - (A + 3)) * x * x + 1;
    const c2 = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
    const cs = [c0, c1, c2, 1 - c0 - c1 - c2];
    for (let k = 0; k < 4; k++) {
      index[4 * d + k] = clampIndex(s - 1 + k, src);
      weight[4 * d + k] = cs[k];
    }
  }
  return { size: dst, taps: 4, index, weight };
}

/** Box (pixel-area) weights when shrinking (OpenCV INTER_AREA, `computeResizeAreaTab`). */
export function areaTable(src: number, dst: number): AxisTable {
  const scale = src / dst;
  const lists: { i: number; w: number }[][] = [];
  let taps = 1;
  for (let d = 0; d < dst; d++) {
    const f1 = d * scale;
    const f2 = f1 + scale;
    const cell = Math.min(scale, src - f1);
    let s1 = Math.ceil(f1);
    const s2 = Math.min(Math.floor(f2), src - 1);
    s1 = Math.min(s1, s2);
    const list: { i: number; w: number }[] = [];
    if (s1 - f1 > 1e-3) list.push({ i: s1 - 1, w: (s1 - f1) / cell });
    for (let s = s1; s < s2; s++) list.push({ i: s, w: 1 / cell });
    if (f2 - s2 > 1e-3) list.push({ i: s2, w: Math.min(Math.min(f2 - s2, 1), cell) / cell });
    lists.push(list);
    taps = Math.max(taps, list.length);
  }
  const index = new Int32Array(dst * taps);
  const weight = new Float32Array(dst * taps);
  lists.forEach((list, d) =>
    list.forEach((t, k) => {
      index[d * taps + k] = t.i;
      weight[d * taps + k] = t.w;
    }),
  );
  return { size: dst, taps, index, weight };
}

/** The two axis tables OpenCV would use for this interpolation and size change. */
export function axisTables(
  interpolation: Interpolation,
  src: { height: number; width: number },
  dst: { height: number; width: number },
): { y: AxisTable; x: AxisTable } {
  switch (interpolation) {
    case 'nearest':
      return { y: nearestTable(src.height, dst.height), x: nearestTable(src.width, dst.width) };
    case 'bicubic':
      return { y: cubicTable(src.height, dst.height), x: cubicTable(src.width, dst.width) };
    case 'area':
      // OpenCV uses true area averaging only when neither axis is enlarged.
      if (dst.height <= src.height && dst.width <= src.width)
        return { y: areaTable(src.height, dst.height), x: areaTable(src.width, dst.width) };
      return { y: linearTable(src.height, dst.height, true), x: linearTable(src.width, dst.width, true) };
    default:
      return { y: linearTable(src.height, dst.height), x: linearTable(src.width, dst.width) };
  }
}

/**
 * Applies axis tables to an interleaved `[h, w, c]` array: horizontal pass into
 * float32, then vertical pass stored in the source dtype (saturated, rounded
 * half to even) or in `outDtype` when given.
 */
export function resampleSeparable(
  src: PixelArray,
  h: number,
  w: number,
  c: number,
  ty: AxisTable,
  tx: AxisTable,
  outDtype: DType = dtypeOf(src),
): PixelArray {
  const ow = tx.size;
  const oh = ty.size;
  const out = allocate(outDtype, oh * ow * c);
  if (tx.taps === 1 && ty.taps === 1) {
    // Nearest: a pure gather, no arithmetic (exact for every dtype, masks included).
    for (let y = 0; y < oh; y++) {
      const sr = ty.index[y] * w * c;
      const dr = y * ow * c;
      for (let x = 0; x < ow; x++) {
        const so = sr + tx.index[x] * c;
        for (let k = 0; k < c; k++) out[dr + x * c + k] = src[so + k];
      }
    }
    return out;
  }
  // Only source rows some output row uses need the horizontal pass.
  const used = new Uint8Array(h);
  for (let i = 0; i < ty.index.length; i++) if (ty.weight[i] !== 0) used[ty.index[i]] = 1;
  const tmp = new Float32Array(h * ow * c);
  const kx = tx.taps;
  const xi = tx.index;
  const xw = tx.weight;
  for (let y = 0; y < h; y++) {
    if (!used[y]) continue;
    const sr = y * w * c;
    const tr = y * ow * c;
    if (c === 1 && kx === 2) {
      for (let x = 0; x < ow; x++)
        tmp[tr + x] = src[sr + xi[2 * x]] * xw[2 * x] + src[sr + xi[2 * x + 1]] * xw[2 * x + 1];
    } else if (c === 1) {
      for (let x = 0; x < ow; x++) {
        let acc = 0;
        const b = x * kx;
        for (let k = 0; k < kx; k++) acc += src[sr + xi[b + k]] * xw[b + k];
        tmp[tr + x] = acc;
      }
    } else {
      for (let x = 0; x < ow; x++) {
        const b = x * kx;
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let k = 0; k < kx; k++) acc += src[sr + xi[b + k] * c + ch] * xw[b + k];
          tmp[tr + x * c + ch] = acc;
        }
      }
    }
  }
  const ky = ty.taps;
  const rowLen = ow * c;
  const range = dtypeRange(outDtype);
  const lo = range ? range[0] : 0;
  const hi = range ? range[1] : 0;
  // Row-at-a-time accumulation: each tap streams one contiguous row (cache- and JIT-friendly).
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < oh; y++) {
    const dr = y * rowLen;
    const b = y * ky;
    acc.fill(0);
    for (let k = 0; k < ky; k++) {
      const wk = ty.weight[b + k];
      if (wk === 0) continue;
      const r = ty.index[b + k] * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += tmp[r + i] * wk;
    }
    if (range) {
      for (let i = 0; i < rowLen; i++) {
        const v = acc[i];
        if (v >= hi) out[dr + i] = hi;
        else if (v <= lo) out[dr + i] = lo;
        else {
          // Round half to even (OpenCV cvRound), inlined: this loop is the hot one.
          const r = Math.round(v);
          out[dr + i] = r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
        }
      }
    } else out.set(acc, dr);
  }
  return out;
}

/**
 * Resizes one interleaved `[h, w, c]` array to `[oh, ow, c]` with OpenCV's conventions: through
 * opencv.js when loaded, else the separable typed-array kernel above.
 */
export function resizeArray(
  src: PixelArray,
  size: { height: number; width: number; channels: number },
  out: { height: number; width: number },
  interpolation: Interpolation,
  outDtype?: DType,
): PixelArray {
  if (!outDtype || outDtype === dtypeOf(src)) {
    const viaCv = withOpenCv(src, size.height, size.width, size.channels, (cv, a, b) =>
      cv.resize(a, b, new cv.Size(out.width, out.height), 0, 0, CV_INTERPOLATION[interpolation]),
    );
    if (viaCv) return viaCv;
  }
  const { y, x } = axisTables(interpolation, size, out);
  return resampleSeparable(src, size.height, size.width, size.channels, y, x, outDtype);
}

/**
 * Resamples a volume along its slice axis: `depth` slices of `sliceValues` values each (h x w x c,
 * interleaved) become `newDepth`, with the conventions of {@link resizeArray} applied to that axis
 * (half-pixel centres, edges replicated, integers rounded half to even and saturated).
 */
export function resampleSlices(
  src: PixelArray,
  depth: number,
  sliceValues: number,
  newDepth: number,
  interpolation: Interpolation,
): PixelArray {
  // The slice axis as the rows of a one-column image whose channels are a whole slice.
  const { y, x } = axisTables(interpolation, { height: depth, width: 1 }, { height: newDepth, width: 1 });
  return resampleSeparable(src, depth, 1, sliceValues, y, x);
}
