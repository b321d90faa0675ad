/** Crop or Pad to Size: every image (or volume) centred in a fixed grid. */
import { z } from 'zod';
import type { ImageData, PixelArray } from '../api';
import { geometry, isVolume } from '../imaging/image';
import { defineModule } from './define';
import { valueParam } from './support/params';
import { transformAffine } from './support/spatial';

const size = (axis: string, fallback: number): z.ZodDefault<z.ZodNumber> =>
  z.number().int().min(1).max(16384).default(fallback).describe(`Output ${axis} (1 to 16384).`);

/** Along one axis of `n`, for an output of `target`: output index `o` reads input index `o + shift`. */
function shiftOf(n: number, target: number): number {
  return n >= target ? Math.floor((n - target) / 2) : -Math.floor((target - n) / 2);
}

/** The `crop-or-pad` module. */
export const cropOrPadModule = defineModule({
  id: 'crop-or-pad',
  version: 1,
  title: 'Crop or Pad to Size',
  category: 'Geometry',
  description:
    'Centres each image in a fixed depth x height x width grid: axes longer than the grid are cropped ' +
    'evenly on both sides, shorter ones padded with a value, so every sample of a 3-D dataset gets the ' +
    'size a 3-D network takes. Volumes change along all three axes (2-D images ignore depth). Masks are ' +
    'padded with class 0 and boxes shifted; the step is recorded, so predictions map back to the source grid.',
  params: z.object({
    depth: size('slices of a volume', 32),
    height: size('height in pixels', 64),
    width: size('width in pixels', 64),
    value: valueParam(0, 'Value of the padding (masks are padded with class 0)'),
  }),
  run(sample, p) {
    const g = geometry(sample.image);
    const volume = isVolume(sample.image);
    const to = { depth: volume ? p.depth : 1, height: p.height, width: p.width };
    const sz = shiftOf(g.depth, to.depth);
    const sy = shiftOf(g.height, to.height);
    const sx = shiftOf(g.width, to.width);
    const place = (img: ImageData, fill: number): ImageData => {
      const c = geometry(img).channels;
      const out = new (img.data.constructor as new (n: number) => PixelArray)(
        to.depth * to.height * to.width * c,
      ).fill(fill);
      const x0 = Math.max(0, -sx);
      const x1 = Math.min(to.width, g.width - sx);
      for (let z = 0; z < to.depth; z++) {
        const zi = z + sz;
        if (zi < 0 || zi >= g.depth) continue;
        for (let y = 0; y < to.height; y++) {
          const yi = y + sy;
          if (yi < 0 || yi >= g.height || x1 <= x0) continue;
          const from = ((zi * g.height + yi) * g.width + x0 + sx) * c;
          out.set(
            img.data.subarray(from, from + (x1 - x0) * c) as never,
            ((z * to.height + y) * to.width + x0) * c,
          );
        }
      }
      const shape = volume ? [to.depth, to.height, to.width, c] : [to.height, to.width, c];
      return { ...img, data: out, shape };
    };
    const out = transformAffine(sample, 'crop-or-pad', [1, 0, -sx, 0, 1, -sy], (img, role) =>
      place(img, role === 'mask' ? 0 : p.value),
    );
    if (!volume) return out;
    const steps = out.geometry ?? [];
    const last = steps[steps.length - 1];
    const depth = { from: g.depth, to: to.depth, scale: 1, offset: -sz };
    return { ...out, geometry: [...steps.slice(0, -1), { ...last, depth }] };
  },
});
