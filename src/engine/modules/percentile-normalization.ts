/** Percentile Clip and Normalize: robust intensity scaling of volumes (nnU-Net's CT scheme). */
import { z } from 'zod';
import { quantileSorted } from '../nn/metrics/bootstrap';
import { defineModule } from './define';
import { meanStd } from './ops/intensity';
import { mapPixels } from './support/intensity';

const percent = (what: string, fallback: number): z.ZodDefault<z.ZodNumber> =>
  z.number().min(0).max(100).default(fallback).describe(`${what} percentile kept, in percent (0 to 100).`);

/** The `percentile-normalization` module. */
export const percentileNormalizationModule = defineModule({
  id: 'percentile-normalization',
  version: 1,
  title: 'Percentile Clip and Normalize',
  category: 'Intensity',
  description:
    'Clips each image (a whole volume at once, every channel) to its lower and upper percentiles ' +
    '(numpy.percentile, linear) so a few extreme voxels (metal, air, scanner padding) do not set ' +
    'the scale, then scales: zscore subtracts the clipped mean and divides by the clipped standard ' +
    'deviation (as nnU-Net normalises CT), minmax maps the two percentiles to 0 and 1. float32 out, ' +
    'unit "normalized"; a flat image becomes zeros. Labels are untouched.',
  params: z.object({
    lower: percent('Lowest', 0.5),
    upper: percent('Highest', 99.5),
    output: z
      .enum(['zscore', 'minmax'])
      .default('zscore')
      .describe('zscore: mean 0, standard deviation 1 after clipping; minmax: the percentiles to 0 and 1.'),
  }),
  run(sample, p) {
    if (p.lower >= p.upper)
      throw new Error(
        `Percentile Clip and Normalize: the lower percentile (${p.lower}) must be below the upper one (${p.upper})`,
      );
    return mapPixels(
      sample,
      (data) => {
        const sorted = Float64Array.from(data).sort();
        const lo = quantileSorted(sorted, p.lower / 100);
        const hi = quantileSorted(sorted, p.upper / 100);
        const clipped = Float32Array.from(data, (v) => (v < lo ? lo : v > hi ? hi : v));
        const [offset, spread] = p.output === 'zscore' ? meanStd(clipped) : [lo, hi - lo];
        const inv = spread > 0 ? 1 / spread : 0;
        for (let i = 0; i < clipped.length; i++) clipped[i] = (clipped[i] - offset) * inv;
        return clipped;
      },
      { unit: 'normalized' },
    );
  },
});
