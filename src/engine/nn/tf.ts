/**
 * The one place the engine loads tf.js: core, layers, the always-present
 * backends (cpu, wasm), gradient registrations and our wasm gradient kernels.
 * Other nn files import `tf` and `tfl` from here so setup happens once.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Gradients are registered in tf.js's global registry; tfjs-core's node bundle omits them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { registerWasmGradientKernels } from './backends/wasm-grads';

registerWasmGradientKernels();

export { tf, tfl };
