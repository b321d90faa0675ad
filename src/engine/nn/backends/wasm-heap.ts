/**
 * Helpers for the engine's own wasm kernels: calling the wasm package's
 * kernels directly (not through tf ops, so nothing is recorded on a gradient
 * tape and every intermediate is released at once) and reading or writing
 * tensors on the wasm heap from JavaScript.
 *
 * Allocating an output may grow the wasm memory, which detaches every view
 * taken before: allocate first, then take views.
 */
import {
  getKernel,
  type DataType,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  type TypedArray,
} from '@tensorflow/tfjs-core';

/** The public methods of tf.js's `BackendWasm` used here. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): TypedArray;
}

/** Calls a wasm kernel by name with already-materialised inputs; returns its first output. */
export function call(
  backend: KernelBackend,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  return Array.isArray(out) ? out[0] : out;
}

/** Releases intermediates (reshape outputs share data and are reference-counted). */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Allocates float32 tensors of the given shapes on the wasm heap. */
export function allocate(backend: KernelBackend, ...shapes: number[][]): TensorInfo[] {
  return shapes.map((shape) => (backend as unknown as WasmHeap).makeOutput(shape, 'float32'));
}

/** A float32 view of a tensor's data on the heap; valid until the next allocation. */
export function view(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return (backend as unknown as WasmHeap).typedArrayFromHeap(info) as Float32Array;
}

/** A float32 tensor of `shape` holding `values`. */
export function constant(backend: KernelBackend, shape: number[], values: ArrayLike<number>): TensorInfo {
  const [info] = allocate(backend, shape);
  view(backend, info).set(values);
  return info;
}
