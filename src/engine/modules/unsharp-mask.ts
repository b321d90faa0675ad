/** Unsharp Mask: sharpen by adding back the detail a blur removes. */
import { z } from 'zod';
import { dtypeOf } from '../api';
import { fromFloat } from '../imaging/image';
import { defineModule } from './define';
import { gaussianBlurFloat } from './ops/gaussian';
import { mapSlices, withImage } from './support/spatial';

/** The `unsharp-mask` module. */
export const unsharpMaskModule = defineModule({
  id: 'unsharp-mask',
  version: 1,
  title: 'Unsharp Mask',
  category: 'Filter',
  description:
    'Sharpens: out = x + amount x (x - GaussianBlur(x, sigma)), with the same Gaussian as Gaussian Blur ' +
    '(scikit-image unsharp_mask formula without rescaling). Same dtype, saturated.',
  params: z.object({
    sigma: z.number().min(0.1).max(50).default(1).describe('Blur standard deviation in pixels (0.1 to 50).'),
    amount: z
      .number()
      .min(0)
      .max(10)
      .default(1)
      .describe('How much detail is added back (0 to 10; 0 = no change).'),
  }),
  run(sample, p) {
    return withImage(
      sample,
      mapSlices(sample.image, (d, s) => {
        const blur = gaussianBlurFloat(d, s.height, s.width, s.channels, p.sigma);
        const out = new Float64Array(d.length);
        for (let i = 0; i < d.length; i++) out[i] = d[i] + p.amount * (d[i] - blur[i]);
        return { ...s, data: fromFloat(out, dtypeOf(d)) };
      }),
    );
  },
});
