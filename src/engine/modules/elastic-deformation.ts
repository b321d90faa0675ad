/** Elastic Deformation augmentation (Simard et al. 2003). */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import { gaussianBlurFloat } from './ops/gaussian';
import { uniform } from './ops/random';
import { remap } from './ops/warp';
import { probabilityParam, valueParam, warpInterpolationParam } from './support/params';
import { mapSlices, transformSpatial } from './support/spatial';
import { mapBox } from './support/warp-sample';

/** The `elastic-deformation` module. */
export const elasticDeformationModule = defineModule({
  id: 'elastic-deformation',
  version: 1,
  usesRandomness: true,
  title: 'Elastic Deformation',
  category: 'Augmentation',
  description:
    'On training samples only, displaces pixels by a smooth random field: uniform [-1, 1] noise per pixel, ' +
    'Gaussian-smoothed with sigma, scaled by alpha pixels (Simard 2003; seeded). One field for image, mask ' +
    '(nearest) and target; boxes follow their corners approximately.',
  params: z.object({
    alpha: z
      .number()
      .min(0)
      .max(10000)
      .default(34)
      .describe('Displacement scale in pixels before smoothing (0 to 10000).'),
    sigma: z
      .number()
      .min(0.5)
      .max(100)
      .default(4)
      .describe('Smoothness of the field: Gaussian sigma in pixels (0.5 to 100).'),
    probability: probabilityParam,
    interpolation: warpInterpolationParam,
    fill: valueParam(0, 'Value of pixels pulled from outside'),
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || ctx.rng() >= p.probability) return sample;
    const { height: h, width: w } = geometry(sample.image);
    const field = (): Float32Array => {
      const noise = new Float32Array(h * w);
      for (let i = 0; i < noise.length; i++) noise[i] = uniform(ctx.rng, -1, 1);
      const smooth = gaussianBlurFloat(noise, h, w, 1, p.sigma);
      for (let i = 0; i < smooth.length; i++) smooth[i] *= p.alpha;
      return smooth;
    };
    const dx = field();
    const dy = field();
    return transformSpatial(
      sample,
      (img, role) =>
        mapSlices(img, (data, s) => ({
          ...s,
          data: remap(
            data,
            s,
            s,
            (x, y, at) => {
              at[0] = x + dx[y * w + x];
              at[1] = y + dy[y * w + x];
            },
            role === 'mask' ? 'nearest' : p.interpolation,
            role === 'mask' ? 0 : p.fill,
          ),
        })),
      // Forward motion of a point is about minus the field there (the map is pulled, not pushed).
      (b) =>
        mapBox(
          b,
          (x, y) => {
            const i =
              Math.min(h - 1, Math.max(0, Math.round(y - 0.5))) * w +
              Math.min(w - 1, Math.max(0, Math.round(x - 0.5)));
            return [x - dx[i], y - dy[i]];
          },
          w,
          h,
        ),
    );
  },
});
