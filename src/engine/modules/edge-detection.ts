/** Edge detection: Sobel magnitude or Canny edges. */
import { z } from 'zod';
import { allocate } from '../imaging/image';
import { defineModule } from './define';
import { canny, sobelMagnitude } from './ops/edges';
import { mapChannels } from './support/intensity';
import { VALUE_LIMIT } from './support/params';

/** The `edge-detection` module. */
export const edgeDetectionModule = defineModule({
  id: 'edge-detection',
  version: 1,
  title: 'Edge Detection',
  category: 'Filter',
  description:
    'sobel: gradient magnitude sqrt(gx^2 + gy^2) of the 3x3 Sobel derivatives (float32 out). canny: OpenCV Canny ' +
    '(3x3 Sobel, L1 norm |gx| + |gy| unless l2, hysteresis between low and high) giving 0/255 uint8 edges.',
  params: z.object({
    method: z
      .enum(['sobel', 'canny'])
      .default('canny')
      .describe('sobel: gradient magnitude; canny: thin binary edges.'),
    low: z
      .number()
      .min(0)
      .max(VALUE_LIMIT)
      .default(50)
      .describe('Canny lower hysteresis threshold on the gradient magnitude (image unit x 4, 0 to 1e9).'),
    high: z
      .number()
      .min(0)
      .max(VALUE_LIMIT)
      .default(150)
      .describe(
        'Canny upper threshold: edges start where the magnitude exceeds it (image unit x 4, 0 to 1e9).',
      ),
    l2: z
      .boolean()
      .default(false)
      .describe('Canny uses the Euclidean gradient norm instead of |gx| + |gy|; no unit.'),
  }),
  accepts: { colorModes: ['grayscale'] },
  run(sample, p) {
    if (p.method === 'sobel')
      return mapChannels(sample, (d, h, w) => sobelMagnitude(d, h, w), { unit: 'raw' });
    return mapChannels(
      sample,
      (d, h, w) => {
        const e = canny(d, h, w, p.low, p.high, p.l2);
        const out = allocate('uint8', e.length);
        for (let i = 0; i < e.length; i++) out[i] = e[i] * 255;
        return out;
      },
      { unit: 'raw' },
    );
  },
});
