/** Augmentation modules: training split only, seeded, labels follow geometry. */
import { describe, expect, it } from 'vitest';
import { elasticDeformationModule } from './elastic-deformation';
import { gaussianNoiseModule } from './gaussian-noise';
import { randomAffineModule } from './random-affine';
import { randomBrightnessContrastModule } from './random-brightness-contrast';
import { randomFlipModule } from './random-flip';
import { randomRotationModule } from './random-rotation';
import { createRng, seedFrom } from '../run/rng';
import { ctxWith, img, smp, values } from '../test-support/samples';

const ramp = (): Float32Array => new Float32Array(6 * 8).map((_, i) => i);

describe('augmentations act on the training split only', () => {
  const mods = [
    [randomFlipModule, { probability: 1 }],
    [randomRotationModule, { probability: 1, maxAngle: 30 }],
    [randomAffineModule, { probability: 1 }],
    [randomBrightnessContrastModule, { probability: 1 }],
    [gaussianNoiseModule, { probability: 1 }],
    [elasticDeformationModule, { probability: 1 }],
  ] as const;
  for (const [m, p] of mods) {
    it(`${m.id}: validation and test samples pass unchanged; train changes; same rng -> same output`, async () => {
      const params = m.params.parse(p) as never;
      const s = smp(img(ramp(), 6, 8));
      for (const split of ['validation', 'test'] as const) {
        const v = smp(img(ramp(), 6, 8), undefined, split);
        expect(await m.run(v, params, ctxWith([0.1, 0.9, 0.3], split))).toBe(v);
      }
      const a = await m.run(s, params, ctxWith([0.1, 0.9, 0.3, 0.7]));
      const b = await m.run(s, params, ctxWith([0.1, 0.9, 0.3, 0.7]));
      expect(values(a)).not.toEqual([...ramp()]);
      expect(values(a)).toEqual(values(b));
    });
  }
});

describe('random-flip', () => {
  it('flips when the draw is below the probability, and moves the mask', async () => {
    const mask = img(new Uint8Array([1, 0, 0]), 1, 3);
    const s = smp(img(new Uint8Array([1, 2, 3]), 1, 3), { kind: 'mask', mask });
    const out = await randomFlipModule.run(s, { axis: 'horizontal', probability: 0.5 }, ctxWith([0.49]));
    expect(values(out)).toEqual([3, 2, 1]);
    expect(out?.label?.kind === 'mask' && [...out.label.mask.data]).toEqual([0, 0, 1]);
    expect(await randomFlipModule.run(s, { axis: 'horizontal', probability: 0.5 }, ctxWith([0.5]))).toBe(s);
  });
});

describe('random-rotation', () => {
  it('rotating by +maxAngle = 90 degrees turns a 3x3 like rotate-90 ccw (exact at pixel centres)', async () => {
    const s = smp(img(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 3, 3));
    // rng: 0 < probability, then 1 - tiny for the angle -> +90 degrees (counter-clockwise on screen).
    const out = await randomRotationModule.run(
      s,
      randomRotationModule.params.parse({ probability: 1, maxAngle: 90 }),
      ctxWith([0, 0.9999999999]),
    );
    values(out).forEach((v, i) => expect(v).toBeCloseTo([3, 6, 9, 2, 5, 8, 1, 4, 7][i], 4));
  });
  it('keeps mask values in the label set (nearest) and boxes inside the image', async () => {
    const mask = img(
      new Uint8Array(64).map((_, i) => (i % 8 > 3 ? 2 : 0)),
      8,
      8,
    );
    const s = smp(img(new Uint16Array(64).fill(1000), 8, 8), { kind: 'mask', mask });
    const out = await randomRotationModule.run(
      s,
      randomRotationModule.params.parse({ probability: 1, maxAngle: 45 }),
      ctxWith([0, 0.8]),
    );
    expect(out?.label?.kind === 'mask' && new Set(out.label.mask.data)).toEqual(new Set([0, 2]));
    const b = await randomRotationModule.run(
      smp(img(new Uint8Array(64), 8, 8), {
        kind: 'boxes',
        boxes: [{ xmin: 2, ymin: 2, xmax: 6, ymax: 6, classIndex: 0 }],
      }),
      randomRotationModule.params.parse({ probability: 1, maxAngle: 45 }),
      ctxWith([0, 1 - 1e-12]),
    );
    // A centred 4x4 box turned by 45 degrees: its corners' bounding box is 4 * sqrt(2) wide, still centred.
    if (b?.label?.kind !== 'boxes') throw new Error('boxes expected');
    const box = b.label.boxes[0];
    expect(box.xmax - box.xmin).toBeCloseTo(4 * Math.SQRT2, 4);
    expect((box.xmax + box.xmin) / 2).toBeCloseTo(4, 4);
  });
});

describe('intensity augmentations', () => {
  it('brightness/contrast at zero strength is the identity; the draw sets the shift', async () => {
    const s = smp(img(new Uint8Array([10, 20, 30]), 1, 3));
    expect(
      values(
        await randomBrightnessContrastModule.run(
          s,
          { brightness: 0, contrast: 0, probability: 1 },
          ctxWith([0]),
        ),
      ),
    ).toEqual([10, 20, 30]);
    // rng: apply (0), contrast draw 0.5 -> c = 1, brightness draw 0.75 -> b = +0.05 -> +12.75 on 0..255
    const out = await randomBrightnessContrastModule.run(
      s,
      { brightness: 0.1, contrast: 0.2, probability: 1 },
      ctxWith([0, 0.5, 0.75]),
    );
    expect(values(out)).toEqual([23, 33, 43]);
    // contrast draw 1 - eps -> c ~ 1.2 about the mean 20: [8, 20, 32]
    const c = await randomBrightnessContrastModule.run(
      s,
      { brightness: 0.1, contrast: 0.2, probability: 1 },
      ctxWith([0, 1 - 1e-12, 0.5]),
    );
    expect(values(c)).toEqual([8, 20, 32]);
  });
  it('gaussian noise has the requested standard deviation (relative to the 16-bit range)', async () => {
    const n = 20000;
    const s = smp(img(new Uint16Array(n).fill(30000), 100, 200));
    // The engine's own seeded generator, as the executor passes it.
    const rng = createRng(seedFrom(42, 'noise', 'x'));
    const out = await gaussianNoiseModule.run(
      s,
      { std: 0.01, probability: 1 },
      { nodeId: 'n', split: 'train', rng, inputs: {} },
    );
    const v = values(out);
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    // Standard error of the mean is 655 / sqrt(20000) = 4.6: allow 4 of them.
    expect(Math.abs(mean - 30000)).toBeLessThan(19);
    expect(sd / 655.35).toBeGreaterThan(0.97);
    expect(sd / 655.35).toBeLessThan(1.03);
  });
  it('elastic deformation with alpha 0 is the identity', async () => {
    const s = smp(img(ramp(), 6, 8));
    const out = await elasticDeformationModule.run(
      s,
      elasticDeformationModule.params.parse({ alpha: 0, probability: 1 }),
      ctxWith([0, 0.3, 0.6]),
    );
    expect(values(out)).toEqual([...ramp()]);
  });
});
