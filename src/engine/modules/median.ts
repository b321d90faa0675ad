/** Median filter. */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { medianFilter } from './ops/median';
import { mapSlices, withImage } from './support/spatial';

/** The `median` module (stable id and param names). */
export const medianModule = defineModule({
  id: 'median',
  version: 1,
  title: 'Median',
  category: 'Filter',
  description:
    'Replaces each pixel by the median of its size x size neighbourhood (OpenCV medianBlur; borders replicate). ' +
    'Removes salt-and-pepper noise and keeps edges. Exact for every dtype.',
  params: z.object({
    size: z
      .number()
      .int()
      .min(3)
      .max(15)
      .refine((v) => v % 2 === 1, 'size must be odd')
      .default(3)
      .describe('Window side in pixels, odd (3 to 15).'),
  }),
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    return withImage(
      sample,
      mapSlices(sample.image, (d, s) => ({
        ...s,
        data: medianFilter(d, s.height, s.width, s.channels, p.size),
      })),
    );
  },
});
