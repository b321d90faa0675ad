/** Reorient to Canonical: volumes turned so their voxel axes run along RAS (or LPS). */
import { z } from 'zod';
import type { ImageData, PixelArray } from '../api';
import { axisCodes } from '../data/readers/nifti';
import { geometry, isVolume } from '../imaging/image';
import { defineModule } from './define';
import { flipVolume, type VolumeSize } from './ops/volume';
import { transformAffine } from './support/spatial';

const OPPOSITE: Record<string, string> = { R: 'L', L: 'R', A: 'P', P: 'A', S: 'I', I: 'S' };

/** Swaps rows and columns of every slice. */
function transposeSlices(src: PixelArray, v: VolumeSize): PixelArray {
  const { depth, height, width, channels: c } = v;
  const out = new (src.constructor as new (n: number) => PixelArray)(src.length);
  for (let z = 0; z < depth; z++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const from = ((z * height + y) * width + x) * c;
        const to = ((z * width + x) * height + y) * c;
        for (let k = 0; k < c; k++) out[to + k] = src[from + k];
      }
  return out;
}

/** The `reorient` module. */
export const reorientModule = defineModule({
  id: 'reorient',
  version: 1,
  title: 'Reorient to Canonical',
  category: 'Geometry',
  description:
    "Turns volumes (NIfTI, and DICOM series, whose affine comes from their slices' positions and orientation) so that columns, rows and slices run along the target's axes (RAS: right, anterior, " +
    "superior, as nibabel's as_closest_canonical; or LPS, DICOM's), by flips and by swapping rows and columns; " +
    'the affine in the metadata follows. Masks move alike; the step is recorded, so predictions map back to the ' +
    "file as it was. A volume whose slices are not along the target's third axis (a sagittal or coronal " +
    'acquisition) is refused, and items without an affine pass unchanged.',
  params: z.object({
    orientation: z
      .enum(['RAS', 'LPS'])
      .default('RAS')
      .describe('Target axes of columns, rows and slices: RAS (nibabel, NIfTI) or LPS (DICOM).'),
  }),
  run(sample, p) {
    const affine = sample.meta.affine as number[][] | undefined;
    if (!isVolume(sample.image) || !Array.isArray(affine)) return sample;
    const codes = axisCodes(affine);
    // The world axis letter the target wants per voxel axis (columns, rows, slices).
    const want = p.orientation;
    // The world axis of each voxel axis, whatever its sign.
    const axisOf = (code: string): number => ['RL', 'AP', 'SI'].findIndex((pair) => pair.includes(code));
    if (axisOf(codes[2]) !== 2)
      throw new Error(
        `Sample ${sample.id} is ${codes}: its slices are not along ${want[2]}/${OPPOSITE[want[2]]} (a sagittal or coronal acquisition), which Reorient to Canonical does not turn; leave it out for such volumes`,
      );
    const swap = axisOf(codes[0]) !== 0;
    // After the swap, voxel axis a holds what was axis order[a].
    const order = swap ? [1, 0, 2] : [0, 1, 2];
    const flips = order.map((from, a) => codes[from] !== want[a]);
    const g = geometry(sample.image);
    const to = swap ? { height: g.width, width: g.height } : { height: g.height, width: g.width };
    // Continuous pixel coordinates: x' = W - x for a column flip, y' = H - y for rows, x' = y after a swap.
    const [a, b, d, e] = swap ? [0, 1, 1, 0] : [1, 0, 0, 1];
    const sx = flips[0] ? -1 : 1;
    const sy = flips[1] ? -1 : 1;
    const inPlane: [number, number, number, number, number, number] = [
      sx * a,
      sx * b,
      flips[0] ? to.width : 0,
      sy * d,
      sy * e,
      flips[1] ? to.height : 0,
    ];
    const move = (img: ImageData): ImageData => {
      let size: VolumeSize = { ...g, channels: geometry(img).channels };
      let data = img.data;
      if (swap) {
        data = transposeSlices(data, size);
        size = { ...size, height: g.width, width: g.height };
      }
      if (flips[0]) data = flipVolume(data, size, 2);
      if (flips[1]) data = flipVolume(data, size, 1);
      if (flips[2]) data = flipVolume(data, size, 0);
      const shape = [g.depth, size.height, size.width, size.channels];
      const spacing = img.spacing && swap ? [img.spacing[0], img.spacing[2], img.spacing[1]] : img.spacing;
      return { ...img, data, shape, ...(spacing ? { spacing } : {}) };
    };
    const out = transformAffine(sample, 'reorient', inPlane, move);
    // The new voxel-to-world map: old voxel = P (new voxel), columns of P from the swap and flips.
    const size = [to.width, to.height, g.depth];
    const P = [0, 1, 2].map(() => [0, 0, 0, 0]);
    order.forEach((from, axis) => {
      P[from][axis] = flips[axis] ? -1 : 1;
      P[from][3] = flips[axis] ? size[axis] - 1 : 0;
    });
    const moved = [0, 1, 2, 3].map((row) =>
      [0, 1, 2, 3].map((col) =>
        row === 3
          ? affine[3][col]
          : [0, 1, 2].reduce((sum, k) => sum + affine[row][k] * P[k][col], 0) +
            (col === 3 ? affine[row][3] : 0),
      ),
    );
    const steps = out.geometry ?? [];
    const last = steps[steps.length - 1];
    const depth = flips[2] ? { from: g.depth, to: g.depth, scale: -1, offset: g.depth } : undefined;
    return {
      ...out,
      meta: { ...out.meta, affine: moved, orientation: axisCodes(moved) },
      geometry: [...steps.slice(0, -1), { ...last, ...(depth ? { depth } : {}) }],
    };
  },
});
