/**
 * Geometry records and their inversion, through the real modules: a mask
 * predicted after Resize and Crop comes back at the source size and position,
 * heatmaps are read bilinearly, boxes map back clipped to the image, and a
 * record that does not explain the image's size is refused.
 */
import { describe, expect, it } from 'vitest';
import type { Box, Sample } from '../api';
import type { ModuleContext, ModuleNodeType } from '../graph/node-type';
import { autoCropModule } from '../modules/auto-crop';
import { cropModule } from '../modules/crop';
import { flipModule } from '../modules/flip';
import { padModule } from '../modules/pad';
import { resampleSpacingModule } from '../modules/resample-spacing';
import { resizeModule } from '../modules/resize';
import { rotate90Module } from '../modules/rotate-90';
import { decodeSample, encodeSample } from '../run/sample-codec';
import { boxesToSource, resampleToSource, sourceToSample } from './geometry-steps';

const ctx: ModuleContext = { nodeId: 'n', rng: () => 0.5, inputs: {} };

/** A `width x height` image with a bright square, and the square as a 0/1 mask. */
function squareSample(width: number, height: number, sq: { x: number; y: number; size: number }): Sample {
  const image = new Uint8Array(width * height);
  const mask = new Uint8Array(width * height);
  for (let y = sq.y; y < sq.y + sq.size; y++)
    for (let x = sq.x; x < sq.x + sq.size; x++) {
      image[y * width + x] = 200;
      mask[y * width + x] = 1;
    }
  return {
    id: 's.png',
    image: { data: image, shape: [height, width, 1], colorMode: 'grayscale' },
    label: { kind: 'mask', mask: { data: mask, shape: [height, width, 1], colorMode: 'grayscale' } },
    meta: {},
  };
}

/** Runs the real modules in order, as the executor does. */
async function through(sample: Sample, steps: [ModuleNodeType, object][]): Promise<Sample> {
  let s = sample;
  for (const [module, params] of steps) s = (await module.run(s, module.params.parse(params), ctx)) as Sample;
  return s;
}

function maskOf(s: Sample): Uint8Array {
  if (s.label?.kind !== 'mask') throw new Error('no mask');
  return s.label.mask.data as Uint8Array;
}

function centroid(mask: Uint8Array, width: number): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  mask.forEach((v, i) => {
    if (v) {
      sx += (i % width) + 0.5;
      sy += Math.floor(i / width) + 0.5;
      n++;
    }
  });
  return [sx / n, sy / n];
}

describe('geometry records and inversion', () => {
  it('a mask on the grid after Resize and Crop maps back exactly onto the source (exact scales)', async () => {
    const source = squareSample(128, 64, { x: 40, y: 20, size: 16 });
    const out = await through(source, [
      [resizeModule, { width: 64, height: 32 }],
      [cropModule, { mode: 'roi', x: 8, y: 4, width: 40, height: 24 }],
    ]);
    expect(out.image.shape).toEqual([24, 40, 1]);
    expect(out.geometry?.map((g) => g.module)).toEqual(['resize', 'crop']);
    // The network's output here is the transformed true mask itself.
    const toGrid = sourceToSample(out, { height: 64, width: 128 });
    const back = resampleToSource(
      maskOf(out),
      { height: 24, width: 40, channels: 1 },
      toGrid,
      {
        height: 64,
        width: 128,
      },
      'nearest',
    );
    expect(back.length).toBe(128 * 64);
    expect([...back]).toEqual([...maskOf(source)]);
  });

  it('after Resize 96x80 -> 64x64 and a centre crop, the mask comes back at 96x80 on the square, cropped parts 0', async () => {
    const square = { x: 30, y: 26, size: 20 };
    const source = squareSample(96, 80, square);
    const out = await through(source, [
      [resizeModule, { width: 64, height: 64, interpolation: 'nearest' }],
      [cropModule, { mode: 'center', width: 48, height: 48 }],
    ]);
    const back = resampleToSource(
      maskOf(out),
      { height: 48, width: 48, channels: 1 },
      sourceToSample(out, { height: 80, width: 96 }),
      { height: 80, width: 96 },
      'nearest',
    );
    const truth = maskOf(source);
    let inter = 0;
    let sum = 0;
    for (let i = 0; i < truth.length; i++) {
      inter += truth[i] & back[i];
      sum += truth[i] + back[i];
    }
    expect((2 * inter) / sum).toBeGreaterThan(0.9);
    const [cx, cy] = centroid(back, 96);
    expect(Math.abs(cx - 40)).toBeLessThan(1);
    expect(Math.abs(cy - 36)).toBeLessThan(1);
    // The centre crop keeps source columns 12..84 and rows 10..70: outside it nothing is predicted.
    const prediction = new Uint8Array(48 * 48).fill(1);
    const everywhere = resampleToSource(
      prediction,
      { height: 48, width: 48, channels: 1 },
      sourceToSample(out, { height: 80, width: 96 }),
      { height: 80, width: 96 },
      'nearest',
    );
    expect(everywhere[5 * 96 + 50]).toBe(0);
    expect(everywhere[40 * 96 + 6]).toBe(0);
    expect(everywhere[40 * 96 + 50]).toBe(1);
  });

  it('reads heatmaps bilinearly: a ramp on the grid is a ramp on the source', async () => {
    const source = squareSample(40, 20, { x: 0, y: 0, size: 1 });
    const out = await through(source, [[resizeModule, { width: 80, height: 40 }]]);
    const ramp = Float32Array.from({ length: 80 * 40 }, (_, i) => i % 80);
    const back = resampleToSource(
      ramp,
      { height: 40, width: 80, channels: 1 },
      sourceToSample(out, { height: 20, width: 40 }),
      { height: 20, width: 40 },
      'bilinear',
    );
    // Source column x has its centre at grid x' = 2x + 1, between grid centres 2x + 0.5 and 2x + 1.5.
    for (const x of [1, 10, 25, 38]) expect(back[7 * 40 + x]).toBeCloseTo(2 * x + 0.5, 5);
  });

  it('maps boxes back through pad, quarter turn, flip and letterbox resize; clips them and drops empty ones', async () => {
    const box: Box = { xmin: 10, ymin: 5, xmax: 30, ymax: 15, classIndex: 1 };
    const source: Sample = {
      id: 'b',
      image: { data: new Uint8Array(60 * 40), shape: [40, 60, 1], colorMode: 'grayscale' },
      label: { kind: 'boxes', boxes: [box] },
      meta: {},
    };
    const out = await through(source, [
      [padModule, { left: 4, top: 2 }],
      [rotate90Module, { direction: 'cw' }],
      [flipModule, { axis: 'horizontal' }],
      [resizeModule, { width: 32, height: 32, keepAspectRatio: true }],
    ]);
    expect(out.geometry).toHaveLength(4);
    const toGrid = sourceToSample(out, { height: 40, width: 60 });
    const predicted = out.label?.kind === 'boxes' ? out.label.boxes : [];
    const [back] = boxesToSource(predicted, toGrid, { height: 40, width: 60 });
    expect(back.classIndex).toBe(1);
    for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) expect(back[k]).toBeCloseTo(box[k], 6);
    // A box reaching into the padding is clipped to the source; one wholly in the padding is dropped.
    const padded = await through(source, [[padModule, { left: 10, right: 10 }]]);
    const map = sourceToSample(padded, { height: 40, width: 60 });
    const boxes = boxesToSource(
      [
        { xmin: 2, ymin: 0, xmax: 20, ymax: 8, classIndex: 0 },
        { xmin: 0, ymin: 0, xmax: 9, ymax: 8, classIndex: 0 },
      ],
      map,
      { height: 40, width: 60 },
    );
    expect(boxes).toEqual([{ xmin: 0, ymin: 0, xmax: 10, ymax: 8, classIndex: 0 }]);
  });

  it('records Resample to Spacing as a resize, so its masks map back too', async () => {
    const source = squareSample(40, 20, { x: 10, y: 4, size: 8 });
    source.image.spacing = [0.5, 0.5];
    const out = await through(source, [[resampleSpacingModule, { spacingX: 1, spacingY: 1 }]]);
    expect(out.image.shape).toEqual([10, 20, 1]);
    const back = resampleToSource(
      maskOf(out),
      { height: 10, width: 20, channels: 1 },
      sourceToSample(out, { height: 20, width: 40 }),
      { height: 20, width: 40 },
      'nearest',
    );
    expect([...back]).toEqual([...maskOf(source)]);
  });

  it('records Auto Crop, keeps the record through the cache, and refuses a size no step explains', async () => {
    const source = squareSample(50, 30, { x: 20, y: 10, size: 6 });
    const out = await through(source, [[autoCropModule, { threshold: 100, margin: 2 }]]);
    expect(out.geometry).toEqual([
      {
        module: 'auto-crop',
        from: { height: 30, width: 50 },
        to: { height: 10, width: 10 },
        affine: [1, 0, -18, 0, 1, -8],
      },
    ]);
    expect(decodeSample(encodeSample(out)).geometry).toEqual(out.geometry);
    // A module that resized without recording: the record ends at 10x10, the image is 20x20.
    const unrecorded: Sample = {
      ...out,
      image: { data: new Uint8Array(400), shape: [20, 20, 1], colorMode: 'grayscale' },
    };
    expect(() => sourceToSample(unrecorded, { height: 30, width: 50 })).toThrow(
      'the image is 20x20 but its recorded steps give 10x10: a module changed the size without recording how, so outputs cannot be mapped back to the 50x30 source',
    );
    // No record, same size: the identity.
    expect(sourceToSample(source, { height: 30, width: 50 })).toEqual([1, 0, 0, 0, 1, 0]);
  });
});
