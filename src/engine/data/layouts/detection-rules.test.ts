/**
 * Layout and label detection on folders laid out like public data sets as
 * they are distributed: class folders with the CSV exported beside them,
 * `images/` + a CSV with several columns, header-less CSVs, and two folders
 * whose names (a/, b/) also name paired layouts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePng } from '../../../../tools/fixtures/png';
import { openDataset } from '../dataset-node';
import { params, scratchFolder, type ScratchFolder } from '../../test-support/scratch-folders';
import { guessTask, readLayout } from './index';

const png = (value: number): Buffer => encodePng([value, value, value, value], 2, 2, 1, 8);
const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

let dir: ScratchFolder;
beforeEach(async () => {
  dir = await scratchFolder();
});
afterEach(() => dir.dispose());

/**
 * A 10-class MNIST-style export in a folder named `mnist10`: `<digit>/img_NNNN.png`
 * plus labels.csv whose paths start with the folder's own name; per class two
 * training images and one test image.
 */
async function writeMnist10(withCsv: boolean): Promise<string> {
  const root = join(dir.root, 'mnist10');
  await mkdir(root);
  const lines = ['path,official_split,label,class_name,index_in_official_file'];
  let train = 0;
  let test = 0;
  for (let digit = 0; digit < 10; digit++) {
    for (let k = 0; k < 3; k++) {
      const rel = `${digit}/img_${String(digit * 3 + k).padStart(4, '0')}.png`;
      await dir.write(`mnist10/${rel}`, png(digit * 20 + k));
      const split = k < 2 ? 'train' : 'test';
      const index = split === 'train' ? train++ : test++;
      lines.push(`mnist10/${rel},${split},${digit},${NAMES[digit]},${index}`);
    }
  }
  if (withCsv) await dir.write('mnist10/labels.csv', `${lines.join('\n')}\n`);
  return root;
}

describe('class folders with the CSV exported beside them', () => {
  it('reads labels.csv by its header: label column named by class_name, official split, dataset-prefixed paths', async () => {
    const root = await writeMnist10(true);
    const layout = await readLayout(root, params({ path: root }));
    expect(layout.layout).toBe('csv');
    expect(layout.classes).toEqual(NAMES);
    expect(layout.skipped).toEqual([]);
    expect(layout.entries).toHaveLength(30);
    const three = layout.entries.find((e) => e.file.rel === '3/img_0009.png');
    expect(three).toMatchObject({ label: { kind: 'class', index: 3 }, display: 'three', split: 'train' });
    expect(layout.choice).toEqual({
      labelSource:
        'labels.csv, column "label" (its header names the label), shown by the names in column "class_name"',
      splitSource: 'labels.csv, column "official_split"',
      rejected: [
        {
          what: 'class folders (0, 1, 2, 3, 4 and 5 more)',
          reason: 'the label CSV names the files with their classes and an official split',
        },
        {
          what: 'labels.csv column "index_in_official_file"',
          reason: 'its header names an identifier',
        },
      ],
    });

    const source = await openDataset(root, params({ path: root }));
    expect(source.classes).toEqual(NAMES);
    const count = (split: string): number => source.items.filter((i) => i.split === split).length;
    expect([count('train'), count('validation'), count('test')]).toEqual([20, 0, 10]);
    expect(source.items.find((i) => i.id === '9/img_0029.png')).toMatchObject({
      classIndex: 9,
      label: 'nine',
      split: 'test',
    });
  });

  it('the same folder without the CSV reads as class folders', async () => {
    const root = await writeMnist10(false);
    const layout = await readLayout(root, params({ path: root }));
    expect(layout.layout).toBe('class-folders');
    expect(layout.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(layout.choice).toEqual({
      labelSource: 'class folder names (0, 1, 2, 3, 4 and 5 more)',
      rejected: [],
    });
  });

  it('splitColumn "none" ignores the official split', async () => {
    const root = await writeMnist10(true);
    const layout = await readLayout(root, params({ path: root, splitColumn: 'none' }));
    expect(layout.entries.every((e) => e.split === undefined)).toBe(true);
    expect(layout.choice.splitSource).toBeUndefined();
    expect(layout.choice.rejected).toContainEqual({
      what: 'labels.csv column "official_split"',
      reason: 'official split ignored: "splitColumn" is "none"',
    });
  });

  it('uses the class folders when the CSV has no clear label column, and says why', async () => {
    for (const [cls, files] of [
      ['benign', ['b1.png', 'b2.png']],
      ['malignant', ['m1.png', 'm2.png']],
    ] as const) {
      for (const f of files) await dir.write(`${cls}/${f}`, png(1));
    }
    await dir.write('labels.csv', 'benign/b1.png,north,3\nbenign/b2.png,south,1\nmalignant/m1.png,north,2\n');
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.layout).toBe('class-folders');
    expect(layout.classes).toEqual(['benign', 'malignant']);
    expect(layout.choice.rejected).toEqual([
      {
        what: 'labels.csv',
        reason:
          'labels.csv has no column named like a label or holding the class folder names (columns: ' +
          '1 (file names), 2 (e.g. north, south), 3 (e.g. 3, 1, 2)); to use it, set "labelColumn" in the ' +
          "Dataset node's Parameter tab (or phi new --label-column NAME)",
      },
    ]);
  });
});

describe('class folders with other CSVs', () => {
  it('uses the class folders when several CSVs lie beside them and none is labels.csv', async () => {
    await dir.write('normal/n1.png', png(1));
    await dir.write('pneumonia/p1.png', png(2));
    await dir.write('meta_a.csv', 'normal/n1.png,1\n');
    await dir.write('meta_b.csv', 'pneumonia/p1.png,2\n');
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.layout).toBe('class-folders');
    expect(layout.choice.rejected).toEqual([
      {
        what: 'meta_a.csv, meta_b.csv',
        reason:
          'meta_a.csv, meta_b.csv are several CSVs and none is called labels.csv: set "labelsFile" to the one ' +
          'that holds the labels',
      },
    ]);
  });

  it('a folder that comes split names its split folders as the split source', async () => {
    await dir.write('train/normal/n1.png', png(1));
    await dir.write('train/pneumonia/p1.png', png(2));
    await dir.write('test/normal/n2.png', png(3));
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.choice).toEqual({
      labelSource: 'class folder names (normal, pneumonia)',
      splitSource: 'test/ train/ folders',
      rejected: [],
    });
  });
});

describe('images/ with a label CSV', () => {
  async function writeImages(csv: string, count = 12): Promise<void> {
    for (let i = 0; i < count; i++) await dir.write(`images/case${i}.png`, png(i));
    await dir.write('labels.csv', csv);
  }
  const rows = (format: (i: number) => string, count = 12): string =>
    Array.from({ length: count }, (_, i) => format(i)).join('\n');

  it('file,site,label: picks the column named label, not the one beside the file name', async () => {
    const site = (i: number): string => (i % 3 === 0 ? 'north' : 'south');
    const label = (i: number): string => (i % 2 === 0 ? 'benign' : 'malignant');
    await writeImages(`file,site,label\n${rows((i) => `case${i}.png,${site(i)},${label(i)}`)}\n`);
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.classes).toEqual(['benign', 'malignant']);
    expect(layout.entries[1]).toMatchObject({ file: { rel: 'images/case1.png' }, display: 'malignant' });
    expect(layout.choice).toEqual({
      labelSource: 'labels.csv, column "label" (its header names the label)',
      rejected: [
        {
          what: 'labels.csv column "site"',
          reason: 'column "label" holds the label (its header names the label)',
        },
      ],
    });
  });

  it('refuses a header-less CSV with two columns that could be the label, naming them and the fix', async () => {
    const site = (i: number): string => (i % 3 === 0 ? 'north' : 'south');
    const label = (i: number): string => (i % 2 === 0 ? 'benign' : 'malignant');
    await writeImages(`${rows((i) => `case${i}.png,${site(i)},${label(i)}`)}\n`);
    await expect(openDataset(dir.root, params({ path: dir.root }))).rejects.toThrow(
      'labels.csv has several columns that could hold the class (2 (e.g. north, south), 3 (e.g. benign, ' +
        'malignant)) and the CSV has no header row to name them: set "labelColumn" in the Dataset node\'s ' +
        'Parameter tab (or phi new --label-column NAME) to the one that holds the class, by its number counting from 1',
    );

    const chosen = await readLayout(dir.root, params({ path: dir.root, labelColumn: '3' }));
    expect(chosen.classes).toEqual(['benign', 'malignant']);
    expect(chosen.choice.labelSource).toBe('labels.csv, column 3 (set in "labelColumn")');
    expect(chosen.choice.rejected).toEqual([
      { what: 'labels.csv column 2', reason: 'column 3 holds the label (set in "labelColumn")' },
    ]);

    await expect(readLayout(dir.root, params({ path: dir.root, labelColumn: 'diagnosis' }))).rejects.toThrow(
      '"labelColumn" is "diagnosis", which is not a column of labels.csv; its columns are 1 (file names), ' +
        '2 (e.g. north, south), 3 (e.g. benign, malignant)',
    );
  });

  it('an identifier column beside the label does not make the CSV ambiguous', async () => {
    await writeImages(`${rows((i) => `case${i}.png,${1000 + i},${i % 2 ? 'effusion' : 'normal'}`)}\n`);
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.classes).toEqual(['effusion', 'normal']);
    expect(layout.choice.labelSource).toBe('labels.csv, column 3 (the only column that can hold classes)');
    expect(layout.choice.rejected).toEqual([
      { what: 'labels.csv column 2', reason: 'it has 12 different values in 12 rows, too many for classes' },
    ]);
  });

  it('HAM10000-style metadata: image ids without extension, dx before dx_type, lesion_id an identifier', async () => {
    const dx = ['nv', 'mel', 'bkl'];
    await writeImages(
      'lesion_id,image_id,dx,dx_type,age,sex,localization\n' +
        `${rows((i) => `HAM_${i % 6},case${i},${dx[i % 3]},histo,${40 + (i % 4) * 5}.0,male,back`)}\n`,
    );
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.classes).toEqual(['bkl', 'mel', 'nv']);
    expect(layout.entries).toHaveLength(12);
    expect(layout.choice.labelSource).toBe('labels.csv, column "dx" (its header names the label)');
    expect(layout.choice.rejected.map((r) => `${r.what}: ${r.reason}`)).toEqual([
      'labels.csv column "lesion_id": its header names an identifier',
      'labels.csv column "dx_type": column "dx" holds the label (its header names the label)',
      'labels.csv column "age": column "dx" holds the label (its header names the label)',
      'labels.csv column "sex": column "dx" holds the label (its header names the label)',
      'labels.csv column "localization": column "dx" holds the label (its header names the label)',
    ]);
  });

  it('numeric labels sort as numbers and file names without extension resolve by stem', async () => {
    await writeImages(`image_id,grade\n${rows((i) => `case${i},${[2, 10, 9][i % 3]}`)}\n`);
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.classes).toEqual(['2', '9', '10']);
    expect(layout.entries).toHaveLength(12);
  });
});

describe('detection CSV columns by name', () => {
  it('reads boxes from named columns in any order, with the official split', async () => {
    await dir.write('imgs/a.png', encodePng(new Array(16).fill(0), 4, 4, 1, 8));
    await dir.write('imgs/b.png', encodePng(new Array(16).fill(0), 4, 4, 1, 8));
    await dir.write(
      'labels.csv',
      'label,ymin,xmin,ymax,xmax,image,split\nnodule,0,1,2,3,imgs/a.png,train\n,,,,,imgs/b.png,test\n',
    );
    const layout = await readLayout(dir.root, params({ path: dir.root, task: 'detection' }));
    expect(layout.classes).toEqual(['nodule']);
    expect(layout.entries.map((e) => [e.file.rel, e.label, e.split])).toEqual([
      [
        'imgs/a.png',
        { kind: 'boxes', boxes: [{ xmin: 1, ymin: 0, xmax: 3, ymax: 2, classIndex: 0 }] },
        'train',
      ],
      ['imgs/b.png', { kind: 'boxes', boxes: [] }, 'test'],
    ]);
    expect(layout.choice).toEqual({
      labelSource:
        'labels.csv, boxes in columns xmin, ymin, xmax, ymax, class in column "label" (its header names the label)',
      splitSource: 'labels.csv, column "split"',
      rejected: [],
    });
  });
});

describe('segmentation and transformation CSVs', () => {
  it('pairs images and masks named in a CSV, the mask column by its header, with the official split', async () => {
    await dir.write('scans/p1.png', png(10));
    await dir.write('scans/p2.png', png(20));
    await dir.write('seg/p1_seg.png', encodePng([0, 255, 255, 0], 2, 2, 1, 8));
    await dir.write('seg/p2_seg.png', encodePng([0, 0, 0, 255], 2, 2, 1, 8));
    await dir.write(
      'labels.csv',
      'mask_path,image_path,split\nseg/p1_seg.png,scans/p1.png,train\nseg/p2_seg.png,scans/p2.png,test\n',
    );
    const layout = await readLayout(dir.root, params({ path: dir.root, task: 'segmentation' }));
    expect(layout.layout).toBe('mask-csv');
    expect(layout.classes).toEqual(['background', 'foreground']);
    expect(layout.entries.map((e) => [e.file.rel, e.label, e.split])).toEqual([
      ['scans/p1.png', { kind: 'mask', file: expect.objectContaining({ rel: 'seg/p1_seg.png' }) }, 'train'],
      ['scans/p2.png', { kind: 'mask', file: expect.objectContaining({ rel: 'seg/p2_seg.png' }) }, 'test'],
    ]);
    expect(layout.choice).toEqual({
      labelSource:
        'labels.csv: images in column "image_path", masks in column "mask_path"; classes guessed from the ' +
        'values of the first 16 masks',
      splitSource: 'labels.csv, column "split"',
      rejected: [],
    });
  });

  it('pairs inputs and targets of a header-less CSV in column order', async () => {
    await dir.write('low/a.png', png(1));
    await dir.write('full/a_full.png', png(2));
    await dir.write('pairs.csv', 'low/a.png,full/a_full.png\n');
    const layout = await readLayout(dir.root, params({ path: dir.root, task: 'transformation' }));
    expect(layout.layout).toBe('paired-csv');
    expect(layout.entries.map((e) => [e.file.rel, e.label?.kind])).toEqual([['low/a.png', 'target']]);
    expect(layout.choice.labelSource).toBe('pairs.csv: images in column 1, targets in column 2');
  });
});

describe('a/ and b/ folders', () => {
  it('are two classes when their files do not pair up by name', async () => {
    for (let i = 0; i < 6; i++) {
      await dir.write(`a/left_${i}.png`, png(i));
      await dir.write(`b/right_${i}.png`, png(100 + i));
    }
    expect(await guessTask(dir.root)).toBe('classification');
    const layout = await readLayout(dir.root, params({ path: dir.root }));
    expect(layout.layout).toBe('class-folders');
    expect(layout.classes).toEqual(['a', 'b']);
    expect(layout.entries).toHaveLength(12);
    expect(layout.choice).toEqual({ labelSource: 'class folder names (a, b)', rejected: [] });
  });

  it('are input and target when their files pair up by name', async () => {
    for (let i = 0; i < 6; i++) {
      await dir.write(`A/case_${i}.png`, png(i));
      await dir.write(`B/case_${i}.png`, png(100 + i));
    }
    expect(await guessTask(dir.root)).toBe('transformation');
    const layout = await readLayout(dir.root, params({ path: dir.root, task: 'transformation' }));
    expect(layout.entries).toHaveLength(6);
    expect(layout.choice.labelSource).toBe('targets in B/, paired by file name with the images in A/');
  });
});
