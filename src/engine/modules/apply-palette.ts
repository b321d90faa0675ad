/** Apply palette: PALETTE COLOR indices to the RGB colours of their DICOM palette. */
import { z } from 'zod';
import { defineModule } from './define';
import { applyPalette, paletteOfMeta } from './ops/palette';
import { withImage } from './support/spatial';

/** The `apply-palette` module. */
export const applyPaletteModule = defineModule({
  id: 'apply-palette',
  version: 1,
  title: 'Apply Palette',
  category: 'Color',
  description:
    'PALETTE COLOR DICOM items hold palette indices (as pydicom gives them): this maps them through the ' +
    "file's palette (segmented palettes expanded) to RGB, uint8 for 8-bit entries and uint16 for 16-bit. " +
    'Other items pass unchanged.',
  params: z.object({}),
  // Items without a palette pass as they are, so a mixed dataset comes out mixed.
  produces: (input) => ({ ...input, colorMode: input.colorMode === 'rgb' ? 'rgb' : 'unknown' }),
  run(sample) {
    const palette = paletteOfMeta(sample.meta);
    if (!palette || sample.meta.PhotometricInterpretation !== 'PALETTE COLOR') return sample;
    const shape = sample.image.shape;
    if (shape[shape.length - 1] !== 1) throw new Error('Apply Palette needs 1-channel palette indices');
    const data = applyPalette(sample.image.data, palette);
    const { palette: _used, ...meta } = sample.meta;
    return {
      ...withImage(sample, { ...sample.image, data, shape: [...shape.slice(0, -1), 3], colorMode: 'rgb' }),
      meta: { ...meta, PhotometricInterpretation: 'RGB', convertedFrom: 'PALETTE COLOR' },
    };
  },
});
