import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dtypeOf } from '../../api';
import { openImage } from '.';

const DIR = join(__dirname, '../../../../resources/fixtures/data/nifti');

interface Expected {
  shape: number[];
  dtype: string;
  spacing: number[];
  values: number[];
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;

describe('NIfTI reader against nibabel fixtures', () => {
  it.each(Object.keys(expected))('%s decodes with scaling, spacing and [z, y, x] order', async (name) => {
    const e = expected[name];
    const opened = await openImage(join(DIR, name));
    expect(opened.header.format).toBe(name.includes('nifti2') ? 'nifti2' : 'nifti1');
    expect(opened.header.shape).toEqual(e.shape);
    expect(opened.header.dtype).toBe(e.dtype);
    const image = await opened.decode();
    expect(image.shape).toEqual(e.shape);
    expect(dtypeOf(image.data)).toBe(e.dtype);
    expect(image.spacing?.map((s) => Number(s.toFixed(5)))).toEqual(e.spacing);
    let max = 0;
    for (let i = 0; i < e.values.length; i++) max = Math.max(max, Math.abs(image.data[i] - e.values[i]));
    expect(max).toBeLessThanOrEqual(1e-4);
  });

  it('records the orientation and reads one slice', async () => {
    const opened = await openImage(join(DIR, 'ct_int16_scaled.nii'));
    expect(opened.header.meta.orientation).toBe('RAS');
    const e = expected['ct_int16_scaled.nii'];
    const slice = await opened.decode(1);
    const per = e.values.length / 3;
    expect(slice.shape).toEqual([5, 7, 1]);
    expect([...slice.data]).toEqual(e.values.slice(per, 2 * per));
  });
});
