import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { resizeModule } from './resize';
import { colorToGrayscaleModule } from './color-to-grayscale';
import { resizeArray } from './ops/resample';

const ctx = { nodeId: 'n', rng: () => 0.5, inputs: {} };
const sample = (data: Sample['image']['data'], shape: number[], extra: Partial<Sample> = {}): Sample => ({
  id: 's',
  image: { data, shape, colorMode: shape[shape.length - 1] === 3 ? 'rgb' : 'grayscale' },
  meta: {},
  ...extra,
});

describe('resize (hand-worked, OpenCV conventions)', () => {
  it('bilinear uses half-pixel centres and replicates edges: [0,100] -> [0,25,75,100]', () => {
    const out = resizeArray(
      new Float32Array([0, 100]),
      { height: 1, width: 2, channels: 1 },
      { height: 1, width: 4 },
      'bilinear',
    );
    expect([...out]).toEqual([0, 25, 75, 100]);
  });
  it('area averages boxes and rounds half to even for integers', () => {
    const size = { height: 1, width: 4, channels: 1 };
    expect([
      ...resizeArray(new Float32Array([10, 20, 30, 41]), size, { height: 1, width: 2 }, 'area'),
    ]).toEqual([15, 35.5]);
    expect([...resizeArray(new Uint8Array([10, 20, 30, 41]), size, { height: 1, width: 2 }, 'area')]).toEqual(
      [15, 36],
    );
  });
  it('nearest picks the pixel under the output pixel centre', () => {
    const out = resizeArray(
      new Uint16Array([10, 20, 30, 40000]),
      { height: 1, width: 4, channels: 1 },
      { height: 1, width: 2 },
      'nearest',
    );
    expect(out).toBeInstanceOf(Uint16Array);
    expect([...out]).toEqual([20, 40000]);
  });
  it('keeps 16-bit values above 255 and saturates bicubic overshoot', () => {
    const out = resizeArray(
      new Uint16Array([0, 0, 65535, 65535]),
      { height: 1, width: 4, channels: 1 },
      { height: 1, width: 7 },
      'bicubic',
    );
    expect(out).toBeInstanceOf(Uint16Array);
    expect(Math.max(...out)).toBe(65535);
    expect(Math.min(...out)).toBe(0);
  });
  it('module resizes the mask with nearest and scales boxes', async () => {
    const img = new Uint16Array(4 * 4).map((_, i) => i * 1000);
    const mask = new Uint8Array(16).map((_, i) => (i % 4 < 2 ? 1 : 2));
    const s = sample(img, [4, 4, 1], {
      label: { kind: 'mask', mask: { data: mask, shape: [4, 4, 1], colorMode: 'grayscale' } },
    });
    const out = await resizeModule.run(s, resizeModule.params.parse({ width: 8, height: 2 }), ctx);
    expect(out?.image.shape).toEqual([2, 8, 1]);
    expect(out?.image.data).toBeInstanceOf(Uint16Array);
    const m = out?.label?.kind === 'mask' ? [...out.label.mask.data] : [];
    expect(m.slice(0, 8)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    const b = await resizeModule.run(
      sample(img, [4, 4, 1], {
        label: { kind: 'boxes', boxes: [{ xmin: 1, ymin: 2, xmax: 3, ymax: 4, classIndex: 0 }] },
      }),
      resizeModule.params.parse({ width: 8, height: 2 }),
      ctx,
    );
    expect(b?.label).toEqual({
      kind: 'boxes',
      boxes: [{ xmin: 2, ymin: 1, xmax: 6, ymax: 2, classIndex: 0 }],
    });
  });
  it('keeps the aspect ratio with centred padding', async () => {
    const s = sample(new Float32Array(2 * 4).fill(5), [2, 4, 1]);
    const out = await resizeModule.run(
      s,
      resizeModule.params.parse({ width: 4, height: 4, keepAspectRatio: true, padValue: -1 }),
      ctx,
    );
    expect([...(out?.image.data ?? [])]).toEqual([-1, -1, -1, -1, 5, 5, 5, 5, 5, 5, 5, 5, -1, -1, -1, -1]);
  });
  it('resizes each slice of a 3-D volume in-plane', async () => {
    const s = sample(
      new Int16Array(2 * 2 * 2).map((_, i) => (i < 4 ? -1000 : 400)),
      [2, 2, 2, 1],
    );
    const out = await resizeModule.run(s, resizeModule.params.parse({ width: 3, height: 3 }), ctx);
    expect(out?.image.shape).toEqual([2, 3, 3, 1]);
    expect([...(out?.image.data ?? [])]).toEqual([...Array(9).fill(-1000), ...Array(9).fill(400)]);
  });
});

describe('color-to-grayscale (BT.601)', () => {
  it('weights R, G, B by 0.299, 0.587, 0.114 and keeps the dtype', async () => {
    const s = sample(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), [1, 3, 3]);
    const out = await colorToGrayscaleModule.run(s, {}, ctx);
    expect(out?.image.colorMode).toBe('grayscale');
    expect(out?.image.shape).toEqual([1, 3, 1]);
    expect([...(out?.image.data ?? [])]).toEqual([76, 150, 29]);
    const s16 = sample(new Uint16Array([65535, 0, 0]), [1, 1, 3]);
    expect([...((await colorToGrayscaleModule.run(s16, {}, ctx))?.image.data ?? [])]).toEqual([19595]);
  });
  it('declares a grayscale output for graph validation', () => {
    expect(colorToGrayscaleModule.produces?.({ colorMode: 'rgb', dims: 2 }, {})).toEqual({
      colorMode: 'grayscale',
      dims: 2,
    });
  });
});
