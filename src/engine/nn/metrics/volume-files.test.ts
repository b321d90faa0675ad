import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { metricsCommand } from '../../cli/commands/metrics';
import { captureIo } from '../../test-support/cli-io';
import { pythonWith } from '../../test-support/python';
import type { MetricsReport } from './files';
import { VOLUME_METRICS, type VolumeMetric } from './volume';

interface RefCase {
  name: string;
  shape: number[];
  spacing: number[];
  classes: number;
  truth: number[];
  pred: number[];
  perClass: Record<VolumeMetric, (number | null)[]>;
}

/** A hand-made NIfTI-1 file (little-endian, no extension) of a `[z, y, x]` volume, x fastest. */
function nifti(values: number[], shape: number[], spacing: number[], datatype: 2 | 4): Buffer {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  const dims = [shape.length, ...[...shape].reverse()];
  dims.forEach((d, i) => header.writeInt16LE(d, 40 + 2 * i));
  for (let i = dims.length; i < 8; i++) header.writeInt16LE(1, 40 + 2 * i);
  header.writeInt16LE(datatype, 70);
  header.writeInt16LE(datatype === 2 ? 8 : 16, 72);
  [1, ...[...spacing].reverse()].forEach((s, i) => header.writeFloatLE(s, 76 + 4 * i));
  header.writeFloatLE(352, 108);
  header.write('n+1\0', 344, 'latin1');
  const data = Buffer.alloc(values.length * (datatype === 2 ? 1 : 2));
  values.forEach((v, i) => (datatype === 2 ? data.writeUInt8(v, i) : data.writeInt16LE(v, 2 * i)));
  return Buffer.concat([header, data]);
}

const dir = mkdtempSync(join(tmpdir(), 'phi-volumes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await metricsCommand.run(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('phi metrics on NIfTI volumes', () => {
  const python = pythonWith(['numpy', 'scipy'], 'python3-numpy python3-scipy');
  const script = join(__dirname, '../../../../tools/metrics-reference/surface.py');
  const ref = JSON.parse(spawnSync(python, [script], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout) as {
    cases: RefCase[];
  };
  const cases = ref.cases.filter((c) => c.shape.length === 3);
  mkdirSync(join(dir, 'truth'));
  mkdirSync(join(dir, 'pred'));
  for (const c of cases) {
    writeFileSync(join(dir, 'truth', `${c.name}.nii.gz`), gzipSync(nifti(c.truth, c.shape, c.spacing, 2)));
    // The prediction's own spacing is wrong on purpose: the truth's is the one used.
    writeFileSync(join(dir, 'pred', `${c.name}.nii`), nifti(c.pred, c.shape, [1, 1, 1], 4));
  }
  writeFileSync(join(dir, 'truth', 'only-truth.nii'), nifti([0, 1], [1, 1, 2], [1, 1, 1], 2));

  it('reports Dice, IoU, HD95 and mean surface distance per volume as SciPy computes them (to 1e-6), and their means', async () => {
    const r = await run(['--task', 'segmentation', '--truth', 'truth', '--pred', 'pred', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as MetricsReport;
    expect(report.classes).toEqual(['class 1', 'class 2']);
    expect(report.matched).toBe(cases.length);
    expect(report.unmatched).toEqual(['only-truth']);
    expect(report.settings?.volumes).toBe(cases.length);
    expect(report.settings?.units).toBe('mm');
    const volumes = report.volumes ?? [];
    expect(volumes.map((v) => v.name)).toEqual(cases.map((c) => c.name).sort());
    for (const v of volumes) {
      const c = cases.find((x) => x.name === v.name) as RefCase;
      for (const m of VOLUME_METRICS)
        v.perClass[m].forEach((got, k) => {
          const want = c.perClass[m][k];
          if (want === null) expect(got).toBeNull();
          else expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(1e-6);
        });
    }
    for (const m of VOLUME_METRICS)
      for (let k = 0; k < 2; k++) {
        const defined = cases.flatMap((c) => (c.perClass[m][k] === null ? [] : [c.perClass[m][k] as number]));
        const mean = defined.reduce((a, b) => a + b, 0) / defined.length;
        expect(Math.abs((report.perClass[m][k] as number) - mean)).toBeLessThanOrEqual(1e-6);
      }
    const absent = volumes.find((v) => v.name === 'absent');
    expect(absent?.distanceUndefined).toEqual(['not in the prediction', 'not in the truth, but predicted']);
  });

  it('prints the per-volume table with units and the reason a distance is undefined', async () => {
    const r = await run(['--task', 'segmentation', '--truth', 'truth', '--pred', 'pred']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('units mm');
    expect(r.out).toContain('per volume (hd95, msd in mm):');
    expect(r.out).toMatch(/absent class 1: dice 0\.0000 .*hd95 — .*\(distances: not in the prediction\)/);
  });

  it('refuses volumes of different sizes', async () => {
    mkdirSync(join(dir, 'small'));
    const c = cases[0];
    writeFileSync(
      join(dir, 'small', `${c.name}.nii`),
      nifti([0, 1, 0, 1, 1, 0, 1, 0], [2, 2, 2], [1, 1, 1], 2),
    );
    const r = await run(['--task', 'segmentation', '--truth', 'truth', '--pred', 'small']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${c.name}: truth is ${c.shape.join('x')} voxels, prediction 2x2x2`);
  });
});
