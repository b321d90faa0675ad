/** Random Rotation augmentation. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { rotationMatrix } from './ops/warp';
import { uniform } from './ops/random';
import { probabilityParam, valueParam, warpInterpolationParam } from './support/params';
import { warpSample } from './support/warp-sample';

/** The `random-rotation` module. */
export const randomRotationModule = defineModule({
  id: 'random-rotation',
  version: 1,
  usesRandomness: true,
  title: 'Random Rotation',
  category: 'Augmentation',
  description:
    'On training samples only, rotates about the image centre by an angle drawn uniformly from ' +
    '[-maxAngle, maxAngle] degrees (seeded). Size is kept; uncovered pixels take the fill value. Masks use nearest; ' +
    'boxes become the bounding box of their rotated corners.',
  params: z.object({
    maxAngle: z
      .number()
      .min(0)
      .max(180)
      .default(15)
      .describe('Largest rotation either way, in degrees (0 to 180).'),
    probability: probabilityParam,
    interpolation: warpInterpolationParam,
    fill: valueParam(0, 'Value of pixels rotated in from outside'),
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || ctx.rng() >= p.probability) return sample;
    const g = geometry(sample.image);
    const angle = uniform(ctx.rng, -p.maxAngle, p.maxAngle);
    return warpSample(
      sample,
      rotationMatrix((g.width - 1) / 2, (g.height - 1) / 2, angle, 1),
      p.interpolation,
      p.fill,
    );
  },
});
