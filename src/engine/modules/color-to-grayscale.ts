/** Color to Grayscale: BT.601 luma, any dtype. */
import { z } from 'zod';
import { defineModule } from './define';
import { rgbToGray } from './ops/color';
import { mapSlices, withImage } from './support/spatial';

/** The `color-to-grayscale` module (stable id). */
export const colorToGrayscaleModule = defineModule({
  id: 'color-to-grayscale',
  version: 1,
  title: 'Color to Grayscale',
  category: 'Color',
  description:
    'Converts RGB images to one grayscale channel with the ITU-R BT.601 weights ' +
    '(Y = 0.299 R + 0.587 G + 0.114 B, as OpenCV COLOR_RGB2GRAY). Grayscale images pass unchanged; ' +
    '16-bit and float data keep their type.',
  params: z.object({}),
  produces: (input) => ({ ...input, colorMode: 'grayscale' }),
  run(sample) {
    const image = sample.image;
    if (image.colorMode === 'grayscale') return sample;
    const gray = mapSlices(image, (data, size) => {
      if (size.channels !== 3)
        throw new Error(`Color to Grayscale needs 3 channels for an RGB image, got ${size.channels}`);
      return { data: rgbToGray(data), height: size.height, width: size.width, channels: 1 };
    });
    return withImage(sample, { ...gray, colorMode: 'grayscale' });
  },
});
