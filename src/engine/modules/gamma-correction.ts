/** Gamma Correction: out = normalised input ^ gamma. */
import { z } from 'zod';
import { defineModule } from './define';
import { gammaCorrection } from './ops/intensity';
import { mapPixels } from './support/intensity';

/** The `gamma-correction` module (stable id and param names). */
export const gammaCorrectionModule = defineModule({
  id: 'gamma-correction',
  version: 1,
  title: 'Gamma Correction',
  category: 'Intensity',
  description:
    'Applies out = gain x (normalised input) ^ gamma, scaled back to the value range: 0..255 or 0..65535 for ' +
    "8/16-bit images (as scikit-image adjust_gamma), the image's own min..max for HU and float. " +
    'gamma < 1 brightens, gamma > 1 darkens. Same dtype out.',
  params: z.object({
    gamma: z
      .number()
      .min(0.01)
      .max(10)
      .default(1)
      .describe('Exponent applied to the normalised value (0.01 to 10; 1 = no change).'),
    gain: z.number().min(0).max(10).default(1).describe('Multiplier after the power (0 to 10; 1 = none).'),
  }),
  run(sample, p) {
    return mapPixels(sample, (d) => gammaCorrection(d, p.gamma, p.gain));
  },
});
