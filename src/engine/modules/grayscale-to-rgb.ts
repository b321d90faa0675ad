/** Grayscale to RGB: three equal channels (e.g. for networks pre-trained on photos). */
import { z } from 'zod';
import { defineModule } from './define';
import { grayToRgb } from './ops/color';
import { mapSlices, withImage } from './support/spatial';

/** The `grayscale-to-rgb` module. */
export const grayscaleToRgbModule = defineModule({
  id: 'grayscale-to-rgb',
  version: 1,
  title: 'Grayscale to RGB',
  category: 'Color',
  description: 'Copies the grayscale channel into R, G and B (same dtype). RGB images pass unchanged.',
  params: z.object({}),
  produces: (input) => ({ ...input, colorMode: 'rgb' }),
  run(sample) {
    if (sample.image.colorMode === 'rgb') return sample;
    const rgb = mapSlices(sample.image, (data, size) => {
      if (size.channels !== 1) throw new Error(`Grayscale to RGB needs 1 channel, got ${size.channels}`);
      return { data: grayToRgb(data), height: size.height, width: size.width, channels: 3 };
    });
    return withImage(sample, { ...rgb, colorMode: 'rgb' });
  },
});
