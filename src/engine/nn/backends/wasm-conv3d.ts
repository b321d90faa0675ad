/**
 * Conv3D and its two gradients on the wasm backend, built from XNNPACK 2-D
 * convolutions. The wasm package's own forward and filter-gradient kernels
 * are plain loops (2x32x32x32x1 -> 16 channels, 3x3x3: forward 184-226 ms,
 * filter gradient 72-255 ms, against 13 and 22 ms here); its input gradient
 * gives wrong values (half of a 1x2x2x2x1 input gradient zero with a 1x1x1
 * filter).
 *
 * A 3-D convolution is a sum over kernel depth `kd` of 2-D convolutions: the
 * output slice `od` gets `conv2d(x[od * sd + kd - front], f[kd])`. For each
 * `kd` the input depth slices it reads are gathered (zero where they fall in
 * the depth padding) and stacked along the batch axis, so each `kd` is one
 * 2-D kernel call over the whole volume:
 *
 * - forward: `Conv2D` per `kd`, summed;
 * - filter gradient: `Conv2DBackpropFilter` (the engine's, wasm-grads.ts) per
 *   `kd` with the same gathered slices and `dy`, stacked along depth;
 * - input gradient: `Conv2DBackpropInput` (wasm-grads.ts) per `kd`, each
 *   result slice added to the input depth it came from.
 *
 * Height and width keep the attribute's padding ('same', 'valid'), which 2-D
 * and 3-D geometry compute alike per axis. Dilations other than 1 (which
 * tf.js does not differentiate) and NCDHW go to the wasm package's kernels.
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

/** Whether the attributes are ones this file computes (else the package's kernel runs). */
function supported(attrs: NamedAttrMap): boolean {
  const dilations = attrs.dilations as number | number[] | undefined;
  const ones = dilations === undefined || [dilations].flat().every((d) => d === 1);
  return ones && attrs.dataFormat !== 'NCDHW';
}

/**
 * Input depth slices `od * sd + kd - front` for every output depth `od`, as a
 * batch of 2-D images `[N * outDepth, H, W, C]`; slices that fall in the depth
 * padding are zero. Copied in JavaScript: the wasm package's Slice and
 * StridedSlice on 5-D tensors ran at a few hundred MB/s.
 */
function slicesFor(
  backend: KernelBackend,
  x: TensorInfo,
  kd: number,
  info: backend_util.Conv3DInfo,
): TensorInfo {
  const [n, d, h, w, c] = x.shape;
  const { outDepth: od, strideDepth: sd } = info;
  const front = info.padInfo.front;
  const plane = h * w * c;
  const [out] = allocate(backend, [n * od, h, w, c]);
  const dst = view(backend, out);
  const src = view(backend, x);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < od; o++) {
      const z = o * sd + kd - front;
      const to = (b * od + o) * plane;
      if (z < 0 || z >= d) dst.fill(0, to, to + plane);
      else dst.set(src.subarray((b * d + z) * plane, (b * d + z + 1) * plane), to);
    }
  }
  return out;
}

/** The 2-D filter `f[kd]` as `[kh, kw, Ci, Co]` (a contiguous block); the caller releases it. */
function filterSlice(backend: KernelBackend, filter: TensorInfo, kd: number): TensorInfo {
  const [, kh, kw, ci, co] = filter.shape;
  const size = kh * kw * ci * co;
  const [out] = allocate(backend, [kh, kw, ci, co]);
  view(backend, out).set(view(backend, filter).subarray(kd * size, (kd + 1) * size));
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
  const { info } = g;
  let sum: TensorInfo | undefined;
  for (let kd = 0; kd < info.filterDepth; kd++) {
    const xs = slicesFor(backend, x, kd, info);
    const fk = filterSlice(backend, filter, kd);
    const part = call(backend, 'Conv2D', { x: xs, filter: fk }, conv2DAttrs(g));
    release(backend, xs, fk);
    if (sum) {
      const next = call(backend, 'Add', { a: sum, b: part }, {});
      release(backend, sum, part);
      sum = next;
    } else {
      sum = part;
    }
  }
  const out = call(backend, 'Reshape', { x: sum as TensorInfo }, { shape: info.outShape });
  release(backend, sum as TensorInfo);
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
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * od, ho, wo, co] });
  const parts: TensorInfo[] = [];
  for (let kd = 0; kd < fd; kd++) {
    const xs = slicesFor(backend, x, kd, info);
    const dfk = call(
      backend,
      'Conv2DBackpropFilter',
      { x: xs, dy: dy2 },
      { ...conv2DAttrs(g), filterShape: [kh, kw, ci, co] },
    );
    parts.push(call(backend, 'Reshape', { x: dfk }, { shape: [1, kh, kw, ci, co] }));
    release(backend, xs, dfk);
  }
  release(backend, dy2);
  if (parts.length === 1) return parts[0];
  // Concat takes its inputs as a list.
  const df = call(backend, 'Concat', parts as unknown as NamedTensorInfoMap, { axis: 0 });
  release(backend, ...parts);
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
  const { outDepth: od, outHeight: ho, outWidth: wo, outChannels: co, strideDepth: sd } = info;
  const front = info.padInfo.front;
  const plane = h * w * ci;
  const dy2 = call(backend, 'Reshape', { x: dy }, { shape: [n * od, ho, wo, co] });
  const [dx] = allocate(backend, info.inShape);
  view(backend, dx).fill(0);
  for (let kd = 0; kd < info.filterDepth; kd++) {
    // Output depths whose slice kd lands inside the input (the rest fall in the padding).
    const first = Math.max(0, Math.ceil((front - kd) / sd));
    const last = Math.min(od - 1, Math.floor((d - 1 + front - kd) / sd));
    if (first > last) continue;
    const fk = filterSlice(backend, filter, kd);
    const part = call(
      backend,
      'Conv2DBackpropInput',
      { dy: dy2, filter: fk },
      { ...conv2DAttrs(g), inputShape: [n * od, h, w, ci] },
    );
    // Views after the allocations above: growing the heap detaches earlier ones.
    const dst = view(backend, dx);
    const src = view(backend, part);
    for (let b = 0; b < n; b++) {
      for (let o = first; o <= last; o++) {
        const from = (b * od + o) * plane;
        const to = (b * d + o * sd + kd - front) * plane;
        for (let i = 0; i < plane; i++) dst[to + i] += src[from + i];
      }
    }
    release(backend, fk, part);
  }
  release(backend, dy2);
  return dx;
}

/** Kernel functions replacing the package's, which stay the fallback. */
function wrapConv3D(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const attrs = args.attrs ?? {};
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    if (!supported(attrs)) return original.kernelFunc(args as never) as TensorInfo;
    return conv3D(args.backend, x, filter, geometry(x.shape, filter.shape, attrs));
  };
}

function wrapBackpropFilter(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const attrs = args.attrs ?? {};
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    if (!supported(attrs)) return original.kernelFunc(args as never) as TensorInfo;
    return conv3DBackpropFilter(args.backend, x, dy, geometry(x.shape, attrs.filterShape as number[], attrs));
  };
}

function wrapBackpropInput(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const attrs = args.attrs ?? {};
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    if (!supported(attrs)) return original.kernelFunc(args as never) as TensorInfo;
    const g = geometry(attrs.inputShape as number[], filter.shape, attrs);
    return conv3DBackpropInput(args.backend, dy, filter, g);
  };
}

/** The wrappers by kernel name, for registration (backends/wasm-kernels.ts). */
export const WASM_CONV3D_KERNELS: [string, (original: KernelConfig) => (args: KernelArgs) => TensorInfo][] = [
  ['Conv3D', wrapConv3D],
  ['Conv3DBackpropFilterV2', wrapBackpropFilter],
  ['Conv3DBackpropInputV2', wrapBackpropInput],
];
