import { describe, expect, it } from 'vitest';
import { encodeNifti1Uint8 } from '../../../tools/fixtures/nifti';
import { encodePng } from '../../../tools/fixtures/png';
import type { BoxesLabel, MaskLabel, TargetLabel } from '../api';
import { openDataset } from './dataset-node';
import { params, scratchFolder } from '../test-support/scratch-folders';

const png = (values: number[], w = 2, h = 2): Buffer => encodePng(values, w, h, 1, 8);

describe('labels for the four tasks', () => {
  it('classification from labels.csv, reporting rows that name missing files and unlisted images', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('img/a.png', png([1, 1, 1, 1]));
      await dir.write('img/b.png', png([2, 2, 2, 2]));
      await dir.write('img/c.png', png([3, 3, 3, 3]));
      await dir.write('img/stray.png', png([4, 4, 4, 4]));
      await dir.write(
        'labels.csv',
        'filename,class\nimg/a.png,normal\nb.png,pneumonia\nimg/c.png,normal\nimg/gone.png,normal\n',
      );
      const source = await openDataset(dir.root, params({ path: dir.root }));
      expect(source.classes).toEqual(['normal', 'pneumonia']);
      expect(source.items.map((i) => [i.id, i.classIndex])).toEqual([
        ['img/a.png', 0],
        ['img/b.png', 1],
        ['img/c.png', 0],
      ]);
      expect(source.skipped).toEqual([
        { file: 'img/stray.png', reason: 'not listed in labels.csv' },
        { file: 'labels.csv row 5', reason: 'names img/gone.png, which is not in the dataset folder' },
      ]);
    } finally {
      await dir.dispose();
    }
  });

  it('multi-label classification from a one-hot CSV', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('x.png', png([1, 1, 1, 1]));
      await dir.write('y.png', png([2, 2, 2, 2]));
      await dir.write('labels.csv', 'image,effusion,nodule,mass\nx.png,1,0,1\ny.png,0,0,0\n');
      const source = await openDataset(dir.root, params({ path: dir.root }));
      expect(source.classes).toEqual(['effusion', 'nodule', 'mass']);
      const x = await source.load(source.items[0]);
      expect(x.label).toEqual({ kind: 'class', index: 0, multi: [1, 0, 1] });
      expect(source.items[0].label).toBe('effusion+mass');
      const y = await source.load(source.items[1]);
      expect(y.label).toEqual({ kind: 'class', index: 0, multi: [0, 0, 0] });
    } finally {
      await dir.dispose();
    }
  });

  it('segmentation: Dataset/ + Label/ by name, 0/255 masks mapped to classes, wrong-size masks skipped', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('Dataset/p1.png', png([10, 20, 30, 40]));
      await dir.write('Label/p1.png', png([0, 255, 255, 0]));
      await dir.write('Dataset/p2.png', png([10, 20, 30, 40]));
      await dir.write('Label/p2_mask.png', png([255, 0, 0, 0]));
      await dir.write('Dataset/big.png', png([1, 2, 3, 4]));
      await dir.write('Label/big.png', png([0, 0, 0, 0, 0, 0], 3, 2));
      await dir.write('Dataset/lonely.png', png([1, 2, 3, 4]));
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'segmentation' }));
      expect(source.classes).toEqual(['background', 'foreground']);
      expect(source.items.map((i) => i.id)).toEqual(['Dataset/p1.png', 'Dataset/p2.png']);
      expect(source.skipped).toEqual([
        { file: 'Dataset/lonely.png', reason: 'no mask with the same name in Label/' },
        { file: 'Label/big.png', reason: 'mask size 2x3 differs from its image Dataset/big.png (2x2)' },
      ]);
      const p1 = await source.load(source.items[0]);
      const mask = (p1.label as MaskLabel).mask;
      expect(mask.shape).toEqual([2, 2, 1]);
      expect([...mask.data]).toEqual([0, 1, 1, 0]);

      // An explicit class map; a value it does not list fails the load with the mask's name.
      const mapped = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', classMap: '0=bg, 255=tumour' }),
      );
      expect(mapped.classes).toEqual(['bg', 'tumour']);
      const strict = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', classMap: '0=bg' }),
      );
      await expect(strict.load(strict.items[0])).rejects.toThrow(/Label\/p1\.png holds the value 255/);
    } finally {
      await dir.dispose();
    }
  });

  it('detection from a box CSV, with empty and out-of-image boxes reported', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('images/a.png', png(new Array(16).fill(0), 4, 4));
      await dir.write('images/b.png', png(new Array(16).fill(0), 4, 4));
      await dir.write(
        'labels.csv',
        'filename,xmin,ymin,xmax,ymax,class\na.png,0,0,2,2,nodule\na.png,1,1,4,3,mass\na.png,1,1,9,9,mass\nb.png,,,,,\na.png,3,3,3,4,mass\n',
      );
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'detection' }));
      expect(source.classes).toEqual(['mass', 'nodule']);
      const a = await source.load(source.items[0]);
      expect((a.label as BoxesLabel).boxes).toEqual([
        { xmin: 0, ymin: 0, xmax: 2, ymax: 2, classIndex: 1 },
        { xmin: 1, ymin: 1, xmax: 4, ymax: 3, classIndex: 0 },
      ]);
      const b = await source.load(source.items[1]);
      expect(b.label).toEqual({ kind: 'boxes', boxes: [] });
      expect(source.skipped.map((s) => s.file)).toEqual(['images/a.png', 'labels.csv row 6']);
      expect(source.skipped[0].reason).toMatch(/1 box\(es\) lie outside the 4x4 image/);
    } finally {
      await dir.dispose();
    }
  });

  it('detection from COCO JSON (bbox is x, y, width, height)', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('images/a.png', png(new Array(16).fill(0), 4, 4));
      await dir.write(
        'annotations.json',
        JSON.stringify({
          images: [
            { id: 7, file_name: 'a.png', width: 4, height: 4 },
            { id: 8, file_name: 'missing.png', width: 4, height: 4 },
          ],
          annotations: [{ id: 1, image_id: 7, bbox: [1, 0.5, 2, 3], category_id: 3 }],
          categories: [
            { id: 3, name: 'lesion' },
            { id: 1, name: 'polyp' },
          ],
        }),
      );
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'detection' }));
      expect(source.classes).toEqual(['polyp', 'lesion']);
      const a = await source.load(source.items[0]);
      expect((a.label as BoxesLabel).boxes).toEqual([
        { xmin: 1, ymin: 0.5, xmax: 3, ymax: 3.5, classIndex: 1 },
      ]);
      expect(source.skipped).toEqual([
        { file: 'annotations.json image 8', reason: 'names missing.png, which is not in the dataset folder' },
      ]);
    } finally {
      await dir.dispose();
    }
  });

  it('transformation: input/ and target/ matched by name across formats', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('input/case1.png', png([1, 2, 3, 4]));
      await dir.write('target/case1.png', encodePng([100, 200, 300, 400], 2, 2, 1, 16));
      await dir.write('target/orphan.png', png([1, 2, 3, 4]));
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'transformation' }));
      expect(source.items.map((i) => i.id)).toEqual(['input/case1.png']);
      const s = await source.load(source.items[0]);
      const target = (s.label as TargetLabel).target;
      expect(target.data).toBeInstanceOf(Uint16Array);
      expect([...target.data]).toEqual([100, 200, 300, 400]);
      expect(source.skipped).toEqual([
        { file: 'target/orphan.png', reason: 'target without an image of the same name in input/' },
      ]);
    } finally {
      await dir.dispose();
    }
  });

  it('refuses a layout that does not fit the task', async () => {
    const dir = await scratchFolder();
    try {
      await dir.write('a/x.png', png([1, 2, 3, 4]));
      await expect(openDataset(dir.root, params({ path: dir.root, layout: 'coco' }))).rejects.toThrow(
        /Layout "coco" is for detection, but the task is classification/,
      );
    } finally {
      await dir.dispose();
    }
  });
});

describe('3-D segmentation', () => {
  it('pairs NIfTI volumes with NIfTI masks, as volumes and as slices', async () => {
    const dir = await scratchFolder();
    try {
      const dims: [number, number, number] = [3, 2, 2];
      const image = Array.from({ length: 12 }, (_, i) => i * 10);
      const mask = [0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0];
      await dir.write('images/case.nii', encodeNifti1Uint8(image, dims, [0.5, 0.5, 2]));
      await dir.write('masks/case.nii', encodeNifti1Uint8(mask, dims, [0.5, 0.5, 2]));
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'segmentation' }));
      expect(source.port).toEqual({ colorMode: 'grayscale', dims: 3 });
      const volume = await source.load(source.items[0]);
      expect(volume.image.shape).toEqual([2, 2, 3, 1]);
      expect(volume.image.spacing).toEqual([2, 0.5, 0.5]);
      expect([...(volume.label as MaskLabel).mask.data]).toEqual(mask);

      const slices = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', volumes: 'slices' }),
      );
      expect(slices.items.map((i) => i.id)).toEqual(['images/case.nii#0', 'images/case.nii#1']);
      const second = await slices.load(slices.items[1]);
      expect([...second.image.data]).toEqual(image.slice(6));
      expect((second.label as MaskLabel).mask.shape).toEqual([2, 3, 1]);
      expect([...(second.label as MaskLabel).mask.data]).toEqual(mask.slice(6));
    } finally {
      await dir.dispose();
    }
  });
});
