/**
 * BMP, which libvips (and so sharp) does not read. Uncompressed BI_RGB with
 * 1/4/8-bit palettes and 16/24/32-bit pixels, BI_BITFIELDS masks, bottom-up
 * and top-down rows. A palette whose entries are all gray gives a grayscale
 * image. RLE-compressed BMPs are refused with that reason. Written here
 * rather than taken from a package: the packages on npm ignore palettes.
 */
import { open, readFile } from 'node:fs/promises';
import type { DecodedImage, ImageHeader, ImageReader, OpenedImage } from './types';

interface BmpInfo {
  offset: number;
  width: number;
  height: number;
  topDown: boolean;
  bpp: number;
  compression: number;
  palette: Uint8Array[];
  masks?: [number, number, number];
}

function parseInfo(bytes: Uint8Array): BmpInfo {
  if (bytes.length < 54) throw new Error('the BMP header is truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dib = v.getUint32(14, true);
  if (dib < 40) throw new Error(`BMP header version of ${dib} bytes (OS/2) is not supported`);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if (compression === 1 || compression === 2) throw new Error('RLE-compressed BMP is not supported');
  if (compression !== 0 && compression !== 3)
    throw new Error(`BMP compression ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp))
    throw new Error(`BMP with ${bpp} bits per pixel is not supported`);
  if (width <= 0 || rawHeight === 0) throw new Error('the BMP has no pixels');
  const info: BmpInfo = {
    offset: v.getUint32(10, true),
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bpp,
    compression,
    palette: [],
  };
  if (compression === 3) {
    // Masks follow a 40-byte header, and sit at the same offset inside V4/V5 headers.
    const at = 54;
    if (bytes.length < at + 12) throw new Error('the BMP bit-field masks are truncated');
    info.masks = [v.getUint32(at, true), v.getUint32(at + 4, true), v.getUint32(at + 8, true)];
  } else if (bpp === 16) {
    info.masks = [0x7c00, 0x03e0, 0x001f];
  }
  if (bpp <= 8) {
    const colors = v.getUint32(46, true) || 1 << bpp;
    const start = 14 + dib + (compression === 3 && dib === 40 ? 12 : 0);
    for (let i = 0; i < colors && start + i * 4 + 3 <= bytes.length; i++) {
      const o = start + i * 4;
      info.palette.push(Uint8Array.of(bytes[o + 2], bytes[o + 1], bytes[o]));
    }
  }
  return info;
}

function isGrayPalette(palette: Uint8Array[]): boolean {
  return palette.length > 0 && palette.every((c) => c[0] === c[1] && c[1] === c[2]);
}

function channelsOf(info: BmpInfo): 1 | 3 {
  return info.bpp <= 8 && isGrayPalette(info.palette) ? 1 : 3;
}

/** Extracts a masked field scaled to 0..255. */
function field(pixel: number, mask: number): number {
  if (!mask) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return Math.round((((pixel & mask) >>> shift) * 255) / max);
}

function decodePixels(bytes: Uint8Array, info: BmpInfo): Uint8Array {
  const c = channelsOf(info);
  const { width, height, bpp } = info;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (bytes.length < info.offset + stride * height) {
    throw new Error(
      `the BMP is truncated: ${bytes.length} bytes where its pixels end at ${info.offset + stride * height}`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint8Array(width * height * c);
  for (let row = 0; row < height; row++) {
    const y = info.topDown ? row : height - 1 - row;
    const base = info.offset + row * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * c;
      let rgb: ArrayLike<number>;
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (bytes[base + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const color = info.palette[index];
        if (!color)
          throw new Error(
            `palette index ${index} is outside the BMP's ${info.palette.length}-colour palette`,
          );
        rgb = color;
      } else if (bpp === 24) {
        const p = base + x * 3;
        rgb = [bytes[p + 2], bytes[p + 1], bytes[p]];
      } else if (bpp === 32 && !info.masks) {
        const p = base + x * 4;
        rgb = [bytes[p + 2], bytes[p + 1], bytes[p]];
      } else {
        const pixel = bpp === 16 ? v.getUint16(base + x * 2, true) : v.getUint32(base + x * 4, true);
        const m = info.masks as [number, number, number];
        rgb = [field(pixel, m[0]), field(pixel, m[1]), field(pixel, m[2])];
      }
      if (c === 1) out[o] = rgb[0];
      else {
        out[o] = rgb[0];
        out[o + 1] = rgb[1];
        out[o + 2] = rgb[2];
      }
    }
  }
  return out;
}

async function openBmp(file: string): Promise<OpenedImage> {
  const handle = await open(file, 'r');
  let head: Uint8Array;
  try {
    // Header plus the largest palette (256 entries) is all indexing needs.
    const buffer = Buffer.alloc(14 + 124 + 12 + 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
  const info = parseInfo(head);
  const c = channelsOf(info);
  const header: ImageHeader = {
    format: 'bmp',
    shape: [info.height, info.width, c],
    dtype: 'uint8',
    colorMode: c === 3 ? 'rgb' : 'grayscale',
    modality: 'photo',
    unit: 'raw',
    frames: 1,
    meta: { bitsPerSample: 8 },
  };
  async function decode(): Promise<DecodedImage> {
    const bytes = new Uint8Array(await readFile(file));
    const data = decodePixels(bytes, parseInfo(bytes));
    return {
      data,
      shape: header.shape,
      colorMode: header.colorMode,
      modality: 'photo',
      unit: 'raw',
      meta: { ...header.meta },
    };
  }
  return { header, decode };
}

/** Windows bitmaps. */
export const bmpReader: ImageReader = {
  format: 'bmp',
  extensions: ['.bmp', '.dib'],
  match: (head) => head.length >= 26 && head[0] === 0x42 && head[1] === 0x4d,
  open: openBmp,
};
