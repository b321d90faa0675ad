/**
 * MaxPool3D and MaxPool3DGrad for the wasm backend as passes in JavaScript.
 * The wasm package's own forward kernel is wrong where 'same' padding falls
 * only at the end of an axis (2x2x2, stride 2 on an odd size: relative error
 * 0.16 against the cpu backend), and its gradient sends ties to another
 * window position than the cpu backend. Here each output's gradient goes to
 * the last maximum of its window in (depth, row, column) order, the cpu
 * backend's rule. Channels-last (NDHWC) only, as tf.js's 3-D pooling.
 * 2x2x2 stride-2 pooling that tiles its input has a pass of its own.
 */
import { backend_util, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { allocate, view } from './wasm-heap';

interface Pool3DAttrs {
  filterSize: [number, number, number] | number;
  strides: [number, number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(shape: number[], attrs: NamedAttrMap | undefined): backend_util.Conv3DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as Pool3DAttrs;
  return backend_util.computePool3DInfo(
    shape as [number, number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

/**
 * Visits every output position with its window clipped to the input; `visit`
 * gets the output offset and the input offset of each window position, in
 * (depth, row, column) order, for channel 0.
 */
function eachWindow(info: backend_util.Conv3DInfo, visit: (out: number, window: number[]) => void): void {
  const { batchSize, inDepth, inHeight, inWidth, inChannels: c, outDepth, outHeight, outWidth } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const { filterDepth: fd, filterHeight: fh, filterWidth: fw } = info;
  const { front, top, left } = info.padInfo;
  const window: number[] = [];
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let od = 0; od < outDepth; od++) {
      const d0 = od * sd - front;
      const dStart = Math.max(0, d0);
      const dEnd = Math.min(inDepth, d0 + fd);
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * sh - top;
        const yStart = Math.max(0, y0);
        const yEnd = Math.min(inHeight, y0 + fh);
        for (let ox = 0; ox < outWidth; ox++, o += c) {
          const x0 = ox * sw - left;
          const xStart = Math.max(0, x0);
          const xEnd = Math.min(inWidth, x0 + fw);
          window.length = 0;
          for (let z = dStart; z < dEnd; z++)
            for (let y = yStart; y < yEnd; y++)
              for (let x = xStart; x < xEnd; x++)
                window.push((((b * inDepth + z) * inHeight + y) * inWidth + x) * c);
          visit(o, window);
        }
      }
    }
  }
}

/**
 * Whether the pooling is 2x2x2, stride 2, unpadded, over sizes it tiles
 * exactly (a 3-D U-Net's down-sampling): every input value is in exactly one
 * window, which the passes below visit without building windows.
 */
function tiles(info: backend_util.Conv3DInfo): boolean {
  const { filterDepth: fd, filterHeight: fh, filterWidth: fw, strideDepth: sd, strideHeight: sh } = info;
  const { front, top, left } = info.padInfo;
  return (
    fd === 2 &&
    fh === 2 &&
    fw === 2 &&
    sd === 2 &&
    sh === 2 &&
    info.strideWidth === 2 &&
    front === 0 &&
    top === 0 &&
    left === 0 &&
    info.inDepth === 2 * info.outDepth &&
    info.inHeight === 2 * info.outHeight &&
    info.inWidth === 2 * info.outWidth
  );
}

/**
 * Calls `visit(out, first)` for every output offset with the offset of its
 * tile's first input value, under {@link tiles}.
 */
function eachTile(
  info: backend_util.Conv3DInfo,
  visit: (out: number, first: number, c: number) => void,
): void {
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outDepth, outHeight, outWidth } = info;
  let o = 0;
  for (let b = 0; b < batchSize; b++)
    for (let od = 0; od < outDepth; od++)
      for (let oy = 0; oy < outHeight; oy++)
        for (let ox = 0; ox < outWidth; ox++, o += c)
          visit(o, (((b * outDepth * 2 + 2 * od) * h + 2 * oy) * w + 2 * ox) * c, c);
}

/** The offsets of a tile's eight values from its first, in depth, row, column order. */
function tileOffsets(info: backend_util.Conv3DInfo): number[] {
  const c = info.inChannels;
  const row = info.inWidth * c;
  const plane = info.inHeight * row;
  return [0, c, row, row + c, plane, plane + c, plane + row, plane + row + c];
}

export function maxPool3D(args: {
  inputs: { x: TensorInfo };
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend } = args;
  const { x } = args.inputs;
  const info = poolInfo(x.shape, args.attrs);
  const [outInfo] = allocate(backend, info.outShape);
  const out = view(backend, outInfo);
  const src = view(backend, x);
  if (tiles(info)) {
    const offsets = tileOffsets(info);
    eachTile(info, (o, first, c) => {
      for (let k = 0; k < c; k++) {
        let best = src[first + k];
        for (let t = 1; t < 8; t++)
          if (src[first + k + offsets[t]] > best) best = src[first + k + offsets[t]];
        out[o + k] = best;
      }
    });
    return outInfo;
  }
  const best = new Float32Array(info.inChannels);
  eachWindow(info, (o, window) => {
    best.fill(-Infinity);
    for (const base of window)
      for (let k = 0; k < best.length; k++) if (src[base + k] > best[k]) best[k] = src[base + k];
    out.set(best, o);
  });
  return outInfo;
}

export function maxPool3DGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  attrs?: NamedAttrMap;
  backend: KernelBackend;
}): TensorInfo {
  const { backend } = args;
  const { dy, input } = args.inputs;
  const info = poolInfo(input.shape, args.attrs);
  const [dxInfo] = allocate(backend, input.shape);
  const dx = view(backend, dxInfo);
  const src = view(backend, input);
  const g = view(backend, dy);
  if (tiles(info)) {
    // Every input value is written once: the gradient at its tile's last maximum, zero elsewhere.
    const offsets = tileOffsets(info);
    eachTile(info, (o, first, c) => {
      for (let k = 0; k < c; k++) {
        const p = first + k;
        let best = src[p];
        let at = 0;
        for (let t = 1; t < 8; t++) {
          if (src[p + offsets[t]] >= best) {
            best = src[p + offsets[t]];
            at = t;
          }
        }
        for (let t = 0; t < 8; t++) dx[p + offsets[t]] = t === at ? g[o + k] : 0;
      }
    });
    return dxInfo;
  }
  const c = info.inChannels;
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  dx.fill(0);
  eachWindow(info, (o, window) => {
    best.fill(-Infinity);
    at.fill(-1);
    for (const base of window) {
      for (let k = 0; k < c; k++) {
        const v = src[base + k];
        if (v >= best[k]) {
          best[k] = v;
          at[k] = base + k;
        }
      }
    }
    for (let k = 0; k < c; k++) if (at[k] >= 0) dx[at[k]] += g[o + k];
  });
  return dxInfo;
}
