/** Invert: negative image. */
import { z } from 'zod';
import { defineModule } from './define';
import { invert } from './ops/intensity';
import { mapPixels } from './support/intensity';

/** The `invert` module. */
export const invertModule = defineModule({
  id: 'invert',
  version: 1,
  title: 'Invert',
  category: 'Intensity',
  description:
    "Negative image: 255 - x for 8-bit, 65535 - x for 16-bit (cv2.bitwise_not), min + max - x over the image's " +
    'own range for HU and float. Same dtype.',
  params: z.object({}),
  run(sample) {
    return mapPixels(sample, invert);
  },
});
