/**
 * Loads one dataset item: decodes its pixels (all slices of an assembled
 * series stacked into one volume), loads its mask or target, and builds the
 * Sample. Any failure names the file.
 */
import { join } from 'node:path';
import type { DatasetItem } from '../graph/node-type';
import type { ImageData, Label, PixelArray, Sample } from '../api';
import { asItemRef } from './item-ref';
import { decodeImage, messageOf } from './readers';
import { seriesPlacement } from './series';
import type { DecodedImage } from './readers/types';

async function decodeFile(root: string, rel: string, frame?: number): Promise<DecodedImage> {
  try {
    return await decodeImage(join(root, rel), frame);
  } catch (error) {
    throw new Error(`Cannot load ${rel}: ${messageOf(error)}`, { cause: error });
  }
}

function stack(slices: DecodedImage[], rel: string): PixelArray {
  const first = slices[0].data;
  const per = first.length;
  const Ctor = first.constructor as new (n: number) => PixelArray;
  const out = new Ctor(per * slices.length);
  slices.forEach((s, i) => {
    if (s.data.length !== per || s.data.constructor !== first.constructor) {
      throw new Error(`Cannot load ${rel}: slice ${i + 1} differs in size or type from the first slice`);
    }
    out.set(s.data as never, i * per);
  });
  return out;
}

/**
 * The channels of several files of one grid as one image (channel-last): one
 * typed array when they share a type, else float32.
 */
function interleave(parts: DecodedImage[], id: string): Pick<DecodedImage, 'data' | 'shape'> {
  const grid = parts[0].shape.slice(0, -1);
  const voxels = grid.reduce((a, b) => a * b, 1);
  const counts = parts.map((p) => p.shape[p.shape.length - 1]);
  const total = counts.reduce((a, b) => a + b, 0);
  const same = parts.every((p) => p.data.constructor === parts[0].data.constructor);
  const Ctor = (same ? parts[0].data.constructor : Float32Array) as new (n: number) => PixelArray;
  const out = new Ctor(voxels * total);
  let offset = 0;
  parts.forEach((p, k) => {
    if (p.shape.slice(0, -1).join('x') !== grid.join('x'))
      throw new Error(
        `Cannot load ${id}: channel ${k} is ${p.shape.join('x')}, channel 0 ${parts[0].shape.join('x')}`,
      );
    const c = counts[k];
    for (let v = 0; v < voxels; v++)
      for (let j = 0; j < c; j++) out[v * total + offset + j] = p.data[v * c + j];
    offset += c;
  });
  return { data: out, shape: [...grid, total] };
}

/** Turns mask values into class indices with the value map (identity when absent). */
export type MaskMapper = (mask: DecodedImage, file: string) => ImageData;

/** Loads a Sample for an item of a dataset rooted at `root`. */
export async function loadItem(root: string, item: DatasetItem, mapMask: MaskMapper): Promise<Sample> {
  const ref = asItemRef(item.ref);
  let image: DecodedImage;
  if (ref.channelFiles) {
    const parts = [await decodeFile(root, ref.files[0], ref.frame)];
    for (const rel of ref.channelFiles) parts.push(await decodeFile(root, rel, ref.frame));
    image = { ...parts[0], ...interleave(parts, item.id) };
  } else if (ref.files.length === 1) {
    image = await decodeFile(root, ref.files[0], ref.frame);
  } else {
    const slices: DecodedImage[] = [];
    for (const rel of ref.files) slices.push(await decodeFile(root, rel));
    const first = slices[0];
    image = {
      ...first,
      data: stack(slices, item.id),
      shape: [slices.length, ...first.shape],
      ...(ref.spacing ? { spacing: ref.spacing } : {}),
      // The series' place in the patient, read like a NIfTI affine (the View tab names sides by it).
      meta: {
        ...first.meta,
        slices: slices.length,
        ...seriesPlacement(ref.affine),
      },
    };
  }
  const expected = ref.shape.join('x');
  if (image.shape.join('x') !== expected) {
    throw new Error(
      `Cannot load ${item.id}: decoded shape ${image.shape.join('x')} differs from the header's ${expected}`,
    );
  }
  let label: Label | undefined;
  const l = ref.label;
  if (l?.kind === 'class')
    label = l.multi ? { kind: 'class', index: l.index, multi: l.multi } : { kind: 'class', index: l.index };
  else if (l?.kind === 'boxes') label = { kind: 'boxes', boxes: l.boxes };
  else if (l?.kind === 'mask')
    label = { kind: 'mask', mask: mapMask(await decodeFile(root, l.file, l.frame), l.file) };
  else if (l?.kind === 'target') {
    const { meta: _meta, ...target } = await decodeFile(root, l.file, l.frame);
    label = { kind: 'target', target };
  }
  const { meta, ...imageData } = image;
  return {
    id: item.id,
    image: imageData,
    ...(label ? { label } : {}),
    split: item.split,
    meta: {
      ...meta,
      format: ref.format,
      file: ref.files.length === 1 ? ref.files[0] : undefined,
      ...(ref.patientGroup ? { patientGroup: ref.patientGroup } : {}),
    },
  };
}
