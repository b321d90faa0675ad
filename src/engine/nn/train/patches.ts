/**
 * Patch training of volumes (docs/networks.md, "Patch training"): with the network's `patchSize`
 * set, each training volume gives one random patch per epoch, centred on a foreground voxel for
 * a `patchForeground` share of each batch (nnU-Net's foreground oversampling) and anywhere else otherwise;
 * the volume is scaled as a whole first, so a patch's values read as its volume's do. Validation,
 * test and `phi predict` see whole volumes through sliding-window inference.
 */
import type { Sample, Task } from '../../api';
import type { SampleCollection } from '../../graph/node-type';
import { createRng, seedFrom } from '../../run/rng';
import type { NetworkParams } from '../params';
import { prepareSample, type DataGeometry, type Prepared } from './prepare';

/** What a patch-trained network does; undefined when the network takes whole inputs. */
export interface PatchSettings {
  /** Spatial size of a patch, `[d, h, w]`. */
  size: number[];
  /** Chance that a training patch is centred on a foreground voxel. */
  foreground: number;
  /** Window overlap of sliding-window inference, in [0, 1). */
  overlap: number;
  /** Blending of overlapping windows. */
  blend: 'gaussian' | 'constant';
}

/** Reads the `patchSize` text (`DxHxW`, e.g. `16x32x32`); throws a sentence on anything else. */
export function parsePatchSize(text: string): number[] {
  const parts = text.trim().split(/\s*[x×,]\s*/);
  const size = parts.map(Number);
  if (size.length !== 3 || size.some((n) => !Number.isInteger(n) || n < 1 || n > 1024))
    throw new Error(
      `Patch size "${text}" is not three whole numbers from 1 to 1024 written DxHxW (e.g. 16x32x32): fix Patch size or leave it empty to train on whole volumes`,
    );
  return size;
}

/** The patch settings of resolved params, or undefined for a network that takes whole inputs. */
export function patchSettings(
  p: Pick<NetworkParams, 'patchSize' | 'patchForeground' | 'windowOverlap' | 'windowBlend'>,
): PatchSettings | undefined {
  if (!p.patchSize?.trim()) return undefined;
  return {
    size: parsePatchSize(p.patchSize),
    foreground: p.patchForeground ?? 1 / 3,
    overlap: p.windowOverlap ?? 0.5,
    blend: p.windowBlend ?? 'gaussian',
  };
}

/**
 * The network input of patch training, `[...patch, channels]`: volumes to segment or transform
 * whose sizes may differ but whose channels agree; anything else is refused with a sentence.
 */
export function patchInputShape(collection: SampleCollection, task: Task, patch: PatchSettings): number[] {
  const first = collection.items[0].shape;
  if ((task !== 'segmentation' && task !== 'transformation') || first.length !== 4)
    throw new Error(
      `Patch size trains networks that segment or transform volumes, but the data is ${task} of ${first.length === 4 ? 'volumes' : '2-D images'}: leave Patch size empty`,
    );
  const channels = first[3];
  const other = collection.items.find((i) => i.shape.length !== 4 || i.shape[3] !== channels);
  if (other)
    throw new Error(
      `Input channels differ (${collection.items[0].id} is ${first.join('x')}, ${other.id} is ${other.shape.join('x')}): every volume needs the same channels`,
    );
  return [...patch.size, channels];
}

/** The geometry of one whole sample of a patch-trained network (its own spatial size, the patch's channels). */
export function wholeGeometry(geo: DataGeometry, shape: number[]): DataGeometry {
  const channels = geo.inputShape[geo.inputShape.length - 1];
  if (shape.length !== geo.inputShape.length || shape[shape.length - 1] !== channels)
    throw new Error(
      `the image is ${shape.join('x')} but the network takes ${geo.inputShape.length === 4 ? 'volumes' : 'images'} of ${channels} channel(s)`,
    );
  return { ...geo, inputShape: shape };
}

/**
 * Where a patch of `patch` starts on each axis of `spatial`, so that it holds `centre`; an axis
 * shorter than the patch starts before 0 (the patch is padded there).
 */
function startsAround(centre: number[], spatial: number[], patch: number[]): number[] {
  return spatial.map((n, a) => {
    if (n <= patch[a]) return -Math.floor((patch[a] - n) / 2);
    return Math.min(Math.max(centre[a] - Math.floor(patch[a] / 2), 0), n - patch[a]);
  });
}

/** Copies the patch at `start` out of a channels-last array; voxels outside it read `fill`. */
function cut<T extends Float32Array | Int32Array>(
  data: T,
  spatial: number[],
  channels: number,
  start: number[],
  patch: number[],
  fill: number,
): T {
  const [pd, ph, pw] = patch;
  const [d, h, w] = spatial;
  const out = new (data.constructor as new (n: number) => T)(pd * ph * pw * channels);
  out.fill(fill);
  const x0 = Math.max(0, -start[2]);
  const x1 = Math.min(pw, w - start[2]);
  if (x1 <= x0) return out;
  for (let z = 0; z < pd; z++) {
    const zi = z + start[0];
    if (zi < 0 || zi >= d) continue;
    for (let y = 0; y < ph; y++) {
      const yi = y + start[1];
      if (yi < 0 || yi >= h) continue;
      const from = ((zi * h + yi) * w + start[2] + x0) * channels;
      out.set(data.subarray(from, from + (x1 - x0) * channels), ((z * ph + y) * pw + x0) * channels);
    }
  }
  return out;
}

/**
 * Whether the patch at `position` of a batch of `batchSize` is centred on foreground: nnU-Net's
 * rule, the last `round(batchSize * chance)` places of every batch, so each batch of two or more
 * holds foreground (a batch of background only pulls the soft Dice of the lesion to predicting
 * nothing); a batch of one draws with the chance from `rand`.
 */
export function wantsForeground(
  position: number,
  batchSize: number,
  chance: number,
  rand: () => number,
): boolean {
  if (batchSize < 2) return rand() < chance;
  return position >= Math.round(batchSize * (1 - chance));
}

/**
 * One training patch of a volume sample at `position` in its batch: scaled as the whole volume,
 * then cut around a voxel drawn from the stream of (seed, epoch, sample id), a foreground one
 * when {@link wantsForeground} says so and the mask has any; a transformation target is cut at
 * the same place. Padding (volumes smaller than the patch) is 0 in the network's input and the
 * target, and background in the mask, as sliding-window inference pads.
 */
export function trainingPatch(
  sample: Sample,
  geo: DataGeometry,
  p: Pick<NetworkParams, 'normalization' | 'seed' | 'batchSize'>,
  settings: PatchSettings,
  epoch: number,
  position: number,
): Prepared {
  const whole = prepareSample(sample, wholeGeometry(geo, sample.image.shape), p.normalization);
  const spatial = sample.image.shape.slice(0, -1);
  const channels = sample.image.shape[sample.image.shape.length - 1];
  const rand = createRng(seedFrom('patch', p.seed, epoch, sample.id));
  const voxels = spatial.reduce((a, b) => a * b, 1);
  let centre: number | undefined;
  if (whole.mask && wantsForeground(position, p.batchSize, settings.foreground, rand)) {
    const foreground: number[] = [];
    for (let i = 0; i < voxels; i++) if (whole.mask[i] > 0) foreground.push(i);
    if (foreground.length) centre = foreground[Math.floor(rand() * foreground.length)];
  }
  centre ??= Math.floor(rand() * voxels);
  const [, h, w] = spatial;
  const at = [Math.floor(centre / (h * w)), Math.floor(centre / w) % h, centre % w];
  const start = startsAround(at, spatial, settings.size);
  return {
    ...whole,
    x: cut(whole.x, spatial, channels, start, settings.size, 0),
    ...(whole.mask ? { mask: cut(whole.mask, spatial, 1, start, settings.size, 0) } : {}),
    ...(whole.target
      ? { target: cut(whole.target, spatial, geo.targetChannels ?? 1, start, settings.size, 0) }
      : {}),
  };
}
