/** Flipping a whole sample (shared by `flip` and `random-flip`). */
import type { PixelArray, Sample } from '../../api';
import { geometry } from '../../imaging/image';
import type { Size2D } from '../ops/geometry';
import { mapSlices, transformAffine } from './spatial';

/** Mirrors image, mask, target and boxes along `axis`, recorded as a step of `module`. */
export function flipSample(
  sample: Sample,
  module: string,
  axis: 'horizontal' | 'vertical' | 'both',
  flip: (src: PixelArray, s: Size2D, axis: 'horizontal' | 'vertical' | 'both') => PixelArray,
): Sample {
  const { width: w, height: h } = geometry(sample.image);
  const fx = axis !== 'vertical';
  const fy = axis !== 'horizontal';
  return transformAffine(sample, module, [fx ? -1 : 1, 0, fx ? w : 0, 0, fy ? -1 : 1, fy ? h : 0], (img) =>
    mapSlices(img, (data, size) => ({ ...size, data: flip(data, size, axis) })),
  );
}
