/**
 * Thumbnails for the View tab and Processing Result: one slice of any dtype,
 * windowed to 8 bits, shrunk to fit `size` and encoded as a PNG data URL.
 */
import sharp from 'sharp';
import type { EncodedImage, ImageData } from '../api';
import { geometry, minMax } from './image';
import { windowToBytes, type DisplayWindow } from './window';

/** Options of {@link renderThumbnail}. */
export interface ThumbnailOptions {
  /** Longest side of the PNG in pixels; smaller images are not enlarged (the view scales them). */
  size: number;
  /** Display window; the image's min..max when absent. */
  window?: DisplayWindow;
  /** Slice of a 3-D image; the middle slice when absent. */
  slice?: number;
  /** Show high values dark (MONOCHROME1): the windowed grey levels are inverted. */
  invert?: boolean;
}

/** 8-bit display pixels of one slice: 1 (grey) or 3 (RGB) channels, windowed as in {@link renderThumbnail}. */
export interface DisplayBytes {
  bytes: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3;
  min: number;
  max: number;
}

/** Windows one slice (the middle one by default) to 8 bits; `size` is not used. */
export function displayBytes(image: ImageData, opts: Omit<ThumbnailOptions, 'size'>): DisplayBytes {
  const g = geometry(image);
  const z = Math.min(g.depth - 1, Math.max(0, opts.slice ?? Math.floor(g.depth / 2)));
  const n = g.height * g.width * g.channels;
  const slice = image.data.subarray(z * n, (z + 1) * n);
  const [min, max] = minMax(image.data);
  const window = opts.window ?? { center: (min + max) / 2, width: max - min };
  let bytes = windowToBytes(slice, window);
  if (opts.invert) for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
  let channels = g.channels;
  if (channels !== 1 && channels !== 3) {
    // Show the first channel of unusual layouts (e.g. 2-channel merges) rather than fail.
    const first = new Uint8Array(g.height * g.width);
    for (let i = 0; i < first.length; i++) first[i] = bytes[i * channels];
    bytes = first;
    channels = 1;
  }
  return { bytes, height: g.height, width: g.width, channels: channels as 1 | 3, min, max };
}

/** Renders an image (2-D, or one slice of 3-D) as a PNG data URL. */
export async function renderThumbnail(image: ImageData, opts: ThumbnailOptions): Promise<EncodedImage> {
  const { bytes, channels, min, max, ...g } = displayBytes(image, opts);
  const scale = Math.min(1, opts.size / Math.max(g.height, g.width));
  const width = Math.max(1, Math.round(g.width * scale));
  const height = Math.max(1, Math.round(g.height * scale));
  let pipeline = sharp(bytes, { raw: { width: g.width, height: g.height, channels } });
  if (width !== g.width || height !== g.height) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  // sharp writes 1-channel raw input as RGB unless told: keep gray PNGs gray (a third of the bytes).
  if (channels === 1) pipeline = pipeline.toColourspace('b-w');
  const png = await pipeline.png().toBuffer();
  return {
    dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    width,
    height,
    shape: image.shape.slice(0, -1),
    min,
    max,
    unit: image.unit,
  };
}
