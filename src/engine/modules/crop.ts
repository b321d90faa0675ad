/** Crop: a centred window or a region of interest. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { cropArray, type Rect } from './ops/geometry';
import type { Sample } from '../api';
import { mapSlices, transformAffine } from './support/spatial';

/** The `crop` module. */
export const cropModule = defineModule({
  id: 'crop',
  version: 1,
  title: 'Crop',
  category: 'Geometry',
  description:
    'Cuts out a width x height window: centred (mode center) or at x, y (mode roi, clipped to the image). ' +
    'Masks are cropped alike and boxes shifted and clipped.',
  params: z.object({
    mode: z
      .enum(['center', 'roi'])
      .default('center')
      .describe('center: window centred in the image; roi: window at x, y.'),
    width: z.number().int().min(1).max(16384).default(224).describe('Window width in pixels (1 to 16384).'),
    height: z.number().int().min(1).max(16384).default(224).describe('Window height in pixels (1 to 16384).'),
    x: z
      .number()
      .int()
      .min(0)
      .max(16383)
      .default(0)
      .describe('Left edge of the ROI in pixels (0 to 16383; roi mode).'),
    y: z
      .number()
      .int()
      .min(0)
      .max(16383)
      .default(0)
      .describe('Top edge of the ROI in pixels (0 to 16383; roi mode).'),
  }),
  run(sample, p) {
    const g = geometry(sample.image);
    let r: Rect;
    if (p.mode === 'center') {
      if (p.width > g.width || p.height > g.height)
        throw new Error(
          `Center crop ${p.width}x${p.height} is larger than the image (${g.width}x${g.height}); add Pad first or crop less`,
        );
      r = {
        x: Math.floor((g.width - p.width) / 2),
        y: Math.floor((g.height - p.height) / 2),
        width: p.width,
        height: p.height,
      };
    } else {
      const x1 = Math.min(g.width, p.x + p.width);
      const y1 = Math.min(g.height, p.y + p.height);
      if (x1 <= p.x || y1 <= p.y)
        throw new Error(`ROI at (${p.x}, ${p.y}) lies outside the ${g.width}x${g.height} image`);
      r = { x: p.x, y: p.y, width: x1 - p.x, height: y1 - p.y };
    }
    return cropSample(sample, r);
  },
});

/** Crops a sample (image, mask, target) to `r`, shifts and clips its boxes, and records the crop as `module`. */
export function cropSample(sample: Sample, r: Rect, module = 'crop'): Sample {
  return transformAffine(sample, module, [1, 0, -r.x, 0, 1, -r.y], (img) =>
    mapSlices(img, (data, size) => ({
      data: cropArray(data, size, r),
      height: r.height,
      width: r.width,
      channels: size.channels,
    })),
  );
}
