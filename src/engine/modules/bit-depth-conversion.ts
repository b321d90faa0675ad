/** Bit-depth conversion: change the dtype. */
import { z } from 'zod';
import { defineModule } from './define';
import { convertDepth } from './ops/intensity';
import { mapPixels } from './support/intensity';

/** The `bit-depth-conversion` module. */
export const bitDepthConversionModule = defineModule({
  id: 'bit-depth-conversion',
  version: 1,
  title: 'Bit-depth Conversion',
  category: 'Intensity',
  description:
    'Converts to uint8, uint16 or float32. scaling dtype: full range to full range (65535 -> 255, float read as ' +
    "0..1, int16 as -32768..32767); minmax: the image's min..max to the target's full range (0..1 for float); " +
    'none: values kept, rounded half to even and saturated.',
  params: z.object({
    dtype: z
      .enum(['uint8', 'uint16', 'float32'])
      .default('uint8')
      .describe('Target element type: uint8, uint16 or float32.'),
    scaling: z
      .enum(['dtype', 'minmax', 'none'])
      .default('minmax')
      .describe(
        'How values map: dtype (range to range), minmax (image min..max to the full range) or none (clamp).',
      ),
  }),
  run(sample, p) {
    const unit = p.scaling === 'none' ? sample.image.unit : p.dtype === 'float32' ? 'normalized' : 'raw';
    return mapPixels(sample, (d) => convertDepth(d, p.dtype, p.scaling), { unit });
  },
});
