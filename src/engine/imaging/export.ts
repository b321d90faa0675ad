/**
 * Writing processed images to files: 8/16-bit PNG through sharp (colour space
 * named explicitly so libvips neither expands gray to RGB nor drops 16-bit to
 * 8) and float32 NumPy `.npy` (format version 1.0, little-endian, C order).
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageData } from '../api';
import { dtypeOf } from '../api';
import { geometry } from './image';

/** Why an image cannot be a PNG, or null when it can. */
export function pngProblem(image: ImageData): string | null {
  const dtype = dtypeOf(image.data);
  const g = geometry(image);
  if (dtype !== 'uint8' && dtype !== 'uint16')
    return `PNG holds 8- or 16-bit unsigned pixels but this image is ${dtype}; add bit-depth-conversion or use --format npy`;
  if (g.depth > 1) return `PNG holds one 2-D image but this is a ${g.depth}-slice volume; use --format npy`;
  if (g.channels !== 1 && g.channels !== 3)
    return `PNG holds 1 or 3 channels here, the image has ${g.channels}`;
  return null;
}

/** Encodes a 2-D 8/16-bit grayscale or RGB image as PNG bytes. */
export async function encodePng(image: ImageData): Promise<Buffer> {
  const problem = pngProblem(image);
  if (problem) throw new Error(problem);
  const g = geometry(image);
  const sixteen = dtypeOf(image.data) === 'uint16';
  const space = g.channels === 1 ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  return sharp(image.data as Uint8Array | Uint16Array, {
    raw: { width: g.width, height: g.height, channels: g.channels as 1 | 3 },
  })
    .toColourspace(space)
    .png()
    .toBuffer();
}

/** Encodes any image as a float32 `.npy` with the image's full shape (`[h, w, c]` or `[d, h, w, c]`). */
export function encodeNpy(image: ImageData): Buffer {
  geometry(image);
  const values = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
  const shape = `(${image.shape.join(', ')}${image.shape.length === 1 ? ',' : ''})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + header length (2) + header must be a multiple of 64, ending in '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = Buffer.alloc(total + values.length * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const body = new Float32Array(out.buffer, out.byteOffset + total, values.length);
  body.set(values);
  return out;
}

/** Writes an image as `.png` or `.npy`. */
export async function writeImage(path: string, image: ImageData, format: 'png' | 'npy'): Promise<void> {
  await writeFile(path, format === 'png' ? await encodePng(image) : encodeNpy(image));
}
