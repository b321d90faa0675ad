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
 * - filter gradient: `Conv2DBackpropFilter` (the engine's, wasm-grads.ts),
 *   rearranged back to `[fd, kh, kw, Ci, Co]`;
 * - input gradient: `Conv2DBackpropInput` (wasm-grads.ts) gives the gradient
 *   of the gathered slices, each added to the input depth it was read from.
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
 * For every output depth `od`, the `fd` input depth slices `od * sd + kd -
 * front` side by side in the channel axis: `[N * outDepth, H, W, fd * C]`,
 * zero where a slice falls in the depth padding. Copied in JavaScript: the
 * wasm package's Slice and StridedSlice on 5-D tensors ran at a few hundred
 * MB/s.
 */
function stackedSlices(backend: KernelBackend, x: TensorInfo, info: backend_util.Conv3DInfo): TensorInfo {
  const [n, d, h, w, c] = x.shape;
  const { outDepth: od, strideDepth: sd, filterDepth: fd } = info;
  const front = info.padInfo.front;
  const pixels = h * w;
  const [out] = allocate(backend, [n * od, h, w, fd * c]);
  const dst = view(backend, out);
  const src = view(backend, x);
  const step = fd * c;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < od; o++) {
      for (let kd = 0; kd < fd; kd++) {
        const z = o * sd + kd - front;
        let to = (b * od + o) * pixels * step + kd * c;
        if (z < 0 || z >= d) {
          for (let p = 0; p < pixels; p++, to += step) for (let k = 0; k < c; k++) dst[to + k] = 0;
          continue;
        }
        let from = (b * d + z) * pixels * c;
        for (let p = 0; p < pixels; p++, to += step, from += c)
          for (let k = 0; k < c; k++) dst[to + k] = src[from + k];
      }
    }
  }
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

function conv3DBackpropFilter(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: Conv3DGeometry,
): TensorInfo {
  const { info } = g;
  const { batchSize: n, outDepth: od, outHeight: ho, outWidth: wo, outChannels: co } = info;
  const { filterDepth: fd, filterHeight: kh, filterWidth: kw, inChannels: ci } = info;
  const xs = stackedSlices(backend, x, info);
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * od, ho, wo, co] });
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
  const [dx] = allocate(backend, info.inShape);
  // Views after the allocations above: growing the heap detaches earlier ones.
  const dst = view(backend, dx);
  const src = view(backend, parts);
  dst.fill(0);
  const step = fd * ci;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < od; o++) {
      for (let kd = 0; kd < fd; kd++) {
        const z = o * sd + kd - front;
        if (z < 0 || z >= d) continue;
        let from = (b * od + o) * pixels * step + kd * ci;
        let to = (b * d + z) * pixels * ci;
        for (let p = 0; p < pixels; p++, from += step, to += ci)
          for (let k = 0; k < ci; k++) dst[to + k] += src[from + k];
      }
    }
  }
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
