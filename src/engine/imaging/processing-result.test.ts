import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { decodeImage } from '../data/readers';
import { applyPalette, paletteOfMeta } from '../modules/ops/palette';
import { valueHistogram } from './histogram';
import { processingResult } from './processing-result';
import { renderThumbnail } from './thumbnail';

const DICOM = join(__dirname, '../../../resources/fixtures/data/dicom');

async function dicomSample(name: string): Promise<Sample> {
  const { meta, ...image } = await decodeImage(join(DICOM, name));
  return { id: name, image, meta };
}

async function pixelsOf(dataUrl: string): Promise<number[]> {
  const png = Buffer.from(dataUrl.split(',')[1], 'base64');
  return [...new Uint8Array(await sharp(png).raw().toBuffer())];
}

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

describe('processingResult shows images as the View tab does', () => {
  it('inverts MONOCHROME1 (before and after) while the histograms stay on the stored values', async () => {
    const sample = await dicomSample('dx_monochrome1.dcm');
    const r = await processingResult(sample, sample, 64);
    const plain = await pixelsOf((await renderThumbnail(sample.image, { size: 64 })).dataUrl);
    expect(await pixelsOf(r.before.dataUrl)).toEqual(plain.map((v) => 255 - v));
    expect(await pixelsOf(r.after.dataUrl)).toEqual(plain.map((v) => 255 - v));
    expect(r.beforeHistogram).toEqual(valueHistogram(sample.image.data, 64, true));
  });

  it('shows PALETTE COLOR indices in their palette colours', async () => {
    const sample = await dicomSample('us_palette.dcm');
    const palette = paletteOfMeta(sample.meta);
    if (!palette) throw new Error('fixture has no palette');
    const r = await processingResult(sample, sample, 64);
    const rgb = applyPalette(sample.image.data, palette);
    // 16-bit entries shown unstretched: the high byte, rounded, is the 8-bit colour.
    const expected = [...rgb].map((v) => Math.round((v * 255) / 65535));
    expect(r.before.width * r.before.height * 3).toBe(expected.length);
    expect(await pixelsOf(r.before.dataUrl)).toEqual(expected);
    expect(r.beforeHistogram).toEqual(valueHistogram(sample.image.data, 64, true));
  });
});
