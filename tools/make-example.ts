/**
 * Generates the bundled example dataset: CT-like axial slices of an abdomen
 * phantom, with and without a round hyper-dense lesion, as 16-bit grayscale
 * PNGs in class folders (`lesion/`, `normal/`). Stored value = HU + 1024 (the
 * usual CT storage with Rescale Intercept -1024), so air is 24, soft tissue
 * about 1064, bone about 1800.
 *
 * Usage: node bin/run-ts.mjs tools/make-example.ts [outDir] [countPerClass] [size]
 * The committed example was made with the defaults.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { createRng } from '../src/engine/run/rng';

const outDir = resolve(process.argv[2] ?? 'resources/examples/lesions/data');
const perClass = Number(process.argv[3] ?? 150);
const size = Number(process.argv[4] ?? 96);
const OFFSET = 1024;

/** Box-Muller normal deviate from a uniform source. */
function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** One slice in HU: body ellipse, spine, liver-like organ, optional lesion, smoothed noise. */
function slice(rng: () => number, lesion: boolean): Float32Array {
  const hu = new Float32Array(size * size).fill(-1000);
  const cx = size / 2 + (rng() - 0.5) * 6;
  const cy = size / 2 + (rng() - 0.5) * 6;
  const rx = size * (0.4 + rng() * 0.05);
  const ry = size * (0.3 + rng() * 0.05);
  const organ = { x: cx - rx * 0.35, y: cy - ry * 0.1, rx: rx * 0.45, ry: ry * 0.55, hu: 55 + rng() * 10 };
  const spine = { x: cx, y: cy + ry * 0.65, r: size * 0.06 };
  const lesionAt = {
    // Inside the organ, away from its border.
    x: organ.x + (rng() - 0.5) * organ.rx * 0.8,
    y: organ.y + (rng() - 0.5) * organ.ry * 0.8,
    r: size * (0.06 + rng() * 0.05),
    hu: 40 + rng() * 50,
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inBody = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
      if (!inBody) continue;
      let value = -80 + 40 * Math.max(0, 1 - ((x - cx) / rx) ** 2 - ((y - cy) / ry) ** 2); // fat to muscle
      if (((x - organ.x) / organ.rx) ** 2 + ((y - organ.y) / organ.ry) ** 2 <= 1) value = organ.hu;
      if ((x - spine.x) ** 2 + (y - spine.y) ** 2 <= spine.r ** 2) value = 700;
      if (lesion && (x - lesionAt.x) ** 2 + (y - lesionAt.y) ** 2 <= lesionAt.r ** 2)
        value = organ.hu + lesionAt.hu;
      hu[y * size + x] = value;
    }
  }
  // Correlated noise (3x3 mean of white noise), like reconstruction noise.
  const white = Float32Array.from({ length: size * size }, () => gaussian(rng) * 18);
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) sum += white[(y + dy) * size + x + dx];
      if (hu[y * size + x] > -900) hu[y * size + x] += sum / 3;
    }
  }
  return hu;
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const rng = createRng(20261123);
  for (const className of ['lesion', 'normal']) {
    mkdirSync(join(outDir, className), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const hu = slice(rng, className === 'lesion');
      const stored = new Uint16Array(size * size);
      for (let p = 0; p < stored.length; p++)
        stored[p] = Math.max(0, Math.min(65535, Math.round(hu[p] + OFFSET)));
      const file = join(outDir, className, `${className}-${String(i).padStart(3, '0')}.png`);
      await sharp(stored, { raw: { width: size, height: size, channels: 1, premultiplied: false } })
        .toColourspace('grey16')
        .png({ compressionLevel: 9 })
        .toFile(file);
    }
  }
  console.log(`Wrote ${2 * perClass} slices of ${size}x${size} to ${outDir}`);
}

await main();
