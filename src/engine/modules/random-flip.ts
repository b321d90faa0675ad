/** Random Flip augmentation. */
import { z } from 'zod';
import { defineModule } from './define';
import { flipArray } from './ops/geometry';
import { flipSample } from './support/flip-sample';
import { probabilityParam } from './support/params';

/** The `random-flip` module. */
export const randomFlipModule = defineModule({
  id: 'random-flip',
  version: 1,
  usesRandomness: true,
  title: 'Random Flip',
  category: 'Augmentation',
  description:
    'On training samples only, mirrors the image (and mask and boxes) with the given probability, drawn from the ' +
    "run's seeded generator. axis both picks horizontal or vertical independently.",
  params: z.object({
    axis: z
      .enum(['horizontal', 'vertical', 'both'])
      .default('horizontal')
      .describe('horizontal (left-right), vertical (top-bottom), or both drawn independently.'),
    probability: probabilityParam,
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train') return sample;
    const h = p.axis !== 'vertical' && ctx.rng() < p.probability;
    const v = p.axis !== 'horizontal' && ctx.rng() < p.probability;
    if (!h && !v) return sample;
    return flipSample(sample, 'random-flip', h && v ? 'both' : h ? 'horizontal' : 'vertical', flipArray);
  },
});
