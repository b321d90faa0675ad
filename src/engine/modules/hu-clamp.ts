/** HU clamp: restrict CT values to a Hounsfield range. */
import { z } from 'zod';
import { defineModule } from './define';
import { clip } from './ops/intensity';
import { mapPixels } from './support/intensity';

/** The `hu-clamp` module. */
export const huClampModule = defineModule({
  id: 'hu-clamp',
  version: 1,
  title: 'HU Clamp',
  category: 'Medical',
  description:
    'Clamps Hounsfield units to [min, max] (default -1024..3071, the 12-bit CT range), e.g. to remove scanner ' +
    'padding values such as -2048 or -3024. Same dtype; the unit stays HU.',
  params: z.object({
    min: z.number().min(-32768).max(32767).default(-1024).describe('Lowest HU kept (-32768 to 32767).'),
    max: z.number().min(-32768).max(32767).default(3071).describe('Highest HU kept (-32768 to 32767).'),
  }),
  run(sample, p) {
    if (p.min > p.max) throw new Error(`HU clamp min (${p.min}) is above max (${p.max})`);
    return mapPixels(sample, (d) => clip(d, p.min, p.max));
  },
});
