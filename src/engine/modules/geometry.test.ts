/** Geometric modules: hand-worked arrays, with masks and boxes following the image. */
import { describe, expect, it } from 'vitest';
import { autoCropModule } from './auto-crop';
import { cropModule } from './crop';
import { flipModule } from './flip';
import { padModule } from './pad';
import { resampleSpacingModule } from './resample-spacing';
import { rotate90Module } from './rotate-90';
import { ctxWith, img, smp, values } from '../test-support/samples';

const ctx = ctxWith();
// 3 x 4 image with values 0..11 row by row.
const grid = (): Uint16Array => new Uint16Array(12).map((_, i) => i * 1000);

describe('crop', () => {
  it('center crop takes the middle window (floor offsets)', async () => {
    const out = await cropModule.run(
      smp(img(grid(), 3, 4)),
      cropModule.params.parse({ width: 2, height: 1 }),
      ctx,
    );
    expect(values(out)).toEqual([5000, 6000]);
  });
  it('roi crop is clipped to the image and shifts boxes', async () => {
    const s = smp(img(grid(), 3, 4), {
      kind: 'boxes',
      boxes: [{ xmin: 1, ymin: 0, xmax: 4, ymax: 3, classIndex: 2 }],
    });
    const out = await cropModule.run(
      s,
      cropModule.params.parse({ mode: 'roi', x: 2, y: 1, width: 10, height: 10 }),
      ctx,
    );
    expect(out?.image.shape).toEqual([2, 2, 1]);
    expect(values(out)).toEqual([6000, 7000, 10000, 11000]);
    expect(out?.label).toEqual({
      kind: 'boxes',
      boxes: [{ xmin: 0, ymin: 0, xmax: 2, ymax: 2, classIndex: 2 }],
    });
  });
  it('refuses a center crop larger than the image, naming both sizes', () => {
    expect(() =>
      cropModule.run(smp(img(grid(), 3, 4)), cropModule.params.parse({ width: 5, height: 1 }), ctx),
    ).toThrow(/5x1 is larger than the image \(4x3\)/);
  });
});

describe('auto-crop', () => {
  it('crops to the foreground bounding box plus margin, mask alike', async () => {
    const data = new Int16Array(5 * 6).fill(-1000);
    data[2 * 6 + 3] = 40;
    data[3 * 6 + 4] = 60;
    const mask = new Uint8Array(30).map((_, i) => i % 6);
    const s = smp(img(data, 5, 6, 1, { unit: 'HU' }), { kind: 'mask', mask: img(mask, 5, 6) });
    const out = await autoCropModule.run(s, autoCropModule.params.parse({ threshold: -500, margin: 1 }), ctx);
    // Foreground spans columns 3..4 and rows 2..3; one pixel of margin gives columns 2..5, rows 1..4.
    expect(out?.image.shape).toEqual([4, 4, 1]);
    expect(out?.label?.kind === 'mask' && [...out.label.mask.data]).toEqual([
      2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4, 5,
    ]);
  });
  it('passes an image without foreground unchanged', async () => {
    const s = smp(img(new Uint8Array(4), 2, 2));
    expect(await autoCropModule.run(s, autoCropModule.params.parse({ threshold: 10 }), ctx)).toBe(s);
  });
});

describe('pad', () => {
  it('pads with a constant and the mask with class 0; boxes shift', async () => {
    const s = smp(img(new Uint8Array([1, 2]), 1, 2), {
      kind: 'mask',
      mask: img(new Uint8Array([1, 1]), 1, 2),
    });
    const out = await padModule.run(s, padModule.params.parse({ left: 1, bottom: 1, value: 9 }), ctx);
    expect(values(out)).toEqual([9, 1, 2, 9, 9, 9]);
    expect(out?.label?.kind === 'mask' && [...out.label.mask.data]).toEqual([0, 1, 1, 0, 0, 0]);
    const b = await padModule.run(
      smp(img(new Uint8Array(4), 2, 2), {
        kind: 'boxes',
        boxes: [{ xmin: 0, ymin: 0, xmax: 1, ymax: 1, classIndex: 0 }],
      }),
      padModule.params.parse({ top: 2, left: 3 }),
      ctx,
    );
    expect(b?.label).toEqual({
      kind: 'boxes',
      boxes: [{ xmin: 3, ymin: 2, xmax: 4, ymax: 3, classIndex: 0 }],
    });
  });
  it('saturates a fill value the dtype cannot hold', async () => {
    const out = await padModule.run(
      smp(img(new Uint8Array([5]), 1, 1)),
      padModule.params.parse({ right: 1, value: 300 }),
      ctx,
    );
    expect(values(out)).toEqual([5, 255]);
  });
});

describe('flip and rotate-90 move boxes with the pixels', () => {
  it('flip horizontal mirrors pixels and boxes', async () => {
    const s = smp(img(grid(), 3, 4), {
      kind: 'boxes',
      boxes: [{ xmin: 0, ymin: 1, xmax: 1, ymax: 2, classIndex: 0 }],
    });
    const out = await flipModule.run(s, { axis: 'horizontal' }, ctx);
    expect(values(out).slice(0, 4)).toEqual([3000, 2000, 1000, 0]);
    expect(out?.label).toEqual({
      kind: 'boxes',
      boxes: [{ xmin: 3, ymin: 1, xmax: 4, ymax: 2, classIndex: 0 }],
    });
  });
  it('rotate cw: the box around pixel (row 0, col 3) lands on (row 3, col 2), spacing swaps', async () => {
    const s = smp(img(grid(), 3, 4, 1, { spacing: [0.5, 0.8] }), {
      kind: 'boxes',
      boxes: [{ xmin: 3, ymin: 0, xmax: 4, ymax: 1, classIndex: 1 }],
    });
    const out = await rotate90Module.run(s, { direction: 'cw' }, ctx);
    expect(out?.image.shape).toEqual([4, 3, 1]);
    expect(out?.image.spacing).toEqual([0.8, 0.5]);
    // Row 3 of the rotated image is the source's last column, read bottom to top.
    expect(values(out).slice(9)).toEqual([11000, 7000, 3000]);
    expect(out?.label).toEqual({
      kind: 'boxes',
      boxes: [{ xmin: 2, ymin: 3, xmax: 3, ymax: 4, classIndex: 1 }],
    });
  });
  it('ccw then cw is the identity', async () => {
    const s = smp(img(grid(), 3, 4));
    const back = await rotate90Module.run(
      (await rotate90Module.run(s, { direction: 'ccw' }, ctx))!,
      { direction: 'cw' },
      ctx,
    );
    expect(values(back)).toEqual([...grid()]);
  });
});

describe('resample-spacing', () => {
  it('computes the size from the spacing and records the actual new spacing', async () => {
    const s = smp(img(new Float32Array(4 * 6).fill(1), 4, 6, 1, { spacing: [0.5, 0.25] }));
    const out = await resampleSpacingModule.run(
      s,
      resampleSpacingModule.params.parse({ spacingX: 0.5, spacingY: 1 }),
      ctx,
    );
    expect(out?.image.shape).toEqual([2, 3, 1]);
    expect(out?.image.spacing).toEqual([1, 0.5]);
    expect(values(out)).toEqual([1, 1, 1, 1, 1, 1]);
  });
  it('explains that an image without spacing cannot be resampled', async () => {
    await expect(async () =>
      resampleSpacingModule.run(
        smp(img(new Uint8Array(4), 2, 2)),
        resampleSpacingModule.params.parse({}),
        ctx,
      ),
    ).rejects.toThrow(/no pixel spacing/);
  });
});
