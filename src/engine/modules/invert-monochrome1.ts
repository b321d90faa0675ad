/** Invert MONOCHROME1: makes MONOCHROME1 items read like MONOCHROME2 ones (high values bright). */
import { z } from 'zod';
import { defineModule } from './define';
import { invertInRange, valueRangeOfMeta } from './ops/palette';
import { withImage } from './support/spatial';

/** The `invert-monochrome1` module. */
export const invertMonochrome1Module = defineModule({
  id: 'invert-monochrome1',
  version: 1,
  title: 'Invert MONOCHROME1',
  category: 'Medical',
  description:
    'DICOM MONOCHROME1 items (high values shown dark) keep their stored values at load; this inverts them ' +
    'within the range their header allows (after rescale): min + max - x, same dtype, and marks them ' +
    'MONOCHROME2. Other items pass unchanged. Use it before training on mixed-polarity sets.',
  params: z.object({}),
  run(sample) {
    if (sample.meta.PhotometricInterpretation !== 'MONOCHROME1') return sample;
    const range = valueRangeOfMeta(sample.meta);
    if (!range) throw new Error(`Invert MONOCHROME1: ${sample.id} has no stored value range in its meta`);
    const data = invertInRange(sample.image.data, range[0], range[1]);
    return {
      ...withImage(sample, { ...sample.image, data }),
      meta: { ...sample.meta, PhotometricInterpretation: 'MONOCHROME2', convertedFrom: 'MONOCHROME1' },
    };
  },
});
