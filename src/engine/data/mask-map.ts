/**
 * Mask values to class indices. Masks are often saved as 0/255 images or
 * with arbitrary gray levels per class; the Dataset node maps them to class
 * indices 0..K-1 with a value map, and rejects values the map does not know.
 */
import type { ImageData } from '../api';
import type { DecodedImage } from './readers/types';

/** Masks that already hold class indices: only reduced to one channel, as uint8. */
export function identityMaskMapper(mask: DecodedImage, file: string): ImageData {
  return mapMaskValues(mask, file, null);
}

/** Maps each mask value through `map` (value -> class index); `null` keeps values as indices. */
export function mapMaskValues(mask: DecodedImage, file: string, map: Map<number, number> | null): ImageData {
  const c = mask.shape[mask.shape.length - 1];
  const n = mask.data.length / c;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // RGB masks: the first channel decides (gray masks saved as RGB have equal channels).
    const v = mask.data[i * c];
    const index = map ? map.get(v) : v;
    if (index === undefined || index < 0 || index > 255 || !Number.isInteger(index)) {
      throw new Error(`Mask ${file} holds the value ${v}, which the class map does not list`);
    }
    out[i] = index;
  }
  return { data: out, shape: [...mask.shape.slice(0, -1), 1], colorMode: 'grayscale', unit: 'raw' };
}
