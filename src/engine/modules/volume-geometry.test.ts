/**
 * Volumes through Resample to Spacing with spacingZ: sizes, spacing and values against
 * scipy.ndimage.zoom (order 1 with grid_mode, which centres pixels as OpenCV does, edges
 * replicated) for the image, nearest for the mask, and the recorded step maps a prediction made
 * on the resampled grid back onto the source voxels (a float output trilinearly, as scipy's zoom
 * back to the source size reads it).
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { resampleVolumeToSource, sourceDepthToSample, sourceToSample } from '../imaging/geometry-steps';
import { geometry } from '../imaging/image';
import { seededValues } from '../test-support/arrays';
import { pythonWith, runPython } from '../test-support/python';
import { resampleSpacingModule } from './resample-spacing';

const PYTHON = pythonWith(['scipy', 'numpy'], 'python3-scipy');

/** scipy.ndimage.zoom of a `[d, h, w]` float volume to `size`, linear, pixel-centred, edges replicated. */
function scipyZoom(values: Float32Array, shape: number[], size: number[]): number[] {
  const code = `
import json, sys
import numpy as np
from scipy import ndimage
q = json.load(sys.stdin)
x = np.array(q['values'], dtype=np.float32).reshape(q['shape'])
f = [n / m for n, m in zip(q['size'], q['shape'])]
y = ndimage.zoom(x, f, order=1, grid_mode=True, mode='nearest')
assert list(y.shape) == q['size'], y.shape
print(json.dumps(y.ravel().astype(float).tolist()))
`;
  return JSON.parse(runPython(PYTHON, code, [], { values: Array.from(values), shape, size })) as number[];
}

function volumeSample(d: number, h: number, w: number, spacing: number[]): Sample {
  const n = d * h * w;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = (Math.floor(i / (h * w)) + (i % w)) % 3;
  return {
    id: 'v.nii.gz',
    image: { data: seededValues(n, 7, -100, 300), shape: [d, h, w, 1], colorMode: 'grayscale', spacing },
    label: { kind: 'mask', mask: { data: mask, shape: [d, h, w, 1], colorMode: 'grayscale' } },
    split: 'train',
    meta: {},
  };
}

const ctx = { nodeId: 'r', split: 'train' as const, rng: () => 0.5, inputs: {} };

/** `data`, predicted on the grid of `out` (single channel), mapped back onto the voxels of `sample`. */
function backToSource<T extends Uint8Array | Float32Array>(
  data: T,
  out: Sample,
  sample: Sample,
  mode: 'nearest' | 'bilinear',
): T {
  const [depth, height, width] = out.image.shape;
  const source = geometry(sample.image);
  return resampleVolumeToSource(
    data,
    { depth, height, width, channels: 1 },
    sourceToSample(out, source),
    sourceDepthToSample(out, source.depth),
    source,
    mode,
  );
}

describe('Resample to Spacing on volumes', () => {
  it('resamples across slices as scipy.ndimage.zoom does and records the slice map', async () => {
    const sample = volumeSample(7, 9, 10, [3, 1.5, 1.2]);
    const params = resampleSpacingModule.params.parse({ spacingX: 2, spacingY: 1, spacingZ: 1.4 });
    const out = (await resampleSpacingModule.run(sample, params, ctx)) as Sample;
    // round(7 x 3 / 1.4) = 15 slices, round(9 x 1.5 / 1) = 14 rows, round(10 x 1.2 / 2) = 6 columns.
    expect(out.image.shape).toEqual([15, 14, 6, 1]);
    expect(out.image.spacing?.[0]).toBeCloseTo((7 * 3) / 15, 10);
    expect(out.image.spacing?.[1]).toBeCloseTo((9 * 1.5) / 14, 10);
    const reference = scipyZoom(sample.image.data as Float32Array, [7, 9, 10], [15, 14, 6]);
    let worst = 0;
    out.image.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
    expect(worst).toBeLessThan(1e-3);
    // The mask: nearest along every axis, source index floor((k + 0.5) x n / m).
    const mask = out.label?.kind === 'mask' ? out.label.mask : undefined;
    expect(mask?.shape).toEqual([15, 14, 6, 1]);
    const src = sample.label?.kind === 'mask' ? sample.label.mask.data : new Uint8Array();
    const near = (k: number, n: number, m: number): number => Math.floor(((k + 0.5) * n) / m);
    for (let z = 0; z < 15; z++)
      for (let y = 0; y < 14; y++)
        for (let x = 0; x < 6; x++)
          expect(mask?.data[(z * 14 + y) * 6 + x]).toBe(
            src[(near(z, 7, 15) * 9 + near(y, 9, 14)) * 10 + near(x, 10, 6)],
          );
    const step = out.geometry?.at(-1);
    expect(step?.depth).toEqual({ from: 7, to: 15, scale: 15 / 7, offset: 0 });
  });

  it('maps a mask predicted on a grid twice as fine back onto the source voxels exactly', async () => {
    const sample = volumeSample(5, 6, 8, [4, 2, 2]);
    const params = resampleSpacingModule.params.parse({ spacingX: 1, spacingY: 1, spacingZ: 2 });
    const out = (await resampleSpacingModule.run(sample, params, ctx)) as Sample;
    expect(out.image.shape).toEqual([10, 12, 16, 1]);
    const predicted = out.label?.kind === 'mask' ? out.label.mask.data : new Uint8Array();
    const back = backToSource(predicted as Uint8Array, out, sample, 'nearest');
    expect(Array.from(back)).toEqual(Array.from(sample.label?.kind === 'mask' ? sample.label.mask.data : []));
  });

  it('maps a float output back trilinearly, as scipy.ndimage.zoom reads the grid at the source voxels', async () => {
    const sample = volumeSample(7, 9, 10, [3, 1.5, 1.2]);
    const params = resampleSpacingModule.params.parse({ spacingX: 2, spacingY: 1, spacingZ: 1.4 });
    const out = (await resampleSpacingModule.run(sample, params, ctx)) as Sample;
    const output = seededValues(15 * 14 * 6, 11, -1, 1);
    const back = backToSource(output, out, sample, 'bilinear');
    const reference = scipyZoom(output, [15, 14, 6], [7, 9, 10]);
    let worst = 0;
    back.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
    expect(worst).toBeLessThan(1e-5);
    // A value that changes only across slices comes back changed across slices, not repeated slice by slice.
    const ramp = Float32Array.from({ length: 15 * 14 * 6 }, (_, i) => Math.floor(i / (14 * 6)));
    const rampBack = backToSource(ramp, out, sample, 'bilinear');
    const perSlice = Array.from({ length: 7 }, (_, z) => rampBack[z * 90]);
    const expected = Array.from({ length: 7 }, (_, z) =>
      Math.min(Math.max(((z + 0.5) * 15) / 7 - 0.5, 0), 14),
    );
    perSlice.forEach((v, z) => expect(v).toBeCloseTo(expected[z], 5));
  });

  it('keeps the slices with spacingZ 0 and refuses a volume without a slice spacing', async () => {
    const sample = volumeSample(4, 6, 6, [1, 1]);
    const inPlane = await resampleSpacingModule.run(
      sample,
      resampleSpacingModule.params.parse({ spacingX: 0.5, spacingY: 0.5 }),
      ctx,
    );
    expect(inPlane?.image.shape).toEqual([4, 12, 12, 1]);
    await expect(
      resampleSpacingModule.run(sample, resampleSpacingModule.params.parse({ spacingZ: 1 }), ctx),
    ).rejects.toThrow('Sample v.nii.gz has no slice spacing; set spacingZ to 0 to resample in-plane only');
  });
});
