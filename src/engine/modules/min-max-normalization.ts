/** Min-Max Normalization: rescale to a range. */
import { z } from 'zod';
import { defineModule } from './define';
import { minMaxNormalize } from './ops/intensity';
import { mapPixels } from './support/intensity';
import { VALUE_LIMIT } from './support/params';

/** The `min-max-normalization` module (stable id and param names). */
export const minMaxNormalizationModule = defineModule({
  id: 'min-max-normalization',
  version: 1,
  title: 'Min-Max Normalization',
  category: 'Intensity',
  description:
    "Maps the image's minimum to min and maximum to max linearly (OpenCV NORM_MINMAX), per image over all " +
    'channels. Output is float32 with unit "normalized"; a flat image becomes min.',
  params: z.object({
    min: z
      .number()
      .min(-VALUE_LIMIT)
      .max(VALUE_LIMIT)
      .default(0)
      .describe('Output value of the image minimum (-1e9 to 1e9).'),
    max: z
      .number()
      .min(-VALUE_LIMIT)
      .max(VALUE_LIMIT)
      .default(1)
      .describe('Output value of the image maximum (-1e9 to 1e9).'),
  }),
  run(sample, p) {
    return mapPixels(sample, (d) => minMaxNormalize(d, p.min, p.max), { unit: 'normalized' });
  },
});
