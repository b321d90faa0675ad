import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderThumbnail } from './thumbnail';

async function decode(
  dataUrl: string,
): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const png = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  const meta = await sharp(png).metadata();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  // sharp expands gray PNGs to sRGB on decode: keep one channel per pixel when the file has one.
  const pixels = meta.channels === 1 ? Buffer.from(data.filter((_, i) => i % info.channels === 0)) : data;
  return { data: pixels, width: info.width, height: info.height, channels: meta.channels ?? info.channels };
}

describe('renderThumbnail', () => {
  it('windows 16-bit data min..max to 0..255 without squeezing it first', async () => {
    const img = {
      data: new Uint16Array([0, 1000, 2000, 4000]),
      shape: [2, 2, 1],
      colorMode: 'grayscale' as const,
    };
    const t = await renderThumbnail(img, { size: 64 });
    expect(t).toMatchObject({ width: 2, height: 2, shape: [2, 2], min: 0, max: 4000 });
    const png = await decode(t.dataUrl);
    expect([...png.data]).toEqual([0, 64, 128, 255]);
  });
  it('applies a given HU window and picks the requested slice', async () => {
    const data = new Int16Array([-1000, -1000, -1000, -1000, -160, 40, 240, 1000]);
    const img = { data, shape: [2, 2, 2, 1], colorMode: 'grayscale' as const, unit: 'HU' as const };
    const t = await renderThumbnail(img, { size: 64, window: { center: 40, width: 400 }, slice: 1 });
    expect(t.unit).toBe('HU');
    expect([...(await decode(t.dataUrl)).data]).toEqual([0, 128, 255, 255]);
  });
  it('shrinks to the longest side and keeps RGB', async () => {
    const img = {
      data: new Float32Array(40 * 20 * 3).map((_, i) => i % 3),
      shape: [20, 40, 3],
      colorMode: 'rgb' as const,
    };
    const t = await renderThumbnail(img, { size: 10 });
    expect([t.width, t.height]).toEqual([10, 5]);
    const png = await decode(t.dataUrl);
    expect(png.channels).toBe(3);
    expect([...png.data.subarray(0, 3)]).toEqual([0, 128, 255]);
  });
});
