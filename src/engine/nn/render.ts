/**
 * PNG renderings of network outputs for the View tab: a heat map or mask over
 * the input as it is shown (imaging/presentation.ts), boxes drawn on it, encoded with sharp.
 */
import sharp from 'sharp';
import type { Box, EncodedImage } from '../api';

/** RGB bytes of an image's display pixels (grey ones repeated), the base the overlays are drawn on. */
export function rgbBase(bytes: Uint8Array, channels: 1 | 3): Uint8Array {
  if (channels === 3) return bytes.slice();
  const rgb = new Uint8Array(bytes.length * 3);
  for (let i = 0; i < bytes.length; i++) rgb.fill(bytes[i], i * 3, i * 3 + 3);
  return rgb;
}

/** Jet-like colour of a value in [0, 1]. */
export function jet(v: number): [number, number, number] {
  const c = (x: number): number => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

/** Overlay colours of classes in order (a mask's start at class 1: its background has none). */
export const CLASS_COLORS: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
];

/** Encodes RGB bytes as a PNG {@link EncodedImage}. */
export async function encodeRgb(
  rgb: Uint8Array,
  h: number,
  w: number,
  shape: number[],
): Promise<EncodedImage> {
  const png = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
  return {
    dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    width: w,
    height: h,
    shape,
    min: 0,
    max: 1,
  };
}

/** Heat map (values in [0, 1]) blended 50% over the RGB base. */
export function heatOverlay(base: Uint8Array, heat: ArrayLike<number>): Uint8Array {
  const rgb = new Uint8Array(base.length);
  for (let i = 0; i < base.length / 3; i++) {
    const col = jet(heat[i]);
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = (base[i * 3 + k] + col[k]) >> 1;
  }
  return rgb;
}

/** Class mask (0 = background, not coloured) blended over the RGB base. */
export function maskOverlay(base: Uint8Array, mask: ArrayLike<number>): Uint8Array {
  const rgb = new Uint8Array(base.length);
  for (let i = 0; i < base.length / 3; i++) {
    const c = mask[i];
    const col = c > 0 ? CLASS_COLORS[(c - 1) % CLASS_COLORS.length] : null;
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = col ? (base[i * 3 + k] + col[k]) >> 1 : base[i * 3 + k];
  }
  return rgb;
}

/** The RGB base with box outlines in class colours. */
export function boxOverlay(base: Uint8Array, h: number, w: number, boxes: Box[]): Uint8Array {
  const rgb = base.slice();
  for (const b of boxes) {
    const col = CLASS_COLORS[b.classIndex % CLASS_COLORS.length];
    const x0 = Math.max(0, Math.round(b.xmin));
    const x1 = Math.min(w - 1, Math.round(b.xmax));
    const y0 = Math.max(0, Math.round(b.ymin));
    const y1 = Math.min(h - 1, Math.round(b.ymax));
    const put = (x: number, y: number): void => rgb.set(col, (y * w + x) * 3);
    for (let x = x0; x <= x1; x++) {
      put(x, y0);
      put(x, y1);
    }
    for (let y = y0; y <= y1; y++) {
      put(x0, y);
      put(x1, y);
    }
  }
  return rgb;
}
