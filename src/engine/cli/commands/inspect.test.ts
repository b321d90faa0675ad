import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../../tools/fixtures/png';
import { scratchFolder } from '../../test-support/scratch-folders';
import { captureIo } from '../../test-support/cli-io';
import { inspectCommand } from './inspect';

const FIXTURES = join(__dirname, '../../../../resources/fixtures/data');

describe('phi inspect', () => {
  it('prints HU statistics of a CT file as JSON', async () => {
    const io = captureIo(join(FIXTURES, 'dicom'));
    const code = await inspectCommand.run(['ct_explicit_le.dcm', '--json'], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.out());
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'dicom/expected.json'), 'utf8'))[
      'ct_explicit_le.dcm'
    ];
    expect(report.files[0]).toMatchObject({
      file: 'ct_explicit_le.dcm',
      format: 'dicom',
      shape: [12, 16, 1],
      dtype: 'int16',
      modality: 'CT',
      unit: 'HU',
      min: expected.min,
      max: expected.max,
    });
    expect(report.files[0].mean).toBeCloseTo(expected.mean, 6);
    expect(report.dataset).toBeUndefined();
  });

  it('reports frame 0 and overall statistics of a volume', async () => {
    const io = captureIo(join(FIXTURES, 'dicom'));
    expect(await inspectCommand.run(['mr_multiframe.dcm', '--json'], io)).toBe(0);
    const f = JSON.parse(io.out()).files[0];
    const values: number[] = JSON.parse(readFileSync(join(FIXTURES, 'dicom/expected.json'), 'utf8'))[
      'mr_multiframe.dcm'
    ].values;
    const frame0 = values.slice(0, values.length / 3);
    expect(f.frame0.min).toBe(Math.min(...frame0));
    expect(f.frame0.max).toBe(Math.max(...frame0));
    expect(f.frame0.mean).toBeCloseTo(frame0.reduce((a, b) => a + b, 0) / frame0.length, 6);
    expect(f.max).toBe(Math.max(...values));
  });

  it('summarises a dataset folder and exits 1 with one stderr line per unreadable file', async () => {
    const dir = await scratchFolder();
    try {
      for (let i = 0; i < 4; i++) await dir.write(`yes/y${i}.png`, encodePng([i, 9, 9, 9], 2, 2, 1, 8));
      for (let i = 0; i < 4; i++) await dir.write(`no/n${i}.png`, encodePng([50 + i, 9, 9, 9], 2, 2, 1, 8));
      await dir.write('no/broken.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
      const io = captureIo(dir.root);
      expect(await inspectCommand.run(['.', '--json'], io)).toBe(1);
      const report = JSON.parse(io.out());
      expect(report.files).toHaveLength(9);
      expect(report.dataset.task).toBe('classification');
      expect(report.dataset.classes).toEqual(['no', 'yes']);
      expect(
        report.dataset.splits.train + report.dataset.splits.validation + report.dataset.splits.test,
      ).toBe(8);
      expect(io.err().trim().split('\n')).toEqual([expect.stringMatching(/^phi inspect: no\/broken\.png: /)]);

      const text = captureIo(dir.root);
      await inspectCommand.run(['.'], text);
      expect(text.out()).toMatch(/dataset: task classification, layout class-folders, 2 classes/);
      expect(text.out()).toMatch(/^yes\s+\d+\s+\d+\s+\d+\s+4$/m);
    } finally {
      await dir.dispose();
    }
  });

  it('refuses bad usage', async () => {
    await expect(inspectCommand.run([], captureIo('/'))).rejects.toThrow(/exactly one file or folder/);
    await expect(inspectCommand.run(['x', '--task', 'painting'], captureIo('/'))).rejects.toThrow(
      /--task must be/,
    );
  });
});
