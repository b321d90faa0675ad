/**
 * Volume segmentation folders as the Medical Segmentation Decathlon and
 * nnU-Net v2 lay them out: `imagesTr/` (training images), `labelsTr/`
 * (their masks), `imagesTs/` (unlabelled images, not used for training and
 * said so) and `dataset.json`, whose `labels` name the classes.
 * - `msd`: `training` lists `{image, label}` pairs (paths relative to the
 *   folder); without it, images and masks pair by file name. `labels` maps
 *   mask values to names (`{"0": "background", "1": "tumour"}`).
 * - `nnunet`: one file per channel, `imagesTr/<case>_0000.nii.gz`,
 *   `<case>_0001.nii.gz`..., with `channel_names` giving the channel count;
 *   the mask is `labelsTr/<case>.nii.gz`; `labels` maps names to values
 *   (`{"background": 0, "tumour": 1}`). A case's channel files make one item
 *   with that many channels.
 * Either dataset.json naming one CT channel makes the volumes' unit HU (volume-unit.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FoundFile } from '../walk';
import { FileIndex, isSideFile, stemOf } from './files';
import type { MaskClasses } from './mask-classes';
import { unitOfDatasetJson } from '../volume-unit';
import type { LayoutEntry, LayoutResult } from './types';

/** The folders and label file both layouts share. */
const IMAGES = 'imagestr';
const LABELS = 'labelstr';
const UNLABELLED = 'imagests';
const JSON_NAME = 'dataset.json';

/** nnU-Net's channel suffix: `<case>_0000` is channel 0 of `<case>`. */
const CHANNEL = /^(.*)_(\d{4})$/;

interface DatasetJson {
  labels?: Record<string, unknown>;
  training?: { image?: unknown; label?: unknown }[];
  channel_names?: Record<string, unknown>;
  modality?: Record<string, unknown>;
}

function topFolder(rel: string): string {
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/')).toLowerCase() : '';
}

async function readJson(file: FoundFile): Promise<DatasetJson> {
  try {
    const parsed = JSON.parse(await readFile(file.abs, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as DatasetJson;
  } catch (error) {
    throw new Error(`${file.rel} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** Which of the two layouts a folder holds, or undefined when it is neither (no dataset.json, imagesTr/, labelsTr/). */
export async function detectDecathlon(root: string): Promise<'msd' | 'nnunet' | undefined> {
  // The top level first, so that other folders are not walked for this.
  const top = await readdir(root, { withFileTypes: true }).catch(() => []);
  const dir = (name: string): string | undefined =>
    top.find((e) => e.isDirectory() && e.name.toLowerCase() === name)?.name;
  const json = top.find((e) => e.isFile() && e.name.toLowerCase() === JSON_NAME);
  const imagesDir = dir(IMAGES);
  if (!json || !imagesDir || !dir(LABELS)) return undefined;
  const images = (await FileIndex.of(root, imagesDir)).all.filter((f) => !isSideFile(f.rel));
  if (images.length === 0) return undefined;
  const parsed = await readFile(join(root, json.name), 'utf8')
    .then((text) => JSON.parse(text) as DatasetJson)
    .catch(() => ({}) as DatasetJson);
  if (parsed.channel_names) return 'nnunet';
  return images.every((f) => CHANNEL.test(stemOf(f.rel))) ? 'nnunet' : 'msd';
}

/**
 * Classes from dataset.json's `labels`: MSD maps values to names, nnU-Net names
 * to values; either way classes are ordered by mask value.
 */
function classesOf(labels: Record<string, unknown> | undefined, layout: 'msd' | 'nnunet'): MaskClasses {
  if (!labels || typeof labels !== 'object')
    throw new Error('dataset.json has no "labels": it should name each mask value, e.g. {"0": "background"}');
  const pairs: [number, string][] = Object.entries(labels).map(([key, value]) => {
    const [v, name] = layout === 'msd' ? [Number(key), String(value)] : [Number(value), key];
    if (!Number.isInteger(v))
      throw new Error(
        layout === 'nnunet' && Array.isArray(value)
          ? `dataset.json label "${key}" is a region (a list of values), which is not supported: give each class one value`
          : `dataset.json label ${JSON.stringify(key)}: ${JSON.stringify(value)} has no whole-number mask value`,
      );
    return [v, name];
  });
  pairs.sort((a, b) => a[0] - b[0]);
  return { classes: pairs.map(([, name]) => name), map: new Map(pairs.map(([v], i) => [v, i])) };
}

/** The unit dataset.json states for the volumes, as a LayoutResult field. */
function withStatedUnit(json: DatasetJson): Pick<LayoutResult, 'statedUnit'> {
  const statedUnit = unitOfDatasetJson(json);
  return statedUnit ? { statedUnit } : {};
}

/** A note on the unlabelled images, for the layout choice. */
function unlabelledNote(files: FileIndex): LayoutResult['choice']['rejected'] {
  const count = files.all.filter((f) => topFolder(f.rel) === UNLABELLED && !isSideFile(f.rel)).length;
  return count
    ? [
        {
          what: `imagesTs/ (${count} file${count === 1 ? '' : 's'})`,
          reason: 'unlabelled test images: not used for training; phi predict runs a trained network on them',
        },
      ]
    : [];
}

/** Files outside imagesTr/, labelsTr/ and imagesTs/ (other than side files) that the layout does not read. */
function outside(files: FileIndex, used: Set<FoundFile>): LayoutResult['skipped'] {
  return files.all
    .filter((f) => !used.has(f) && topFolder(f.rel) !== UNLABELLED && !isSideFile(f.rel))
    .map((f) => ({
      file: f.rel,
      reason:
        topFolder(f.rel) === IMAGES
          ? 'image without a mask in labelsTr/ (or not listed in dataset.json "training")'
          : topFolder(f.rel) === LABELS
            ? 'mask without an image in imagesTr/'
            : 'outside imagesTr/, labelsTr/ and imagesTs/',
    }));
}

/** Reads an MSD folder. */
export async function readMsd(
  root: string,
  classMap?: MaskClasses,
): Promise<LayoutResult & { maskClasses: MaskClasses }> {
  const files = await FileIndex.of(root);
  const jsonFile = files.all.find((f) => f.rel.toLowerCase() === JSON_NAME);
  if (!jsonFile) throw new Error(`${root} has no dataset.json: the MSD layout needs it for the class names`);
  const json = await readJson(jsonFile);
  const maskClasses = classMap ?? classesOf(json.labels, 'msd');
  const skipped: LayoutResult['skipped'] = [];
  const pairs: [FoundFile, FoundFile][] = [];
  if (Array.isArray(json.training)) {
    json.training.forEach((row, i) => {
      const image = typeof row?.image === 'string' ? files.resolve(row.image) : undefined;
      const label = typeof row?.label === 'string' ? files.resolve(row.label) : undefined;
      if (image && label) pairs.push([image, label]);
      else
        skipped.push({
          file: `dataset.json training ${i + 1}`,
          reason: `names ${image ? String(row.label) : String(row?.image)}, which is not in the dataset folder`,
        });
    });
  } else {
    const labels = new Map(
      files.all
        .filter((f) => topFolder(f.rel) === LABELS && !isSideFile(f.rel))
        .map((f) => [stemOf(f.rel), f]),
    );
    for (const image of files.all.filter((f) => topFolder(f.rel) === IMAGES && !isSideFile(f.rel))) {
      const label = labels.get(stemOf(image.rel));
      if (label) pairs.push([image, label]);
    }
  }
  const entries: LayoutEntry[] = pairs.map(([image, label]) => ({
    file: image,
    label: { kind: 'mask', file: label },
    stratum: 0,
  }));
  skipped.push(...outside(files, new Set(pairs.flat())));
  return {
    layout: 'msd',
    choice: {
      labelSource: Array.isArray(json.training)
        ? 'masks in labelsTr/, paired with imagesTr/ by dataset.json "training"'
        : 'masks in labelsTr/, paired by file name with imagesTr/',
      rejected: unlabelledNote(files),
    },
    task: 'segmentation',
    classes: maskClasses.classes,
    maskClasses,
    entries,
    skipped,
    files: files.all,
    ...withStatedUnit(json),
  };
}

/** Reads an nnU-Net v2 raw dataset folder. */
export async function readNnUnet(
  root: string,
  classMap?: MaskClasses,
): Promise<LayoutResult & { maskClasses: MaskClasses }> {
  const files = await FileIndex.of(root);
  const jsonFile = files.all.find((f) => f.rel.toLowerCase() === JSON_NAME);
  if (!jsonFile)
    throw new Error(`${root} has no dataset.json: the nnU-Net layout needs it for the channels and classes`);
  const json = await readJson(jsonFile);
  const maskClasses = classMap ?? classesOf(json.labels, 'nnunet');
  const channelNames = json.channel_names ?? json.modality;
  const byCase = new Map<string, Map<number, FoundFile>>();
  for (const f of files.all.filter((x) => topFolder(x.rel) === IMAGES && !isSideFile(x.rel))) {
    const match = CHANNEL.exec(stemOf(f.rel));
    if (!match) continue;
    const channels = byCase.get(match[1]) ?? new Map<number, FoundFile>();
    channels.set(Number(match[2]), f);
    byCase.set(match[1], channels);
  }
  const found = [...byCase.values()].map((c) => Math.max(...c.keys()) + 1);
  const count = channelNames ? Object.keys(channelNames).length : Math.max(1, ...found);
  const skipped: LayoutResult['skipped'] = [];
  const entries: LayoutEntry[] = [];
  const used = new Set<FoundFile>();
  for (const label of files.all.filter((f) => topFolder(f.rel) === LABELS && !isSideFile(f.rel))) {
    const channels = byCase.get(stemOf(label.rel));
    if (!channels) continue;
    const ordered = Array.from({ length: count }, (_, k) => channels.get(k));
    const missing = ordered.findIndex((f) => !f);
    used.add(label);
    for (const f of channels.values()) used.add(f);
    if (missing >= 0) {
      skipped.push({
        file: label.rel,
        reason: `channel ${String(missing).padStart(4, '0')} of case ${stemOf(label.rel)} is missing in imagesTr/ (dataset.json names ${count} channels)`,
      });
      continue;
    }
    const [first, ...rest] = ordered as FoundFile[];
    entries.push({
      file: first,
      ...(rest.length ? { channels: rest } : {}),
      label: { kind: 'mask', file: label },
      stratum: 0,
    });
  }
  skipped.push(...outside(files, used));
  const names = channelNames ? Object.values(channelNames).map(String).join(', ') : `${count}`;
  return {
    layout: 'nnunet',
    choice: {
      labelSource: `masks in labelsTr/, paired with the channel files imagesTr/<case>_0000... (channels: ${names})`,
      rejected: unlabelledNote(files),
    },
    task: 'segmentation',
    classes: maskClasses.classes,
    maskClasses,
    entries,
    skipped,
    files: files.all,
    ...withStatedUnit(json),
  };
}
