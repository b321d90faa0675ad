/**
 * Layouts that pair files across two folders by name: segmentation
 * (`Dataset/` images + `Label/` masks) and transformation (`input/` +
 * `target/`). Files pair by relative path without extension (so `a/x.dcm`
 * pairs with `a/x.png`), else by a file stem found once; mask suffixes like
 * `_mask` are ignored. Unpaired files are reported.
 */
import type { Task } from '../../api';
import { listDirs, type FoundFile } from '../walk';
import { FileIndex, findDir, isSideFile, labelStemOf } from './files';
import type { LayoutEntry, LayoutResult } from './types';

/** Folder names tried for each side, in order. */
export const PAIR_FOLDERS = {
  segmentation: {
    images: ['Dataset', 'images', 'image', 'imgs', 'img', 'data', 'input', 'inputs'],
    labels: [
      'Label',
      'Labels',
      'masks',
      'mask',
      'annotations',
      'gt',
      'ground_truth',
      'groundtruth',
      'segmentations',
    ],
  },
  transformation: {
    images: ['input', 'inputs', 'source', 'Dataset', 'A', 'low', 'noisy', 'images'],
    labels: ['target', 'targets', 'output', 'outputs', 'B', 'high', 'clean', 'gt', 'Label'],
  },
} as const;

function pairKey(rel: string, folder: string): string {
  const inner = rel.slice(folder.length + 1);
  const dir = inner.includes('/') ? inner.slice(0, inner.lastIndexOf('/') + 1).toLowerCase() : '';
  return dir + labelStemOf(inner);
}

/** Images of `imageDir` matched to files of `labelDir` by name; what is left unmatched on either side. */
function pairFiles(
  images: FoundFile[],
  labels: FoundFile[],
  imageDir: string,
  labelDir: string,
): { pairs: [FoundFile, FoundFile][]; lonelyImages: FoundFile[]; lonelyLabels: FoundFile[] } {
  const byKey = new Map<string, FoundFile>();
  const byStem = new Map<string, FoundFile[]>();
  for (const l of labels) {
    byKey.set(pairKey(l.rel, labelDir), l);
    const stem = labelStemOf(l.rel);
    byStem.set(stem, [...(byStem.get(stem) ?? []), l]);
  }
  const pairs: [FoundFile, FoundFile][] = [];
  const lonelyImages: FoundFile[] = [];
  const used = new Set<FoundFile>();
  for (const image of images) {
    const byName = byStem.get(labelStemOf(image.rel));
    const label = byKey.get(pairKey(image.rel, imageDir)) ?? (byName?.length === 1 ? byName[0] : undefined);
    if (label) {
      used.add(label);
      pairs.push([image, label]);
    } else lonelyImages.push(image);
  }
  return { pairs, lonelyImages, lonelyLabels: labels.filter((l) => !used.has(l)) };
}

/** The image and label folders of a two-folder layout, by their conventional names. */
function pairDirs(dirs: string[], task: PairedTask): { imageDir?: string; labelDir?: string } {
  const names = PAIR_FOLDERS[task];
  const imageDir = findDir(dirs, [...names.images]);
  const labelDir = findDir(
    dirs.filter((d) => d !== imageDir),
    [...names.labels],
  );
  return { imageDir, labelDir };
}

type PairedTask = 'segmentation' | 'transformation';

/**
 * True when the folder holds a two-folder layout of the task: folders with
 * its names whose files mostly pair up by name. `a/` and `b/` holding
 * differently named images are two classes, not inputs and targets.
 */
export async function filesPairUp(root: string, task: PairedTask): Promise<boolean> {
  const { imageDir, labelDir } = pairDirs(await listDirs(root), task);
  if (!imageDir || !labelDir) return false;
  const images = (await FileIndex.of(root, imageDir)).all.filter((f) => !isSideFile(f.rel));
  const labels = (await FileIndex.of(root, labelDir)).all.filter((f) => !isSideFile(f.rel));
  const { pairs } = pairFiles(images, labels, imageDir, labelDir);
  return pairs.length > 0 && pairs.length * 2 >= Math.min(images.length, labels.length);
}

/** Reads a two-folder dataset for segmentation (masks) or transformation (targets). */
export async function readPairedFolders(
  root: string,
  task: PairedTask,
  classes: string[],
): Promise<LayoutResult> {
  const dirs = await listDirs(root);
  const names = PAIR_FOLDERS[task];
  const { imageDir, labelDir } = pairDirs(dirs, task);
  const what = task === 'segmentation' ? 'mask' : 'target';
  if (!imageDir || !labelDir) {
    throw new Error(
      `${root} needs an image folder (${names.images.slice(0, 3).join(', ')}) and a ${what} folder ` +
        `(${names.labels.slice(0, 3).join(', ')}) with files of the same names; found folders: ${dirs.join(', ') || 'none'}`,
    );
  }
  const files = await FileIndex.of(root);
  const images = files.under(imageDir).filter((f) => !isSideFile(f.rel));
  const labels = files.under(labelDir).filter((f) => !isSideFile(f.rel));
  const { pairs, lonelyImages, lonelyLabels } = pairFiles(images, labels, imageDir, labelDir);
  const skipped: LayoutResult['skipped'] = lonelyImages.map((image) => ({
    file: image.rel,
    reason: `no ${what} with the same name in ${labelDir}/`,
  }));
  const entries: LayoutEntry[] = pairs.map(([image, label]) => ({
    file: image,
    label: { kind: task === 'segmentation' ? 'mask' : 'target', file: label },
    stratum: 0,
  }));
  for (const l of lonelyLabels)
    skipped.push({ file: l.rel, reason: `${what} without an image of the same name in ${imageDir}/` });
  for (const f of files.all) {
    const top = f.rel.split('/')[0];
    if (top !== imageDir && top !== labelDir && !isSideFile(f.rel)) {
      skipped.push({ file: f.rel, reason: `outside ${imageDir}/ and ${labelDir}/` });
    }
  }
  const resultTask: Task = task;
  return {
    layout: task === 'segmentation' ? 'mask-folders' : 'paired-folders',
    choice: {
      labelSource: `${what}s in ${labelDir}/, paired by file name with the images in ${imageDir}/`,
      rejected: [],
    },
    task: resultTask,
    classes,
    entries,
    skipped,
    files: files.all,
  };
}
