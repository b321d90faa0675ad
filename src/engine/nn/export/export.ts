/**
 * Exports a trained network node: the network in ONNX or TF.js layers format
 * and `manifest.json`, which says what the network takes and gives (shapes,
 * dtype, layout), how its input was made (the preprocessing chain from the
 * project graph, in order, and the network's own input scaling), the class
 * names, the training's metrics and the keys that identify the training.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpochMetrics, ExportFormat } from '../../api';
import type { Trained } from '../predict';
import { ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_OUTPUT, toOnnx } from './onnx';
import { preprocessingPrelude, type RawImage } from './preprocessing';
import { saveTfjs } from './tfjs';

/** File name of the ONNX model, in an export folder and in a node's artifacts folder. */
export const ONNX_FILE = 'model.onnx';
/** File name of the export manifest. */
export const MANIFEST_FILE = 'manifest.json';

/** One module of the chain from the dataset to the network. */
export interface PreprocessingStep {
  node: string;
  module: string;
  version: number;
  params: Record<string, unknown>;
}

/** What the project knows about the node beyond its weights. */
export interface ExportContext {
  /** The project file's name. */
  project: string;
  node: string;
  /** The node's output cache key at its last run (identifies its params and everything upstream). */
  cacheKey?: string;
  /** Modules from the dataset to the network, in the order they run. */
  preprocessing: PreprocessingStep[];
  /** The last recorded metrics per split (`train`, `validation`, `test`). */
  metrics: Record<string, EpochMetrics & { epoch?: number }>;
  producerVersion: string;
  /** ONNX only: build the chain and the input scaling into the graph, which then takes this raw image. */
  rawImage?: RawImage;
}

/** The manifest written beside an exported network. */
export interface ExportManifest {
  format: ExportFormat;
  files: string[];
  producer: { name: 'Phi Studio'; version: string };
  exportedAt: string;
  task: string;
  classes: string[];
  input: {
    name: string;
    shape: (number | null)[];
    dtype: 'float32';
    layout: 'NHWC' | 'NDHWC';
    /** What the input's values are: the chain's output scaled by the rule, or the raw image. */
    values: string;
  };
  output: { name: string; shape: (number | null)[]; dtype: 'float32'; meaning: string };
  /** `x = (v - offset) / scale`, per image, after the preprocessing chain. */
  normalization: { mode: string; range?: [number, number]; rule: string };
  preprocessing: PreprocessingStep[];
  /** Whether the graph applies `preprocessing` and `normalization` itself (ONNX `--with-preprocessing`). */
  preprocessingInGraph: boolean;
  network: { architecture: string; name: string; backend: string; seed: number };
  training: { metrics: ExportContext['metrics'] };
  project: { file: string; node: string; cacheKey?: string; trainingKey: string };
  onnx?: { opset: number; irVersion: number };
}

const RULES: Record<string, string> = {
  'per-image-minmax': "offset = the image's minimum, scale = its maximum - minimum (1 when flat)",
  'per-image-zscore': "offset = the image's mean, scale = its standard deviation (1 when flat)",
  'dataset-minmax': 'offset = range[0], scale = range[1] - range[0] (the training split, 1 when flat)',
  none: 'offset = 0, scale = 1 (values as the chain gives them)',
};

function meaning(t: Trained): string {
  const { geometry: geo, params } = t.manifest;
  switch (geo.task) {
    case 'classification':
      return 'class probabilities (softmax), in the order of classes';
    case 'segmentation':
      return 'per-pixel class probabilities (softmax over the last axis); the mask is their argmax';
    case 'detection':
      return `CenterNet grid at stride ${geo.grid?.stride ?? '?'}: a sigmoid heatmap per class, then box width, height and centre offset (dx, dy) in grid cells; peaks above ${params.detectionThreshold} are boxes`;
    default:
      return 'the target image scaled like the input: data units = output * scale + offset';
  }
}

/**
 * The ONNX model of `t` (with the chain in front when `context.rawImage` is
 * set); throws `OnnxExportError` naming what has no ONNX form.
 */
export function onnxModel(t: Trained, context: ExportContext): Uint8Array {
  const { manifest: m, model } = t;
  const raw = context.rawImage;
  return toOnnx(model, {
    producerVersion: context.producerVersion,
    metadata: { task: m.geometry.task, classes: JSON.stringify(m.classes) },
    ...(raw
      ? {
          prelude: preprocessingPrelude({
            steps: context.preprocessing,
            source: raw,
            inputShape: m.geometry.inputShape,
            normalization: m.params.normalization,
            range: m.geometry.range,
          }),
        }
      : {}),
  });
}

/** Writes the network in `format` and its manifest into `dir`; returns the manifest. */
export async function exportTrained(
  t: Trained,
  format: ExportFormat,
  dir: string,
  context: ExportContext,
): Promise<ExportManifest> {
  mkdirSync(dir, { recursive: true });
  const { manifest: m, model } = t;
  const raw = context.rawImage;
  let files: string[];
  if (format === 'onnx') {
    writeFileSync(join(dir, ONNX_FILE), onnxModel(t, context));
    files = [ONNX_FILE];
  } else files = await saveTfjs(model, dir);
  const inGraph = format === 'onnx' && raw !== undefined;
  const inputShape = inGraph ? [null, raw.height, raw.width, raw.channels] : [null, ...m.geometry.inputShape];
  const outputShape = (model.outputs[0].shape as (number | null)[]).slice();
  const out: ExportManifest = {
    format,
    files: [...files, MANIFEST_FILE],
    producer: { name: 'Phi Studio', version: context.producerVersion },
    exportedAt: new Date().toISOString(),
    task: m.geometry.task,
    classes: m.classes,
    input: {
      name: format === 'onnx' ? ONNX_INPUT : model.inputs[0].name,
      shape: inputShape,
      dtype: 'float32',
      layout: inputShape.length === 5 ? 'NDHWC' : 'NHWC',
      values: inGraph
        ? `the raw image: pixel values as Phi Studio's reader decodes the dataset's files (HU for CT DICOM), stored as ${raw.dtype} there, ${raw.height === null ? 'at any size' : `at ${raw.height}x${raw.width}`} with ${raw.channels} channel(s); the graph applies preprocessing and normalization`
        : "the preprocessing chain's output scaled by the normalization rule",
    },
    output: {
      name: format === 'onnx' ? ONNX_OUTPUT : model.outputs[0].name,
      shape: outputShape,
      dtype: 'float32',
      meaning: meaning(t),
    },
    normalization: {
      mode: m.params.normalization,
      ...(m.geometry.range ? { range: m.geometry.range } : {}),
      rule: RULES[m.params.normalization],
    },
    preprocessing: context.preprocessing,
    preprocessingInGraph: inGraph,
    network: {
      architecture: m.params.architecture,
      name: m.spec.name,
      backend: m.backend,
      seed: m.params.seed,
    },
    training: { metrics: context.metrics },
    project: {
      file: context.project,
      node: context.node,
      ...(context.cacheKey ? { cacheKey: context.cacheKey } : {}),
      trainingKey: m.trainingKey,
    },
    ...(format === 'onnx' ? { onnx: { opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION } } : {}),
  };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}
