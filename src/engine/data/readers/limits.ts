/**
 * The most pixels (voxels, channels not counted) one image may hold. It is
 * checked from the header before any pixel is decoded, so a small file that
 * claims a huge image (a decompression bomb: a 10 MB PNG of 100000x100000)
 * fails as that file's problem instead of exhausting memory in native code.
 */

/** 2^29 voxels: a 512x512x2048 CT, 2 GiB as float32; far above any 2-D image in practice. */
export const DEFAULT_MAX_PIXELS = 2 ** 29;

/** The limit in force: `PHI_MAX_PIXELS` when set to a positive number, else the default. */
export function maxPixels(): number {
  const set = Number(process.env.PHI_MAX_PIXELS);
  return Number.isFinite(set) && set > 0 ? set : DEFAULT_MAX_PIXELS;
}

/** Throws, naming the size, when an image of `shape` (`[h, w, c]` or `[d, h, w, c]`) is over the limit. */
export function checkPixelLimit(shape: readonly number[]): void {
  const spatial = shape.slice(0, -1);
  const pixels = spatial.reduce((n, v) => n * v, 1);
  const limit = maxPixels();
  if (pixels <= limit) return;
  const millions = (n: number): string => `${Math.round(n / 1e6).toLocaleString('en')} million`;
  throw new Error(
    `it declares a ${spatial.join('x')} image (${millions(pixels)} pixels), more than the ${millions(limit)} ` +
      'that are decoded safely; if the image is genuine, raise the limit with PHI_MAX_PIXELS',
  );
}
