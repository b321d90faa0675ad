/**
 * Sliding-window inference, as MONAI's `sliding_window_inference`: a network trained on
 * patches predicts a whole volume (or a large 2-D image) by overlapping windows whose outputs
 * are blended with a weight map (docs/networks.md, "Sliding-window inference").
 * - An axis shorter than the patch is padded on both sides (half before, the rest after) with
 *   `padValue` (0), as MONAI's constant padding; the padding is cropped off the result.
 * - Windows step by `floor(patch · (1 − overlap))` (at least 1; the whole axis when the patch
 *   fills it), and the last window of an axis is moved back to end at the border: MONAI's
 *   `_get_scan_interval` and `dense_patch_slices` ({@link windowStarts}).
 * - Each window's output is multiplied by the weight map (`constant`: 1; `gaussian`: a
 *   separable Gaussian of sigma `sigmaScale · patch` per axis, clamped below at its minimum or
 *   1e-3, MONAI's `compute_importance_map`) and summed, then divided by the summed weights.
 * The network is a tf.js function of a batch tensor or an inference backend (tf.js or ONNX
 * Runtime, nn/export/inference-backend.ts). Only `batchSize` patches are tensors at a time; the input, the blended output and the weights
 * are plain Float32Arrays, so a volume never sits whole on the wasm heap.
 */
import type { InferenceBackend } from './export/inference-backend';
import { tf } from './tf';

/** How overlapping window outputs are weighted. */
export type BlendMode = 'constant' | 'gaussian';

/** Options of {@link slidingWindowInference}. */
export interface SlidingWindowOptions {
  /** Spatial size of a window, one per spatial axis of the input. */
  patchSize: readonly number[];
  /** Fraction of a window shared with its neighbour along each axis, in [0, 1); default 0.25. */
  overlap?: number;
  /** Default `constant`. */
  mode?: BlendMode;
  /** Gaussian sigma as a fraction of the patch size; default 0.125. */
  sigmaScale?: number;
  /** Windows predicted per call of the network; default 1. */
  batchSize?: number;
  /** Value of the padding where an axis is shorter than the patch; default 0. */
  padValue?: number;
}

/** A channels-last array: `shape` is `[...spatial, channels]`, row-major. */
export interface ChannelsLast {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/**
 * A network on a batch of patches `[batch, ...patchSize, channels]`, returning
 * `[batch, ...patchSize, outChannels]`; run inside `tf.tidy`, so it must be synchronous.
 */
export type PatchPredictor = (batch: tf.Tensor) => tf.Tensor;

/** The window step per axis (MONAI's `_get_scan_interval`). */
export function scanInterval(
  imageSize: readonly number[],
  patchSize: readonly number[],
  overlap: number,
): number[] {
  return imageSize.map((n, a) =>
    patchSize[a] === n ? n : Math.max(1, Math.trunc(patchSize[a] * (1 - overlap))),
  );
}

/**
 * The start of every window, the first axis slowest (MONAI's `dense_patch_slices` on an image
 * at least as large as the patch): per axis the starts `i · step`, up to the first window that
 * reaches the border, each moved back so that it ends inside the image.
 */
export function windowStarts(
  imageSize: readonly number[],
  patchSize: readonly number[],
  step: readonly number[],
): number[][] {
  const perAxis = imageSize.map((n, a) => {
    const candidates = Math.ceil(n / step[a]);
    let count = 1;
    for (let d = 0; d < candidates; d++)
      if (d * step[a] + patchSize[a] >= n) {
        count = d + 1;
        break;
      }
    return Array.from({ length: count }, (_, i) => i * step[a] - Math.max(i * step[a] + patchSize[a] - n, 0));
  });
  let out: number[][] = [[]];
  for (const starts of perAxis) out = out.flatMap((prefix) => starts.map((s) => [...prefix, s]));
  return out;
}

/** The blending weight of each voxel of a window, row-major over `patchSize`. */
export function importanceMap(
  patchSize: readonly number[],
  mode: BlendMode,
  sigmaScale = 0.125,
): Float32Array {
  const size = patchSize.reduce((a, b) => a * b, 1);
  const map = new Float32Array(size).fill(1);
  if (mode === 'constant') return map;
  let stride = size;
  for (const n of patchSize) {
    stride /= n;
    const sigma = n * sigmaScale;
    for (let i = 0; i < size; i++) {
      const x = (Math.floor(i / stride) % n) - (n - 1) / 2;
      map[i] *= Math.exp((x * x) / (-2 * sigma * sigma));
    }
  }
  let min = Infinity;
  for (const v of map) min = Math.min(min, v);
  const floor = Math.max(min, 1e-3);
  for (let i = 0; i < size; i++) map[i] = Math.max(map[i], floor);
  return map;
}

function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    out[a] = s;
    s *= shape[a];
  }
  return out;
}

/**
 * Calls `visit(patchIndex, imageIndex)` for every voxel of the window at `start` (padded
 * coordinates) that lies inside the image, one row of the last axis at a time.
 */
function eachInside(
  start: readonly number[],
  pad: readonly number[],
  patch: readonly number[],
  image: readonly number[],
  visit: (patchIndex: number, imageIndex: number, length: number) => void,
): void {
  const last = patch.length - 1;
  const imageStrides = stridesOf(image);
  const rows = patch.slice(0, last).reduce((a, b) => a * b, 1);
  const index = new Array<number>(last).fill(0);
  // Along the last axis the window covers image columns [from, to).
  const origin = start[last] - pad[last];
  const from = Math.max(origin, 0);
  const to = Math.min(origin + patch[last], image[last]);
  for (let r = 0; r < rows; r++) {
    let inside = to > from;
    let at = 0;
    for (let a = 0; a < last && inside; a++) {
      const c = start[a] - pad[a] + index[a];
      inside = c >= 0 && c < image[a];
      at += c * imageStrides[a];
    }
    if (inside) visit(r * patch[last] + (from - origin), at + from, to - from);
    for (let a = last - 1; a >= 0; a--) {
      if (++index[a] < patch[a]) break;
      index[a] = 0;
    }
  }
}

/** A tf.js patch predictor on one batch: its output values, checked to be one per window voxel. */
function predictTensor(predict: PatchPredictor, batch: Float32Array, shape: number[]): Float32Array {
  const x = tf.tensor(batch, shape);
  try {
    const y = tf.tidy(() => predict(x));
    try {
      const want = shape.slice(0, -1);
      if (y.shape.length !== want.length + 1 || want.some((d, a) => y.shape[a] !== d))
        throw new Error(`the network gave ${y.shape.join('x')} for patches ${x.shape.join('x')}`);
      return y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}

/** A batch of windows to predict: the values, channels last, and their shape (batch first). */
interface WindowBatch {
  batch: Float32Array;
  shape: number[];
}

/** The blended result, `[...spatial, outChannels]`. */
type Blended = { data: Float32Array; shape: number[] };

/**
 * Predicts a whole channels-last input by overlapping windows (module comment); returns
 * `[...spatial, outChannels]`.
 */
export async function slidingWindowInference(
  input: ChannelsLast,
  predict: PatchPredictor | Pick<InferenceBackend, 'predict'>,
  options: SlidingWindowOptions,
): Promise<Blended> {
  const windows = blendWindows(input, options);
  let step = windows.next();
  while (!step.done) {
    const { batch, shape } = step.value;
    step = windows.next(
      typeof predict === 'function'
        ? predictTensor(predict, batch, shape)
        : await predict.predict(batch, shape),
    );
  }
  return step.value;
}

/** {@link slidingWindowInference} with a tf.js predictor, for callers that cannot wait. */
export function slidingWindowInferenceSync(
  input: ChannelsLast,
  predict: PatchPredictor,
  options: SlidingWindowOptions,
): Blended {
  const windows = blendWindows(input, options);
  let step = windows.next();
  while (!step.done) step = windows.next(predictTensor(predict, step.value.batch, step.value.shape));
  return step.value;
}

/**
 * The windows of the module comment, as a coroutine: yields each batch of windows and takes
 * back the network's output values for it, whichever way they were computed.
 */
function* blendWindows(
  input: ChannelsLast,
  options: SlidingWindowOptions,
): Generator<WindowBatch, Blended, Float32Array> {
  const spatial = input.shape.slice(0, -1);
  const channels = input.shape[input.shape.length - 1];
  const patch = options.patchSize;
  const overlap = options.overlap ?? 0.25;
  const batchSize = options.batchSize ?? 1;
  const padValue = options.padValue ?? 0;
  if (patch.length !== spatial.length || patch.some((p) => !Number.isInteger(p) || p < 1))
    throw new Error(
      `patch size ${patch.join('x')} does not fit an input of spatial shape ${spatial.join('x')}`,
    );
  if (!(overlap >= 0 && overlap < 1)) throw new Error(`overlap must lie in [0, 1), not ${overlap}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batch size must be an integer >= 1');
  const padded = spatial.map((n, a) => Math.max(n, patch[a]));
  const pad = spatial.map((n, a) => Math.floor(Math.max(patch[a] - n, 0) / 2));
  const starts = windowStarts(padded, patch, scanInterval(padded, patch, overlap));
  const weights = importanceMap(patch, options.mode ?? 'constant', options.sigmaScale);
  const patchVoxels = weights.length;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const count = new Float32Array(voxels);
  let out: Float32Array | undefined;
  let outChannels = 0;
  for (let first = 0; first < starts.length; first += batchSize) {
    const windows = starts.slice(first, first + batchSize);
    const batch = new Float32Array(windows.length * patchVoxels * channels).fill(padValue);
    windows.forEach((start, w) =>
      eachInside(start, pad, patch, spatial, (p, i, n) => {
        for (let k = 0; k < n * channels; k++)
          batch[(w * patchVoxels + p) * channels + k] = input.data[i * channels + k];
      }),
    );
    const batchShape = [windows.length, ...patch, channels];
    const values = yield { batch, shape: batchShape };
    // Whatever runs the network, it must give one output per voxel of each window.
    outChannels = values.length / (windows.length * patchVoxels);
    if (!Number.isInteger(outChannels) || outChannels < 1)
      throw new Error(`the network gave ${values.length} values for patches ${batchShape.join('x')}`);
    out ??= new Float32Array(voxels * outChannels);
    const sum = out;
    windows.forEach((start, w) =>
      eachInside(start, pad, patch, spatial, (p, i, n) => {
        for (let j = 0; j < n; j++) {
          const weight = weights[p + j];
          count[i + j] += weight;
          const src = (w * patchVoxels + p + j) * outChannels;
          const dst = (i + j) * outChannels;
          for (let k = 0; k < outChannels; k++) sum[dst + k] += weight * values[src + k];
        }
      }),
    );
  }
  const result = out as Float32Array;
  for (let v = 0; v < voxels; v++)
    for (let k = 0; k < outChannels; k++) result[v * outChannels + k] /= count[v];
  return { data: result, shape: [...spatial, outChannels] };
}
