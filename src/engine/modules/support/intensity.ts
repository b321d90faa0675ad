/** Module-side helpers for intensity modules: map the pixels, keep geometry and labels. */
import type { ImageData, PixelArray, Sample } from '../../api';
import { dtypeOf } from '../../api';
import { allocate } from '../../imaging/image';
import { withImage } from './spatial';

/** Applies a whole-array map to the image (all slices and channels at once); labels untouched. */
export function mapPixels(
  sample: Sample,
  fn: (data: PixelArray) => PixelArray,
  patch: Partial<ImageData> = {},
): Sample {
  return withImage(sample, { ...sample.image, data: fn(sample.image.data), ...patch });
}

/** Applies a single-channel 2-D function to each channel of each slice; labels untouched. */
export function mapChannels(
  sample: Sample,
  fn: (channel: PixelArray, h: number, w: number) => PixelArray,
  patch: Partial<ImageData> = {},
): Sample {
  const shape = sample.image.shape;
  const c = shape[shape.length - 1];
  const w = shape[shape.length - 2];
  const h = shape[shape.length - 3];
  const depth = shape.length === 4 ? shape[0] : 1;
  const src = sample.image.data;
  const plane = h * w;
  let out: PixelArray | undefined;
  for (let z = 0; z < depth; z++) {
    for (let k = 0; k < c; k++) {
      const channel =
        c === 1 ? src.subarray(z * plane, (z + 1) * plane) : extract(src, z * plane * c, plane, c, k);
      const r = fn(channel, h, w);
      if (!out) out = allocate(dtypeOf(r), src.length);
      for (let i = 0; i < plane; i++) out[(z * plane + i) * c + k] = r[i];
    }
  }
  return withImage(sample, { ...sample.image, data: out ?? src, ...patch });
}

function extract(src: PixelArray, offset: number, n: number, c: number, k: number): PixelArray {
  const out = allocate(dtypeOf(src), n);
  for (let i = 0; i < n; i++) out[i] = src[offset + i * c + k];
  return out;
}
