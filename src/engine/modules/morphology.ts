/** Morphological Transformation. */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { morphology } from './ops/morphology';
import { mapSlices, withImage } from './support/spatial';

/** The `morphology` module (stable id and param names). */
export const morphologyModule = defineModule({
  id: 'morphology',
  version: 1,
  title: 'Morphological Transformation',
  category: 'Morphology',
  description:
    'Grayscale morphology with OpenCV semantics (morphologyEx): erode, dilate, open, close, gradient ' +
    '(dilate - erode), tophat (x - open), blackhat (close - x), with a rect, ellipse or cross element ' +
    '(getStructuringElement) of size x size. Pixels outside the image are ignored. Same dtype.',
  params: z.object({
    operation: z
      .enum(['erode', 'dilate', 'open', 'close', 'gradient', 'tophat', 'blackhat'])
      .default('dilate')
      .describe('erode, dilate, open, close, gradient, tophat or blackhat.'),
    shape: z
      .enum(['rect', 'ellipse', 'cross'])
      .default('rect')
      .describe('Structuring element shape: rect, ellipse or cross.'),
    size: z
      .number()
      .int()
      .min(1)
      .max(51)
      .default(3)
      .describe('Structuring element side in pixels (1 to 51).'),
    iterations: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe('Times erosion/dilation is repeated (1 to 20).'),
  }),
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    return withImage(
      sample,
      mapSlices(sample.image, (d, s) => ({
        ...s,
        data: morphology(d, s.height, s.width, s.channels, p.operation, p.shape, p.size, p.iterations),
      })),
    );
  },
});
