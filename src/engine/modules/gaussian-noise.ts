/** Gaussian Noise augmentation. */
import { z } from 'zod';
import { dtypeOf } from '../api';
import { fromFloat } from '../imaging/image';
import { defineModule } from './define';
import { valueRange } from './ops/intensity';
import { normal } from './ops/random';
import { mapPixels } from './support/intensity';
import { probabilityParam } from './support/params';

/** The `gaussian-noise` module. */
export const gaussianNoiseModule = defineModule({
  id: 'gaussian-noise',
  version: 1,
  usesRandomness: true,
  title: 'Gaussian Noise',
  category: 'Augmentation',
  description:
    'On training samples only, adds independent zero-mean Gaussian noise with standard deviation std x range ' +
    '(range: dtype range for 8/16-bit, image min..max otherwise), seeded. Same dtype, saturated.',
  params: z.object({
    std: z
      .number()
      .min(0)
      .max(1)
      .default(0.02)
      .describe('Noise standard deviation as a fraction of the value range (0 to 1).'),
    probability: probabilityParam,
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || ctx.rng() >= p.probability) return sample;
    return mapPixels(sample, (d) => {
      const [lo, hi] = valueRange(d);
      const sd = p.std * (hi - lo);
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = d[i] + sd * normal(ctx.rng);
      return fromFloat(out, dtypeOf(d));
    });
  },
});
