/**
 * The one place the engine loads tf.js: core, layers, the always-present
 * backends (cpu, wasm), gradient registrations and our own wasm kernels.
 * Other nn files import `tf` and `tfl` from here so setup happens once.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Gradients are registered in tf.js's global registry, which tfjs-core's node bundle
// leaves empty; its ESM `dist/register_all_gradients` cannot load under plain Node
// (directory imports), so the union package's node bundle registers them.
import '@tensorflow/tfjs';
import { registerWasmKernels } from './backends/wasm-kernels';
import { registerConv3dTransposeGrad } from './spec/conv3d-transpose-grad';

registerWasmKernels();
registerConv3dTransposeGrad(tf);

export { tf, tfl };
