/**
 * Sum over every axis but the last (a bias gradient: per-channel sums of a
 * conv's output gradient) on the wasm backend, by the batch-norm passes'
 * per-channel sums (wasm-batch-norm.ts, `Rows.sums`). The wasm package
 * transposes the whole tensor first: 20 ms per 3-D U-Net layer at
 * 2x32^3x8, 12 of them in a training step. Other sums go to its kernel.
 */
import {
  util,
  type KernelBackend,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { Rows } from './wasm-batch-norm';
import { constant } from './wasm-heap';

type KernelArgs = { inputs: { x: TensorInfo }; attrs?: NamedAttrMap; backend: KernelBackend };

export function sum(original: KernelConfig): (args: KernelArgs) => TensorInfo {
  return (args) => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(args.attrs?.axis as number | number[], x.shape);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a) => a < rank - 1);
    if (x.dtype !== 'float32' || !leading || util.sizeFromShape(x.shape) === 0)
      return original.kernelFunc(args as never) as TensorInfo;
    const rows = new Rows(args.backend, x.shape);
    const sums = rows.sums(x);
    rows.dispose();
    const shape = args.attrs?.keepDims ? [...new Array<number>(rank - 1).fill(1), rows.c] : [rows.c];
    return constant(args.backend, shape, sums);
  };
}
