/**
 * PNG, JPEG, TIFF and GIF through sharp (libvips), at full bit depth: a
 * 16-bit PNG or TIFF decodes to a Uint16Array, never squeezed to 8 bits.
 * Multipage TIFFs and animated GIFs are 3-D (`[pages, h, w, c]`).
 */
import sharp, { type Sharp } from 'sharp';
import type { ColorMode, DType, PixelArray } from '../../api';
import { colorModeOfChannels, type DecodedImage, type ImageReader, type OpenedImage } from './types';

// Large scans are legitimate input: lift sharp's default pixel limit (it guards web servers).
// libvips' own pixel limit is off: readers/limits.ts checks the size from the header, before any decode, in our words.
const SHARP_OPTIONS = { limitInputPixels: false, failOn: 'error' } as const;

/** sharp's pixel depth names mapped to our dtypes (values that fit no dtype become float32). */
function dtypeOfDepth(depth: string | undefined): DType {
  if (depth === 'uchar') return 'uint8';
  if (depth === 'ushort') return 'uint16';
  if (depth === 'short' || depth === 'char') return 'int16';
  return 'float32';
}

/** What a single decoding pass needs to know about the file (from its header). */
interface DecodePlan {
  /** Colour channels wanted (1 or 3), alpha removed. */
  c: number;
  dtype: DType;
  colorMode: ColorMode;
  /** Expected output shape. */
  shape: number[];
  /** Drop an alpha band (a no-op in libvips when there is none). */
  removeAlpha: boolean;
}

/** The sharp output depth for a dtype. */
function depthOf(dtype: DType): 'uchar' | 'ushort' | 'short' | 'float' {
  return dtype === 'uint8' ? 'uchar' : dtype === 'uint16' ? 'ushort' : dtype === 'int16' ? 'short' : 'float';
}

/**
 * A typed array over sharp's output. sharp hands back a Buffer that owns its
 * whole ArrayBuffer, so a view costs nothing (bench/modules: the copy the
 * reader used to make cost about 0.1 ms per 512x512 16-bit image). A copy is
 * made only when the bytes are not aligned for the element size or share a
 * larger ArrayBuffer (a pooled Buffer would otherwise be kept alive; never
 * seen from sharp, cheap to guard).
 */
function pixelsOf(data: Buffer, dtype: DType): PixelArray {
  const size = dtype === 'uint8' ? 1 : dtype === 'float32' ? 4 : 2;
  let bytes: Uint8Array = data;
  if (data.byteOffset % size !== 0 || data.byteLength !== data.buffer.byteLength) {
    bytes = new Uint8Array(data.byteLength);
    bytes.set(data);
  }
  const { buffer, byteOffset, byteLength } = bytes;
  if (dtype === 'uint8') return new Uint8Array(buffer, byteOffset, byteLength);
  if (dtype === 'uint16') return new Uint16Array(buffer, byteOffset, byteLength / 2);
  if (dtype === 'int16') return new Int16Array(buffer, byteOffset, byteLength / 2);
  return new Float32Array(buffer, byteOffset, byteLength / 4);
}

/** Runs one sharp decode to raw pixels at full depth and checks the result against the plan. */
async function decodeWith(pipeline: Sharp, plan: DecodePlan): Promise<DecodedImage> {
  const { c, dtype } = plan;
  if (plan.removeAlpha) pipeline = pipeline.removeAlpha();
  // Say the colour space explicitly: libvips otherwise converts gray to sRGB and 16-bit to 8-bit.
  const space = c === 1 ? (dtype === 'uint8' ? 'b-w' : 'grey16') : dtype === 'uint8' ? 'srgb' : 'rgb16';
  const { data, info } = await pipeline
    .toColourspace(space)
    .raw({ depth: depthOf(dtype) })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== c) throw new Error(`decoded ${info.channels} channels where the header said ${c}`);
  const pixels = pixelsOf(data, dtype);
  if (pixels.length !== plan.shape.reduce((a, b) => a * b, 1)) {
    throw new Error(`decoded ${pixels.length} values, expected shape [${plan.shape.join(', ')}]`);
  }
  return {
    data: pixels,
    shape: plan.shape,
    colorMode: plan.colorMode,
    modality: 'photo',
    unit: 'raw',
    meta: { bitsPerSample: dtype === 'uint8' ? 8 : dtype === 'float32' ? 32 : 16 },
  };
}

async function openRaster(file: string, format: string): Promise<OpenedImage> {
  const meta = await sharp(file, SHARP_OPTIONS).metadata();
  if (!meta.width || !meta.height) throw new Error(`not a readable ${format} image (no size in its header)`);
  const channelsIn = meta.channels ?? 1;
  const colorChannels = meta.hasAlpha ? channelsIn - 1 : channelsIn;
  const colorMode = colorModeOfChannels(colorChannels);
  const c = colorMode === 'rgb' ? 3 : 1;
  const dtype = dtypeOfDepth(meta.depth);
  const pages = meta.pages ?? 1;
  const h = meta.pageHeight && pages > 1 ? meta.pageHeight : meta.height;
  const w = meta.width;
  const shape = pages > 1 ? [pages, h, w, c] : [h, w, c];
  // No spacing: the DPI of photos and scans says nothing about millimetres in the patient.
  const header = {
    format,
    shape,
    dtype,
    colorMode,
    modality: 'photo',
    unit: 'raw' as const,
    frames: pages,
    meta: { bitsPerSample: dtype === 'uint8' ? 8 : dtype === 'float32' ? 32 : 16 },
  };

  async function decodeFrames(first: number, count: number): Promise<DecodedImage> {
    const outShape = count > 1 ? [count, h, w, c] : [h, w, c];
    const input = sharp(file, { ...SHARP_OPTIONS, page: first, pages: count });
    return decodeWith(input, { c, dtype, colorMode, shape: outShape, removeAlpha: !!meta.hasAlpha });
  }

  return {
    header,
    decode: (frame) => (frame === undefined ? decodeFrames(0, pages) : decodeFrames(frame, 1)),
  };
}

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return bytes.every((b, i) => head[i] === b);
}

/** PNG (8 and 16 bit, gray, RGB, palette, with or without alpha). */
export const pngReader: ImageReader = {
  format: 'png',
  extensions: ['.png'],
  match: (head) => startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  open: (file) => openRaster(file, 'png'),
};

/** JPEG (baseline and progressive, 8 bit). */
export const jpegReader: ImageReader = {
  format: 'jpeg',
  extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  match: (head) => startsWith(head, [0xff, 0xd8, 0xff]),
  open: (file) => openRaster(file, 'jpeg'),
};

/** TIFF (8/16 bit, multipage). */
export const tiffReader: ImageReader = {
  format: 'tiff',
  extensions: ['.tif', '.tiff'],
  match: (head) => startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]),
  open: (file) => openRaster(file, 'tiff'),
};

/** GIF (palette, 8 bit; animated GIFs are 3-D). */
export const gifReader: ImageReader = {
  format: 'gif',
  extensions: ['.gif'],
  match: (head) => startsWith(head, [0x47, 0x49, 0x46, 0x38]),
  open: (file) => openRaster(file, 'gif'),
};

/**
 * The PNG IHDR fields a decode needs, read from the first 26 bytes; null when
 * they are not a valid IHDR, and for palette images (libvips may load an
 * all-grey palette as one band: only its `metadata()` knows).
 */
export function pngHeader(
  head: Uint8Array,
): { width: number; height: number; bits: number; colorType: number } | null {
  if (head.length < 26) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  // Signature (8 bytes), then the IHDR chunk: length 13, type, width, height, bit depth, colour type.
  if (view.getUint32(8) !== 13 || String.fromCharCode(...head.subarray(12, 16)) !== 'IHDR') return null;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bits = head[24];
  const colorType = head[25];
  if (!width || !height || ![1, 2, 4, 8, 16].includes(bits) || ![0, 2, 4, 6].includes(colorType)) return null;
  return { width, height, bits, colorType };
}

/**
 * Decodes a whole PNG in one sharp call, planning the output from the IHDR
 * bytes the caller already read to sniff the format (no `metadata()` pass, so
 * libvips opens the file once): gray (types 0, 4) gives one channel, RGB
 * (2, 6) three; 16-bit stays 16-bit; alpha (and a tRNS colour key) is dropped. The same decode as {@link pngReader}'s `open` + `decode`
 * (tests compare them); returns null for palette PNGs and heads without a plain IHDR.
 */
export function decodePngOnce(input: string | Buffer, head: Uint8Array): Promise<DecodedImage> | null {
  const ihdr = pngHeader(head);
  if (!ihdr) return null;
  const c = ihdr.colorType === 0 || ihdr.colorType === 4 ? 1 : 3;
  const dtype: DType = ihdr.bits === 16 ? 'uint16' : 'uint8';
  return decodeWith(sharp(input, SHARP_OPTIONS), {
    c,
    dtype,
    colorMode: c === 3 ? 'rgb' : 'grayscale',
    shape: [ihdr.height, ihdr.width, c],
    removeAlpha: true,
  });
}
