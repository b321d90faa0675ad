/**
 * The stored test metrics of a segmentation and a transformation node are in
 * the source geometry: real projects (96x80 PNGs -> Resize 64x64 -> a small
 * network) are trained by the engine; the Dice it stores equals `phi metrics`
 * on `phi predict`'s source-size masks against the dataset's masks, and the
 * PSNR equals numpy's on the network's outputs upsampled by SciPy to 96x80 (and a
 * repeat's seeds are measured the same way); a
 * detection node's mAP (128x128 images resized to 64x64) equals `phi metrics` on
 * `phi predict`'s boxes in source pixels.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValue, type EngineEvent, type Graph } from '../api';
import { openDataset } from '../data/dataset-node';
import { datasetParamsSchema } from '../data/params';
import { encodeNpyFloat32 } from '../nn/io/npy';
import { releaseTrained } from '../nn/predict';
import { rng } from '../test-support/phantoms';
import { pythonWith } from '../test-support/python';
import { runPhi } from '../test-support/cli-io';
import { ProjectStore } from '../store/project-store';
import { withOpenProject } from '../test-support/open-project';
import { SQUARE_HEIGHT, SQUARE_WIDTH, writeSquareCase } from '../test-support/square-phantoms';

const dir = mkdtempSync(join(tmpdir(), 'phi-source-geometry-'));
afterAll(() => {
  releaseTrained();
  rmSync(dir, { recursive: true, force: true });
});

const W = SQUARE_WIDTH;
const H = SQUARE_HEIGHT;

function project(path: string, dataset: Record<string, unknown>, network: Record<string, unknown>): void {
  const at = { x: 0, y: 0 };
  const graph: Graph = {
    nodes: [
      { id: 'data', kind: 'dataset', type: 'dataset', version: 1, params: dataset, position: at },
      {
        id: 'resize',
        kind: 'module',
        type: 'resize',
        version: 1,
        params: { width: 64, height: 64 },
        position: at,
      },
      { id: 'net', kind: 'network', type: 'neural-network', version: 1, params: network, position: at },
    ],
    edges: [
      { id: 'e1', source: 'data', target: 'resize', targetPort: 'in' },
      { id: 'e2', source: 'resize', target: 'net', targetPort: 'in' },
    ],
  };
  ProjectStore.create(path, { graph }).close();
}

/** A project of `count` paired 96x80 cases in `folders` -> Resize 64x64 -> a small network of `task`. */
async function pairedProject(
  name: string,
  task: 'segmentation' | 'transformation',
  folders: [string, string],
  count: number,
  seed: number,
  network: Record<string, unknown>,
): Promise<{ root: string; path: string }> {
  const random = rng(seed);
  const root = join(dir, name);
  for (const folder of folders) mkdirSync(join(root, folder), { recursive: true });
  for (let i = 0; i < count; i++)
    await writeSquareCase(root, folders, `img${String(i).padStart(3, '0')}.png`, random);
  const path = join(dir, `${name}.phiproj`);
  project(
    path,
    { path: name, task },
    { task, backend: 'wasm', baseFilters: 8, depth: 2, batchSize: 8, learningRate: 0.01, ...network },
  );
  return { root, path };
}

/** Runs the project; its `evaluation` events and stored test result. */
function train(path: string) {
  return withOpenProject(join(dir, 'cache'), path, async (engine) => {
    const events: Extract<EngineEvent, { type: 'evaluation' }>[] = [];
    engine.onDidEmit((event) => {
      if (event.type === 'evaluation') events.push(event);
    });
    const result = await engine.run({ mode: 'all' });
    expect(result.errors).toEqual([]);
    expect(result.status).toBe('done');
    const stored = await engine.getMetrics({ node: 'net' });
    return { events, test: stored.test };
  });
}

/** The dataset's test items (as the Dataset node splits them) copied flat into two folders. */
async function copyTestSplit(
  root: string,
  task: string,
  folders: [string, string],
  into: string,
): Promise<string[]> {
  const source = await openDataset(root, datasetParamsSchema.parse({ path: root, task }));
  const names = source.items.filter((i) => i.split === 'test').map((i) => basename(i.id));
  for (const f of folders) mkdirSync(join(into, f), { recursive: true });
  for (const name of names) for (const f of folders) copyFileSync(join(root, f, name), join(into, f, name));
  return names;
}

describe('test metrics in the source geometry', () => {
  it('segmentation: the stored Dice is phi metrics on phi predict masks at 96x80', async () => {
    const { root, path } = await pairedProject('seg', 'segmentation', ['images', 'masks'], 40, 11, {
      architecture: 'unet',
      epochs: 6,
    });
    const { events, test } = await train(path);
    expect(events.map((e) => e.geometry)).toEqual(['source']);
    expect(test?.geometry).toBe('source');

    const names = await copyTestSplit(root, 'segmentation', ['images', 'masks'], join(dir, 'seg-test'));
    expect(names.length).toBeGreaterThan(2);
    const predicted = await runPhi(dir, [
      'predict',
      path,
      '--node',
      'net',
      join(dir, 'seg-test', 'images'),
      join(dir, 'seg-pred'),
    ]);
    expect(predicted.err).toBe('');
    expect(readdirSync(join(dir, 'seg-pred')).sort()).toEqual([...names].sort());
    const measured = await runPhi(dir, [
      'metrics',
      '--task',
      'segmentation',
      '--truth',
      join(dir, 'seg-test', 'masks'),
      '--pred',
      join(dir, 'seg-pred'),
      '--json',
    ]);
    expect(measured.code).toBe(0);
    const report = JSON.parse(measured.out) as {
      matched: number;
      overall: Record<string, number | null>;
      perClass: Record<string, (number | null)[]>;
      macro: Record<string, number | null>;
      confusion: number[][];
    };
    console.log(
      `segmentation test split, ${report.matched} images at 96x80: stored Dice ${JSON.stringify(test?.metrics.dice)}, phi metrics ${JSON.stringify(report.perClass.dice)}`,
    );
    expect(test?.items).toBe(names.length);
    expect(report.matched).toBe(names.length);
    expect(test?.confusion).toEqual(report.confusion);
    expect(test?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(names.length * W * H);
    expect(test?.metrics.dice).toEqual(report.perClass.dice);
    expect(test?.metrics.macroDice).toBe(report.macro.dice);
    expect(test?.metrics.miou).toBe(report.overall.miou);
    expect(test?.metrics.accuracy).toBe(report.overall.accuracy);
    expect(test?.metrics).not.toHaveProperty('loss');

    // The report states it beside the figures.
    const reported = await runPhi(dir, ['report', path, join(dir, 'seg-report.html')]);
    expect(reported.code).toBe(0);
    const html = readFileSync(join(dir, 'seg-report.html'), 'utf8');
    expect(html).toContain(`The held-out test split of ${names.length} items`);
    expect(html).toContain('figures in the source geometry');
    expect(html).toContain(
      `<td>Dice, foreground</td><td class="num">${formatValue(report.perClass.dice[1])}</td>`,
    );

    // Repeats measure each seed's model the same way: on the 96x80 masks.
    const repeat = await withOpenProject(join(dir, 'cache'), path, (engine) =>
      engine.repeatTraining({ node: 'net', seeds: 2 }),
    );
    expect(repeat.seeds.map((s) => s.status)).toEqual(['done', 'done']);
    for (const seed of repeat.seeds) {
      expect(seed.items).toBe(names.length);
      expect(seed.test).not.toHaveProperty('loss');
      expect(seed.test.dice).toHaveLength(2);
    }
  }, 600_000);

  it('transformation: the stored PSNR is the one of the outputs resampled to 96x80', async () => {
    const { root, path } = await pairedProject('tr', 'transformation', ['input', 'target'], 30, 5, {
      architecture: 'unet-regression',
      epochs: 4,
    });
    const { events, test } = await train(path);
    expect(events.map((e) => e.geometry)).toEqual(['source']);
    const names = await copyTestSplit(root, 'transformation', ['input', 'target'], join(dir, 'tr-test'));
    const predicted = await runPhi(dir, [
      'predict',
      path,
      '--node',
      'net',
      join(dir, 'tr-test', 'input'),
      join(dir, 'tr-pred'),
    ]);
    expect(predicted.err).toBe('');
    // The targets as numpy reads them, decoded by sharp.
    mkdirSync(join(dir, 'tr-targets'));
    for (const name of names) {
      const raw = await sharp(join(root, 'target', name))
        .toColourspace('b-w')
        .raw()
        .toBuffer();
      writeFileSync(
        join(dir, 'tr-targets', name.replace(/\.png$/, '.npy')),
        encodeNpyFloat32(Float32Array.from(raw), [H, W]),
      );
    }
    // The reference: SciPy's linear zoom with pixel-centre alignment (grid_mode) and edges held.
    const python = pythonWith(['numpy', 'scipy'], 'python3-numpy python3-scipy');
    const script = `
import sys, json, os, numpy as np
from scipy.ndimage import zoom
truth_dir, pred_dir = sys.argv[1], sys.argv[2]
targets, outputs = [], []
for name in sorted(os.listdir(truth_dir)):
    t = np.load(os.path.join(truth_dir, name)).astype(np.float64)
    p = np.load(os.path.join(pred_dir, name)).astype(np.float64)[:, :, 0]
    up = zoom(p, (t.shape[0] / p.shape[0], t.shape[1] / p.shape[1]), order=1, mode='nearest', grid_mode=True)
    targets.append(t); outputs.append(up)
t = np.stack(targets); p = np.stack(outputs)
mse = float(np.mean((t - p) ** 2))
r = float(t.max() - t.min())
print(json.dumps({"n": len(targets), "mae": float(np.mean(np.abs(t - p))), "mse": mse, "psnr": 10 * np.log10(r * r / mse)}))
`;
    const run = spawnSync(python, ['-c', script, join(dir, 'tr-targets'), join(dir, 'tr-pred')], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const reference = JSON.parse(run.stdout) as { n: number; mae: number; mse: number; psnr: number };
    console.log(
      `transformation test split, ${reference.n} images at 96x80: stored PSNR ${String(test?.metrics.psnr)}, SciPy ${reference.psnr}; MAE ${String(test?.metrics.mae)} vs ${reference.mae}`,
    );
    expect(test?.items).toBe(names.length);
    expect(reference.n).toBe(names.length);
    expect(test?.metrics.psnr as number).toBeCloseTo(reference.psnr, 4);
    expect(test?.metrics.mae as number).toBeCloseTo(reference.mae, 3);
    expect(test?.metrics.mse as number).toBeCloseTo(reference.mse, 2);
  }, 600_000);

  it('detection: the stored mAP is phi metrics on phi predict boxes in 128x128 source pixels', async () => {
    const random = rng(9);
    const root = join(dir, 'det');
    mkdirSync(root, { recursive: true });
    const rows = ['file,xmin,ymin,xmax,ymax,class'];
    const discs = new Map<string, { cx: number; cy: number; r: number }>();
    for (let i = 0; i < 40; i++) {
      const r = 14 + Math.floor(random() * 10);
      const d = { cx: r + 2 + random() * (124 - 2 * r), cy: r + 2 + random() * (124 - 2 * r), r };
      const data = new Uint8Array(128 * 128);
      for (let y = 0; y < 128; y++)
        for (let x = 0; x < 128; x++) {
          const inside = (x + 0.5 - d.cx) ** 2 + (y + 0.5 - d.cy) ** 2 <= r * r;
          data[y * 128 + x] = Math.round((inside ? 80 : 20) + 15 * (random() - 0.5));
        }
      const name = `disc${String(i).padStart(2, '0')}.png`;
      await sharp(data, { raw: { width: 128, height: 128, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(join(root, name));
      rows.push(`${name},${d.cx - r},${d.cy - r},${d.cx + r},${d.cy + r},disc`);
      discs.set(name, d);
    }
    writeFileSync(join(root, 'labels.csv'), `${rows.join('\n')}\n`);
    const path = join(dir, 'det.phiproj');
    project(
      path,
      { path: 'det', task: 'detection' },
      {
        task: 'detection',
        backend: 'wasm',
        baseFilters: 8,
        depth: 2,
        epochs: 14,
        // Low, so that a briefly trained network gives boxes to match.
        detectionThreshold: 0.05,
        batchSize: 8,
        learningRate: 0.01,
      },
    );
    const { events, test } = await train(path);
    expect(events.map((e) => e.geometry)).toEqual(['source']);

    const source = await openDataset(root, datasetParamsSchema.parse({ path: root, task: 'detection' }));
    const names = source.items.filter((i) => i.split === 'test').map((i) => basename(i.id));
    mkdirSync(join(dir, 'det-test'));
    for (const name of names) copyFileSync(join(root, name), join(dir, 'det-test', name));
    // The truth of the test images in COCO form, boxes in source pixels.
    const coco = {
      images: names.map((name) => ({ id: name, file_name: name })),
      annotations: names.map((name) => {
        const d = discs.get(name) as { cx: number; cy: number; r: number };
        return { image_id: name, category_id: 0, bbox: [d.cx - d.r, d.cy - d.r, 2 * d.r, 2 * d.r] };
      }),
      categories: [{ id: 0, name: 'disc' }],
    };
    writeFileSync(join(dir, 'det-truth.json'), JSON.stringify(coco));
    const predicted = await runPhi(dir, [
      'predict',
      path,
      '--node',
      'net',
      join(dir, 'det-test'),
      join(dir, 'det-pred'),
    ]);
    expect(predicted.err).toBe('');
    const measured = await runPhi(dir, [
      'metrics',
      '--task',
      'detection',
      '--truth',
      join(dir, 'det-truth.json'),
      '--pred',
      join(dir, 'det-pred', 'detections.json'),
      '--score-threshold',
      '0.05',
      '--json',
    ]);
    expect(measured.code).toBe(0);
    const report = JSON.parse(measured.out) as {
      matched: number;
      overall: Record<string, number | null>;
      perClass: Record<string, (number | null)[]>;
    };
    console.log(
      `detection test split, ${report.matched} images at 128x128: stored mAP50 ${String(test?.metrics.map50)}, mAP ${String(test?.metrics.map)}; phi metrics ${report.overall.map50}, ${report.overall.map}`,
    );
    expect(test?.items).toBe(names.length);
    expect(report.matched).toBe(names.length);
    expect(report.overall.map50 as number).toBeGreaterThan(0);
    expect(test?.metrics.map50 as number).toBeCloseTo(report.overall.map50 as number, 9);
    expect(test?.metrics.map as number).toBeCloseTo(report.overall.map as number, 9);
    expect(test?.metrics.accuracyByClass).toEqual(report.perClass.accuracyByClass);
  }, 600_000);
});
