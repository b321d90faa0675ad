/**
 * Inference with a trained network node: rebuilds the network from the
 * `model.json` manifest in its artifacts folder, loads the best checkpoint
 * (the last one when no best was kept), and turns outputs into a
 * {@link Prediction} with overlays and Grad-CAM for the View tab.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { InferenceRuntime, Prediction, Sample } from '../api';
import { presentedBytes, renderPresented } from '../imaging/presentation';
import { renderThumbnail } from '../imaging/thumbnail';
import { selectBackend } from './backends/select';
import { decodeOutput } from './detection/centernet';
import { openInference, releaseHeldInference, type InferenceBackend } from './export/inference-backend';
import { defaultGradCamLayer, gradCam } from './gradcam';
import { boxOverlay, encodeRgb, heatOverlay, maskOverlay, rgbBase } from './render';
import { tf } from './tf';
import { predictWhole, predictWholeOn } from './patch-inference';
import { checkpointPath, loadCheckpoint } from './train/checkpoint';
import { patchSettings, wholeGeometry } from './train/patches';
import { prepareInput } from './train/prepare';
import { buildNetwork, type ModelManifest } from './train/setup';

/** A network ready for inference. */
export interface Trained {
  manifest: ModelManifest;
  model: LayersModel;
  shapes: Record<string, (number | null)[]>;
  /** Identifies the weights loaded (path + mtime) so a retrained network is reloaded. */
  stamp: string;
}

let cached: Trained | undefined;

/** Loads (or reuses) the trained network of an artifacts folder. */
export async function loadTrained(artifactsDir: string): Promise<Trained> {
  const manifestPath = join(artifactsDir, 'model.json');
  if (!existsSync(manifestPath)) throw new Error('This network has not been trained yet: run it first');
  const best = checkpointPath(artifactsDir, 'best');
  const ckpt = existsSync(best) ? best : checkpointPath(artifactsDir, 'last');
  if (!existsSync(ckpt)) throw new Error('This network has no checkpoint yet: run it first');
  const stamp = `${ckpt}:${statSync(ckpt).mtimeMs}`;
  if (cached?.stamp === stamp) return cached;
  cached?.model.dispose();
  cached = undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest;
  await selectBackend(manifest.params.backend, undefined, {
    volumetric: manifest.geometry.inputShape.length === 4,
  });
  const { compiled } = buildNetwork(manifest.spec, manifest.geometry, manifest.params.seed);
  await loadCheckpoint(ckpt, compiled.model);
  cached = { manifest, model: compiled.model, shapes: compiled.shapes, stamp };
  return cached;
}

/** Releases the cached network (tests, shutdown). */
export function releaseTrained(): void {
  void releaseHeldInference();
  cached?.model.dispose();
  cached = undefined;
}

/** The most probable class of each pixel of a segmentation output (`pixels` x `classes`, channel-last). */
export function classMask(out: Float32Array, pixels: number, classes: number): Uint8Array {
  const mask = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let arg = 0;
    for (let k = 1; k < classes; k++) if (out[i * classes + k] > out[i * classes + arg]) arg = k;
    mask[i] = arg;
  }
  return mask;
}

/**
 * Raw network output for one sample plus what is needed to interpret it; a patch-trained
 * network predicts the whole sample by sliding windows, so its output has the sample's grid.
 */
export function runSample(
  t: Trained,
  sample: Sample,
): { out: Float32Array; x: Float32Array; offset: number; scale: number } {
  const patch = patchSettings(t.manifest.params);
  if (patch) {
    const whole = wholeGeometry(t.manifest.geometry, sample.image.shape);
    const prepared = prepareInput(sample, whole, t.manifest.params.normalization);
    const out = predictWhole(t.model, prepared.x, sample.image.shape, patch);
    return { out, x: prepared.x, offset: prepared.offset, scale: prepared.scale };
  }
  const prepared = prepareInput(sample, t.manifest.geometry, t.manifest.params.normalization);
  const out = tf.tidy(() => {
    const x = tf.tensor(prepared.x, [1, ...t.manifest.geometry.inputShape]);
    return (t.model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
  return { out, x: prepared.x, offset: prepared.offset, scale: prepared.scale };
}

/** {@link runSample} on an inference backend (tf.js or ONNX Runtime). */
export async function runOn(
  backend: InferenceBackend,
  t: Trained,
  sample: Sample,
): Promise<ReturnType<typeof runSample>> {
  const patch = patchSettings(t.manifest.params);
  if (patch) {
    const whole = wholeGeometry(t.manifest.geometry, sample.image.shape);
    const prepared = prepareInput(sample, whole, t.manifest.params.normalization);
    const out = await predictWholeOn(backend, prepared.x, sample.image.shape, patch);
    return { out, x: prepared.x, offset: prepared.offset, scale: prepared.scale };
  }
  const prepared = prepareInput(sample, t.manifest.geometry, t.manifest.params.normalization);
  const out = await backend.predict(prepared.x, [1, ...t.manifest.geometry.inputShape]);
  return { out, x: prepared.x, offset: prepared.offset, scale: prepared.scale };
}

/** {@link runSample} on the runtime `setting` picks; `release` frees what it opened. */
export async function sampleRunner(
  t: Trained,
  setting: InferenceRuntime,
  artifactsDir: string,
): Promise<{
  backend: InferenceBackend;
  run(sample: Sample): Promise<ReturnType<typeof runSample>>;
  release(): Promise<void>;
}> {
  const backend = await openInference(t, setting, artifactsDir);
  return { backend, run: (sample) => runOn(backend, t, sample), release: () => backend.release() };
}

/** Options of {@link predictSample}. */
export interface PredictOptions {
  /** Grad-CAM target layer; the deepest spatial layer when absent. */
  gradCamLayer?: string;
  /** Runs the network (Grad-CAM stays on tf.js, which has the gradients); tf.js when absent. */
  inference?: InferenceBackend;
}

/** The View tab's prediction for one sample. */
export async function predictSample(
  t: Trained,
  sample: Sample,
  options: PredictOptions = {},
): Promise<Prediction> {
  const { manifest } = t;
  const geo = manifest.geometry;
  if (geo.inputShape.length !== 3)
    throw new Error(
      "This preview draws 2-D images: a 3-D network's predictions are drawn slice by slice in the View tab's volume view, and phi predict writes its masks (NIfTI in each volume's grid)",
    );
  const [h, w, c] = geo.inputShape;
  const {
    out,
    x: input,
    offset,
    scale,
  } = options.inference ? await runOn(options.inference, t, sample) : runSample(t, sample);
  // Input and overlays show the input as the View tab does (palette colours, MONOCHROME1 inverted).
  const shown = presentedBytes(sample);
  const base = rgbBase(shown.bytes, shown.channels);
  const shape = [h, w];
  const pred: Prediction = {
    sampleId: sample.id,
    classes: manifest.classes,
    input: await renderPresented(sample, { size: 512 }),
    ...(options.inference
      ? { runtime: { name: options.inference.runtime, reason: options.inference.reason } }
      : {}),
  };
  if (geo.task === 'classification') {
    pred.probabilities = Array.from(out);
    pred.predictedClass = pred.probabilities.indexOf(Math.max(...pred.probabilities));
    if (sample.label?.kind === 'class') pred.trueClass = sample.label.index;
    const layer = options.gradCamLayer ?? defaultGradCamLayer(manifest.spec, t.shapes);
    const x = tf.tensor4d(input, [1, h, w, c]);
    try {
      const cam = gradCam(t.model, manifest.spec, x, pred.predictedClass, layer);
      pred.gradCam = await encodeRgb(heatOverlay(base, cam), h, w, shape);
    } finally {
      x.dispose();
    }
  } else if (geo.task === 'segmentation') {
    const mask = classMask(out, h * w, geo.classes);
    pred.overlay = await encodeRgb(maskOverlay(base, mask), h, w, shape);
  } else if (geo.task === 'detection') {
    const g = geo.grid as NonNullable<typeof geo.grid>;
    const boxes = decodeOutput(out, g.h, g.w, geo.classes, g.stride, manifest.params.detectionThreshold);
    pred.overlay = await encodeRgb(boxOverlay(base, h, w, boxes), h, w, shape);
  } else {
    const data = Float32Array.from(out, (v) => v * scale + offset);
    pred.overlay = await renderThumbnail(
      {
        data,
        shape: [h, w, geo.targetChannels ?? 1],
        colorMode: (geo.targetChannels ?? 1) === 3 ? 'rgb' : 'grayscale',
      },
      { size: 512 },
    );
  }
  return pred;
}
