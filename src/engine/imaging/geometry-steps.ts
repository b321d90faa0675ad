/**
 * Geometry records (docs/design.md section 3, "Geometry records and
 * inversion"): geometric modules append what they did to a sample as affine
 * steps on continuous pixel coordinates, so that what a network predicts on
 * its input grid (a mask, a heatmap, boxes) maps back to the source image.
 * Inversion pulls: each source pixel's centre goes forward through the
 * composed steps and reads the prediction there (nearest for label masks,
 * bilinear for heatmaps and float outputs, linear across a volume's slices
 * too); outside the predicted grid (cropped away) it reads
 * the fill value. Boxes go backward through the inverse map and are clipped.
 */
import type { Affine, Box, GeometryStep, PixelArray, Sample } from '../api';
import { geometry } from './image';

/** A spatial size. */
export interface Size {
  height: number;
  width: number;
}

/** The map that leaves every point where it is. */
export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** Where `a` sends the point (x, y). */
export function applyAffine(a: Affine, x: number, y: number): [number, number] {
  return [a[0] * x + a[1] * y + a[2], a[3] * x + a[4] * y + a[5]];
}

/** `second` after `first`. */
export function composeAffine(first: Affine, second: Affine): Affine {
  const [a, b, c, d, e, f] = second;
  return [
    a * first[0] + b * first[3],
    a * first[1] + b * first[4],
    a * first[2] + b * first[5] + c,
    d * first[0] + e * first[3],
    d * first[1] + e * first[4],
    d * first[2] + e * first[5] + f,
  ];
}

/** The inverse map; throws on a map that flattens the plane. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('A geometry step flattens the image and cannot be inverted');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/**
 * A box through `m`: the bounding box of its mapped corners, clipped to
 * `bounds`; null when nothing of it is left (zero width or height).
 */
export function mapBox<B extends Box>(box: B, m: Affine, bounds: Size): B | null {
  const corners = [
    applyAffine(m, box.xmin, box.ymin),
    applyAffine(m, box.xmax, box.ymin),
    applyAffine(m, box.xmin, box.ymax),
    applyAffine(m, box.xmax, box.ymax),
  ];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  const xmin = Math.max(0, Math.min(...xs));
  const xmax = Math.min(bounds.width, Math.max(...xs));
  const ymin = Math.max(0, Math.min(...ys));
  const ymax = Math.min(bounds.height, Math.max(...ys));
  if (!(xmax > xmin && ymax > ymin)) return null;
  return { ...box, xmin, xmax, ymin, ymax };
}

/** `output` with one more step: `input`'s record plus `module`'s `affine` from `input`'s size to `output`'s. */
export function recordStep(output: Sample, input: Sample, module: string, affine: Affine): Sample {
  const from = geometry(input.image);
  const to = geometry(output.image);
  const step: GeometryStep = {
    module,
    from: { height: from.height, width: from.width },
    to: { height: to.height, width: to.width },
    affine,
  };
  return { ...output, geometry: [...(input.geometry ?? []), step] };
}

/**
 * The map from the source image's pixel coordinates to the sample's grid,
 * composed from its record. Throws, naming the step, when the record does not
 * describe how a `source`-sized image became this one (a module changed the
 * size without recording it).
 */
export function sourceToSample(sample: Sample, source: Size): Affine {
  let size: Size = source;
  let map = IDENTITY;
  for (const step of sample.geometry ?? []) {
    if (step.from.height !== size.height || step.from.width !== size.width)
      throw new Error(
        `${step.module} received a ${step.from.width}x${step.from.height} image but the step before it gave ${size.width}x${size.height}: a module between them changed the size without recording how`,
      );
    map = composeAffine(map, step.affine);
    size = step.to;
  }
  const now = geometry(sample.image);
  if (now.height !== size.height || now.width !== size.width)
    throw new Error(
      `the image is ${now.width}x${now.height} but its recorded steps give ${size.width}x${size.height}: a module changed the size without recording how, so outputs cannot be mapped back to the ${source.width}x${source.height} source`,
    );
  return map;
}

/** How a prediction grid is read between its pixels: nearest for class masks, bilinear for heatmaps. */
export type Resampling = 'nearest' | 'bilinear';

/**
 * Resamples a channel-last `grid` (a prediction at the sample's size) onto the
 * `source` grid through `toGrid` (source coordinates to grid coordinates, from
 * {@link sourceToSample}). Source pixels that fall outside the grid get `fill`.
 */
export function resampleToSource<T extends PixelArray>(
  data: T,
  grid: Size & { channels: number },
  toGrid: Affine,
  source: Size,
  mode: Resampling,
  fill = 0,
): T {
  const c = grid.channels;
  const out = new (data.constructor as new (n: number) => T)(source.height * source.width * c);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < source.width; x++) {
      const [u, v] = applyAffine(toGrid, x + 0.5, y + 0.5);
      const o = (y * source.width + x) * c;
      if (u < 0 || v < 0 || u >= grid.width || v >= grid.height) {
        for (let k = 0; k < c; k++) out[o + k] = fill;
        continue;
      }
      if (mode === 'nearest') {
        const i = (Math.floor(v) * grid.width + Math.floor(u)) * c;
        for (let k = 0; k < c; k++) out[o + k] = data[i + k];
        continue;
      }
      // Bilinear between the four nearest pixel centres, edges clamped.
      const fx = Math.min(Math.max(u - 0.5, 0), grid.width - 1);
      const fy = Math.min(Math.max(v - 0.5, 0), grid.height - 1);
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(x0 + 1, grid.width - 1);
      const y1 = Math.min(y0 + 1, grid.height - 1);
      const tx = fx - x0;
      const ty = fy - y0;
      for (let k = 0; k < c; k++) {
        const at = (yy: number, xx: number): number => data[(yy * grid.width + xx) * c + k];
        const top = at(y0, x0) * (1 - tx) + at(y0, x1) * tx;
        const bottom = at(y1, x0) * (1 - tx) + at(y1, x1) * tx;
        out[o + k] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

/** Boxes predicted on the sample's grid in source pixel coordinates, clipped to the source; empty ones dropped. */
export function boxesToSource<B extends Box>(boxes: B[], toGrid: Affine, source: Size): B[] {
  const back = invertAffine(toGrid);
  return boxes.flatMap((b) => mapBox(b, back, source) ?? []);
}

/** A map of the slice axis of a volume: slice coordinate `z` goes to `scale * z + offset`. */
export interface DepthMap {
  scale: number;
  offset: number;
}

/**
 * The slice-axis map from a source volume of `sourceDepth` slices to the
 * sample's, composed from the steps that changed the slices (the others keep
 * them). Throws when the record does not account for the sample's slices.
 */
export function sourceDepthToSample(sample: Sample, sourceDepth: number): DepthMap {
  let depth = sourceDepth;
  let map: DepthMap = { scale: 1, offset: 0 };
  for (const step of sample.geometry ?? []) {
    if (!step.depth) continue;
    if (step.depth.from !== depth)
      throw new Error(
        `${step.module} received ${step.depth.from} slices but the step before it gave ${depth}: a module between them changed the slices without recording how`,
      );
    map = { scale: step.depth.scale * map.scale, offset: step.depth.scale * map.offset + step.depth.offset };
    depth = step.depth.to;
  }
  const now = geometry(sample.image).depth;
  if (now !== depth)
    throw new Error(
      `the volume has ${now} slices but its recorded steps give ${depth}: a module changed the slices without recording how, so outputs cannot be mapped back to the ${sourceDepth}-slice source`,
    );
  return map;
}

/**
 * {@link resampleToSource} for volumes. Source slices whose centre falls
 * outside the grid (through `depthMap`) get `fill`. With `nearest` (class
 * masks) each source slice reads the grid slice its centre falls in; with
 * `bilinear` (float outputs) it reads linearly between the two nearest grid
 * slice centres too (trilinear, edges clamped). Within a slice the in-plane
 * map `toGrid` applies as for images.
 */
export function resampleVolumeToSource<T extends PixelArray>(
  data: T,
  grid: Size & { depth: number; channels: number },
  toGrid: Affine,
  depthMap: DepthMap,
  source: Size & { depth: number },
  mode: Resampling,
  fill = 0,
): T {
  const perGrid = grid.height * grid.width * grid.channels;
  const perSource = source.height * source.width * grid.channels;
  const out = new (data.constructor as new (n: number) => T)(source.depth * perSource);
  // Grid slices mapped onto the source plane, kept while neighbouring source slices read them:
  // the slice map is monotonic, so the last three suffice whichever way it runs.
  let kept: { k: number; plane: T }[] = [];
  const sliceInSource = (k: number): T => {
    const found = kept.find((s) => s.k === k);
    if (found) return found.plane;
    const plane = resampleToSource(
      data.subarray(k * perGrid, (k + 1) * perGrid) as T,
      grid,
      toGrid,
      source,
      mode,
      fill,
    );
    kept = [...kept.slice(-2), { k, plane }];
    return plane;
  };
  for (let z = 0; z < source.depth; z++) {
    const w = depthMap.scale * (z + 0.5) + depthMap.offset;
    if (w < 0 || w >= grid.depth) {
      out.fill(fill, z * perSource, (z + 1) * perSource);
      continue;
    }
    if (mode === 'nearest') {
      out.set(sliceInSource(Math.floor(w)), z * perSource);
      continue;
    }
    const fz = Math.min(Math.max(w - 0.5, 0), grid.depth - 1);
    const z0 = Math.floor(fz);
    const z1 = Math.min(z0 + 1, grid.depth - 1);
    const t = fz - z0;
    const below = sliceInSource(z0);
    const above = sliceInSource(z1);
    for (let i = 0; i < perSource; i++) out[z * perSource + i] = below[i] * (1 - t) + above[i] * t;
  }
  return out;
}
