import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { valueHistogram } from './histogram';
import { processingResult } from './processing-result';

const sample = (data: Sample['image']['data'], h: number, w: number): Sample => ({
  id: 's',
  image: { data, shape: [h, w, 1], colorMode: 'grayscale' },
  meta: {},
});

describe('valueHistogram', () => {
  it('counts values in equal bins over min..max, max in the last bin', () => {
    expect(valueHistogram([0, 1, 2, 3, 4, 4], 4)).toEqual({ edges: [0, 1, 2, 3, 4], counts: [1, 1, 1, 3] });
  });
  it('gives integer data with few levels one bin per level, and a flat image one bin', () => {
    expect(valueHistogram([0, 1, 1, 0, 1], 64, true).counts).toEqual([2, 3]);
    expect(valueHistogram([5, 5], 64)).toEqual({ edges: [5, 6], counts: [2] });
  });
});

describe('processingResult', () => {
  it('returns before/after PNG thumbnails and histograms of the two images', async () => {
    const before = sample(
      new Uint16Array(64 * 32).map((_, i) => i),
      32,
      64,
    );
    const after = sample(new Float32Array(16 * 8).fill(0.5), 8, 16);
    const r = await processingResult(before, after, 32);
    expect(r.before.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect([r.before.width, r.before.height, r.before.max]).toEqual([32, 16, 2047]);
    expect([r.after.width, r.after.height, r.after.min, r.after.max]).toEqual([16, 8, 0.5, 0.5]);
    expect(r.beforeHistogram.counts.reduce((a, b) => a + b, 0)).toBe(2048);
    expect(r.beforeHistogram.counts).toEqual(new Array(64).fill(32));
    expect(r.afterHistogram).toEqual({ edges: [0.5, 1.5], counts: [128] });
  });
});
