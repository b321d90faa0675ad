/**
 * Registers the engine's own wasm kernels: the gradient kernels the wasm
 * package lacks or runs slowly (wasm-grads.ts), MaxPoolGrad
 * (wasm-max-pool-grad.ts), MaxPool3D and its gradient (wasm-max-pool3d.ts),
 * Conv3D and its gradients from 2-D convolutions (wasm-conv3d.ts), batch
 * normalization (wasm-batch-norm.ts), Identity / Cast without copies
 * (wasm-no-copy.ts), Slice / SplitV / Concat as copies of contiguous runs
 * (wasm-slice.ts), per-channel sums (wasm-channel-sum.ts) and the LeakyRelu
 * gradient in one pass (wasm-leaky-relu-grad.ts).
 * Measured effect on one small-CNN training step (batch 32, 128x128x1):
 * see bench/train.ts and docs/networks.md.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { registerWasmBatchNormKernels } from './wasm-batch-norm';
import { WASM_CONV3D_GRADIENT_KERNELS, wrapConv3D } from './wasm-conv3d';
import { WASM_GRADIENT_KERNELS } from './wasm-grads';
import { registerLeakyReluGrad } from './wasm-leaky-relu-grad';
import { maxPoolGrad } from './wasm-max-pool-grad';
import { maxPool3D, maxPool3DGrad } from './wasm-max-pool3d';
import { sum } from './wasm-channel-sum';
import { cast, identity } from './wasm-no-copy';
import { concat, slice, splitV } from './wasm-slice';

let registered = false;

/** Registers the kernels once, replacing the wasm package's own where it has one. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, unknown][] = [
    ...WASM_GRADIENT_KERNELS,
    ...WASM_CONV3D_GRADIENT_KERNELS,
    ['MaxPoolGrad', maxPoolGrad],
    ['MaxPool3D', maxPool3D],
    ['MaxPool3DGrad', maxPool3DGrad],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (getKernel(kernelName, 'wasm')) unregisterKernel(kernelName, 'wasm');
    registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as never });
  }
  registerWasmBatchNormKernels();
  registerLeakyReluGrad();
  // Wrappers that fall back to the package's kernel keep its config (and setup).
  for (const [kernelName, wrap] of [
    ['Identity', identity],
    ['Cast', cast],
    ['Conv3D', wrapConv3D],
    ['Slice', slice],
    ['SplitV', splitV],
    ['Concat', concat],
    ['Sum', sum],
  ] as const) {
    const original = getKernel(kernelName, 'wasm');
    if (!original) continue;
    unregisterKernel(kernelName, 'wasm');
    registerKernel({ ...original, kernelFunc: wrap(original) as never });
  }
}
