/**
 * Gradient kernels the tf.js wasm backend lacks (Conv2DBackpropFilter, both
 * depthwise backprops) and a faster Conv2DBackpropInput, all built from the
 * wasm backend's own XNNPACK forward convolutions, so training a CNN on wasm
 * needs no JavaScript loops over pixels.
 *
 * - Input gradient: a forward conv of `dy` (dilated by the stride, padded to a
 *   "full" correlation) with the filter flipped in space and transposed in
 *   channels. Measured 10x faster than wasm's native Conv2DBackpropInput.
 * - Filter gradient: a forward conv of the input transposed to
 *   `[Ci, H, W, N]` with `dy` transposed to `[Ho, Wo, N, Co]` as the filter,
 *   dilated by the stride; the `[Ci, kh, kw, Co]` result is transposed back.
 *   With few input channels (a network's first layer) an im2col matmul instead.
 * - Depthwise: the same with depthwise convolutions; the filter gradient treats
 *   (batch, channel) pairs as channels and sums over the batch afterwards.
 *
 * Kernels are called directly (not through tf ops) so that nothing is recorded
 * on a gradient tape and every intermediate is released at once.
 */
import {
  backend_util,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocate, call, release, view } from './wasm-heap';

/** Explicit padding as tf.js kernels take it: `[[0,0],[top,bottom],[left,right],[0,0]]`. */
type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Inserts `s - 1` zeros between rows/columns of `dy` ([N, H, W, C]) and pads it by
 * `(top, bottom, left, right)`; returns an info the caller releases.
 */
function dilateAndPad(
  backend: KernelBackend,
  dy: TensorInfo,
  sh: number,
  sw: number,
  pad: [number, number, number, number],
): TensorInfo {
  const [n, h, w, c] = dy.shape;
  let [top, bottom, left, right] = pad;
  let cur = dy;
  const owned: TensorInfo[] = [];
  if (sh > 1 || sw > 1) {
    // [N,H,1,W,1,C] padded after each row/column with s-1 zeros, then flattened.
    const r6 = call(backend, 'Reshape', { x: cur }, { shape: [n, h, 1, w, 1, c] });
    const p6 = call(
      backend,
      'PadV2',
      { x: r6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const flat = call(backend, 'Reshape', { x: p6 }, { shape: [n, h * sh, w * sw, c] });
    release(backend, r6, p6);
    owned.push(flat);
    cur = flat;
    // The trailing s-1 zeros count as bottom/right padding already.
    bottom -= sh - 1;
    right -= sw - 1;
  }
  if (bottom < 0 || right < 0 || top < 0 || left < 0) {
    const [, hh, ww] = cur.shape;
    const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
    const size = [n, hh - begin[1] - Math.max(0, -bottom), ww - begin[2] - Math.max(0, -right), c];
    const sliced = call(backend, 'Slice', { x: cur }, { begin, size });
    owned.push(sliced);
    cur = sliced;
    top = Math.max(0, top);
    left = Math.max(0, left);
    bottom = Math.max(0, bottom);
    right = Math.max(0, right);
  }
  if (top || bottom || left || right) {
    const padded = call(
      backend,
      'PadV2',
      { x: cur },
      {
        paddings: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    owned.push(padded);
    cur = padded;
  }
  if (cur === dy) {
    // Hand back a reference the caller may release like any other.
    return call(backend, 'Reshape', { x: dy }, { shape: dy.shape });
  }
  release(backend, ...owned.filter((o) => o !== cur));
  return cur;
}

/** Conv geometry from the same helper the kernels use, so padding agrees exactly. */
function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
): backend_util.Conv2DInfo {
  const { strides, pad, dimRoundingMode } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPad;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    depthwise,
  );
}

/** Padding that turns a forward correlation of dilated `dy` into the input gradient. */
function inputGradPadding(info: backend_util.Conv2DInfo): [number, number, number, number] {
  const hd = (info.outHeight - 1) * info.strideHeight + 1;
  const wd = (info.outWidth - 1) * info.strideWidth + 1;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const bottom = info.inHeight + info.filterHeight - 1 - hd - top;
  const right = info.inWidth + info.filterWidth - 1 - wd - left;
  return [top, bottom, left, right];
}

/**
 * Whether each `dy` pixel's kernel footprint tiles the input exactly (kernel =
 * stride, no padding): the case of a U-Net's 2x2, stride-2 Conv2DTranspose.
 */
function tilesOutput(info: backend_util.Conv2DInfo): boolean {
  const { top, bottom, left, right } = info.padInfo;
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    top === 0 &&
    bottom === 0 &&
    left === 0 &&
    right === 0 &&
    info.inHeight === info.outHeight * info.strideHeight &&
    info.inWidth === info.outWidth * info.strideWidth
  );
}

/**
 * Input gradient when the kernel tiles the input: every input pixel gets a
 * contribution from exactly one `dy` pixel, so `dx` is a 1x1 conv of `dy` to
 * `kh*kw*Ci` channels, rearranged into blocks. The dilated form multiplies by
 * the inserted zeros (4x the work at stride 2): measured 17-22 ms against
 * 4-6 ms per U-Net up-sampling layer at batch 8.
 */
function tiledInputGrad(backend: KernelBackend, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  // filter[a, b, ci, co] -> w[0, 0, co, (a*kw + b)*ci + ci']
  const t = call(backend, 'Transpose', { x: filter }, { perm: [3, 0, 1, 2] });
  const w = call(backend, 'Reshape', { x: t }, { shape: [1, 1, co, kh * kw * ci] });
  const deep = call(
    backend,
    'Conv2D',
    { x: dy, filter: w },
    { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' },
  );
  const dx = depthToSpace(backend, deep, kh, kw, ci);
  release(backend, t, w, deep);
  return dx;
}

/**
 * DepthToSpace (blocks of kh x kw, NHWC) through a 6-D transpose: the wasm
 * package's DepthToSpace kernel was ~10x slower on these shapes.
 */
function depthToSpace(backend: KernelBackend, x: TensorInfo, kh: number, kw: number, c: number): TensorInfo {
  const [n, h, w] = x.shape;
  const r6 = call(backend, 'Reshape', { x }, { shape: [n, h, w, kh, kw, c] });
  const t6 = call(backend, 'Transpose', { x: r6 }, { perm: [0, 1, 3, 2, 4, 5] });
  const out = call(backend, 'Reshape', { x: t6 }, { shape: [n, h * kh, w * kw, c] });
  release(backend, r6, t6);
  return out;
}

/** Conv2DBackpropInput: `dx = conv(dilate(dy), flip(filter)^T)`. */
function conv2DBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend, inputs } = args;
  const attrs = args.attrs ?? {};
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs, false);
  if (tilesOutput(info)) return tiledInputGrad(backend, dy, filter);
  const padded = dilateAndPad(backend, dy, info.strideHeight, info.strideWidth, inputGradPadding(info));
  const rev = call(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const flipped = call(backend, 'Transpose', { x: rev }, { perm: [0, 1, 3, 2] });
  const dx = call(
    backend,
    'Conv2D',
    { x: padded, filter: flipped },
    { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' },
  );
  release(backend, padded, rev, flipped);
  return dx;
}

/**
 * Crops/pads `x` so that a stride-dilated correlation with a filter of
 * `(Ho-1)s+1` rows yields exactly `kh` rows: returns the adjusted input.
 */
function filterGradInput(backend: KernelBackend, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - left;
  return dilateAndPad(backend, x, 1, 1, [top, bottom, left, right]);
}

/**
 * Input channels up to which the filter gradient is an im2col matmul. Both
 * forms pass a whole-batch operand to XNNPACK as weights, which it repacks on
 * every call; with few input channels the dilated-conv form also convolves
 * with a huge filter over a near-empty batch. Measured in a small-CNN step
 * (32x128x128, 1 -> 16 channels): 89 ms dilated conv, 70 ms im2col; at 16
 * channels the im2col gather costs more than it saves.
 */
export const IM2COL_MAX_CHANNELS = 4;

/**
 * Conv2DBackpropFilter as `df = patches^T dy`: the patches are gathered in
 * JavaScript straight into transposed `[kh*kw*Ci, N*Ho*Wo]` layout, so the
 * product is a plain matmul (a transposed operand sends wasm's BatchMatMul to
 * a slow path).
 */
function filterGradIm2col(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outChannels: co } = info;
  const { top, left } = info.padInfo;
  const m = n * ho * wo;
  const [patchesInfo] = allocate(backend, [1, kh * kw * ci, m]);
  const dst = view(backend, patchesInfo);
  const src = view(backend, x);
  let o = 0;
  for (let ky = 0; ky < kh; ky++)
    for (let kx = 0; kx < kw; kx++)
      for (let c = 0; c < ci; c++)
        for (let b = 0; b < n; b++)
          for (let oy = 0; oy < ho; oy++) {
            const iy = oy * sh + ky - top;
            if (iy < 0 || iy >= h) {
              dst.fill(0, o, o + wo);
              o += wo;
              continue;
            }
            const row = (b * h + iy) * w;
            for (let ox = 0; ox < wo; ox++) {
              const ix = ox * sw + kx - left;
              dst[o++] = ix < 0 || ix >= w ? 0 : src[(row + ix) * ci + c];
            }
          }
  const dy3 = call(backend, 'Reshape', { x: dy }, { shape: [1, m, co] });
  const product = call(
    backend,
    'BatchMatMul',
    { a: patchesInfo, b: dy3 },
    { transposeA: false, transposeB: false },
  );
  const df = call(backend, 'Reshape', { x: product }, { shape: [kh, kw, ci, co] });
  release(backend, patchesInfo, dy3, product);
  return df;
}

/** Conv2DBackpropFilter: `df = conv(x^T, dy^T, dilation = stride)^T`. */
function conv2DBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend, inputs } = args;
  const attrs = args.attrs ?? {};
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(x.shape, filterShape, attrs, false);
  if (info.inChannels <= IM2COL_MAX_CHANNELS) return filterGradIm2col(backend, x, dy, info);
  const xT = call(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  const out = filterGradOfTransposed(backend, xT, dy, info);
  const df = call(backend, 'Transpose', { x: out }, { perm: [1, 2, 0, 3] });
  release(backend, xT, out);
  return df;
}

/**
 * The filter gradient `[Ci, kh, kw, Co]` from the input already transposed
 * to `[Ci, H, W, N]`: a conv of it, padded or cropped to the rows and
 * columns the taps reach, with `dy` as `[Ho, Wo, N, Co]`, dilated by the
 * stride. (wasm-conv3d.ts transposes its input straight into that layout.)
 */
export function filterGradOfTransposed(
  backend: KernelBackend,
  xT: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const xAdj = filterGradInput(backend, xT, info);
  const dyT = call(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const out = call(
    backend,
    'Conv2D',
    { x: xAdj, filter: dyT },
    {
      strides: [1, 1],
      pad: 'valid',
      dilations: [info.strideHeight, info.strideWidth],
      dataFormat: 'NHWC',
    },
  );
  release(backend, xAdj, dyT);
  return out;
}

/** DepthwiseConv2dNativeBackpropInput via a depthwise conv of dilated `dy` with the flipped filter. */
function depthwiseBackpropInput(args: {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend, inputs } = args;
  const attrs = args.attrs ?? {};
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs, true);
  const [kh, kw, ci, m] = filter.shape;
  const padded = dilateAndPad(backend, dy, info.strideHeight, info.strideWidth, inputGradPadding(info));
  const rev = call(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  // Each of the ci*m dy channels is convolved with its own flipped filter slice.
  const perChannel = call(backend, 'Reshape', { x: rev }, { shape: [kh, kw, ci * m, 1] });
  const conv = call(
    backend,
    'DepthwiseConv2dNative',
    { x: padded, filter: perChannel },
    { strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  );
  let dx: TensorInfo;
  if (m === 1) {
    dx = conv;
  } else {
    const [n, h, w] = conv.shape;
    const r5 = call(backend, 'Reshape', { x: conv }, { shape: [n, h, w, ci, m] });
    dx = call(backend, 'Sum', { x: r5 }, { axis: [4], keepDims: false });
    release(backend, r5, conv);
  }
  release(backend, padded, rev, perChannel);
  return dx;
}

/** DepthwiseConv2dNativeBackpropFilter: (batch, channel) pairs as depthwise channels, summed over the batch. */
function depthwiseBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend, inputs } = args;
  const attrs = args.attrs ?? {};
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(x.shape, filterShape, attrs, true);
  const [kh, kw, ci, m] = filterShape;
  const [n] = x.shape;
  const [, ho, wo] = dy.shape;
  const xAdj = filterGradInput(backend, x, info);
  const [, hh, ww] = xAdj.shape;
  // x: [N,H,W,Ci] -> [1,H,W,N*Ci]
  const xT = call(backend, 'Transpose', { x: xAdj }, { perm: [1, 2, 0, 3] });
  const xR = call(backend, 'Reshape', { x: xT }, { shape: [1, hh, ww, n * ci] });
  // dy: [N,Ho,Wo,Ci*M] -> [Ho,Wo,N,Ci*M] -> [Ho,Wo,N*Ci,M]
  const dyT = call(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const dyR = call(backend, 'Reshape', { x: dyT }, { shape: [ho, wo, n * ci, m] });
  const conv = call(
    backend,
    'DepthwiseConv2dNative',
    { x: xR, filter: dyR },
    { strides: [1, 1], pad: 'valid', dilations: [info.strideHeight, info.strideWidth] },
  );
  // [1,kh,kw,N*Ci*M] -> [kh,kw,N,Ci,M] summed over N.
  const r5 = call(backend, 'Reshape', { x: conv }, { shape: [kh, kw, n, ci, m] });
  const df = call(backend, 'Sum', { x: r5 }, { axis: [2], keepDims: false });
  release(backend, xAdj, xT, xR, dyT, dyR, conv, r5);
  return df;
}

/** The kernels of this file by name, for registration (backends/wasm-kernels.ts). */
export const WASM_GRADIENT_KERNELS: [string, typeof conv2DBackpropInput][] = [
  ['Conv2DBackpropInput', conv2DBackpropInput],
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
];
