/**
 * Whole-volume prediction of a patch-trained network: sliding windows of its patch size, with
 * its overlap and blending (nn/sliding-window.ts), as many windows per call as fit the memory
 * budget. Validation, test evaluation, `phi predict` and the source-geometry metrics all go
 * through here.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { InferenceBackend } from './export/inference-backend';
import {
  slidingWindowInference,
  slidingWindowInferenceSync,
  type SlidingWindowOptions,
} from './sliding-window';
import type { tf } from './tf';
import type { PatchSettings } from './train/patches';

/** Memory allowed for one call of the network on windows (inputs, activations, outputs). */
export const WINDOW_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * Bytes one window costs in a call: about 64 float32 values per voxel alive at once (the first
 * stage's feature maps of a small 3-D U-Net beside the decoder's concatenation).
 */
function bytesPerWindow(size: readonly number[]): number {
  return size.reduce((a, b) => a * b, 1) * 64 * 4;
}

/** Windows per call of the network within {@link WINDOW_BUDGET_BYTES}; at least 1. */
export function windowsPerCall(size: readonly number[], budget = WINDOW_BUDGET_BYTES): number {
  return Math.max(1, Math.floor(budget / bytesPerWindow(size)));
}

function windowOptions(settings: PatchSettings): SlidingWindowOptions {
  return {
    patchSize: settings.size,
    overlap: settings.overlap,
    mode: settings.blend,
    batchSize: windowsPerCall(settings.size),
  };
}

/** The tf.js model's channels-last output over the whole input `x` of `shape` (spatial, then channels). */
export function predictWhole(
  model: LayersModel,
  x: Float32Array,
  shape: readonly number[],
  settings: PatchSettings,
): Float32Array {
  const predict = (batch: tf.Tensor): tf.Tensor => model.predict(batch) as tf.Tensor;
  return slidingWindowInferenceSync({ data: x, shape }, predict, windowOptions(settings)).data;
}

/** {@link predictWhole} on an inference backend (tf.js or ONNX Runtime). */
export async function predictWholeOn(
  backend: Pick<InferenceBackend, 'predict'>,
  x: Float32Array,
  shape: readonly number[],
  settings: PatchSettings,
): Promise<Float32Array> {
  return (await slidingWindowInference({ data: x, shape }, backend, windowOptions(settings))).data;
}
