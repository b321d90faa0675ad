/** Random Brightness / Contrast augmentation. */
import { z } from 'zod';
import { dtypeOf } from '../api';
import { fromFloat } from '../imaging/image';
import { defineModule } from './define';
import { valueRange } from './ops/intensity';
import { uniform } from './ops/random';
import { mapPixels } from './support/intensity';
import { probabilityParam } from './support/params';

/** The `random-brightness-contrast` module. */
export const randomBrightnessContrastModule = defineModule({
  id: 'random-brightness-contrast',
  version: 1,
  usesRandomness: true,
  title: 'Random Brightness / Contrast',
  category: 'Augmentation',
  description:
    'On training samples only: out = (x - mean) x c + mean + b x range, with c drawn from [1 - contrast, ' +
    '1 + contrast], b from [-brightness, brightness] (seeded) and range the value range (dtype range for 8/16-bit, ' +
    'image min..max otherwise). Same dtype, saturated.',
  params: z.object({
    brightness: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Largest shift as a fraction of the value range (0 to 1).'),
    contrast: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Largest relative contrast change (0 to 1; 0.1 = +-10%).'),
    probability: probabilityParam,
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || ctx.rng() >= p.probability) return sample;
    const c = uniform(ctx.rng, 1 - p.contrast, 1 + p.contrast);
    const b = uniform(ctx.rng, -p.brightness, p.brightness);
    return mapPixels(sample, (d) => {
      const [lo, hi] = valueRange(d);
      let mean = 0;
      for (let i = 0; i < d.length; i++) mean += d[i];
      mean /= d.length || 1;
      const shift = b * (hi - lo);
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = (d[i] - mean) * c + mean + shift;
      return fromFloat(out, dtypeOf(d));
    });
  },
});
