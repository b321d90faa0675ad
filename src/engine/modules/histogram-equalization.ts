/** Histogram Equalization (grayscale). */
import { z } from 'zod';
import { defineModule } from './define';
import { loadOpenCv } from './ops/opencv';
import { equalizeHistogram } from './ops/equalize';
import { mapChannels } from './support/intensity';

/** The `histogram-equalization` module (stable id). */
export const histogramEqualizationModule = defineModule({
  id: 'histogram-equalization',
  version: 1,
  title: 'Histogram Equalization',
  category: 'Intensity',
  description:
    'Spreads the grey levels so their cumulative histogram is linear (OpenCV equalizeHist). 8-bit uses 256 levels, ' +
    "16-bit all 65536 (never squeezed to 8 bits); HU and float use 65536 levels over the image's min..max and keep " +
    'that range. 3-D volumes are equalized slice by slice.',
  params: z.object({}),
  // Per-slice histograms would give the slices of one volume different mappings: volumes are refused.
  accepts: { colorModes: ['grayscale'], dims: [2] },
  async run(sample) {
    // The OpenCV fast path is used once loaded; the typed-array kernels otherwise.
    await loadOpenCv();
    return mapChannels(sample, (d) => equalizeHistogram(d));
  },
});
