/** Random Affine augmentation: scale, rotation, shear and translation. */
import { z } from 'zod';
import { geometry } from '../imaging/image';
import { defineModule } from './define';
import type { Affine } from './ops/warp';
import { uniform } from './ops/random';
import { probabilityParam, valueParam, warpInterpolationParam } from './support/params';
import { warpSample } from './support/warp-sample';

/** The `random-affine` module. */
export const randomAffineModule = defineModule({
  id: 'random-affine',
  version: 1,
  usesRandomness: true,
  title: 'Random Scale / Affine',
  category: 'Augmentation',
  description:
    'On training samples only, applies a random affine map about the image centre: scale in [scaleMin, scaleMax], ' +
    'rotation in [-maxAngle, maxAngle] degrees, shear in [-maxShear, maxShear] degrees and a shift of up to ' +
    'maxTranslate x the size (seeded). Size is kept. Masks use nearest; boxes follow their corners.',
  params: z.object({
    scaleMin: z
      .number()
      .min(0.1)
      .max(10)
      .default(0.9)
      .describe('Smallest zoom factor (0.1 to 10; 1 = none).'),
    scaleMax: z.number().min(0.1).max(10).default(1.1).describe('Largest zoom factor (0.1 to 10).'),
    maxAngle: z
      .number()
      .min(0)
      .max(180)
      .default(10)
      .describe('Largest rotation either way in degrees (0 to 180).'),
    maxShear: z
      .number()
      .min(0)
      .max(45)
      .default(0)
      .describe('Largest horizontal shear either way in degrees (0 to 45).'),
    maxTranslate: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Largest shift as a fraction of width/height (0 to 1).'),
    probability: probabilityParam,
    interpolation: warpInterpolationParam,
    fill: valueParam(0, 'Value of pixels moved in from outside'),
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || ctx.rng() >= p.probability) return sample;
    if (p.scaleMin > p.scaleMax)
      throw new Error(`scaleMin (${p.scaleMin}) is above scaleMax (${p.scaleMax})`);
    const g = geometry(sample.image);
    const s = uniform(ctx.rng, p.scaleMin, p.scaleMax);
    const t = (uniform(ctx.rng, -p.maxAngle, p.maxAngle) * Math.PI) / 180;
    const sh = Math.tan((uniform(ctx.rng, -p.maxShear, p.maxShear) * Math.PI) / 180);
    const tx = uniform(ctx.rng, -p.maxTranslate, p.maxTranslate) * g.width;
    const ty = uniform(ctx.rng, -p.maxTranslate, p.maxTranslate) * g.height;
    const cx = (g.width - 1) / 2;
    const cy = (g.height - 1) / 2;
    // M = T(c + t) . R . Sh . S . T(-c), with screen rotation as cv2.getRotationMatrix2D.
    const cos = Math.cos(t);
    const sin = Math.sin(t);
    const a = s * cos;
    const b = s * (cos * sh + sin);
    const d = -s * sin;
    const e = s * (-sin * sh + cos);
    const m: Affine = [a, b, cx + tx - a * cx - b * cy, d, e, cy + ty - d * cx - e * cy];
    return warpSample(sample, m, p.interpolation, p.fill);
  },
});
