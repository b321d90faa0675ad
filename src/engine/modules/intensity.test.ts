/** Intensity and medical modules: hand-worked values; labels are left alone. */
import { describe, expect, it } from 'vitest';
import { bitDepthConversionModule } from './bit-depth-conversion';
import { clipModule } from './clip';
import { gammaCorrectionModule } from './gamma-correction';
import { histogramEqualizationModule } from './histogram-equalization';
import { huClampModule } from './hu-clamp';
import { invertModule } from './invert';
import { minMaxNormalizationModule } from './min-max-normalization';
import { ctxWith, img, smp, values } from '../test-support/samples';
import { WINDOW_PRESETS, windowSettingModule } from './window-setting';
import { zScoreNormalizationModule } from './z-score-normalization';

const ctx = ctxWith();

describe('window-setting', () => {
  it('maps center -/+ width/2 to 0..1 linearly (abdomen 50/400: -150 -> 0, 50 -> 0.5, 250 -> 1)', async () => {
    const s = smp(img(new Int16Array([-1000, -150, 50, 150, 250, 3000]), 1, 6, 1, { unit: 'HU' }));
    const out = await windowSettingModule.run(
      s,
      windowSettingModule.params.parse({ preset: 'abdomen' }),
      ctx,
    );
    expect(values(out)).toEqual([0, 0, 0.5, 0.75, 1, 1]);
    expect(out?.image.unit).toBe('normalized');
  });
  it('custom window to uint8 (lung -600/1500 at -600 is 128)', async () => {
    const s = smp(img(new Int16Array([-1350, -600, 150]), 1, 3));
    const out = await windowSettingModule.run(
      s,
      windowSettingModule.params.parse({ center: -600, width: 1500, output: 'uint8' }),
      ctx,
    );
    expect(values(out)).toEqual([0, 128, 255]);
    expect(WINDOW_PRESETS.lung).toEqual({ center: -600, width: 1500 });
  });
});

describe('point maps', () => {
  it('hu-clamp clamps to the HU range and keeps int16', async () => {
    const out = await huClampModule.run(
      smp(img(new Int16Array([-3024, -1024, 0, 4000]), 1, 4)),
      huClampModule.params.parse({}),
      ctx,
    );
    expect(out?.image.data).toBeInstanceOf(Int16Array);
    expect(values(out)).toEqual([-1024, -1024, 0, 3071]);
  });
  it('clip refuses min above max', () => {
    expect(() => clipModule.run(smp(img(new Uint8Array(1), 1, 1)), { min: 5, max: 1 }, ctx)).toThrow(
      /min \(5\) is above max \(1\)/,
    );
  });
  it('gamma on 16-bit uses 0..65535: 2 ^ 16 - 1 stays, a quarter becomes a half with gamma 0.5', async () => {
    const out = await gammaCorrectionModule.run(
      smp(img(new Uint16Array([0, 16384, 65535]), 1, 3)),
      { gamma: 0.5, gain: 1 },
      ctx,
    );
    // 65535 * sqrt(16384 / 65535) = 32767.75 -> 32768
    expect(values(out)).toEqual([0, 32768, 65535]);
  });
  it('invert on float uses the image range', async () => {
    expect(values(await invertModule.run(smp(img(new Float32Array([0.25, 0.5, 1]), 1, 3)), {}, ctx))).toEqual(
      [1, 0.75, 0.25],
    );
  });
  it('min-max-normalization of HU to [0, 1]; a flat image becomes min', async () => {
    const s = smp(img(new Int16Array([-1000, 0, 1000]), 1, 3, 1, { unit: 'HU' }));
    const out = await minMaxNormalizationModule.run(s, { min: 0, max: 1 }, ctx);
    expect(values(out)).toEqual([0, 0.5, 1]);
    expect(out?.image.unit).toBe('normalized');
    expect(
      values(
        await minMaxNormalizationModule.run(smp(img(new Uint8Array([7, 7]), 1, 2)), { min: 2, max: 3 }, ctx),
      ),
    ).toEqual([2, 2]);
  });
  it('z-score: [1, 2, 3, 4] has mean 2.5 and population std sqrt(1.25)', async () => {
    const out = await zScoreNormalizationModule.run(
      smp(img(new Uint8Array([1, 2, 3, 4]), 2, 2)),
      { perChannel: false },
      ctx,
    );
    const s = Math.sqrt(1.25);
    values(out).forEach((v, i) => expect(v).toBeCloseTo((i + 1 - 2.5) / s, 6));
  });
  it('z-score per channel normalises each channel separately', async () => {
    const out = await zScoreNormalizationModule.run(
      smp(img(new Float32Array([0, 10, 2, 30]), 1, 2, 2)),
      { perChannel: true },
      ctx,
    );
    expect(values(out)).toEqual([-1, -1, 1, 1]);
  });
  it('bit-depth: 16-bit to 8-bit by dtype range (65535 -> 255, 32896 -> 128) and by min-max', async () => {
    const s = smp(img(new Uint16Array([0, 32896, 65535]), 1, 3));
    expect(values(await bitDepthConversionModule.run(s, { dtype: 'uint8', scaling: 'dtype' }, ctx))).toEqual([
      0, 128, 255,
    ]);
    const s2 = smp(img(new Uint16Array([1000, 1500, 2000]), 1, 3));
    const out = await bitDepthConversionModule.run(s2, { dtype: 'float32', scaling: 'minmax' }, ctx);
    expect(out?.image.data).toBeInstanceOf(Float32Array);
    expect(values(out)).toEqual([0, 0.5, 1]);
    const none = await bitDepthConversionModule.run(
      smp(img(new Float32Array([-3, 2.5, 3.5, 300]), 1, 4)),
      { dtype: 'uint8', scaling: 'none' },
      ctx,
    );
    expect(values(none)).toEqual([0, 2, 4, 255]);
  });
});

describe('histogram-equalization beyond 8 bits', () => {
  it('uses all 65536 levels of 16-bit data (no squeeze to 8 bits)', async () => {
    // Four levels equally often: cdf (excluding the first level) 1/3, 2/3, 1 of 65535.
    const s = smp(img(new Uint16Array([100, 200, 300, 400]), 2, 2));
    const out = await histogramEqualizationModule.run(s, {}, ctx);
    expect(values(out)).toEqual([0, 21845, 43690, 65535]);
  });
  it('keeps the HU range of int16 data and leaves the mask alone', async () => {
    const mask = img(new Uint8Array([0, 1, 1, 0]), 2, 2);
    const s = smp(img(new Int16Array([-1000, -500, 0, 1000]), 2, 2, 1, { unit: 'HU' }), {
      kind: 'mask',
      mask,
    });
    const out = await histogramEqualizationModule.run(s, {}, ctx);
    const v = values(out);
    expect(v[0]).toBe(-1000);
    expect(v[3]).toBe(1000);
    expect(out?.label).toBe(s.label);
  });
});
