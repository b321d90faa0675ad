/**
 * Turns Samples into the arrays a network trains on: the image scaled as the
 * `normalization` param says, and the label encoded for the task (class
 * index, per-pixel class, CenterNet targets, or the target image scaled with
 * the input's own scale so outputs can be mapped back to data units).
 */
import type { Box, Sample, Task } from '../../api';
import { encodeBoxes } from '../detection/centernet';
import type { NetworkParams } from '../params';

/** One prepared item. */
export interface Prepared {
  id: string;
  /** `[h, w, c]` (or `[d, h, w, c]`) float input. */
  x: Float32Array;
  /** Class index (classification). */
  classIndex?: number;
  /** Per-pixel class (segmentation), `[h, w]` (or `[d, h, w]`). */
  mask?: Int32Array;
  /** Detection targets and the truth boxes for mAP. */
  heatmap?: Float32Array;
  regression?: Float32Array;
  centerMask?: Float32Array;
  boxes?: Box[];
  /** Target image scaled like the input (transformation). */
  target?: Float32Array;
  /** `x = (raw - offset) / scale`: kept to map outputs back to data units. */
  offset: number;
  scale: number;
}

/** What the data looks like to the network. */
export interface DataGeometry {
  task: Task;
  classes: number;
  inputShape: number[];
  /** Output grid for detection. */
  grid?: { h: number; w: number; stride: number };
  /** Output channels for transformation. */
  targetChannels?: number;
  /** The training split's value range, for `dataset-minmax` scaling (kept so prediction scales the same way). */
  range?: [number, number];
}

/** The `(offset, scale)` that normalises an image as the params say; `range` is the training split's, for `dataset-minmax`. */
export function normalisation(
  data: ArrayLike<number>,
  mode: NetworkParams['normalization'],
  range?: [number, number],
): [number, number] {
  if (mode === 'none') return [0, 1];
  if (mode === 'dataset-minmax') {
    if (!range) throw new Error("dataset-minmax scaling needs the training split's range");
    return [range[0], range[1] > range[0] ? range[1] - range[0] : 1];
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  if (mode === 'per-image-minmax') return [min, max > min ? max - min : 1];
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i] - mean) ** 2;
  const sd = Math.sqrt(sq / data.length);
  return [mean, sd > 0 ? sd : 1];
}

function scaled(data: ArrayLike<number>, offset: number, scale: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - offset) / scale;
  return out;
}

/** The network input of a sample (no label needed): scaled pixels and the scale used. */
export function prepareInput(s: Sample, geo: DataGeometry, mode: NetworkParams['normalization']): Prepared {
  const shape = s.image.shape;
  if (shape.join('x') !== geo.inputShape.join('x'))
    throw new Error(
      `${s.id}: image is ${shape.join('x')} but the network input is ${geo.inputShape.join('x')}; add a ${shape.length === 4 ? 'Crop or Pad to Size' : 'Resize'} module before the network`,
    );
  const [offset, scale] = normalisation(s.image.data, mode, geo.range);
  return { id: s.id, x: scaled(s.image.data, offset, scale), offset, scale };
}

/** Prepares one sample with its label; throws naming the sample when it does not fit the geometry. */
export function prepareSample(s: Sample, geo: DataGeometry, mode: NetworkParams['normalization']): Prepared {
  const shape = s.image.shape;
  const p = prepareInput(s, geo, mode);
  const { offset, scale } = p;
  const label = s.label;
  switch (geo.task) {
    case 'classification':
      if (label?.kind !== 'class') throw new Error(`${s.id}: no class label`);
      p.classIndex = label.index;
      break;
    case 'segmentation': {
      if (label?.kind !== 'mask') throw new Error(`${s.id}: no mask label`);
      const m = label.mask.data;
      // Pixels of an image, voxels of a volume: every axis but the channels.
      const pixels = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      if (m.length !== pixels) throw new Error(`${s.id}: mask has ${m.length} pixels, image ${pixels}`);
      p.mask = Int32Array.from(m, (v) => Math.min(geo.classes - 1, Math.max(0, Math.round(v))));
      break;
    }
    case 'detection': {
      if (label && label.kind !== 'boxes') throw new Error(`${s.id}: label is not boxes`);
      const boxes = label?.kind === 'boxes' ? label.boxes : [];
      const g = geo.grid as NonNullable<DataGeometry['grid']>;
      const t = encodeBoxes(boxes, geo.classes, g.h, g.w, g.stride);
      p.heatmap = t.heatmap;
      p.regression = t.regression;
      p.centerMask = t.mask;
      p.boxes = boxes;
      break;
    }
    case 'transformation':
      if (label?.kind !== 'target') throw new Error(`${s.id}: no target image`);
      if (label.target.shape.slice(0, -1).join('x') !== shape.slice(0, -1).join('x'))
        throw new Error(
          `${s.id}: target is ${label.target.shape.join('x')} but the image ${shape.join('x')}`,
        );
      p.target = scaled(label.target.data, offset, scale);
      break;
  }
  return p;
}
