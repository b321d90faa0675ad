/**
 * PNG, JPEG, TIFF and GIF through sharp (libvips), at full bit depth: a
 * 16-bit PNG or TIFF decodes to a Uint16Array, never squeezed to 8 bits.
 * Multipage TIFFs and animated GIFs are 3-D (`[pages, h, w, c]`).
 */
import sharp from 'sharp';
import type { DType } from '../../api';
import { colorModeOfChannels, type DecodedImage, type ImageReader, type OpenedImage } from './types';

// Large scans are legitimate input: lift sharp's default pixel limit (it guards web servers).
const SHARP_OPTIONS = { limitInputPixels: false, failOn: 'error' } as const;

/** sharp's pixel depth names mapped to our dtypes (values that fit no dtype become float32). */
function dtypeOfDepth(depth: string | undefined): DType {
  if (depth === 'uchar') return 'uint8';
  if (depth === 'ushort') return 'uint16';
  if (depth === 'short' || depth === 'char') return 'int16';
  return 'float32';
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
    let pipeline = sharp(file, { ...SHARP_OPTIONS, page: first, pages: count });
    if (meta.hasAlpha) pipeline = pipeline.removeAlpha();
    // Say the colour space explicitly: libvips otherwise converts gray to sRGB and 16-bit to 8-bit.
    const space = c === 1 ? (dtype === 'uint8' ? 'b-w' : 'grey16') : dtype === 'uint8' ? 'srgb' : 'rgb16';
    pipeline = pipeline.toColourspace(space);
    const depth =
      dtype === 'uint8' ? 'uchar' : dtype === 'uint16' ? 'ushort' : dtype === 'int16' ? 'short' : 'float';
    const { data, info } = await pipeline.raw({ depth }).toBuffer({ resolveWithObject: true });
    if (info.channels !== c) throw new Error(`decoded ${info.channels} channels where the header said ${c}`);
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    const pixels =
      dtype === 'uint8'
        ? copy
        : dtype === 'uint16'
          ? new Uint16Array(copy.buffer)
          : dtype === 'int16'
            ? new Int16Array(copy.buffer)
            : new Float32Array(copy.buffer);
    const outShape = count > 1 ? [count, h, w, c] : [h, w, c];
    if (pixels.length !== outShape.reduce((a, b) => a * b, 1)) {
      throw new Error(`decoded ${pixels.length} values, expected shape [${outShape.join(', ')}]`);
    }
    return {
      data: pixels,
      shape: outShape,
      colorMode,
      modality: 'photo',
      unit: 'raw',
      meta: { ...header.meta },
    };
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
