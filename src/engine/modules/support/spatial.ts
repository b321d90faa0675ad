/**
 * Module-side helpers for geometric modules: apply one spatial transform to a
 * sample's image and, consistently, to its label (masks with nearest so class
 * indices stay integers, targets like the image, boxes through a box map).
 * Intensity modules use {@link withImage}, which leaves labels alone.
 */
import type { Affine, Box, ImageData, PixelArray, Sample } from '../../api';
import { mapBox, recordStep } from '../../imaging/geometry-steps';
import { geometry, isVolume, shapeOf, stack } from '../../imaging/image';

/** Which image of a sample a transform is applied to: masks need nearest sampling. */
export type ImageRole = 'image' | 'mask' | 'target';

/** The sample with a new image; the label is untouched (intensity modules). */
export function withImage(sample: Sample, image: ImageData): Sample {
  return { ...sample, image };
}

/**
 * Applies a geometric transform to the image and the label. `boxFn` maps one
 * box (pixel edges) or returns null when it leaves the image; boxes that vanish are dropped.
 */
export function transformSpatial(
  sample: Sample,
  imageFn: (image: ImageData, role: ImageRole) => ImageData,
  boxFn?: (box: Box) => Box | null,
): Sample {
  const image = imageFn(sample.image, 'image');
  const label = sample.label;
  if (!label) return { ...sample, image };
  switch (label.kind) {
    case 'mask':
      return { ...sample, image, label: { kind: 'mask', mask: imageFn(label.mask, 'mask') } };
    case 'target':
      return { ...sample, image, label: { kind: 'target', target: imageFn(label.target, 'target') } };
    case 'boxes': {
      if (!boxFn) return { ...sample, image };
      const boxes: Box[] = [];
      for (const b of label.boxes) {
        const m = boxFn(b);
        if (m && m.xmax > m.xmin && m.ymax > m.ymin) boxes.push(m);
      }
      return { ...sample, image, label: { kind: 'boxes', boxes } };
    }
    default:
      return { ...sample, image };
  }
}

/**
 * A geometric step that is one affine map of the plane (resize, crop, pad,
 * quarter turns, flips): transforms image and label like
 * {@link transformSpatial}, maps boxes through `affine` clipped to the new
 * image, and records the step on the sample so outputs map back to the source.
 */
export function transformAffine(
  sample: Sample,
  module: string,
  affine: Affine,
  imageFn: (image: ImageData, role: ImageRole) => ImageData,
): Sample {
  let size = { height: 0, width: 0 };
  const out = transformSpatial(
    sample,
    (img, role) => {
      const result = imageFn(img, role);
      if (role === 'image') size = geometry(result);
      return result;
    },
    (box) => mapBox(box, affine, size),
  );
  return recordStep(out, sample, module, affine);
}

/** Result of a 2-D operation on one slice. */
export interface SliceResult {
  data: PixelArray;
  height: number;
  width: number;
  channels: number;
}

/**
 * Runs a 2-D array function on every slice of a 2-D or 3-D image (3-D volumes
 * are processed slice by slice in-plane) and reassembles the image.
 */
export function mapSlices(
  image: ImageData,
  fn: (slice: PixelArray, size: { height: number; width: number; channels: number }) => SliceResult,
): ImageData {
  const g = geometry(image);
  const n = g.height * g.width * g.channels;
  const parts: SliceResult[] = [];
  for (let z = 0; z < g.depth; z++) parts.push(fn(image.data.subarray(z * n, (z + 1) * n), g));
  const first = parts[0];
  const shape = shapeOf(
    { depth: g.depth, height: first.height, width: first.width, channels: first.channels },
    isVolume(image),
  );
  return { ...image, data: stack(parts.map((p) => p.data)), shape };
}
