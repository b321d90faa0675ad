/** Flipping a whole sample (shared by `flip` and `random-flip`). */
import type { PixelArray, Sample } from '../../api';
import { geometry } from '../../imaging/image';
import type { Size2D } from '../ops/geometry';
import { mapSlices, transformSpatial } from './spatial';

/** Mirrors image, mask, target and boxes along `axis`. */
export function flipSample(
  sample: Sample,
  axis: 'horizontal' | 'vertical' | 'both',
  flip: (src: PixelArray, s: Size2D, axis: 'horizontal' | 'vertical' | 'both') => PixelArray,
): Sample {
  const { width: w, height: h } = geometry(sample.image);
  const fx = axis !== 'vertical';
  const fy = axis !== 'horizontal';
  return transformSpatial(
    sample,
    (img) => mapSlices(img, (data, size) => ({ ...size, data: flip(data, size, axis) })),
    (b) => ({
      ...b,
      xmin: fx ? w - b.xmax : b.xmin,
      xmax: fx ? w - b.xmin : b.xmax,
      ymin: fy ? h - b.ymax : b.ymin,
      ymax: fy ? h - b.ymin : b.ymax,
    }),
  );
}
