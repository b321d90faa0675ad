/**
 * `phi predict` writes segmentation masks at the source size, aligned with the
 * source, in the dataset's mask values: a real project (a folder of 96x80
 * PNGs with 0/255 masks of bright squares -> Resize 64x64 -> a small U-Net)
 * is trained by the engine, then predicted on new images. Detection boxes come
 * back in source pixels through the same record.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { NetworkParamsSchema } from '../../nn/params';
import { phantomCollection, recordingContext, rng } from '../../test-support/phantoms';
import { train } from '../../nn/train/trainer';
import { Engine } from '../../service/engine';
import { ProjectStore } from '../../store/project-store';
import { captureIo } from '../../test-support/cli-io';
import { predictCommand } from './predict';

const dir = mkdtempSync(join(tmpdir(), 'phi-predict-geometry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 96;
const H = 80;

interface Square {
  x: number;
  y: number;
  size: number;
}

/** A noisy dark 96x80 image with a bright square, and its 0/255 mask. */
async function writePair(imagePath: string, maskPath: string | undefined, sq: Square, random: () => number) {
  const image = new Uint8Array(W * H);
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inside = x >= sq.x && x < sq.x + sq.size && y >= sq.y && y < sq.y + sq.size;
      image[y * W + x] = Math.round((inside ? 190 : 40) + 30 * random());
      mask[y * W + x] = inside ? 255 : 0;
    }
  const png = (data: Uint8Array, path: string) =>
    sharp(data, { raw: { width: W, height: H, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(path);
  await png(image, imagePath);
  if (maskPath) await png(mask, maskPath);
}

describe('phi predict: masks back on the source grid', () => {
  it('writes 96x80 0/255 masks over the true squares after a Resize to 64x64', async () => {
    const random = rng(7);
    const square = (): Square => {
      const size = 18 + Math.floor(random() * 12);
      return { x: Math.floor(random() * (W - size)), y: Math.floor(random() * (H - size)), size };
    };
    mkdirSync(join(dir, 'ds', 'images'), { recursive: true });
    mkdirSync(join(dir, 'ds', 'masks'), { recursive: true });
    for (let i = 0; i < 40; i++) {
      const name = `img${String(i).padStart(3, '0')}.png`;
      await writePair(join(dir, 'ds', 'images', name), join(dir, 'ds', 'masks', name), square(), random);
    }
    const project = join(dir, 'seg.phiproj');
    const at = { x: 0, y: 0 };
    ProjectStore.create(project, {
      graph: {
        nodes: [
          {
            id: 'data',
            kind: 'dataset',
            type: 'dataset',
            version: 1,
            params: { path: 'ds', task: 'segmentation' },
            position: at,
          },
          {
            id: 'resize',
            kind: 'module',
            type: 'resize',
            version: 1,
            params: { width: 64, height: 64 },
            position: at,
          },
          {
            id: 'net',
            kind: 'network',
            type: 'neural-network',
            version: 1,
            params: {
              task: 'segmentation',
              architecture: 'unet',
              backend: 'wasm',
              baseFilters: 8,
              depth: 2,
              epochs: 12,
              batchSize: 8,
              learningRate: 0.01,
            },
            position: at,
          },
        ],
        edges: [
          { id: 'e1', source: 'data', target: 'resize', targetPort: 'in' },
          { id: 'e2', source: 'resize', target: 'net', targetPort: 'in' },
        ],
      },
    }).close();
    const engine = new Engine({ cacheDir: join(dir, 'cache') });
    try {
      await engine.openProject({ path: project });
      const result = await engine.run({ mode: 'all' });
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('done');
    } finally {
      engine.closeProject();
    }

    // New images, not seen in training, with known squares.
    const input = join(dir, 'in');
    mkdirSync(input);
    const truths: Square[] = [
      { x: 8, y: 6, size: 24 },
      { x: 60, y: 44, size: 26 },
      { x: 40, y: 20, size: 20 },
    ];
    for (const [i, sq] of truths.entries())
      await writePair(join(input, `new${i}.png`), undefined, sq, random);
    const io = captureIo(dir);
    const code = await predictCommand.run([project, '--node', 'net', 'in', 'out'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Predicted 3 image\(s\)/);
    expect(io.out()).toMatch(
      /Masks are at each source image's size, class values background=0, foreground=255/,
    );

    for (const [i, sq] of truths.entries()) {
      const file = join(dir, 'out', `new${i}.png`);
      const stored = await sharp(file).metadata();
      expect([stored.width, stored.height, stored.channels]).toEqual([W, H, 1]);
      const data = await sharp(file).toColourspace('b-w').raw().toBuffer();
      expect(new Set(data).size).toBeLessThanOrEqual(2);
      let inter = 0;
      let predicted = 0;
      let sx = 0;
      let sy = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const v = data[y * W + x];
          expect([0, 255]).toContain(v);
          if (v !== 255) continue;
          predicted++;
          sx += x + 0.5;
          sy += y + 0.5;
          if (x >= sq.x && x < sq.x + sq.size && y >= sq.y && y < sq.y + sq.size) inter++;
        }
      const dice = (2 * inter) / (predicted + sq.size * sq.size);
      // The foreground lies on the square of the source image, not where it would be at 64x64.
      expect(sx / predicted).toBeGreaterThan(sq.x);
      expect(sx / predicted).toBeLessThan(sq.x + sq.size);
      expect(sy / predicted).toBeGreaterThan(sq.y);
      expect(sy / predicted).toBeLessThan(sq.y + sq.size);
      expect(dice).toBeGreaterThan(0.8);
    }

    // The dataset moved away: the masks hold class indices, and the user is told why.
    renameSync(join(dir, 'ds'), join(dir, 'ds-moved'));
    const moved = captureIo(dir);
    expect(await predictCommand.run([project, '--node', 'net', 'in', 'out-moved'], moved)).toBe(0);
    expect(moved.err()).toMatch(/^phi predict: masks hold class indices: Dataset folder not found: /);
    expect(moved.out()).toMatch(/class values background=0, foreground=1/);
    const indices = await sharp(join(dir, 'out-moved', 'new0.png'))
      .toColourspace('b-w')
      .raw()
      .toBuffer();
    expect(new Set(indices)).toEqual(new Set([0, 1]));
  }, 300_000);

  it('writes detection boxes in source pixels after a Resize 128x128 -> 64x64', async () => {
    const project = join(dir, 'det.phiproj');
    const at = { x: 0, y: 0 };
    const store = ProjectStore.create(project, {
      graph: {
        nodes: [
          { id: 'data', kind: 'dataset', type: 'dataset', version: 1, params: {}, position: at },
          {
            id: 'resize',
            kind: 'module',
            type: 'resize',
            version: 1,
            params: { width: 64, height: 64 },
            position: at,
          },
          { id: 'net', kind: 'network', type: 'neural-network', version: 1, params: {}, position: at },
        ],
        edges: [
          { id: 'e1', source: 'data', target: 'resize', targetPort: 'in' },
          { id: 'e2', source: 'resize', target: 'net', targetPort: 'in' },
        ],
      },
    });
    const artifacts = store.artifactsFor('net');
    store.close();
    // Trained on 64x64 discs, as the Resize gives them to it.
    const params = NetworkParamsSchema.parse({
      task: 'detection',
      backend: 'wasm',
      baseFilters: 8,
      depth: 2,
      epochs: 10,
      batchSize: 8,
      learningRate: 0.01,
    });
    await train(
      phantomCollection({ task: 'detection', count: 48, size: 64 }),
      params,
      recordingContext(artifacts),
    );

    const input = join(dir, 'det-in');
    mkdirSync(input);
    const random = rng(3);
    const discs = [
      { cx: 44, cy: 52, r: 20 },
      { cx: 86, cy: 78, r: 22 },
    ];
    for (const [i, d] of discs.entries()) {
      const data = new Uint8Array(128 * 128);
      for (let y = 0; y < 128; y++)
        for (let x = 0; x < 128; x++) {
          const inside = (x + 0.5 - d.cx) ** 2 + (y + 0.5 - d.cy) ** 2 <= d.r * d.r;
          data[y * 128 + x] = Math.round((inside ? 80 : 20) + 15 * (random() - 0.5));
        }
      await sharp(data, { raw: { width: 128, height: 128, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(input, `disc${i}.png`));
    }
    const io = captureIo(dir);
    expect(await predictCommand.run([project, '--node', 'net', 'det-in', 'det-out'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(io.out()).toMatch(/Boxes are in source image pixels: bbox = \[x, y, width, height\]/);
    const found = JSON.parse(readFileSync(join(dir, 'det-out', 'detections.json'), 'utf8')) as {
      image_id: string;
      bbox: number[];
      score: number;
    }[];
    for (const [i, d] of discs.entries()) {
      const mine = found.filter((f) => f.image_id === `disc${i}.png`).sort((a, b) => b.score - a.score);
      expect(mine.length).toBeGreaterThan(0);
      for (const { bbox } of mine) {
        expect(bbox[0]).toBeGreaterThanOrEqual(0);
        expect(bbox[1]).toBeGreaterThanOrEqual(0);
        expect(bbox[0] + bbox[2]).toBeLessThanOrEqual(128);
        expect(bbox[1] + bbox[3]).toBeLessThanOrEqual(128);
      }
      // The best box sits on the disc in source pixels (at 64x64 its centre would be at half these values).
      const [x, y, w, h] = mine[0].bbox;
      expect(Math.abs(x + w / 2 - d.cx)).toBeLessThan(d.r / 2);
      expect(Math.abs(y + h / 2 - d.cy)).toBeLessThan(d.r / 2);
      expect(w).toBeGreaterThan(d.r);
    }
  }, 300_000);
});
