/** Warping a whole sample with one affine map (rotation and affine augmentations). */
import type { Box, Sample } from '../../api';
import { mapPoint, warpAffine, type Affine } from '../ops/warp';
import { mapSlices, transformSpatial } from './spatial';

/** Box through a point map: the bounding box of its mapped corners, clipped to `w x h`. */
export function mapBox(
  b: Box,
  map: (x: number, y: number) => [number, number],
  w: number,
  h: number,
): Box | null {
  const pts = [map(b.xmin, b.ymin), map(b.xmax, b.ymin), map(b.xmin, b.ymax), map(b.xmax, b.ymax)];
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xmin = Math.max(0, Math.min(...xs));
  const ymin = Math.max(0, Math.min(...ys));
  const xmax = Math.min(w, Math.max(...xs));
  const ymax = Math.min(h, Math.max(...ys));
  return xmax > xmin && ymax > ymin ? { ...b, xmin, ymin, xmax, ymax } : null;
}

/** Warps image, mask (nearest, fill 0), target and boxes with the forward affine `m`; size kept. */
export function warpSample(
  sample: Sample,
  m: Affine,
  interpolation: 'nearest' | 'bilinear',
  fill: number,
): Sample {
  const shape = sample.image.shape;
  const w = shape[shape.length - 2];
  const h = shape[shape.length - 3];
  // Box edges are continuous coordinates; pixel centres sit at +0.5 of them.
  const edgeMap = (x: number, y: number): [number, number] => {
    const [u, v] = mapPoint(m, x - 0.5, y - 0.5);
    return [u + 0.5, v + 0.5];
  };
  return transformSpatial(
    sample,
    (img, role) =>
      mapSlices(img, (data, s) => ({
        ...s,
        data: warpAffine(
          data,
          s,
          m,
          s,
          role === 'mask' ? 'nearest' : interpolation,
          role === 'mask' ? 0 : fill,
        ),
      })),
    (b) => mapBox(b, edgeMap, w, h),
  );
}
