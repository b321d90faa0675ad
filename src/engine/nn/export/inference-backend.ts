/**
 * One interface for running a trained network on a batch, with two
 * implementations: tf.js (the model as trained) and ONNX Runtime (the node's
 * exported `model.onnx`, CPU). The "Inference runtime" setting picks one:
 * `auto` takes ONNX Runtime when the network exports to ONNX and the binding
 * loads, tf.js otherwise; `tfjs` and `onnx` force one (`onnx` refuses, with
 * the reason, a network it cannot run). Both give the same outputs within
 * 1e-4 (docs/export.md, "Inference runtime").
 */
import { INFERENCE_RUNTIMES, type InferenceRuntime } from '../../api';
import type { Trained } from '../predict';
import { tf } from '../tf';
import { OnnxExportError } from './onnx';
import { nodeOnnx, OnnxNetwork } from './runtime';

/** `PHI_INFERENCE_RUNTIME` when set: it overrides the project's setting (headless use). */
export function inferenceRuntimeOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.PHI_INFERENCE_RUNTIME?.trim() || undefined;
}

/**
 * The runtime that runs inference: `PHI_INFERENCE_RUNTIME` (auto, tfjs or onnx)
 * when set, which overrides the project's "Inference runtime" setting for
 * headless use; else the project's setting; `auto` when neither is set. Any
 * other value of the variable is refused with the choices.
 */
export function inferenceRuntimeSetting(
  project?: InferenceRuntime,
  env: NodeJS.ProcessEnv = process.env,
): InferenceRuntime {
  const value = inferenceRuntimeOverride(env) ?? project ?? 'auto';
  if (!(INFERENCE_RUNTIMES as readonly string[]).includes(value))
    throw new Error(`PHI_INFERENCE_RUNTIME is "${value}": use ${INFERENCE_RUNTIMES.join(', ')}`);
  return value as InferenceRuntime;
}

/** A network on a batch: `x` of `shape` (batch first, channels last) to its float32 output, row-major. */
export type BatchPredictor = (x: Float32Array, shape: readonly number[]) => Promise<Float32Array>;

/** A network opened for inference on one runtime. */
export interface InferenceBackend {
  runtime: 'tfjs' | 'onnx';
  /** Why this runtime runs it (the setting, or what `auto` found). */
  reason: string;
  predict: BatchPredictor;
  release(): Promise<void>;
}

/** tf.js on the trained model. */
export function tfjsBackend(t: Trained, reason = 'the Inference runtime setting is tfjs'): InferenceBackend {
  return {
    runtime: 'tfjs',
    reason,
    predict: async (x, shape) =>
      tf.tidy(() => (t.model.predict(tf.tensor(x, [...shape])) as tf.Tensor).dataSync() as Float32Array),
    release: async () => undefined,
  };
}

/** ONNX Runtime on the node's `model.onnx` (exported from the weights when missing or older). */
export async function onnxBackend(
  t: Trained,
  artifactsDir: string,
  reason = 'the Inference runtime setting is onnx',
): Promise<InferenceBackend> {
  const net = await OnnxNetwork.load(nodeOnnx(t, artifactsDir));
  return {
    runtime: 'onnx',
    reason,
    predict: (x, shape) => net.run(x, [...shape]),
    release: () => net.release(),
  };
}

/** The backend `setting` picks for the trained network of `artifactsDir`. */
export async function openInference(
  t: Trained,
  setting: InferenceRuntime,
  artifactsDir: string,
): Promise<InferenceBackend> {
  if (setting === 'tfjs') return tfjsBackend(t);
  if (setting === 'onnx') return onnxBackend(t, artifactsDir);
  try {
    return await onnxBackend(t, artifactsDir, 'auto: the network exports to ONNX, so ONNX Runtime runs it');
  } catch (error) {
    const why =
      error instanceof OnnxExportError
        ? error.message
        : `ONNX Runtime could not open it (${(error as Error).message.split('\n')[0]})`;
    return tfjsBackend(t, `auto: tf.js runs it because ${why}`);
  }
}

let held: { key: string; backend: InferenceBackend } | undefined;

/**
 * {@link openInference}, kept open for the next call with the same weights and
 * setting (the View tab predicts one sample at a time); another network or
 * setting releases the previous one.
 */
export async function heldInference(
  t: Trained,
  setting: InferenceRuntime,
  artifactsDir: string,
): Promise<InferenceBackend> {
  const key = `${t.stamp}|${setting}|${artifactsDir}`;
  if (held?.key === key) return held.backend;
  await releaseHeldInference();
  const backend = await openInference(t, setting, artifactsDir);
  held = { key, backend };
  return backend;
}

/** Releases the backend {@link heldInference} keeps (tests, shutdown, a retrained network). */
export async function releaseHeldInference(): Promise<void> {
  const previous = held;
  held = undefined;
  await previous?.backend.release();
}
