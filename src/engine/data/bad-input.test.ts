import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../tools/fixtures/png';
import { openDataset } from './dataset-node';
import { summarizeDataset } from './summary';
import { params, scratchFolder } from '../test-support/scratch-folders';

const FIXTURES = join(__dirname, '../../../resources/fixtures/data');

describe('bad input is reported by name and reason, and the rest loads', () => {
  it('skips truncated, corrupt, mislabelled, non-image and unsupported files', async () => {
    const dir = await scratchFolder();
    try {
      const good = encodePng([1, 2, 3, 4], 2, 2, 1, 8);
      const ct = readFileSync(join(FIXTURES, 'dicom/ct_explicit_le.dcm'));
      const nii = readFileSync(join(FIXTURES, 'nifti/ct_int16_scaled.nii'));
      await dir.write('a/good.png', good);
      await dir.write('a/good.dcm', ct);
      await dir.write('a/truncated.dcm', ct.subarray(0, ct.length - 100));
      await dir.write('a/header-only.dcm', ct.subarray(0, 300));
      await dir.write('a/random.dcm', Buffer.from('this is not DICOM at all, just text with a .dcm name'));
      await dir.write('a/renamed-png.dcm', good);
      await dir.write('a/readme.txt', 'notes');
      await dir.write('a/empty.png', '');
      const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c86432' } })
        .jpeg()
        .toBuffer();
      await dir.write('a/cut.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.7)));
      await dir.write('b/mpeg2.dcm', readFileSync(join(FIXTURES, 'dicom/c_mpeg2.dcm')));
      await dir.write('b/short.nii', nii.subarray(0, 200));
      await dir.write('b/good.nii', nii);
      const source = await openDataset(dir.root, params({ path: dir.root }));
      expect(source.items.map((i) => i.id)).toEqual(['a/good.dcm', 'a/good.png', 'b/good.nii']);
      const reasons = Object.fromEntries(source.skipped.map((s) => [s.file, s.reason]));
      expect(Object.keys(reasons).sort()).toEqual([
        'a/cut.jpg',
        'a/empty.png',
        'a/header-only.dcm',
        'a/random.dcm',
        'a/readme.txt',
        'a/renamed-png.dcm',
        'a/truncated.dcm',
        'b/mpeg2.dcm',
        'b/short.nii',
      ]);
      expect(reasons['a/truncated.dcm']).toMatch(/truncated/);
      expect(reasons['a/header-only.dcm']).toMatch(/DICOM/);
      expect(reasons['a/random.dcm']).toMatch(/extension says DICOM but its content is not/);
      expect(reasons['a/renamed-png.dcm']).toMatch(/content is PNG but its extension says DICOM/);
      expect(reasons['a/readme.txt']).toMatch(/not an image/);
      expect(reasons['a/empty.png']).toMatch(/empty/);
      expect(reasons['a/cut.jpg']).toMatch(/^cannot read this JPEG file: .*premature end of JPEG image$/);
      expect(reasons['b/mpeg2.dcm']).toMatch(/MPEG2.*not supported/);
      expect(reasons['b/short.nii']).toMatch(/NIfTI/);
      const summary = await summarizeDataset(source);
      expect(summary.skipped).toHaveLength(9);
      // One warning line per reason, together naming every skipped file once.
      const groups = summary.skippedByReason;
      expect(groups.reduce((n, g) => n + g.count, 0)).toBe(9);
      expect(summary.warnings.filter((w) => w.kind === 'unreadable')).toHaveLength(groups.length);
      // The mixed-format dataset still loads each readable item.
      for (const item of source.items) await expect(source.load(item)).resolves.toBeDefined();
    } finally {
      await dir.dispose();
    }
  });

  it('reports a dataset where nothing is readable, naming an example', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('a/x.txt', 'nothing');
      await expect(openDataset(dir.root, params({ path: dir.root }))).rejects.toThrow(
        /holds no readable image \(1 skipped, e\.g\. a\/x\.txt: not an image/,
      );
    } finally {
      await dir.dispose();
    }
  });

  it('fails loading a file that was corrupted after indexing, naming it', async () => {
    const dir = await scratchFolder();
    try {
      const nii = readFileSync(join(FIXTURES, 'nifti/mr_uint16.nii.gz'));
      await dir.write('a/v.nii.gz', nii);
      const source = await openDataset(dir.root, params({ path: dir.root }));
      await dir.write('a/v.nii.gz', nii.subarray(0, nii.length - 40));
      await expect(source.load(source.items[0])).rejects.toThrow(/a\/v\.nii\.gz/);
    } finally {
      await dir.dispose();
    }
  });
});
