/**
 * Identity and a Cast to the same dtype that share the input's data by
 * reference count, as the cpu backend's do, instead of copying it. tf.js calls
 * Identity for every tensor it saves for the backward pass and the ReLU
 * gradient casts float32 to float32, so the wasm package's copying kernels
 * moved ~40 ms of memory in a 0.7 s small-CNN training step. Safe because no
 * kernel writes into its inputs (Reshape already shares data the same way).
 */
import type { KernelBackend, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCounted {
  incRef(dataId: object): void;
}

type KernelArgs = { inputs: { x: TensorInfo }; attrs?: NamedAttrMap; backend: KernelBackend };

function share(backend: KernelBackend, x: TensorInfo): TensorInfo {
  (backend as unknown as RefCounted).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Identity for numeric tensors; strings keep the package's kernel. */
export function identity(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) =>
    args.inputs.x.dtype === 'string'
      ? (original.kernelFunc(args as never) as TensorInfo)
      : share(args.backend, args.inputs.x);
}

/** Cast that shares the data when the dtype does not change. */
export function cast(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) =>
    args.attrs?.dtype === args.inputs.x.dtype && args.inputs.x.dtype !== 'string'
      ? share(args.backend, args.inputs.x)
      : (original.kernelFunc(args as never) as TensorInfo);
}
