import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../data/readers';
import { applyPalette, paletteOfMeta } from '../modules/ops/palette';
import { presentationOf } from './presentation';
import { renderThumbnail } from './thumbnail';

const DICOM = join(__dirname, '../../../resources/fixtures/data/dicom');

async function pixelsOf(dataUrl: string): Promise<Uint8Array> {
  const png = Buffer.from(dataUrl.split(',')[1], 'base64');
  return new Uint8Array(await sharp(png).raw().toBuffer());
}

describe('View tab presentation of stored values', () => {
  it('shows MONOCHROME1 inverted while the data keeps the stored values', async () => {
    const { meta, ...image } = await decodeImage(join(DICOM, 'dx_monochrome1.dcm'));
    const shown = presentationOf({ image, meta });
    expect(shown.invert).toBe(true);
    expect(shown.image.data).toBe(image.data);
    const plain = await pixelsOf((await renderThumbnail(image, { size: 64 })).dataUrl);
    const inverted = await pixelsOf((await renderThumbnail(image, { size: 64, invert: true })).dataUrl);
    expect([...inverted]).toEqual([...plain].map((v) => 255 - v));
  });

  it('shows PALETTE COLOR through its palette, entries unstretched', async () => {
    const { meta, ...image } = await decodeImage(join(DICOM, 'us_palette.dcm'));
    const shown = presentationOf({ image, meta });
    const palette = paletteOfMeta(meta);
    expect(palette).toBeDefined();
    expect(shown.image.shape).toEqual([...image.shape.slice(0, -1), 3]);
    expect([...shown.image.data]).toEqual([...applyPalette(image.data, palette!)]);
    expect(shown.window).toEqual({ center: 65535 / 2, width: 65535 });
  });

  it('shows other images as they are', async () => {
    const { meta, ...image } = await decodeImage(join(DICOM, 'ct_explicit_le.dcm'));
    expect(presentationOf({ image, meta })).toEqual({ image, invert: false });
  });
});
