import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonWith } from '../../test-support/python';
import { distanceTransform, surfaceDistances, surfaceOf } from './surface';
import { meanOverVolumes, VOLUME_METRICS, volumeMetrics, type VolumeMetric } from './volume';

interface RefCase {
  name: string;
  shape: number[];
  spacing: number[];
  classes: number;
  truth: number[];
  pred: number[];
  perClass: Record<VolumeMetric, (number | null)[]>;
}
interface Reference {
  cases: RefCase[];
  transform: { shape: number[]; spacing: number[]; features: number[]; distance: number[] };
}

/** SciPy's values, computed now by tools/metrics-reference/surface.py. */
function surfaceReference(): Reference {
  const python = pythonWith(['numpy', 'scipy'], 'python3-numpy python3-scipy');
  const script = join(__dirname, '../../../../tools/metrics-reference/surface.py');
  const run = spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Reference;
}

const TOL = 1e-6;
function near(got: number | null, want: number | null): void {
  if (want === null) {
    expect(got).toBeNull();
    return;
  }
  expect(got).not.toBeNull();
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(TOL);
}

describe('volume metrics against SciPy (to 1e-6)', () => {
  const ref = surfaceReference();

  it('the distance transform equals distance_transform_edt with anisotropic sampling', () => {
    const { shape, spacing, features, distance } = ref.transform;
    const got = distanceTransform(Uint8Array.from(features), shape, spacing);
    expect(got.length).toBe(distance.length);
    let worst = 0;
    got.forEach((d, i) => (worst = Math.max(worst, Math.abs(d - distance[i]))));
    expect(worst).toBeLessThanOrEqual(TOL);
  });

  it.each(ref.cases.map((c) => [c.name, c] as const))(
    '%s: Dice, IoU, HD95 and mean surface distance per class',
    (_, c) => {
      const got = volumeMetrics(c.name, c.truth, c.pred, c.shape, c.spacing, c.classes);
      for (const m of VOLUME_METRICS) {
        expect(got.perClass[m].length).toBe(c.classes - 1);
        got.perClass[m].forEach((v, k) => near(v, c.perClass[m][k]));
      }
      got.perClass.hd95.forEach((v, k) =>
        v === null ? expect(got.distanceUndefined[k]).toMatch(/truth|prediction/) : undefined,
      );
    },
  );

  it('says why distances are undefined, and keeps Dice 0 for a class in only one mask', () => {
    const c = ref.cases.find((x) => x.name === 'absent') as RefCase;
    const got = volumeMetrics(c.name, c.truth, c.pred, c.shape, c.spacing, c.classes);
    expect(got.perClass.dice).toEqual([0, 0]);
    expect(got.distanceUndefined).toEqual(['not in the prediction', 'not in the truth, but predicted']);
    const neither = ref.cases.find((x) => x.name === 'neither') as RefCase;
    const n = volumeMetrics(neither.name, neither.truth, neither.pred, neither.shape, neither.spacing, 3);
    expect(n.perClass.dice[1]).toBeNull();
    expect(n.distanceUndefined[1]).toBe('in neither truth nor prediction');
  });

  it('means over volumes leave out undefined values', () => {
    const results = ref.cases
      .filter((c) => c.classes === 3)
      .map((c) => volumeMetrics(c.name, c.truth, c.pred, c.shape, c.spacing, c.classes));
    const mean = meanOverVolumes(results);
    for (const m of VOLUME_METRICS)
      for (let k = 0; k < 2; k++) {
        const defined = ref.cases
          .filter((c) => c.classes === 3)
          .flatMap((c) => (c.perClass[m][k] === null ? [] : [c.perClass[m][k] as number]));
        near(mean[m][k], defined.reduce((a, b) => a + b, 0) / defined.length);
      }
  });

  it('a surface is the voxels with a face neighbour outside the mask or the image', () => {
    const mask = new Uint8Array(27).fill(1);
    const surface = surfaceOf(mask, [3, 3, 3]);
    expect([...surface].filter((v) => v === 0)).toHaveLength(1);
    expect(surface[13]).toBe(0);
    // A cube of side 1 mm shifted by one voxel of 2 mm along z: every surface voxel has a match at 0 or 2 mm.
    const a = new Uint8Array(5 * 4 * 4);
    const b = new Uint8Array(5 * 4 * 4);
    for (let z = 1; z < 3; z++)
      for (let y = 1; y < 3; y++) for (let x = 1; x < 3; x++) a[z * 16 + y * 4 + x] = 1;
    for (let z = 2; z < 4; z++)
      for (let y = 1; y < 3; y++) for (let x = 1; x < 3; x++) b[z * 16 + y * 4 + x] = 1;
    const s = surfaceDistances(a, b, [5, 4, 4], [2, 1, 1]);
    expect(s.msd).toBe(1);
    expect(s.hd95).toBeCloseTo(2, 12);
  });
});
