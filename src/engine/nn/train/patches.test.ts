/**
 * Training patches: the values are the whole volume's after its scaling, cut at the drawn place;
 * a foreground share of 1 centres every patch on the lesion and 0 draws places over the whole
 * volume, the last third of a batch is foreground by default; volumes smaller than the patch are padded with 0 and background; a patch size that is
 * not DxHxW and patches on 2-D data are refused with a sentence.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../api';
import { windowsPerCall, WINDOW_BUDGET_BYTES } from '../patch-inference';
import { parsePatchSize, patchInputShape, patchSettings, trainingPatch, wantsForeground } from './patches';
import type { DataGeometry } from './prepare';

/** A `[d, h, w, 1]` volume whose value is its voxel index, with a cube of class 1 at `lesion`. */
function volume(d: number, h: number, w: number, lesion: [number, number, number], id = 'v'): Sample {
  const n = d * h * w;
  const mask = new Uint8Array(n);
  for (let z = lesion[0]; z < lesion[0] + 2; z++)
    for (let y = lesion[1]; y < lesion[1] + 2; y++)
      for (let x = lesion[2]; x < lesion[2] + 2; x++) mask[(z * h + y) * w + x] = 1;
  return {
    id,
    image: {
      data: Float32Array.from({ length: n }, (_, i) => i),
      shape: [d, h, w, 1],
      colorMode: 'grayscale',
    },
    label: { kind: 'mask', mask: { data: mask, shape: [d, h, w, 1], colorMode: 'grayscale' } },
    meta: {},
  };
}

const geo: DataGeometry = { task: 'segmentation', classes: 2, inputShape: [4, 4, 4, 1] };
const settings = (foreground: number) =>
  patchSettings({ patchSize: '4x4x4', patchForeground: foreground }) as NonNullable<
    ReturnType<typeof patchSettings>
  >;

describe('training patches', () => {
  it('cuts the volume as scaled whole, at a place that holds the lesion when foreground is 1', () => {
    const sample = volume(12, 10, 16, [7, 3, 11]);
    for (let epoch = 1; epoch <= 20; epoch++) {
      const p = trainingPatch(
        sample,
        geo,
        { normalization: 'per-image-minmax', seed: 1, batchSize: 2 },
        settings(1),
        epoch,
        epoch % 2,
      );
      expect(p.x.length).toBe(64);
      expect(p.mask?.some((v) => v === 1)).toBe(true);
      // Values are voxel indices / (n - 1): consecutive along x, a row (16) apart along y, a slice (160) along z.
      const n = 12 * 10 * 16 - 1;
      const first = Math.round(p.x[0] * n);
      const [z0, y0, x0] = [Math.floor(first / 160), Math.floor(first / 16) % 10, first % 16];
      for (let i = 0; i < 64; i++) {
        const [z, y, x] = [Math.floor(i / 16), Math.floor(i / 4) % 4, i % 4];
        const at = ((z0 + z) * 10 + y0 + y) * 16 + x0 + x;
        expect(p.x[i]).toBeCloseTo(at / n, 6);
        expect(p.mask?.[i]).toBe(sample.label?.kind === 'mask' ? sample.label.mask.data[at] : -1);
      }
    }
  });

  it('draws places over the whole volume when foreground is 0, the same ones for the same seed and epoch', () => {
    const sample = volume(16, 16, 16, [1, 1, 1]);
    const hits = Array.from({ length: 40 }, (_, epoch) =>
      trainingPatch(sample, geo, { normalization: 'none', seed: 3, batchSize: 2 }, settings(0), epoch, 1),
    );
    const lesion = hits.filter((p) => p.mask?.some((v) => v === 1)).length;
    // The lesion's 2-voxel cube lies in a corner: few of 40 uniform places reach it.
    expect(lesion).toBeLessThan(10);
    const starts = new Set(hits.map((p) => p.x[0]));
    expect(starts.size).toBeGreaterThan(20);
    const again = trainingPatch(
      sample,
      geo,
      { normalization: 'none', seed: 3, batchSize: 2 },
      settings(0),
      7,
      1,
    );
    expect(again.x).toEqual(hits[7].x);
  });

  it('pads a volume smaller than the patch with 0 and background, the volume centred', () => {
    const sample = volume(2, 4, 4, [0, 0, 0]);
    const p = trainingPatch(sample, geo, { normalization: 'none', seed: 1, batchSize: 2 }, settings(1), 1, 0);
    // Depth 2 in 4: one slice of padding before, one after.
    expect(Array.from(p.x.subarray(0, 16))).toEqual(new Array(16).fill(0));
    expect(Array.from(p.x.subarray(16, 32))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(Array.from(p.x.subarray(48, 64))).toEqual(new Array(16).fill(0));
    expect(Array.from(p.mask?.subarray(48, 64) ?? [])).toEqual(new Array(16).fill(0));
  });

  it('centres the last third of every batch on foreground, as nnU-Net', () => {
    const never = (): number => 1;
    const slots = (batch: number): boolean[] =>
      Array.from({ length: batch }, (_, i) => wantsForeground(i, batch, 1 / 3, never));
    expect(slots(2)).toEqual([false, true]);
    expect(slots(6)).toEqual([false, false, false, false, true, true]);
    expect(wantsForeground(0, 1, 1 / 3, () => 0.2)).toBe(true);
    expect(wantsForeground(0, 1, 1 / 3, () => 0.5)).toBe(false);
  });

  it('refuses a patch size that is not DxHxW and patches of 2-D images', () => {
    expect(parsePatchSize('16x32 x 32')).toEqual([16, 32, 32]);
    expect(() => parsePatchSize('32x32')).toThrow(/not three whole numbers.*DxHxW/);
    expect(patchSettings({ patchSize: '' })).toBeUndefined();
    const images = {
      task: 'segmentation' as const,
      classes: ['a', 'b'],
      items: [{ id: 'a.png', shape: [8, 8, 1] }],
      load: async () => volume(1, 1, 1, [0, 0, 0]),
    };
    expect(() => patchInputShape(images as never, 'segmentation', settings(0))).toThrow(
      'Patch size trains networks that segment or transform volumes, but the data is segmentation of 2-D images: leave Patch size empty',
    );
  });

  it('predicts as many windows per call as the memory budget holds', () => {
    expect(windowsPerCall([32, 64, 64])).toBe(Math.floor(WINDOW_BUDGET_BYTES / (32 * 64 * 64 * 256)));
    expect(windowsPerCall([256, 256, 256])).toBe(1);
  });
});
