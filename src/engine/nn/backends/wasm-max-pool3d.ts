/**
 * MaxPool3D and MaxPool3DGrad for the wasm backend as passes in JavaScript.
 * The wasm package's own forward kernel is wrong where 'same' padding falls
 * only at the end of an axis (2x2x2, stride 2 on an odd size: relative error
 * 0.16 against the cpu backend), and its gradient sends ties to another
 * window position than the cpu backend. Here each output's gradient goes to
 * the last maximum of its window in (depth, row, column) order, the cpu
 * backend's rule. Channels-last (NDHWC) only, as tf.js's 3-D pooling.
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
