/**
 * The Processing Result: before/after thumbnails (shown as the View tab
 * shows them: palette colours, MONOCHROME1 inverted) and histograms of the values.
 */
import type { ProcessingResult, Sample } from '../api';
import { dtypeOf } from '../api';
import { valueHistogram } from './histogram';
import { renderPresented } from './presentation';

/** Number of histogram bins shown. */
export const HISTOGRAM_BINS = 64;

/** Builds the Processing Result of a node for one sample (each image auto-windowed); histograms are of the stored values. */
export async function processingResult(
  before: Sample,
  after: Sample,
  size: number,
): Promise<ProcessingResult> {
  const [b, a] = await Promise.all([renderPresented(before, { size }), renderPresented(after, { size })]);
  const isInt = (s: Sample): boolean => dtypeOf(s.image.data) !== 'float32';
  return {
    before: b,
    after: a,
    beforeHistogram: valueHistogram(before.image.data, HISTOGRAM_BINS, isInt(before)),
    afterHistogram: valueHistogram(after.image.data, HISTOGRAM_BINS, isInt(after)),
  };
}
