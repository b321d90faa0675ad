/**
 * Every built-in module on a volume: it works slice by slice (the volume's output is its slices'
 * outputs, stacked: what 2-D modules do, docs/modules.md "Conventions"), or it is declared to work
 * on the whole volume (statistics over all voxels, all three axes), or the connection check
 * refuses a volume with one sentence. Nothing is left in between.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Sample } from '../api';
import { incompatibility } from '../graph/validate';
import { seededValues } from '../test-support/arrays';
import { ctxWith } from '../test-support/samples';
import { builtinModules } from './index';

/**
 * Modules whose result on a volume depends on more than each slice, and why that is what they
 * are for: intensity statistics or geometry over the whole volume.
 */
const WHOLE_VOLUME: Record<string, string> = {
  'crop-or-pad': 'centres the volume in a depth x height x width grid, cropping or padding slices',
  'min-max-normalization': 'maps the minimum and maximum of the whole volume',
  'z-score-normalization': 'the mean and standard deviation of the whole volume',
  'percentile-normalization': 'percentiles, mean and deviation of the whole volume',
  invert: 'min + max over the whole volume for HU and float',
  'bit-depth-conversion': 'minmax scaling over the whole volume',
  'random-brightness-contrast': 'one draw and the value range of the whole volume',
  'gaussian-noise': 'independent noise over every voxel, with the range of the whole volume',
  'random-volume-geometry': 'flips, quarter turns and rotations in 3-D',
};

const [D, H, W] = [3, 12, 10];

function volume(): Sample {
  const n = D * H * W;
  // Each slice its own range, so a per-image statistic differs from a per-slice one.
  const data = Float32Array.from(seededValues(n, 3, 0, 1), (v, i) => v * (1 + Math.floor(i / (H * W))) * 50);
  const mask = Uint8Array.from({ length: n }, (_, i) => (i % W > 5 && Math.floor(i / W) % H > 3 ? 1 : 0));
  return {
    id: 'v.nii.gz',
    image: { data, shape: [D, H, W, 1], colorMode: 'grayscale', spacing: [2, 1, 1] },
    label: { kind: 'mask', mask: { data: mask, shape: [D, H, W, 1], colorMode: 'grayscale' } },
    split: 'train',
    meta: {},
  };
}

function slice(sample: Sample, z: number): Sample {
  const per = H * W;
  const mask = sample.label?.kind === 'mask' ? sample.label.mask : undefined;
  return {
    ...sample,
    image: {
      ...sample.image,
      data: sample.image.data.slice(z * per, (z + 1) * per),
      shape: [H, W, 1],
      spacing: [1, 1],
    },
    ...(mask
      ? {
          label: {
            kind: 'mask',
            mask: { ...mask, data: mask.data.slice(z * per, (z + 1) * per), shape: [H, W, 1] },
          },
        }
      : {}),
  };
}

const PARAMS: Record<string, Record<string, unknown>> = {
  crop: { width: 8, height: 8 },
  filter: { classIndices: [0] },
  'crop-or-pad': { depth: 4, height: 8, width: 8 },
  'resample-spacing': { spacingX: 0.5, spacingY: 0.5 },
};

describe('built-in modules on volumes', () => {
  it('each works slice by slice, is declared whole-volume, or is refused by the connection check', async () => {
    const found: Record<string, string> = {};
    for (const m of builtinModules) {
      if (m.accepts?.dims && !m.accepts.dims.includes(3)) {
        expect(incompatibility(m, { colorMode: 'grayscale', dims: 3 }), m.id).toMatch(
          /accepts 2-D images, but receives 3-D/,
        );
        found[m.id] = 'refused';
        continue;
      }
      const params = m.params.parse(PARAMS[m.id] ?? {}) as z.infer<typeof m.params>;
      // The same draws for the volume and for each slice.
      const draws = [0.2, 0.7, 0.4, 0.1, 0.9, 0.3];
      const sample = volume();
      const inputs: Record<string, Sample> = m.id === 'merge' ? { a: sample, b: sample } : {};
      const whole = await m.run(sample, params, ctxWith(draws, 'train', inputs));
      const parts: (Sample | null)[] = [];
      for (let z = 0; z < D; z++) {
        const s = slice(sample, z);
        parts.push(await m.run(s, params, ctxWith(draws, 'train', m.id === 'merge' ? { a: s, b: s } : {})));
      }
      let sliceWise = whole === null ? parts.every((p) => p === null) : parts.every((p) => p !== null);
      if (whole && sliceWise) {
        const stacked = parts.flatMap((p) => Array.from((p as Sample).image.data));
        const [h, w] = (parts[0] as Sample).image.shape;
        sliceWise =
          whole.image.shape.join('x') === [D, h, w, whole.image.shape[3]].join('x') &&
          stacked.length === whole.image.data.length &&
          stacked.every((v, i) => Math.abs(v - whole.image.data[i]) <= 1e-4 * Math.max(1, Math.abs(v)));
      }
      found[m.id] = sliceWise ? 'slices' : 'whole';
    }
    for (const [id, how] of Object.entries(found)) {
      if (how === 'refused') expect(['clahe', 'histogram-equalization'], id).toContain(id);
      if (how === 'refused') continue;
      expect(how === 'whole', `${id} is ${how === 'whole' ? 'not slice by slice' : 'slice by slice'}`).toBe(
        id in WHOLE_VOLUME,
      );
    }
  });
});
