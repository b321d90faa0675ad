/** Small builders shared by the module tests. */
import type { ImageData, Label, PixelArray, Sample, Split } from '../api';
import type { ModuleContext } from '../graph/node-type';

/** A 2-D image `[h, w, c]` from a typed array. */
export function img(
  data: PixelArray,
  h: number,
  w: number,
  c = 1,
  extra: Partial<ImageData> = {},
): ImageData {
  return { data, shape: [h, w, c], colorMode: c === 3 ? 'rgb' : 'grayscale', ...extra };
}

/** A sample around an image. */
export function smp(
  image: ImageData,
  label?: Label,
  split: Split = 'train',
  meta: Record<string, unknown> = {},
): Sample {
  return { id: 'x', image, label, split, meta };
}

/** A context with a fixed sequence of uniforms (cycled), on the given split. */
export function ctxWith(
  uniforms: number[] = [0.5],
  split: Sample['split'] = 'train',
  inputs: Record<string, Sample> = {},
): ModuleContext {
  let i = 0;
  return { nodeId: 'n', split, rng: () => uniforms[i++ % uniforms.length], inputs };
}

/** Plain array of an image's values. */
export function values(s: Sample | null): number[] {
  if (!s) throw new Error('sample was dropped');
  return [...s.image.data];
}
