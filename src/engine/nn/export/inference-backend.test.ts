/**
 * The inference backends on networks trained here: a small CNN classifier and
 * a U-Net, each run by tf.js and by ONNX Runtime (same labels and masks,
 * probabilities within 1e-4), the View tab's prediction on both, sliding-window
 * inference through ONNX Runtime, and what `auto` picks and why.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../api';
import { phantomCollection, recordingContext } from '../../test-support/phantoms';
import { maxAbsDifference } from '../../test-support/arrays';
import { NetworkParamsSchema } from '../params';
import { classMask, loadTrained, predictSample, releaseTrained, runOn, type Trained } from '../predict';
import { slidingWindowInference } from '../sliding-window';
import { tfl, type tf } from '../tf';
import { checkpointPath } from '../train/checkpoint';
import { train } from '../train/trainer';
import {
  inferenceRuntimeSetting,
  onnxBackend,
  openInference,
  tfjsBackend,
  type InferenceBackend,
} from './inference-backend';

const dir = mkdtempSync(join(tmpdir(), 'phi-inference-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const argmax = (v: ArrayLike<number>) => Array.from(v).indexOf(Math.max(...Array.from(v)));

const classification = phantomCollection({ task: 'classification', count: 16, size: 24 });
const segmentation = phantomCollection({ task: 'segmentation', count: 12, size: 16 });
const cnnDir = join(dir, 'cnn');
const unetDir = join(dir, 'unet');

beforeAll(async () => {
  const common = { backend: 'wasm', epochs: 2, batchSize: 4 };
  await train(
    classification,
    NetworkParamsSchema.parse({ ...common, task: 'classification', architecture: 'small-cnn' }),
    recordingContext(cnnDir),
  );
  await train(
    segmentation,
    NetworkParamsSchema.parse({
      ...common,
      task: 'segmentation',
      architecture: 'unet',
      baseFilters: 4,
      depth: 2,
    }),
    recordingContext(unetDir),
  );
}, 300_000);

/** Every sample's output on `backend`. */
async function outputs(backend: InferenceBackend, t: Trained, samples: Map<string, Sample>) {
  const out: Float32Array[] = [];
  for (const sample of samples.values()) out.push((await runOn(backend, t, sample)).out);
  return out;
}

/** The network of `artifactsDir` on every sample through tf.js (`a`) and ONNX Runtime (`b`), printed and checked within 1e-4. */
async function bothRuntimes(name: string, artifactsDir: string, samples: Map<string, Sample>) {
  const trained = await loadTrained(artifactsDir);
  const ort = await onnxBackend(trained, artifactsDir);
  const a = await outputs(tfjsBackend(trained), trained, samples);
  const b = await outputs(ort, trained, samples);
  const worst = Math.max(...a.map((p, i) => maxAbsDifference(b[i], p)));
  console.log(`${name}, ${a.length} phantoms: largest probability difference ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(1e-4);
  return { trained, ort, a, b };
}

describe('inference backends', () => {
  it('classifier: ONNX Runtime gives tf.js’s labels and probabilities, and so does the View tab', async () => {
    const { trained, ort, a, b } = await bothRuntimes('small CNN', cnnDir, classification.samples);
    expect(b.map(argmax)).toEqual(a.map(argmax));

    const sample = classification.samples.get('img003.png') as Sample;
    const viewTf = await predictSample(trained, sample);
    const viewOrt = await predictSample(trained, sample, { inference: ort });
    expect(viewOrt.predictedClass).toBe(viewTf.predictedClass);
    expect(maxAbsDifference(viewOrt.probabilities ?? [], viewTf.probabilities ?? [])).toBeLessThan(1e-4);
    // Grad-CAM is tf.js's either way.
    expect(viewOrt.gradCam).toEqual(viewTf.gradCam);
    await ort.release();
    releaseTrained();
  });

  it('U-Net: the same masks, and sliding windows through ONNX Runtime blend as tf.js’s do', async () => {
    const { trained, ort, a, b } = await bothRuntimes('U-Net', unetDir, segmentation.samples);
    b.forEach((p, i) => expect(classMask(p, 16 * 16, 2)).toEqual(classMask(a[i], 16 * 16, 2)));

    // A 40x28 image in 16x16 windows, half overlapping, Gaussian-weighted, 3 windows per call.
    const image = Float32Array.from({ length: 40 * 28 }, (_, i) => Math.sin(i / 7) * 50 + 60);
    const options = { patchSize: [16, 16], overlap: 0.5, mode: 'gaussian' as const, batchSize: 3 };
    const input = { data: image, shape: [40, 28, 1] };
    const viaTf = await slidingWindowInference(input, (x) => trained.model.predict(x) as tf.Tensor, options);
    const viaOrt = await slidingWindowInference(input, ort, options);
    expect(viaOrt.shape).toEqual([40, 28, 2]);
    const windowed = maxAbsDifference(viaOrt.data, viaTf.data);
    console.log(`U-Net sliding windows over 40x28: largest difference ${windowed.toExponential(2)}`);
    expect(windowed).toBeLessThan(1e-4);
    await ort.release();
    releaseTrained();
  });

  it('auto picks ONNX Runtime for a network that exports and tf.js, saying why, for one that does not', async () => {
    const trained = await loadTrained(cnnDir);
    const auto = await openInference(trained, 'auto', cnnDir);
    expect(auto.runtime).toBe('onnx');
    expect(auto.reason).toBe('auto: the network exports to ONNX, so ONNX Runtime runs it');
    await auto.release();
    expect((await openInference(trained, 'tfjs', cnnDir)).runtime).toBe('tfjs');
    releaseTrained();

    // A network with a layer ONNX export has no mapping for.
    const input = tfl.input({ shape: [4, 4, 2] });
    const norm = tfl.layers.layerNormalization({ name: 'norm' }).apply(input) as typeof input;
    const model = tfl.model({ inputs: input, outputs: norm });
    const odd = join(dir, 'odd');
    mkdirSync(odd);
    for (const file of [checkpointPath(odd, 'last'), join(odd, 'model.json')]) writeFileSync(file, '');
    const unusual = { ...trained, model, stamp: 'odd' } as Trained;
    const fallback = await openInference(unusual, 'auto', odd);
    expect(fallback.runtime).toBe('tfjs');
    expect(fallback.reason).toBe(
      'auto: tf.js runs it because Layer "norm" (LayerNormalization) has no ONNX export.',
    );
    await expect(openInference(unusual, 'onnx', odd)).rejects.toThrow(
      'Layer "norm" (LayerNormalization) has no ONNX export.',
    );
    model.dispose();
  });

  it("takes the project's Inference runtime, PHI_INFERENCE_RUNTIME overriding it, auto when neither is set", () => {
    expect(inferenceRuntimeSetting(undefined, {})).toBe('auto');
    expect(inferenceRuntimeSetting('onnx', {})).toBe('onnx');
    expect(inferenceRuntimeSetting(undefined, { PHI_INFERENCE_RUNTIME: 'tfjs' })).toBe('tfjs');
    expect(inferenceRuntimeSetting('onnx', { PHI_INFERENCE_RUNTIME: 'tfjs' })).toBe('tfjs');
    expect(() => inferenceRuntimeSetting('auto', { PHI_INFERENCE_RUNTIME: 'gpu' })).toThrow(
      'PHI_INFERENCE_RUNTIME is "gpu": use auto, tfjs, onnx',
    );
  });
});
