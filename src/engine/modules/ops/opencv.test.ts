import { describe, expect, it } from 'vitest';
import { loadOpenCv, opencv, setOpenCvEnabled } from './opencv';
import { resizeArray } from './resample';

describe('opencv.js bridge', () => {
  it('loads without leaving Emscripten process handlers behind (regression: a rejection aborted the engine)', async () => {
    const before = [
      process.listeners('unhandledRejection').length,
      process.listeners('uncaughtException').length,
    ];
    expect(await loadOpenCv()).toBe(true);
    expect([
      process.listeners('unhandledRejection').length,
      process.listeners('uncaughtException').length,
    ]).toEqual(before);
  });
  it('gives the same resize as the typed-array kernel, and can be switched off', async () => {
    await loadOpenCv();
    const src = new Uint16Array(40 * 30).map((_, i) => (i * 7919) % 4096);
    const size = { height: 30, width: 40, channels: 1 };
    const viaCv = resizeArray(src, size, { height: 17, width: 23 }, 'bicubic');
    setOpenCvEnabled(false);
    expect(opencv()).toBeNull();
    const viaJs = resizeArray(src, size, { height: 17, width: 23 }, 'bicubic');
    setOpenCvEnabled(true);
    expect(viaCv).toBeInstanceOf(Uint16Array);
    let worst = 0;
    for (let i = 0; i < viaJs.length; i++) worst = Math.max(worst, Math.abs(viaCv[i] - viaJs[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});
