/**
 * `getVolumeSlice`: one slice of a node's output volume in a plane (imaging/volume-slice.ts),
 * as a PNG or raw values, with the label mask and, for a network node, the predicted mask of
 * that slice, or for a 3-D classifier its probabilities and the slice of its Grad-CAM map. The decoded volume and a network's predicted mask are kept for the last few
 * items, so scrolling reads neither the cache nor the network again; a rerun changes the
 * key (the node's output key, the checkpoint's stamp) and so is never shown stale.
 */
import sharp from 'sharp';
import type { EncodedImage, OverlayClass, Sample, VolumeSlice } from '../api';
import { VolumeSliceRequestSchema } from '../api/volume-view';
import { geometry, minMax } from '../imaging/image';
import { presentationOf } from '../imaging/presentation';
import { renderThumbnail } from '../imaging/thumbnail';
import { planeLayout, sliceValues, worldAxesOf, type WorldAxes } from '../imaging/volume-slice';
import { gradCam3d, lastConv3dLayer } from '../nn/gradcam';
import { classMask, loadTrained, type Trained } from '../nn/predict';
import { CLASS_COLORS, encodeRgb, jet } from '../nn/render';
import { slidingWindowInference } from '../nn/sliding-window';
import { tf } from '../nn/tf';
import { normalisation } from '../nn/train/prepare';
import { networkDir } from '../run/executor';
import type { ProjectSession } from './session';

interface Volume {
  /** The node's output key and the item: what the volume and its prediction are kept by. */
  key: string;
  sample: Sample;
  axes: WorldAxes;
  range: [number, number];
}

/** Items kept decoded (and predictions kept) for scrolling. */
const KEPT = 2;

/** A small map that forgets its oldest entry beyond {@link KEPT}. */
class Recent<T> {
  private readonly entries = new Map<string, T>();
  get(key: string): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
  set(key: string, value: T): void {
    this.entries.set(key, value);
    while (this.entries.size > KEPT) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function hex(rgb: readonly number[]): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Colour of class `c` in overlays (0, the background, has none): the 2-D overlays' colours. */
function classColor(c: number): readonly [number, number, number] {
  return CLASS_COLORS[(c - 1) % CLASS_COLORS.length];
}

/** A class mask slice as a PNG: class colours, background transparent. */
async function maskPng(mask: Float32Array, width: number, height: number): Promise<EncodedImage> {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < mask.length; i++) {
    const c = Math.round(mask[i]);
    if (c <= 0) continue;
    rgba.set(classColor(c), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
  return {
    dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    width,
    height,
    shape: [height, width],
    min: 0,
    max: 1,
  };
}

/** A Grad-CAM slice (values in [0, 1]) as an opaque heat-map PNG, laid over the slice with the viewer's opacity. */
async function heatPng(heat: Float32Array, width: number, height: number): Promise<EncodedImage> {
  const rgb = new Uint8Array(width * height * 3);
  heat.forEach((v, i) => rgb.set(jet(v), i * 3));
  return encodeRgb(rgb, height, width, [height, width]);
}

/**
 * What the values of a NIfTI volume are in, and who said so: HU from dataset.json or the
 * Dataset node; at the Dataset node, raw values are said to be raw, with how to make them HU.
 */
function unitNoteOf(sample: Sample, atDataset: boolean): string | undefined {
  if (sample.meta.niftiVersion === undefined) return undefined;
  if (sample.image.unit === 'HU' && typeof sample.meta.unitFrom === 'string')
    return `Values in HU, as ${sample.meta.unitFrom} says`;
  if (atDataset && sample.image.unit === 'raw')
    return "Values as stored (raw): a NIfTI file names no modality. For CT in HU, set the Dataset node's Volume intensity unit to HU";
  return undefined;
}

/** See the module comment. */
export class VolumeView {
  private readonly volumes = new Recent<Promise<Volume>>();
  private readonly predictions = new Recent<Promise<Float32Array | Uint8Array>>();
  private readonly gradCams = new Recent<Promise<Float32Array>>();

  constructor(private readonly session: ProjectSession) {}

  async slice(params: unknown): Promise<VolumeSlice> {
    const request = VolumeSliceRequestSchema.parse(params);
    const { node, sampleId, plane } = request;
    const graphNode = this.session
      .requireStore()
      .graph()
      .nodes.find((n) => n.id === node);
    if (!graphNode) throw new Error(`There is no node "${node}"`);
    const volume = await this.volume(this.session.imageNode(node), sampleId);
    const { sample, axes, range } = volume;
    const layout = planeLayout(sample.image, axes, plane);
    const index = request.index ?? Math.floor(layout.count / 2);
    const values = sliceValues(sample.image.data, layout, index);
    const classes = this.session.manifestOf(this.session.imageNode(node))?.classes ?? [];
    const notes: string[] = [];
    const channels = geometry(sample.image).channels;
    if (channels > 1) notes.push(`Channel 1 of ${channels} is shown`);
    const unitNote = unitNoteOf(sample, graphNode.kind === 'dataset');
    if (unitNote) notes.push(unitNote);
    const result: VolumeSlice = {
      sampleId,
      plane,
      index,
      count: layout.count,
      width: layout.width,
      height: layout.height,
      ...(layout.pixelSpacing ? { pixelSpacing: layout.pixelSpacing } : {}),
      orientation: layout.orientation,
      min: range[0],
      max: range[1],
      ...(sample.image.unit ? { unit: sample.image.unit } : {}),
      legend: [],
      classes,
      notes,
    };
    if (request.format === 'raw') result.raw = Buffer.from(values.buffer).toString('base64');
    else {
      const window = request.window ?? { center: (range[0] + range[1]) / 2, width: range[1] - range[0] };
      result.image = await renderThumbnail(
        { data: values, shape: [layout.height, layout.width, 1], colorMode: 'grayscale' },
        { size: Math.max(layout.width, layout.height), window, invert: presentationOf(sample).invert },
      );
    }
    const shown = new Set<number>();
    const label = sample.label;
    if (label?.kind === 'mask') {
      const maskLayout = planeLayout(label.mask, axes, plane);
      const mask = sliceValues(label.mask.data, maskLayout, index);
      mask.forEach((c) => c > 0 && shown.add(Math.round(c)));
      result.label = await maskPng(mask, layout.width, layout.height);
    }
    if (graphNode.kind === 'network') await this.addPrediction(result, node, volume, layout, shown);
    // A legend only beside a mask: a classifier's class names are its probabilities' rows, not colours.
    if (!result.label && !result.prediction) return result;
    const names = result.classes.length ? result.classes : classes;
    // Every class the item's labels or the network can name, so the legend does not change while scrolling.
    const classCount = Math.max(names.length, ...[...shown].map((c) => c + 1));
    result.legend = Array.from({ length: Math.max(0, classCount - 1) }, (_, k): OverlayClass => ({
      index: k + 1,
      name: names[k + 1] ?? `class ${k + 1}`,
      color: hex(classColor(k + 1)),
    }));
    return result;
  }

  private volume(node: string, sampleId: string): Promise<Volume> {
    const key = `${this.session.manifestOf(node)?.nodeKey ?? ''}\0${node}\0${sampleId}`;
    const kept = this.volumes.get(key);
    if (kept) return kept;
    const loading = this.session.outputSample(node, sampleId).then((sample): Volume => {
      if (sample.image.shape.length !== 4)
        throw new Error(`"${sampleId}" is a 2-D image at "${node}": it has no slices to scroll`);
      return { key, sample, axes: worldAxesOf(sample), range: minMax(sample.image.data) };
    });
    // A failed read is not kept: the next request tries again.
    loading.catch(() => this.volumes.delete(key));
    this.volumes.set(key, loading);
    return loading;
  }

  private async addPrediction(
    result: VolumeSlice,
    node: string,
    volume: Volume,
    layout: ReturnType<typeof planeLayout>,
    shown: Set<number>,
  ): Promise<void> {
    const selection = this.session.heldSelection(node);
    const trained = await loadTrained(networkDir(this.session.requireStore().artifactsFor(node), selection));
    const { geometry: geo, classes } = trained.manifest;
    // A Sample RUN's model says so, with the items it trained on.
    const input = selection === 'all' ? undefined : this.session.inputManifest(node);
    if (input) result.fromSample = input.items.length;
    result.classes = classes;
    if (geo.inputShape.length !== 4) {
      result.notes.push('This network is 2-D: it predicts images, not volumes');
      return;
    }
    if (geo.task === 'classification') {
      const probabilities = await this.predicted(trained, volume);
      result.probabilities = Array.from(probabilities);
      result.gradCamClass = result.probabilities.indexOf(Math.max(...result.probabilities));
      const cam = await this.gradCamOf(trained, volume, result.gradCamClass);
      const [d, h, w] = volume.sample.image.shape;
      const camLayout = planeLayout(
        { ...volume.sample.image, shape: [d, h, w, 1], data: cam },
        volume.axes,
        result.plane,
      );
      result.gradCam = await heatPng(sliceValues(cam, camLayout, result.index), layout.width, layout.height);
      return;
    }
    if (geo.task !== 'segmentation') {
      result.notes.push(`The View tab draws 3-D predictions of segmentation networks, not of ${geo.task}`);
      return;
    }
    const mask = await this.predicted(trained, volume);
    const slice = sliceValues(mask, layout, result.index);
    slice.forEach((c) => c > 0 && shown.add(c));
    result.prediction = await maskPng(slice, layout.width, layout.height);
  }

  /** The Grad-CAM map of the volume for class `classIndex`, kept like the prediction. */
  private gradCamOf(trained: Trained, volume: Volume, classIndex: number): Promise<Float32Array> {
    const key = `${trained.stamp}\0${volume.key}\0${classIndex}`;
    const kept = this.gradCams.get(key);
    if (kept) return kept;
    const running = Promise.resolve().then(() => volumeGradCam(trained, volume.sample, classIndex));
    running.catch(() => this.gradCams.delete(key));
    this.gradCams.set(key, running);
    return running;
  }

  /**
   * The network's output for a volume: class probabilities (classifier), or the class of each
   * voxel predicted by sliding windows of the network's input size (segmentation).
   */
  private predicted(trained: Trained, volume: Volume): Promise<Float32Array | Uint8Array> {
    const key = `${trained.stamp}\0${volume.key}`;
    const kept = this.predictions.get(key);
    if (kept) return kept;
    const running = predictVolume(trained, volume.sample);
    running.catch(() => this.predictions.delete(key));
    this.predictions.set(key, running);
    return running;
  }
}

/** A volume's values normalised as the network was trained; refuses a channel count it does not take. */
function networkInput(trained: Trained, sample: Sample): Float32Array {
  const { geometry: geo, params } = trained.manifest;
  const channels = sample.image.shape[3];
  if (channels !== geo.inputShape[3])
    throw new Error(
      `${sample.id} has ${channels} channel(s) but the network takes ${geo.inputShape[3]}: run the pipeline again`,
    );
  const [offset, scale] = normalisation(sample.image.data, params.normalization, geo.range);
  return Float32Array.from(sample.image.data, (v) => (v - offset) / scale);
}

/** A classifier takes whole volumes of its input size only. */
function requireClassifierShape(trained: Trained, sample: Sample): void {
  const shape = sample.image.shape;
  const expected = trained.manifest.geometry.inputShape;
  if (shape.join('x') !== expected.join('x'))
    throw new Error(
      `${sample.id} is ${shape.join('x')} but the network takes ${expected.join('x')}: run the pipeline again`,
    );
}

/** A volume through a trained network: classifier probabilities, or each voxel's class by sliding windows. */
export async function predictVolume(trained: Trained, sample: Sample): Promise<Float32Array | Uint8Array> {
  const { geometry: geo } = trained.manifest;
  const shape = sample.image.shape;
  const x = networkInput(trained, sample);
  if (geo.task === 'classification') {
    requireClassifierShape(trained, sample);
    return tf.tidy(
      () => (trained.model.predict(tf.tensor(x, [1, ...shape])) as tf.Tensor).dataSync() as Float32Array,
    );
  }
  const out = await slidingWindowInference(
    { data: x, shape },
    (batch) => trained.model.predict(batch) as tf.Tensor,
    { patchSize: geo.inputShape.slice(0, 3) },
  );
  const voxels = shape[0] * shape[1] * shape[2];
  return classMask(out.data, voxels, geo.classes);
}

/** Grad-CAM of a 3-D classifier for class `classIndex` over the whole volume, `[d, h, w]` in [0, 1]. */
export function volumeGradCam(trained: Trained, sample: Sample, classIndex: number): Float32Array {
  requireClassifierShape(trained, sample);
  const x = tf.tensor5d(networkInput(trained, sample), [1, ...sample.image.shape] as [
    number,
    number,
    number,
    number,
    number,
  ]);
  try {
    const { spec } = trained.manifest;
    return gradCam3d(trained.model, spec, x, classIndex, lastConv3dLayer(spec));
  } finally {
    x.dispose();
  }
}
