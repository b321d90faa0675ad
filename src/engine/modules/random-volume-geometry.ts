/** Random 3-D Flip, Turn and Affine: geometric augmentation of whole volumes. */
import { z } from 'zod';
import type { ImageData } from '../api';
import { geometry, isVolume } from '../imaging/image';
import { defineModule } from './define';
import { uniform } from './ops/random';
import {
  flipVolume,
  multiply3,
  planeRotation,
  rotate90Volume,
  warpVolume,
  type Matrix3,
  type VolumeSize,
} from './ops/volume';
import { valueParam } from './support/params';
import { transformSpatial, type ImageRole } from './support/spatial';

const chance = (what: string, fallback: number): z.ZodDefault<z.ZodNumber> =>
  z.number().min(0).max(1).default(fallback).describe(`Chance of ${what} on a training volume (0 to 1).`);

/** The planes of a volume as axis pairs: axial (rows, columns), coronal (slices, columns), sagittal (slices, rows). */
const PLANES: [0 | 1 | 2, 0 | 1 | 2][] = [
  [1, 2],
  [0, 2],
  [0, 1],
];

/** The `random-volume-geometry` module. */
export const randomVolumeGeometryModule = defineModule({
  id: 'random-volume-geometry',
  version: 1,
  usesRandomness: true,
  title: 'Random 3-D Flip, Turn and Affine',
  category: 'Augmentation',
  description:
    "On training volumes only (2-D images pass unchanged), with draws from the run's seeded generator: " +
    'mirrors each of the three axes (slices, rows, columns) with flipProbability; turns by a random number of ' +
    'quarter turns, with turnProbability, in one plane drawn among those whose two sides are equal (so the size ' +
    'is kept); and with affineProbability rotates about each axis by up to maxAngle degrees and scales by a ' +
    'factor in [scaleMin, scaleMax] about the volume centre (trilinear, fill outside). Masks move with the image ' +
    'by nearest voxels (padding is class 0); targets like the image. For brightness and contrast jitter of ' +
    'volumes use Random Brightness / Contrast, which treats a volume as one image.',
  params: z.object({
    flipProbability: chance('mirroring each axis', 0.5),
    turnProbability: chance('quarter turns', 0.25),
    affineProbability: chance('the small rotation and scaling', 0.3),
    maxAngle: z
      .number()
      .min(0)
      .max(45)
      .default(10)
      .describe('Largest rotation about each axis either way, in degrees (0 to 45).'),
    scaleMin: z.number().min(0.5).max(2).default(0.9).describe('Smallest zoom factor (0.5 to 2; 1 = none).'),
    scaleMax: z.number().min(0.5).max(2).default(1.1).describe('Largest zoom factor (0.5 to 2).'),
    fill: valueParam(0, 'Value of voxels moved in from outside'),
  }),
  run(sample, p, ctx) {
    if (ctx.split !== 'train' || !isVolume(sample.image)) return sample;
    const g = geometry(sample.image);
    const sides = [g.depth, g.height, g.width];
    const flips = ([0, 1, 2] as const).filter(() => ctx.rng() < p.flipProbability);
    const squarePlanes = PLANES.filter(([a, b]) => sides[a] === sides[b]);
    let turn: { plane: [0 | 1 | 2, 0 | 1 | 2]; k: number } | undefined;
    if (squarePlanes.length && ctx.rng() < p.turnProbability)
      turn = {
        plane: squarePlanes[Math.floor(ctx.rng() * squarePlanes.length)],
        k: 1 + Math.floor(ctx.rng() * 3),
      };
    let inverse: Matrix3 | undefined;
    if (ctx.rng() < p.affineProbability) {
      const radians = (degrees: number): number => (degrees * Math.PI) / 180;
      let forward: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
      for (const [a, b] of PLANES)
        forward = multiply3(planeRotation(a, b, radians(uniform(ctx.rng, -p.maxAngle, p.maxAngle))), forward);
      const scale = uniform(ctx.rng, Math.min(p.scaleMin, p.scaleMax), Math.max(p.scaleMin, p.scaleMax));
      // A rotation's inverse is its transpose; the scale's is its reciprocal.
      inverse = forward.map((_, i) => forward[(i % 3) * 3 + Math.floor(i / 3)] / scale) as Matrix3;
    }
    if (!flips.length && !turn && !inverse) return sample;
    const move = (img: ImageData, role: ImageRole): ImageData => {
      const size: VolumeSize = { ...g, channels: geometry(img).channels };
      let data = img.data;
      for (const axis of flips) data = flipVolume(data, size, axis);
      if (turn) data = rotate90Volume(data, size, turn.plane[0], turn.plane[1], turn.k);
      if (inverse)
        data = warpVolume(
          data,
          size,
          inverse,
          role === 'mask' ? 'nearest' : 'linear',
          role === 'mask' ? 0 : p.fill,
        );
      return { ...img, data };
    };
    return transformSpatial(sample, move);
  },
});
