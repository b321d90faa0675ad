import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { encodeNifti1Uint8 } from '../../../tools/fixtures/nifti';
import { encodePng } from '../../../tools/fixtures/png';
import { builtinDatasetTypes } from '.';
import { datasetNodeType } from './dataset-node';
import { params, recordingLog, scratchFolder } from '../test-support/scratch-folders';

describe('dataset node: class folders', () => {
  it('is registered with described params', () => {
    const type = builtinDatasetTypes.find((t) => t.id === 'dataset');
    expect(type?.kind).toBe('dataset');
    expect(type?.version).toBe(1);
    expect(type?.category).toBe('Dataset');
    for (const [name, field] of Object.entries(datasetNodeType.params.shape)) {
      expect(field.description, name).toBeTruthy();
    }
  });

  it('indexes, splits and loads 8-bit and 16-bit PNGs at full depth', async () => {
    const dir = await scratchFolder();
    try {
      // 10 per class so the 70/15/15 split has a hand-computable outcome: 7/1/2 per class (cut at 7 and 8.5).
      for (let i = 0; i < 10; i++) {
        await dir.write(`benign/b${i}.png`, encodePng([i, 10, 20, 255], 2, 2, 1, 8));
        await dir.write(`malignant/m${i}.png`, encodePng([i, 1000, 40000, 65535], 2, 2, 1, 16));
      }
      const log = recordingLog();
      const source = await datasetNodeType.open(params({ path: dir.root }), { projectDir: '/', log });
      expect(source.task).toBe('classification');
      expect(source.classes).toEqual(['benign', 'malignant']);
      expect(source.items).toHaveLength(20);
      expect(source.skipped).toEqual([]);
      expect(source.port).toEqual({ colorMode: 'grayscale', dims: 2 });
      for (const cls of [0, 1]) {
        const splits = source.items.filter((i) => i.classIndex === cls).map((i) => i.split);
        expect(splits.filter((s) => s === 'train')).toHaveLength(7);
        expect(splits.filter((s) => s === 'validation')).toHaveLength(1);
        expect(splits.filter((s) => s === 'test')).toHaveLength(2);
      }
      const m3 = source.items.find((i) => i.id === 'malignant/m3.png');
      expect(m3?.label).toBe('malignant');
      const sample = await source.load(m3!);
      expect(sample.image.data).toBeInstanceOf(Uint16Array);
      expect([...sample.image.data]).toEqual([3, 1000, 40000, 65535]);
      expect(sample.image.shape).toEqual([2, 2, 1]);
      expect(sample.image.colorMode).toBe('grayscale');
      expect(sample.image.modality).toBe('photo');
      expect(sample.image.unit).toBe('raw');
      expect(sample.label).toEqual({ kind: 'class', index: 1 });
      expect(sample.split).toBe(m3!.split);
      const b0 = await source.load(source.items.find((i) => i.id === 'benign/b0.png')!);
      expect(b0.image.data).toBeInstanceOf(Uint8Array);
      expect([...b0.image.data]).toEqual([0, 10, 20, 255]);

      // Same seed, same split; another seed moves at least one item.
      const again = await datasetNodeType.open(params({ path: dir.root }), { projectDir: '/', log });
      expect(again.items.map((i) => i.split)).toEqual(source.items.map((i) => i.split));
      expect(again.fingerprint).toBe(source.fingerprint);
      const other = await datasetNodeType.open(params({ path: dir.root, seed: 7 }), { projectDir: '/', log });
      expect(other.items.map((i) => i.split)).not.toEqual(source.items.map((i) => i.split));
      // Touching a file changes the fingerprint.
      await dir.write('benign/b0.png', encodePng([1, 10, 20, 255], 2, 2, 1, 8));
      await dir.write('benign/extra.png', encodePng([1, 10, 20, 255], 2, 2, 1, 8));
      const changed = await datasetNodeType.open(params({ path: dir.root }), { projectDir: '/', log });
      expect(changed.fingerprint).not.toBe(source.fingerprint);
    } finally {
      await dir.dispose();
    }
  });

  it('reads RGB JPEGs as rgb photos and resolves paths relative to the project folder', async () => {
    const dir = await scratchFolder();
    try {
      const jpeg = await sharp({
        create: { width: 4, height: 3, channels: 3, background: { r: 200, g: 100, b: 50 } },
      })
        .jpeg({ quality: 100 })
        .toBuffer();
      await dir.write('data/a/x.jpg', jpeg);
      await dir.write('data/b/y.jpeg', jpeg);
      const source = await datasetNodeType.open(params({ path: 'data' }), {
        projectDir: dir.root,
        log: recordingLog(),
      });
      expect(source.port).toEqual({ colorMode: 'rgb', dims: 2 });
      const sample = await source.load(source.items[0]);
      expect(sample.image.shape).toEqual([3, 4, 3]);
      expect(sample.image.data).toBeInstanceOf(Uint8Array);
      // A flat colour survives JPEG at quality 100 within a couple of levels.
      expect(Math.abs(sample.image.data[0] - 200)).toBeLessThanOrEqual(2);
      expect(Math.abs(sample.image.data[1] - 100)).toBeLessThanOrEqual(2);
      expect(Math.abs(sample.image.data[2] - 50)).toBeLessThanOrEqual(2);
    } finally {
      await dir.dispose();
    }
  });

  it('keeps the split of a dataset that comes split into train/val/test folders', async () => {
    const dir = await scratchFolder();
    try {
      const img = encodePng([1, 2, 3, 4], 2, 2, 1, 8);
      await dir.write('train/NORMAL/a.png', img);
      await dir.write('train/PNEUMONIA/b.png', img);
      await dir.write('val/NORMAL/c.png', img);
      await dir.write('test/PNEUMONIA/d.png', img);
      await dir.write('test/README.txt', 'x');
      const source = await datasetNodeType.open(params({ path: dir.root }), {
        projectDir: '/',
        log: recordingLog(),
      });
      expect(source.classes).toEqual(['NORMAL', 'PNEUMONIA']);
      expect(source.items.map((i) => [i.id, i.split, i.classIndex])).toEqual([
        ['test/PNEUMONIA/d.png', 'test', 1],
        ['train/NORMAL/a.png', 'train', 0],
        ['train/PNEUMONIA/b.png', 'train', 1],
        ['val/NORMAL/c.png', 'validation', 0],
      ]);
    } finally {
      await dir.dispose();
    }
  });

  it('keeps the slices of one volume in one split in slices mode', async () => {
    const dir = await scratchFolder();
    try {
      for (let v = 0; v < 6; v++) {
        const voxels = Array.from({ length: 2 * 2 * 5 }, (_, i) => (i + v) % 256);
        await dir.write(`${v % 2 ? 'a' : 'b'}/vol${v}.nii`, encodeNifti1Uint8(voxels, [2, 2, 5]));
      }
      const source = await datasetNodeType.open(
        params({ path: dir.root, volumes: 'slices', train: 50, validation: 50, test: 0 }),
        {
          projectDir: '/',
          log: recordingLog(),
        },
      );
      expect(source.items).toHaveLength(30);
      const splitsOf = new Map<string, Set<string>>();
      for (const item of source.items) {
        const file = item.id.split('#')[0];
        splitsOf.set(file, (splitsOf.get(file) ?? new Set()).add(item.split));
      }
      expect([...splitsOf.values()].every((s) => s.size === 1)).toBe(true);
      expect(new Set(source.items.map((i) => i.split))).toEqual(new Set(['train', 'validation']));
    } finally {
      await dir.dispose();
    }
  });

  it('names the folder when it is missing or empty', async () => {
    const dir = await scratchFolder();
    try {
      const ctx = { projectDir: dir.root, log: recordingLog() };
      await expect(datasetNodeType.open(params({ path: 'nope' }), ctx)).rejects.toThrow(/not found: .*nope/);
      await dir.write('empty/.keep', '');
      await expect(datasetNodeType.open(params({ path: 'empty' }), ctx)).rejects.toThrow(/empty: .*empty/);
    } finally {
      await dir.dispose();
    }
  });

  it('skips files that do not decode, names them, and fails loading with the file name', async () => {
    const dir = await scratchFolder();
    try {
      const good = encodePng([1, 2, 3, 4], 2, 2, 1, 8);
      await dir.write('a/good.png', good);
      await dir.write('a/truncated.png', good.subarray(0, 20));
      await dir.write('a/notes.txt', 'hello');
      await dir.write('b/fine.png', good);
      const log = recordingLog();
      const source = await datasetNodeType.open(params({ path: dir.root }), { projectDir: '/', log });
      expect(source.items.map((i) => i.id)).toEqual(['a/good.png', 'b/fine.png']);
      expect(source.skipped.map((s) => s.file)).toEqual(['a/notes.txt', 'a/truncated.png']);
      expect(source.skipped[0].reason).toMatch(/not an image/);
      expect(source.findings?.map((f) => f.message).join('\n')).toMatch(/truncated\.png/);
      // A file that breaks after indexing fails its load with its name.
      await dir.write('b/fine.png', good.subarray(0, 40));
      await expect(source.load(source.items[1])).rejects.toThrow(/b\/fine\.png/);
    } finally {
      await dir.dispose();
    }
  });
});
