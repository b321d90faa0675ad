/**
 * 96x80 grayscale PNG cases of 2-D segmentation and transformation tests: a noisy dark image
 * with a bright square, and its mask (or, as a transformation target, the same file's mask).
 */
import { join } from 'node:path';
import sharp from 'sharp';

export const SQUARE_WIDTH = 96;
export const SQUARE_HEIGHT = 80;

const png = (data: Uint8Array, path: string) =>
  sharp(data, { raw: { width: SQUARE_WIDTH, height: SQUARE_HEIGHT, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(path);

/**
 * Writes case `name`: the image into `folders[0]`, the mask (`inside` on the square, 0 elsewhere)
 * into `folders[1]` when given.
 */
export async function writeSquareCase(
  root: string,
  folders: [string, string?],
  name: string,
  random: () => number,
  inside = 255,
): Promise<void> {
  const W = SQUARE_WIDTH;
  const H = SQUARE_HEIGHT;
  const size = 18 + Math.floor(random() * 12);
  const sx = Math.floor(random() * (W - size));
  const sy = Math.floor(random() * (H - size));
  const image = new Uint8Array(W * H);
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const within = x >= sx && x < sx + size && y >= sy && y < sy + size;
      image[y * W + x] = Math.round((within ? 190 : 40) + 30 * random());
      mask[y * W + x] = within ? inside : 0;
    }
  await png(image, join(root, folders[0], name));
  if (folders[1]) await png(mask, join(root, folders[1], name));
}
