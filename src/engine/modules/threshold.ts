/** Threshold: fixed value or Otsu. */
import { z } from 'zod';
import { dtypeOf } from '../api';
import { dtypeRange } from '../imaging/image';
import { defineModule } from './define';
import { binaryThreshold, otsuThreshold } from './ops/threshold';
import { mapChannels } from './support/intensity';
import { valueParam } from './support/params';

/** The `threshold` module (stable id and param names). */
export const thresholdModule = defineModule({
  id: 'threshold',
  version: 1,
  title: 'Threshold',
  category: 'Filter',
  description:
    'Binarises: pixels above the threshold become the maximum (255 for 8-bit, 65535 for 16-bit, 1 for HU and ' +
    "float), the rest 0 (OpenCV THRESH_BINARY). otsu picks the threshold per image (Otsu's method on 256 levels " +
    'for 8-bit, 65536 otherwise); fixed uses value. invert swaps the two outputs.',
  params: z.object({
    method: z.enum(['fixed', 'otsu']).default('otsu').describe('fixed: use value; otsu: computed per image.'),
    value: valueParam(127, 'Threshold for the fixed method'),
    invert: z
      .boolean()
      .default(false)
      .describe('Output 0 above the threshold and the maximum below (THRESH_BINARY_INV); no unit.'),
  }),
  accepts: { colorModes: ['grayscale'] },
  run(sample, p) {
    return mapChannels(sample, (d) => {
      const high = dtypeRange(dtypeOf(d))?.[1] ?? 1;
      const dt = dtypeOf(d);
      const top = dt === 'uint8' || dt === 'uint16' ? high : 1;
      const t = p.method === 'otsu' ? otsuThreshold(d) : p.value;
      return p.invert ? binaryThreshold(d, t, 0, top) : binaryThreshold(d, t, top, 0);
    });
  },
});
