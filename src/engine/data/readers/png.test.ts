import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { chunk, encodePng } from '../../../../tools/fixtures/png';
import { scratchFolder } from '../../test-support/scratch-folders';
import { decodePngDirect } from './png';
import { decodeImage, openImage } from '.';

/** CRC-32 of PNG chunks (ISO/IEC 15948 annex D), written out here so the encoder below owes nothing to the decoder. */
/**
 * A PNG whose row `y` uses filter `y % 5` (None, Sub, Up, Average, Paeth), the
 * forward filters written from the spec (9.2), the IDAT split in two chunks.
 */
function encodeFiltered(
  values: number[],
  w: number,
  h: number,
  channels: 1 | 2 | 3 | 4,
  bits: 8 | 16,
): Buffer {
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const bpp = (channels * bits) / 8;
  const stride = w * bpp;
  const rows: Uint8Array[] = [];
  for (let y = 0; y < h; y++) {
    const row = new Uint8Array(stride);
    for (let i = 0; i < w * channels; i++) {
      const v = values[y * w * channels + i];
      if (bits === 8) row[i] = v;
      else {
        row[2 * i] = v >> 8;
        row[2 * i + 1] = v & 255;
      }
    }
    rows.push(row);
  }
  const raw = Buffer.alloc(h * (stride + 1));
  for (let y = 0; y < h; y++) {
    const filter = y % 5;
    raw[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const x = rows[y][i];
      const a = i >= bpp ? rows[y][i - bpp] : 0;
      const b = y > 0 ? rows[y - 1][i] : 0;
      const c = i >= bpp && y > 0 ? rows[y - 1][i - bpp] : 0;
      const p = a + b - c;
      const pred = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c,
      ][filter];
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = bits;
  ihdr[9] = colorType;
  const z = deflateSync(raw);
  const half = Math.floor(z.length / 2);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', z.subarray(0, half)),
    chunk('IDAT', z.subarray(half)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Deterministic values that hit every byte (and, at 16 bits, both bytes of a
 * sample); `coarse` draws from 5 evenly spaced levels so Paeth's distances often tie
 * (e.g. a = 0, b = 150, c = 100: a and c are equally near).
 */
function values(n: number, bits: 8 | 16, coarse = false): number[] {
  let s = 12345;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    if (coarse) return ((s >>> 16) % 5) * (bits === 8 ? 50 : 12000);
    return bits === 8 ? s >>> 24 : s >>> 16;
  });
}

/** The colour channels of interleaved values (alpha dropped). */
function withoutAlpha(v: number[], channels: number): number[] {
  const c = channels >= 3 ? 3 : 1;
  if (c === channels) return v;
  return v.filter((_, i) => i % channels < c);
}

describe('direct PNG decoder', () => {
  const layouts = [1, 2, 3, 4].flatMap((channels) =>
    [8, 16].flatMap((bits) =>
      [false, true].map((coarse) => ({ channels: channels as 1 | 2 | 3 | 4, bits: bits as 8 | 16, coarse })),
    ),
  );

  it.each(layouts)(
    '$channels channel(s) at $bits bits (coarse $coarse), every filter type: the written values, as sharp decodes them',
    async ({ channels, bits, coarse }) => {
      const w = 7;
      const h = 11;
      const v = values(w * h * channels, bits, coarse);
      const png = encodeFiltered(v, w, h, channels, bits);
      const direct = await decodePngDirect(png);
      expect(direct).not.toBeNull();
      const c = channels >= 3 ? 3 : 1;
      expect(direct!.shape).toEqual([h, w, c]);
      expect(direct!.data).toBeInstanceOf(bits === 16 ? Uint16Array : Uint8Array);
      expect(direct!.colorMode).toBe(c === 3 ? 'rgb' : 'grayscale');
      expect([...direct!.data]).toEqual(withoutAlpha(v, channels));
      // The sharp reader gives the same image (the direct decoder must be invisible).
      const dir = await scratchFolder();
      try {
        const file = await dir.write('x.png', png);
        const viaSharp = await (await openImage(file)).decode();
        expect(viaSharp.shape).toEqual(direct!.shape);
        expect([...viaSharp.data]).toEqual([...direct!.data]);
        expect(viaSharp.meta).toEqual(direct!.meta);
        const loaded = await decodeImage(file);
        expect([...loaded.data]).toEqual([...direct!.data]);
      } finally {
        await dir.dispose();
      }
    },
  );

  it('keeps 16-bit values above 255 (never squeezed to 8 bits)', async () => {
    const png = encodePng([0, 256, 40000, 65535], 2, 2, 1, 16);
    const image = await decodePngDirect(png);
    expect(image!.data).toBeInstanceOf(Uint16Array);
    expect([...image!.data]).toEqual([0, 256, 40000, 65535]);
  });

  it('declines palette, interlaced, low bit depth and damaged files', async () => {
    const gray = Buffer.from(values(64 * 3, 8));
    const palette = await sharp(gray, { raw: { width: 8, height: 8, channels: 3 } })
      .png({ palette: true })
      .toBuffer();
    const interlaced = await sharp(gray, { raw: { width: 8, height: 8, channels: 3 } })
      .png({ progressive: true })
      .toBuffer();
    const oneBit = await sharp(gray, { raw: { width: 8, height: 8, channels: 3 } })
      .png({ palette: true, colours: 2 })
      .toBuffer();
    const good = encodePng(values(16, 8), 4, 4, 1, 8);
    const truncated = good.subarray(0, good.length - 20);
    const badZlib = Buffer.from(good);
    badZlib[41 + 4] ^= 0xff; // inside the IDAT data: zlib's checksum or structure fails
    for (const bytes of [palette, interlaced, oneBit, truncated, badZlib, Buffer.from('not a png')])
      expect(await decodePngDirect(bytes)).toBeNull();
  });
});

describe('decodeImage', () => {
  it('gives what open + decode give for files the direct decoder declines', async () => {
    const dir = await scratchFolder();
    try {
      const rgb = Buffer.from(values(10 * 6 * 3, 8));
      const palette = await dir.write(
        'p.png',
        await sharp(rgb, { raw: { width: 10, height: 6, channels: 3 } })
          .png({ palette: true })
          .toBuffer(),
      );
      const interlaced16 = await dir.write(
        'i.png',
        await sharp(new Uint16Array(values(60, 16)), { raw: { width: 10, height: 6, channels: 1 } })
          .toColourspace('grey16')
          .png({ progressive: true })
          .toBuffer(),
      );
      const tiff = await dir.write(
        't.tif',
        await sharp(rgb, { raw: { width: 10, height: 6, channels: 3 } })
          .tiff()
          .toBuffer(),
      );
      for (const file of [palette, interlaced16, tiff]) {
        const viaOpen = await (await openImage(file)).decode();
        const fast = await decodeImage(file);
        expect(fast.shape).toEqual(viaOpen.shape);
        expect(fast.data.constructor).toBe(viaOpen.data.constructor);
        expect([...fast.data]).toEqual([...viaOpen.data]);
      }
      const i16 = await decodeImage(interlaced16);
      expect(i16.data).toBeInstanceOf(Uint16Array);
      expect([...i16.data]).toEqual(values(60, 16));
    } finally {
      await dir.dispose();
    }
  });

  it('reports damaged and mislabelled files in the words of open + decode', async () => {
    const dir = await scratchFolder();
    try {
      const good = encodePng(values(16, 8), 4, 4, 1, 8);
      const truncated = await dir.write('t.png', good.subarray(0, 40));
      const renamed = await dir.write('r.png', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), good]));
      const empty = await dir.write('e.png', '');
      for (const file of [truncated, renamed, empty]) {
        const expected = await openImage(file)
          .then((o) => o.decode())
          .then(
            () => 'decoded',
            (e: Error) => e.message,
          );
        expect(expected).not.toBe('decoded');
        await expect(decodeImage(file)).rejects.toThrow(expected);
      }
    } finally {
      await dir.dispose();
    }
  });
});
