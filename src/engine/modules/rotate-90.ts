/** Rotate 90: exact quarter turns. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { rotate90Array } from './ops/geometry';
import type { Affine } from '../api';
import { mapSlices, transformAffine } from './support/spatial';

/** The `rotate-90` module (stable id and param names). */
export const rotate90Module = defineModule({
  id: 'rotate-90',
  version: 1,
  title: 'Rotate 90',
  category: 'Geometry',
  description:
    'Turns the image by a quarter turn clockwise (cw) or counter-clockwise (ccw), or by 180 degrees; exact, no ' +
    'interpolation. Width and height swap for quarter turns; masks, boxes and pixel spacing follow.',
  params: z.object({
    direction: z
      .enum(['cw', 'ccw', '180'])
      .default('cw')
      .describe('cw: a quarter turn clockwise; ccw: counter-clockwise; 180: a half turn.'),
  }),
  run(sample, p) {
    const { width: w, height: h } = geometry(sample.image);
    const quarter = p.direction !== '180';
    // x' = h - y, y' = x (cw); x' = y, y' = w - x (ccw); x' = w - x, y' = h - y (180).
    const turn: Record<typeof p.direction, Affine> = {
      cw: [0, -1, h, 1, 0, 0],
      ccw: [0, 1, 0, -1, 0, w],
      '180': [-1, 0, w, 0, -1, h],
    };
    return transformAffine(sample, 'rotate-90', turn[p.direction], (img) => {
      const r = mapSlices(img, (data, size) => ({
        data: rotate90Array(data, size, p.direction),
        height: quarter ? size.width : size.height,
        width: quarter ? size.height : size.width,
        channels: size.channels,
      }));
      const sp = img.spacing;
      // Spacing lists the spatial axes in shape order: the last two swap on a quarter turn.
      if (quarter && sp && sp.length >= 2) {
        const s = sp.slice();
        [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
        return { ...r, spacing: s };
      }
      return r;
    });
  },
});
