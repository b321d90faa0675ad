/** Z-score Normalization: zero mean, unit standard deviation. */
import { z } from 'zod';
import { defineModule } from './define';
import { zScoreNormalize } from './ops/intensity';
import { mapChannels, mapPixels } from './support/intensity';

/** The `z-score-normalization` module (stable id). */
export const zScoreNormalizationModule = defineModule({
  id: 'z-score-normalization',
  version: 1,
  title: 'Z-score Normalization',
  category: 'Intensity',
  description:
    'Subtracts the mean and divides by the standard deviation (population, numpy std) of each image; float32 out, ' +
    'unit "normalized". A flat image becomes zeros.',
  params: z.object({
    perChannel: z
      .boolean()
      .default(false)
      .describe('Normalise each channel (and slice) separately instead of the whole image; no unit.'),
  }),
  run(sample, p) {
    if (p.perChannel) return mapChannels(sample, (d) => zScoreNormalize(d), { unit: 'normalized' });
    return mapPixels(sample, (d) => zScoreNormalize(d), { unit: 'normalized' });
  },
});
