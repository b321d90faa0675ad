/** Clip: clamp values to a range. */
import { z } from 'zod';
import { defineModule } from './define';
import { clip } from './ops/intensity';
import { mapPixels } from './support/intensity';
import { valueParam } from './support/params';

/** The `clip` module. */
export const clipModule = defineModule({
  id: 'clip',
  version: 1,
  title: 'Clip',
  category: 'Intensity',
  description: 'Clamps every value to [min, max] (numpy.clip); same dtype and unit.',
  params: z.object({
    min: valueParam(0, 'Lowest value kept'),
    max: valueParam(255, 'Highest value kept'),
  }),
  run(sample, p) {
    if (p.min > p.max) throw new Error(`Clip min (${p.min}) is above max (${p.max})`);
    return mapPixels(sample, (d) => clip(d, p.min, p.max));
  },
});
