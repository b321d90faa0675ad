import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDicom } from '../../../tools/fixtures/dicom-writer';
import { encodePng } from '../../../tools/fixtures/png';
import { dtypeOf } from '../api';
import { openDataset } from './dataset-node';
import { asItemRef } from './item-ref';
import { summarizeDataset } from './summary';
import { params, scratchFolder } from '../test-support/scratch-folders';

describe('patient-level splits and series (DICOM written by dcmjs)', () => {
  it('never puts one patient in two splits', async () => {
    const dir = await scratchFolder();
    try {
      const patientOf = new Map<string, string>();
      for (let p = 0; p < 16; p++) {
        const images = 1 + (p % 4);
        for (let k = 0; k < images; k++) {
          const rel = `${p % 2 ? 'sick' : 'healthy'}/p${p}_${k}.dcm`;
          patientOf.set(rel, `PID-${p}`);
          await dir.write(
            rel,
            writeDicom({
              rows: 2,
              columns: 2,
              pixels: [p, k, 0, 1],
              patientId: `PID-${p}`,
              patientName: `Name^${p}`,
            }),
          );
        }
      }
      const check = async (byPatient: boolean): Promise<number> => {
        const source = await openDataset(dir.root, params({ path: dir.root, splitByPatient: byPatient }));
        expect(source.items).toHaveLength(patientOf.size);
        const splitsOf = new Map<string, Set<string>>();
        for (const item of source.items) {
          const pid = patientOf.get(item.id) as string;
          splitsOf.set(pid, (splitsOf.get(pid) ?? new Set()).add(item.split));
          expect(JSON.stringify(item.ref)).not.toContain('PID-');
        }
        return [...splitsOf.values()].filter((s) => s.size > 1).length;
      };
      expect(await check(true)).toBe(0);
      // The same files split image by image do mix patients (the test can tell the difference).
      expect(await check(false)).toBeGreaterThan(0);

      const source = await openDataset(dir.root, params({ path: dir.root }));
      const summary = await summarizeDataset(source, { content: false });
      expect(summary.patients).toBe(16);
      const sample = await source.load(source.items[0]);
      expect(JSON.stringify(sample.meta)).not.toMatch(/PID-|Name\^/);
      expect(sample.meta.patientGroup).toBe(asItemRef(source.items[0].ref).patientGroup);
    } finally {
      await dir.dispose();
    }
  });

  it('assembles a series folder into a volume ordered by ImagePositionPatient', async () => {
    const dir = await scratchFolder();
    try {
      const series = '1.2.826.0.1.3680043.8.498.77';
      const z = { 'im1.dcm': 5, 'im2.dcm': -5, 'im3.dcm': 0 } as const;
      for (const [name, pos] of Object.entries(z)) {
        await dir.write(
          `lung/case1/${name}`,
          writeDicom({
            rows: 1,
            columns: 2,
            pixels: [pos + 100, 7],
            seriesUid: series,
            rescaleIntercept: -1024,
            position: [0, 0, pos],
            instanceNumber: 1,
            patientId: 'P',
          }),
        );
      }
      await dir.write('other/x.png', encodePng([1, 2], 2, 1, 1, 8));
      const source = await openDataset(dir.root, params({ path: dir.root }));
      expect(source.items.map((i) => i.id)).toEqual(['lung/case1', 'other/x.png']);
      expect(source.port.dims).toBe('unknown');
      const volume = await source.load(source.items[0]);
      expect(volume.image.shape).toEqual([3, 1, 2, 1]);
      expect(volume.image.spacing).toEqual([5, 0.5, 0.5]);
      expect(volume.image.unit).toBe('HU');
      expect(dtypeOf(volume.image.data)).toBe('float32');
      expect([...volume.image.data]).toEqual([
        95 - 1024,
        7 - 1024,
        100 - 1024,
        7 - 1024,
        105 - 1024,
        7 - 1024,
      ]);

      const slices = await openDataset(dir.root, params({ path: dir.root, volumes: 'slices' }));
      expect(slices.items.map((i) => i.id)).toEqual([
        'lung/case1/im1.dcm',
        'lung/case1/im2.dcm',
        'lung/case1/im3.dcm',
        'other/x.png',
      ]);
    } finally {
      await dir.dispose();
    }
  });
});

describe('the pydicom series fixture', () => {
  it('assembles in ImagePositionPatient order (not file name or InstanceNumber order) with spacing', async () => {
    const fixtures = join(__dirname, '../../../resources/fixtures/data/dicom');
    const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')).series as {
      values: number[];
      shape: number[];
      spacing: number[];
    };
    const dir = await scratchFolder();
    try {
      for (const name of ['s_a.dcm', 's_b.dcm', 's_c.dcm', 's_d.dcm']) {
        await dir.write(`ct/series/${name}`, readFileSync(join(fixtures, 'series', name)));
      }
      const source = await openDataset(dir.root, params({ path: dir.root }));
      expect(source.items.map((i) => i.id)).toEqual(['ct/series']);
      const volume = await source.load(source.items[0]);
      expect(volume.image.shape).toEqual(expected.shape);
      expect(volume.image.spacing?.map((v) => Number(v.toFixed(6)))).toEqual(expected.spacing);
      expect([...volume.image.data]).toEqual(expected.values);
    } finally {
      await dir.dispose();
    }
  });
});

describe('dataset summary', () => {
  it('counts per class and split, warns about imbalance and identical images in two splits', async () => {
    const dir = await scratchFolder();
    try {
      for (let i = 0; i < 12; i++)
        await dir.write(`common/c${i}.png`, encodePng([i % 6, 0, 0, 0], 2, 2, 1, 8));
      for (let i = 0; i < 2; i++)
        await dir.write(`rare/r${i}.png`, encodePng([100 + i, 0, 0, 0], 2, 2, 1, 8));
      const source = await openDataset(dir.root, params({ path: dir.root }));
      const summary = await summarizeDataset(source);
      expect(summary.perClass.map((c) => [c.class, c.total])).toEqual([
        ['common', 12],
        ['rare', 2],
      ]);
      const common = summary.perClass[0];
      expect(common.train + common.validation + common.test).toBe(12);
      expect(summary.splits.train + summary.splits.validation + summary.splits.test).toBe(14);
      const kinds = summary.warnings.map((w) => w.kind);
      expect(kinds).toContain('imbalance');
      expect(summary.warnings.find((w) => w.kind === 'imbalance')?.message).toMatch(
        /"common" has 12, "rare" has 2 \(6\.0:1\)/,
      );
      // Each of the 6 distinct "common" images is there twice; some pairs straddle two splits.
      const dup = summary.warnings.find((w) => w.kind === 'duplicate');
      expect(dup?.files?.length).toBeGreaterThan(0);
      expect(dup?.files?.[0]).toMatch(/^common\/c\d+\.png \((train|validation|test)\) = common\/c\d+\.png/);
      // "rare" has 2 images for 3 splits: one split lacks it.
      expect(kinds).toContain('missing-class');
    } finally {
      await dir.dispose();
    }
  });
});
