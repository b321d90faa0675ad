/**
 * Conv3D and its two gradients on the wasm backend, built from XNNPACK 2-D
 * convolutions. The wasm package's own forward and filter-gradient kernels
 * are plain loops (2x32x32x32x1 -> 16 channels, 3x3x3: forward 184-226 ms,
 * filter gradient 72-255 ms, against 6-9 ms each here); its input gradient
 * gives wrong values (half of a 1x2x2x2x1 input gradient zero with a 1x1x1
 * filter).
 *
 * A 3-D convolution is a 2-D convolution over depth slices whose channels
 * hold the `fd` input depths the kernel reads: output depth `od` reads input
 * depths `od * sd + kd - front`, `kd < fd`. Those slices are gathered side by
 * side in the channel axis (zero in the depth padding), the output depths
 * stacked along the batch axis, and the filter `[fd, kh, kw, Ci, Co]`
 * rearranged to `[kh, kw, fd * Ci, Co]`, so each kernel is one 2-D call over
 * the whole volume:
 *
 * - forward: `Conv2D`;
 * - filter gradient: the engine's 2-D filter gradient (wasm-grads.ts) on
 *   the slices transposed straight into the layout its conv reads,
 *   rearranged back to `[fd, kh, kw, Ci, Co]`;
 * - input gradient: for stride 1, 'same' padding and odd kernel sizes the
 *   forward conv of `dy` with the flipped filter; otherwise
 *   `Conv2DBackpropInput` (wasm-grads.ts) gives the gradient of the gathered
 *   slices, each added to the input depth it was read from.
 *
 * The slices are copied as whole depth planes and put side by side by one
 * transpose of at most 4 axes (the package's Transpose above rank 4 is a slow
 * general loop). Measured over a 3-D U-Net's layers: docs/networks.md,
 * "Conv3D on wasm".
 *
 * One call with `fd * Ci` channels instead of one per kernel depth: measured
 * (CPU time, 2x32^3, 1 -> 16 channels) input gradient 9-10 ms against 22,
 * filter gradient at 16 -> 16 channels 8 ms against 13-17; a stride-2
 * forward costs 9 ms against 5 (the gathered input is `fd` times larger).
 *
 * Height and width keep the attribute's padding ('same', 'valid'), which 2-D
 * and 3-D geometry compute alike per axis (tf.js's 3-D ops take NDHWC
 * only). A forward conv with dilations above 1, which tf.js does not
 * differentiate, goes to the wasm package's kernel.
 */
import {
  backend_util,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { filterGradOfTransposed, IM2COL_MAX_CHANNELS } from './wasm-grads';
import { allocate, call, release, view } from './wasm-heap';

type KernelArgs = { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: KernelBackend };

type Shape5 = [number, number, number, number, number];
type Pad3D = 'valid' | 'same';

interface Conv3DGeometry {
  info: backend_util.Conv3DInfo;
  /** The attribute's padding, which the 2-D calls apply to height and width. */
  pad: Pad3D;
}

function geometry(xShape: number[], filterShape: number[], attrs: NamedAttrMap): Conv3DGeometry {
  const { strides, pad } = attrs as unknown as { strides: [number, number, number] | number; pad: Pad3D };
  const info = backend_util.computeConv3DInfo(xShape as Shape5, filterShape as Shape5, strides, 1, pad);
  return { info, pad };
}

/**
 * For every kernel depth `kd` and output depth `od`, the input depth slice
 * `od * sd + kd - front`, zero where it falls in the depth padding: `[fd, N
 * * outDepth, H, W, C]` in `shape`, whole planes copied in JavaScript (the
 * wasm package's Slice and StridedSlice on 5-D tensors ran at a few hundred
 * MB/s).
 */
function shiftedSlices(
  backend: KernelBackend,
  x: TensorInfo,
  info: backend_util.Conv3DInfo,
  shape: number[],
): TensorInfo {
  const [n, d, h, w, c] = x.shape;
  const { outDepth: od, strideDepth: sd, filterDepth: fd } = info;
  const front = info.padInfo.front;
  const plane = h * w * c;
  const [out] = allocate(backend, shape);
  const dst = view(backend, out);
  const src = view(backend, x);
  for (let kd = 0; kd < fd; kd++)
    for (let b = 0; b < n; b++)
      for (let o = 0; o < od; o++) {
        const z = o * sd + kd - front;
        const to = ((kd * n + b) * od + o) * plane;
        if (z < 0 || z >= d) dst.fill(0, to, to + plane);
        else dst.set(src.subarray((b * d + z) * plane, (b * d + z + 1) * plane), to);
      }
  return out;
}

/**
 * {@link shiftedSlices} side by side in the channel axis, `[N * outDepth, H,
 * W, fd * C]`, by one transpose: XNNPACK's transpose beat interleaving the
 * channels in JavaScript (forward over a U-Net's layers 53 against 64 ms).
 */
function stackedSlices(backend: KernelBackend, x: TensorInfo, info: backend_util.Conv3DInfo): TensorInfo {
  const [n, , h, w, c] = x.shape;
  const { outDepth: od, filterDepth: fd } = info;
  // Transposes are given at most 4 axes: the package's kernel for 5 and more is a slow general loop.
  const shifted = shiftedSlices(backend, x, info, [fd, n * od * h * w, c]);
  const t = call(backend, 'Transpose', { x: shifted }, { perm: [1, 0, 2] });
  const out = call(backend, 'Reshape', { x: t }, { shape: [n * od, h, w, fd * c] });
  release(backend, shifted, t);
  return out;
}

/**
 * The filter `[fd, kh, kw, Ci, Co]` as the 2-D filter `[kh, kw, fd * Ci, Co]`
 * that reads {@link stackedSlices}, or back (`inverse`).
 */
function stackFilter(backend: KernelBackend, f: TensorInfo, shape: number[], inverse = false): TensorInfo {
  const [fd, kh, kw, ci, co] = shape;
  const block = ci * co;
  const [out] = allocate(backend, inverse ? shape : [kh, kw, fd * ci, co]);
  const dst = view(backend, out);
  const src = view(backend, f);
  for (let kd = 0; kd < fd; kd++)
    for (let t = 0; t < kh * kw; t++) {
      const depthMajor = (kd * kh * kw + t) * block;
      const tapMajor = (t * fd + kd) * block;
      if (inverse) dst.set(src.subarray(tapMajor, tapMajor + block), depthMajor);
      else dst.set(src.subarray(depthMajor, depthMajor + block), tapMajor);
    }
  return out;
}

function conv2DAttrs(g: Conv3DGeometry): NamedAttrMap {
  return {
    strides: [g.info.strideHeight, g.info.strideWidth],
    pad: g.pad,
    dilations: [1, 1],
    dataFormat: 'NHWC',
  };
}

function conv3D(backend: KernelBackend, x: TensorInfo, filter: TensorInfo, g: Conv3DGeometry): TensorInfo {
  const xs = stackedSlices(backend, x, g.info);
  const f2 = stackFilter(backend, filter, filter.shape);
  const y = call(backend, 'Conv2D', { x: xs, filter: f2 }, conv2DAttrs(g));
  const out = call(backend, 'Reshape', { x: y }, { shape: g.info.outShape });
  release(backend, xs, f2, y);
  return out;
}

/**
 * With few stacked channels (a first layer) the 2-D kernel's im2col form on
 * {@link stackedSlices}; otherwise the slices transposed straight into the
 * `[fd * Ci, H, W, N * outDepth]` layout its conv form takes (wasm-grads.ts,
 * `filterGradOfTransposed`), skipping the stacked copy.
 */
function conv3DBackpropFilter(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: Conv3DGeometry,
): TensorInfo {
  const { info } = g;
  const { batchSize: n, outDepth: od, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterDepth: fd, filterHeight: kh, filterWidth: kw, inChannels: ci } = info;
  const [, , h, w] = x.shape;
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * od, ho, wo, co] });
  if (fd * ci <= IM2COL_MAX_CHANNELS) {
    const xs = stackedSlices(backend, x, info);
    const df2 = call(
      backend,
      'Conv2DBackpropFilter',
      { x: xs, dy: dy2 },
      { ...conv2DAttrs(g), filterShape: [kh, kw, fd * ci, co] },
    );
    const df = stackFilter(backend, df2, [fd, kh, kw, ci, co], true);
    release(backend, xs, dy2, df2);
    return df;
  }
  const shifted = shiftedSlices(backend, x, info, [fd, n * od, h * w, ci]);
  const t = call(backend, 'Transpose', { x: shifted }, { perm: [0, 3, 2, 1] });
  const xT = call(backend, 'Reshape', { x: t }, { shape: [fd * ci, h, w, n * od] });
  const info2 = backend_util.computeConv2DInfo(
    [n * od, h, w, fd * ci],
    [kh, kw, fd * ci, co],
    [info.strideHeight, info.strideWidth],
    1,
    g.pad,
  );
  const taps = filterGradOfTransposed(backend, xT, dy2, info2);
  // [fd, Ci, kh, kw, Co] to [fd, kh, kw, Ci, Co].
  const taps4 = call(backend, 'Reshape', { x: taps }, { shape: [fd, ci, kh * kw, co] });
  const t4 = call(backend, 'Transpose', { x: taps4 }, { perm: [0, 2, 1, 3] });
  const df = call(backend, 'Reshape', { x: t4 }, { shape: [fd, kh, kw, ci, co] });
  release(backend, dy2, shifted, t, xT, taps, taps4, t4);
  return df;
}

/**
 * Whether the input gradient is the forward conv of `dy` with the filter
 * flipped in space and transposed in channels, under the same geometry:
 * stride 1 and 'same' padding that is symmetric (odd kernel sizes).
 */
function inputGradIsForwardConv(info: backend_util.Conv3DInfo, pad: Pad3D): boolean {
  const { strideDepth, strideHeight, strideWidth, filterDepth, filterHeight, filterWidth } = info;
  return (
    pad === 'same' &&
    strideDepth === 1 &&
    strideHeight === 1 &&
    strideWidth === 1 &&
    filterDepth % 2 === 1 &&
    filterHeight % 2 === 1 &&
    filterWidth % 2 === 1
  );
}

/** `[fd, kh, kw, Ci, Co]` to `[fd, kh, kw, Co, Ci]` reversed along the three spatial axes. */
function flippedFilter(backend: KernelBackend, filter: TensorInfo): TensorInfo {
  const [fd, kh, kw, ci, co] = filter.shape;
  const taps = fd * kh * kw;
  const [out] = allocate(backend, [fd, kh, kw, co, ci]);
  const dst = view(backend, out);
  const src = view(backend, filter);
  for (let t = 0; t < taps; t++) {
    const from = (taps - 1 - t) * ci * co;
    for (let i = 0; i < ci; i++)
      for (let o = 0; o < co; o++) dst[(t * co + o) * ci + i] = src[from + i * co + o];
  }
  return out;
}

function conv3DBackpropInput(
  backend: KernelBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: Conv3DGeometry,
): TensorInfo {
  const { info } = g;
  const { batchSize: n, inDepth: d, inHeight: h, inWidth: w, inChannels: ci } = info;
  const {
    outDepth: od,
    outHeight: ho,
    outWidth: wo,
    outChannels: co,
    strideDepth: sd,
    filterDepth: fd,
  } = info;
  if (inputGradIsForwardConv(info, g.pad)) {
    // No slice gradients to sum, as the general form below has: 55 against 90 ms over a U-Net's 3x3x3 layers.
    const flipped = flippedFilter(backend, filter);
    const dx = conv3D(backend, dy, flipped, geometry(dy.shape, flipped.shape, { strides: 1, pad: 'same' }));
    release(backend, flipped);
    return dx;
  }
  const front = info.padInfo.front;
  const pixels = h * w;
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * od, ho, wo, co] });
  const f2 = stackFilter(backend, filter, filter.shape);
  // The gradient of stackedSlices' output, then each of its slices added to the input depth it was read from.
  const parts = call(
    backend,
    'Conv2DBackpropInput',
    { dy: dy2, filter: f2 },
    { ...conv2DAttrs(g), inputShape: [n * od, h, w, fd * ci] },
  );
  // Kernel depth first, so that each slice's gradient is one contiguous plane per output depth.
  const rows = call(backend, 'Reshape', { x: parts }, { shape: [n * od * pixels, fd, ci] });
  const byDepth = call(backend, 'Transpose', { x: rows }, { perm: [1, 0, 2] });
  const [dx] = allocate(backend, info.inShape);
  // Views after the allocations above: growing the heap detaches earlier ones.
  const dst = view(backend, dx);
  const src = view(backend, byDepth);
  const plane = pixels * ci;
  // Each input depth once, as the sum of the planes read from it: no zero fill, no read-modify-write.
  const readers: number[][] = Array.from({ length: d }, () => []);
  for (let o = 0; o < od; o++)
    for (let kd = 0; kd < fd; kd++) {
      const z = o * sd + kd - front;
      if (z >= 0 && z < d) readers[z].push((kd * n * od + o) * plane);
    }
  for (let b = 0; b < n; b++)
    for (let z = 0; z < d; z++) {
      const to = (b * d + z) * plane;
      const from = readers[z].map((offset) => offset + b * od * plane);
      const [first, second, third] = from;
      if (from.length === 0) dst.fill(0, to, to + plane);
      else if (from.length === 1) dst.set(src.subarray(first, first + plane), to);
      else if (from.length === 2)
        for (let i = 0; i < plane; i++) dst[to + i] = src[first + i] + src[second + i];
      else if (from.length === 3)
        for (let i = 0; i < plane; i++) dst[to + i] = src[first + i] + src[second + i] + src[third + i];
      else
        for (let i = 0; i < plane; i++) {
          let sum = 0;
          for (const f of from) sum += src[f + i];
          dst[to + i] = sum;
        }
    }
  release(backend, rows, byDepth);
  release(backend, dy2, f2, parts);
  return dx;
}

/**
 * Conv3D over the package's kernel, which stays for dilations above 1 (a
 * forward-only case: tf.js differentiates dilation 1 only).
 */
export function wrapConv3D(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const attrs = args.attrs ?? {};
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const dilations = attrs.dilations as number | number[] | undefined;
    if (dilations !== undefined && [dilations].flat().some((d) => d !== 1))
      return original.kernelFunc(args as never) as TensorInfo;
    return conv3D(args.backend, x, filter, geometry(x.shape, filter.shape, attrs));
  };
}

function backpropFilter(args: KernelArgs): TensorInfo {
  const attrs = args.attrs ?? {};
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  return conv3DBackpropFilter(args.backend, x, dy, geometry(x.shape, attrs.filterShape as number[], attrs));
}

function backpropInput(args: KernelArgs): TensorInfo {
  const attrs = args.attrs ?? {};
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  return conv3DBackpropInput(
    args.backend,
    dy,
    filter,
    geometry(attrs.inputShape as number[], filter.shape, attrs),
  );
}

/** The gradient kernels by name, for registration (backends/wasm-kernels.ts). */
export const WASM_CONV3D_GRADIENT_KERNELS: [string, (args: KernelArgs) => TensorInfo][] = [
  ['Conv3DBackpropFilterV2', backpropFilter],
  ['Conv3DBackpropInputV2', backpropInput],
];
