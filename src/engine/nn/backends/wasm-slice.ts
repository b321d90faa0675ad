/**
 * Slice, SplitV and Concat of float32 tensors on the wasm backend as copies of
 * contiguous runs in JavaScript. The wasm package slices tensors above rank 4
 * element by element: the SplitV that takes a 3-D U-Net's Concatenate
 * gradient apart (2x32^3x16 channels) took 1.1 s of a 1.9 s training step.
 * Equal parts of a few values per run go through one XNNPACK transpose.
 * Other dtypes go to the package's kernels.
 */
import {
  backend_util,
  util,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { allocate, call, release, view } from './wasm-heap';

type KernelArgs = { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap; backend: KernelBackend };

/** Runs shorter than this are copied by a loop: `set` costs more per call than it saves on a few values. */
const SHORT_RUN = 32;

function copyRun(dst: Float32Array, to: number, src: Float32Array, from: number, length: number): void {
  if (length >= SHORT_RUN) dst.set(src.subarray(from, from + length), to);
  else for (let i = 0; i < length; i++) dst[to + i] = src[from + i];
}

/**
 * The box `begin`, `size` of `x` copied into a new tensor: the trailing axes
 * the box spans whole are one contiguous run per index of the axes before.
 */
function sliceBox(backend: KernelBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const shape = x.shape;
  const rank = shape.length;
  const [out] = allocate(backend, size);
  const dst = view(backend, out);
  const src = view(backend, x);
  if (dst.length === 0) return out;
  // Axis `k` and those after it form one run: the box spans every axis after k whole.
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k] && begin[k] === 0) k--;
  const strides = util.computeStrides(shape).concat(1);
  const run = size[k] * strides[k];
  const index = new Array<number>(k).fill(0);
  for (let to = 0; to < dst.length; to += run) {
    let from = begin[k] * strides[k];
    for (let a = 0; a < k; a++) from += (begin[a] + index[a]) * strides[a];
    copyRun(dst, to, src, from, run);
    for (let a = k - 1; a >= 0 && ++index[a] === size[a]; a--) index[a] = 0;
  }
  return out;
}

export function slice(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const { x } = args.inputs;
    if (x.dtype !== 'float32' || x.shape.length === 0)
      return original.kernelFunc(args as never) as TensorInfo;
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = backend_util.slice_util.parseSliceParams(x, begin, size);
    return sliceBox(args.backend, x, b, s);
  };
}

export function splitV(original: KernelConfig): (args: KernelArgs) => TensorInfo[] {
  return (args) => {
    const { x } = args.inputs;
    if (x.dtype !== 'float32') return original.kernelFunc(args as never) as TensorInfo[];
    const { numOrSizeSplits, axis } = args.attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number | number[];
    };
    const along = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, along);
    const run = sizes[0] * util.sizeFromShape(x.shape.slice(along + 1));
    if (sizes.length > 1 && run < SHORT_RUN && sizes.every((part) => part === sizes[0]))
      return splitEqualShortRuns(args.backend, x, along, sizes.length);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const size = [...x.shape];
      size[along] = part;
      const out = sliceBox(args.backend, x, [...begin], size);
      begin[along] += part;
      return out;
    });
  };
}

/**
 * Equal parts of short runs (a U-Net's Concatenate gradient: 8 + 8 channels)
 * by one transpose `[outer, parts, run]` to `[parts, outer, run]`, after which
 * each part is contiguous: XNNPACK's transpose beats a JavaScript loop over
 * runs of a few values.
 */
function splitEqualShortRuns(
  backend: KernelBackend,
  x: TensorInfo,
  along: number,
  parts: number,
): TensorInfo[] {
  const run = util.sizeFromShape(x.shape.slice(along)) / parts;
  const outer = util.sizeFromShape(x.shape.slice(0, along));
  const rows = call(backend, 'Reshape', { x }, { shape: [outer, parts, run] });
  const byPart = call(backend, 'Transpose', { x: rows }, { perm: [1, 0, 2] });
  const shape = [...x.shape];
  shape[along] /= parts;
  const outs = allocate(backend, ...new Array<number[]>(parts).fill(shape));
  const src = view(backend, byPart);
  const size = outer * run;
  outs.forEach((out, i) => view(backend, out).set(src.subarray(i * size, (i + 1) * size)));
  release(backend, rows, byPart);
  return outs;
}

/**
 * Concat of equal inputs of short runs, the reverse of
 * {@link splitEqualShortRuns}: the inputs one after another, then one
 * transpose `[inputs, outer, run]` to `[outer, inputs, run]`.
 */
function concatEqualShortRuns(
  backend: KernelBackend,
  tensors: TensorInfo[],
  shape: number[],
  along: number,
): TensorInfo {
  const run = util.sizeFromShape(tensors[0].shape.slice(along));
  const outer = util.sizeFromShape(shape.slice(0, along));
  const [stacked] = allocate(backend, [tensors.length, outer, run]);
  const dst = view(backend, stacked);
  tensors.forEach((t, i) => dst.set(view(backend, t), i * outer * run));
  const t = call(backend, 'Transpose', { x: stacked }, { perm: [1, 0, 2] });
  const out = call(backend, 'Reshape', { x: t }, { shape });
  release(backend, stacked, t);
  return out;
}

/** Concat along one axis: per index of the axes before it, each input's run in turn. */
export function concat(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const tensors = Object.values(args.inputs);
    if (tensors.length === 0 || tensors.some((t) => t.dtype !== 'float32'))
      return original.kernelFunc(args as never) as TensorInfo;
    const along = util.parseAxisParam(args.attrs?.axis as number, tensors[0].shape)[0];
    const shape = backend_util.computeOutShape(
      tensors.map((t) => t.shape),
      along,
    );
    const run = util.sizeFromShape(tensors[0].shape.slice(along));
    if (
      tensors.length > 1 &&
      run > 0 &&
      run < SHORT_RUN &&
      tensors.every((t) => util.arraysEqual(t.shape, tensors[0].shape))
    )
      return concatEqualShortRuns(args.backend, tensors, shape, along);
    const [out] = allocate(args.backend, shape);
    const dst = view(args.backend, out);
    const parts = tensors
      .map((t) => ({ src: view(args.backend, t), run: util.sizeFromShape(t.shape.slice(along)) }))
      .filter((p) => p.run > 0);
    const outer = util.sizeFromShape(shape.slice(0, along));
    let to = 0;
    for (let o = 0; o < outer; o++)
      for (const { src, run } of parts) {
        copyRun(dst, to, src, o * run, run);
        to += run;
      }
    return out;
  };
}
