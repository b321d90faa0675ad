/**
 * Percentile Clip and Normalize on a CT-like volume with a few extreme voxels, against numpy
 * (np.percentile, np.clip, mean and population standard deviation), in both output modes.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { seededValues } from '../test-support/arrays';
import { pythonWith, runPython } from '../test-support/python';
import { percentileNormalizationModule } from './percentile-normalization';

const PYTHON = pythonWith(['numpy'], 'python3-numpy');

function numpyReference(values: Int16Array, lower: number, upper: number, output: string): number[] {
  const code = `
import json, sys
import numpy as np
q = json.load(sys.stdin)
x = np.array(q['values'], dtype=np.float64)
lo, hi = np.percentile(x, [q['lower'], q['upper']])
c = np.clip(x, lo, hi)
y = (c - c.mean()) / c.std() if q['output'] == 'zscore' else (c - lo) / (hi - lo)
print(json.dumps(y.tolist()))
`;
  return JSON.parse(
    runPython(PYTHON, code, [], { values: Array.from(values), lower, upper, output }),
  ) as number[];
}

const ctx = { nodeId: 'p', split: 'train' as const, rng: () => 0.5, inputs: {} };

describe('Percentile Clip and Normalize', () => {
  // 6 x 10 x 12 HU: soft tissue around 40, air, and a few metal voxels at 3000.
  const n = 6 * 10 * 12;
  const noise = seededValues(n, 11, -60, 140);
  const hu = Int16Array.from(noise, (v, i) => (i % 97 === 0 ? 3000 : i % 53 === 0 ? -1000 : Math.round(v)));
  const sample: Sample = {
    id: 'ct.nii.gz',
    image: { data: hu, shape: [6, 10, 12, 1], colorMode: 'grayscale', unit: 'HU' },
    meta: {},
  };

  for (const [lower, upper, output] of [
    [0.5, 99.5, 'zscore'],
    [2, 98, 'minmax'],
  ] as const) {
    it(`${output} between the ${lower} and ${upper} percentiles matches numpy`, async () => {
      const params = percentileNormalizationModule.params.parse({ lower, upper, output });
      const out = (await percentileNormalizationModule.run(sample, params, ctx)) as Sample;
      expect(out.image.unit).toBe('normalized');
      expect(out.image.data).toBeInstanceOf(Float32Array);
      const reference = numpyReference(hu, lower, upper, output);
      let worst = 0;
      out.image.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]))));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('refuses a lower percentile that is not below the upper one', async () => {
    const params = percentileNormalizationModule.params.parse({ lower: 60, upper: 40 });
    expect(() => percentileNormalizationModule.run(sample, params, ctx)).toThrow(
      'the lower percentile (60) must be below the upper one (40)',
    );
  });
});
