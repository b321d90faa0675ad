/** Gaussian Blur. */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { gaussianBlur } from './ops/gaussian';
import { mapSlices, withImage } from './support/spatial';

/** The `gaussian-blur` module (stable id and param names). */
export const gaussianBlurModule = defineModule({
  id: 'gaussian-blur',
  version: 1,
  title: 'Gaussian Blur',
  category: 'Filter',
  description:
    'Smooths with a Gaussian of the given sigma (OpenCV GaussianBlur with ksize (0, 0): kernel length ' +
    'round(sigma x 6 + 1) for 8-bit, round(sigma x 8 + 1) otherwise, made odd; borders reflect-101). Same dtype.',
  params: z.object({
    sigma: z
      .number()
      .min(0.1)
      .max(50)
      .default(1)
      .describe('Standard deviation of the Gaussian in pixels (0.1 to 50).'),
  }),
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    return withImage(
      sample,
      mapSlices(sample.image, (d, s) => ({
        ...s,
        data: gaussianBlur(d, s.height, s.width, s.channels, p.sigma),
      })),
    );
  },
});
