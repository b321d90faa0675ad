/** CLAHE: contrast-limited adaptive histogram equalization (grayscale). */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { clahe } from './ops/clahe';
import { mapChannels } from './support/intensity';

/** The `clahe` module (stable id and param names). */
export const claheModule = defineModule({
  id: 'clahe',
  version: 1,
  title: 'CLAHE',
  category: 'Intensity',
  description:
    'Contrast-limited adaptive histogram equalization with OpenCV semantics (createCLAHE): tileGridSize x ' +
    'tileGridSize tiles, each histogram clipped at clipLimit x (tile pixels / levels) with the excess spread ' +
    'evenly, bilinear blending between tiles. 8/16-bit use their levels; HU and float use 65536 levels over min..max.',
  params: z.object({
    clipLimit: z
      .number()
      .min(0)
      .max(1000)
      .default(2)
      .describe(
        'Contrast limit as a multiple of the mean bin count per tile (0 to 1000; 0 = no limit, OpenCV 40 by default).',
      ),
    tileGridSize: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(8)
      .describe('Tiles per side of the grid (1 to 64).'),
  }),
  // Per-slice histograms would give the slices of one volume different mappings: volumes are refused.
  accepts: { colorModes: ['grayscale'], dims: [2] },
  async run(sample, p) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    return mapChannels(sample, (d, h, w) => clahe(d, h, w, p.clipLimit, p.tileGridSize));
  },
});
