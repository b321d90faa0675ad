/**
 * The mask value a segmentation dataset writes for each class (0/255 for
 * binary masks saved as 0/255, class indices for index masks, the gray
 * levels of gray-level masks), read from the dataset's own files: a few masks
 * are decoded as stored and compared pixel by pixel with the class indices the
 * Dataset node maps them to. Predicted masks are written back in this convention.
 */
import { join } from 'node:path';
import type { DatasetSource } from '../graph/node-type';
import { asItemRef } from './item-ref';
import { MASKS_SAMPLED } from './layouts/mask-classes';
import { decodeImage } from './readers';
import { sourceInfo } from './source-info';

/** Value per class index; a class the sampled masks do not show keeps its index as value. */
export async function maskValuesOf(source: DatasetSource): Promise<number[]> {
  const values = source.classes.map((_, index) => index);
  const seen = new Set<number>();
  const root = sourceInfo(source)?.root;
  if (!root) return values;
  for (const item of source.items.slice(0, MASKS_SAMPLED)) {
    if (seen.size === source.classes.length) break;
    const ref = asItemRef(item.ref);
    if (ref.label?.kind !== 'mask') continue;
    const [stored, loaded] = await Promise.all([
      decodeImage(join(root, ref.label.file), ref.label.frame),
      source.load(item),
    ]);
    if (loaded.label?.kind !== 'mask') continue;
    const indices = loaded.label.mask.data;
    const channels = stored.shape[stored.shape.length - 1];
    if (stored.data.length !== indices.length * channels) continue;
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      if (seen.has(index)) continue;
      seen.add(index);
      // The first channel decides, as when the Dataset node reads the mask.
      values[index] = stored.data[i * channels];
    }
  }
  return values;
}
