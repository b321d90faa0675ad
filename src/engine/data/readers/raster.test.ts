import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../../tools/fixtures/png';
import { dtypeOf } from '../../api';
import { scratchFolder } from '../../test-support/scratch-folders';
import { openImage } from '.';

const DIR = join(__dirname, '../../../../resources/fixtures/data/raster');

interface Expected {
  shape: number[];
  dtype: string;
  values: number[];
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;

describe('BMP, TIFF and GIF readers against Pillow/tifffile fixtures', () => {
  it.each(Object.keys(expected))('%s decodes to the values that were written', async (name) => {
    const e = expected[name];
    const opened = await openImage(join(DIR, name));
    expect(opened.header.shape).toEqual(e.shape);
    expect(opened.header.dtype).toBe(e.dtype);
    const image = await opened.decode();
    expect(image.shape).toEqual(e.shape);
    expect(dtypeOf(image.data)).toBe(e.dtype);
    expect(image.colorMode).toBe(e.shape[e.shape.length - 1] === 3 ? 'rgb' : 'grayscale');
    expect([...image.data]).toEqual(e.values);
  });

  it('reads one page of a multipage TIFF', async () => {
    const e = expected['stack16.tif'];
    const page = await (await openImage(join(DIR, 'stack16.tif'))).decode(1);
    const per = e.values.length / 3;
    expect(page.shape).toEqual(e.shape.slice(1));
    expect([...page.data]).toEqual(e.values.slice(per, 2 * per));
  });
});

describe('PNG reader against a hand-made PNG writer', () => {
  it('keeps 16-bit RGB and drops alpha', async () => {
    const dir = await scratchFolder();
    try {
      const rgba = [1, 2, 3, 65535, 40000, 50000, 60000, 0];
      const file = await dir.write('x.png', encodePng(rgba, 2, 1, 4, 16));
      const image = await (await openImage(file)).decode();
      expect(image.data).toBeInstanceOf(Uint16Array);
      expect(image.shape).toEqual([1, 2, 3]);
      expect([...image.data]).toEqual([1, 2, 3, 40000, 50000, 60000]);
      const gray = await dir.write('g.png', encodePng([5, 255, 7, 0], 2, 1, 2, 8));
      const g = await (await openImage(gray)).decode();
      expect(g.colorMode).toBe('grayscale');
      expect([...g.data]).toEqual([5, 7]);
    } finally {
      await dir.dispose();
    }
  });
});
