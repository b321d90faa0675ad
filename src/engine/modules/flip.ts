/** Flip: mirror the image (and its labels). */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { flipArray } from './ops/geometry';
import { flipSample } from './support/flip-sample';

/** The `flip` module (stable id and param names). */
export const flipModule = defineModule({
  id: 'flip',
  version: 1,
  title: 'Flip',
  category: 'Geometry',
  description:
    'Mirrors the image left-right (horizontal), top-bottom (vertical) or both. Masks and boxes are mirrored too.',
  params: z.object({
    axis: z
      .enum(['horizontal', 'vertical', 'both'])
      .default('horizontal')
      .describe(
        'horizontal mirrors left-right, vertical mirrors top-bottom, both does both (a 180 degree turn).',
      ),
  }),
  run(sample, p) {
    geometry(sample.image);
    return flipSample(sample, 'flip', p.axis, flipArray);
  },
});
