/** Auto Crop: crop to the bounding box of the foreground. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { cropSample } from './crop';
import { valueParam } from './support/params';

/** The `auto-crop` module. */
export const autoCropModule = defineModule({
  id: 'auto-crop',
  version: 1,
  title: 'Auto Crop',
  category: 'Geometry',
  description:
    'Crops to the bounding box of the foreground: pixels where any channel (on any slice) is above the threshold, ' +
    'plus a margin. Images without foreground pass unchanged. Masks and boxes follow the crop.',
  params: z.object({
    threshold: valueParam(0, 'Pixels above this value are foreground'),
    margin: z
      .number()
      .int()
      .min(0)
      .max(4096)
      .default(0)
      .describe('Extra pixels kept on every side (0 to 4096).'),
  }),
  run(sample, p) {
    const g = geometry(sample.image);
    const d = sample.image.data;
    let x0 = g.width;
    let y0 = g.height;
    let x1 = -1;
    let y1 = -1;
    const plane = g.height * g.width * g.channels;
    for (let z = 0; z < g.depth; z++)
      for (let y = 0; y < g.height; y++)
        for (let x = 0; x < g.width; x++)
          for (let k = 0; k < g.channels; k++)
            if (d[z * plane + (y * g.width + x) * g.channels + k] > p.threshold) {
              if (x < x0) x0 = x;
              if (x > x1) x1 = x;
              if (y < y0) y0 = y;
              if (y > y1) y1 = y;
            }
    if (x1 < 0) return sample;
    x0 = Math.max(0, x0 - p.margin);
    y0 = Math.max(0, y0 - p.margin);
    x1 = Math.min(g.width - 1, x1 + p.margin);
    y1 = Math.min(g.height - 1, y1 + p.margin);
    return cropSample(sample, { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, 'auto-crop');
  },
});
