/**
 * The stored test metrics of 3-D segmentation and transformation nodes are
 * in the source geometry. Segmentation: a Decathlon folder written by nibabel (1.5 mm LPS volumes of
 * 24x22x12 voxels, a bright sphere and a dimmer box as classes 1 and 2) goes
 * through Reorient to Canonical, Resample to Spacing (2 mm) and Crop or Pad
 * to Size (8x16x16) into a patch-trained 3-D U-Net, trained data-parallel on
 * two threads. The per-volume Dice, IoU, HD95 and mean surface distance it
 * stores equal `phi metrics` on `phi predict`'s NIfTI masks against the source
 * label volumes, and SciPy's (tools/metrics-reference/surface.py) agree;
 * a repeat's seeds are measured the same way.
 * Each volume's own Dice and HD95 are stored too, equal to phi metrics' per volume.
 * Transformation: 1.5 x 1.5 x 2.5 mm input/target pairs resampled to 2 mm
 * (slices too) and padded to 10x12x12 for a patch-trained 3-D regression U-Net;
 * its stored MAE, RMSE and PSNR, over the split and per volume, are numpy's on
 * `phi predict`'s NIfTI outputs against the source targets; `phi run` prints them
 * "in source geometry", and the report lists the volumes worst first, unnamed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatValue,
  formatVolumeFigure,
  volumeClassKey,
  type EngineEvent,
  type Graph,
  type Sample,
} from '../api';
import { openDataset } from '../data/dataset-node';
import { datasetParamsSchema } from '../data/params';
import { resampleVolumeToSource, sourceDepthToSample, sourceToSample } from '../imaging/geometry-steps';
import { geometry } from '../imaging/image';
import { VolumeFigures } from '../nn/evaluation/volume-figures';
import { releaseTrained } from '../nn/predict';
import { applyChain, chainOf } from '../run/chain';
import { runPhi } from '../test-support/cli-io';
import { withOpenProject } from '../test-support/open-project';
import { pythonWith, runPython } from '../test-support/python';
import { ProjectStore } from '../store/project-store';
import { createBuiltinRegistry } from './builtin-registry';

const dir = mkdtempSync(join(tmpdir(), 'phi-source-volumes-'));
const threads = process.env.PHI_TRAIN_THREADS;
process.env.PHI_TRAIN_THREADS = '2';
afterAll(() => {
  releaseTrained();
  if (threads === undefined) delete process.env.PHI_TRAIN_THREADS;
  else process.env.PHI_TRAIN_THREADS = threads;
  rmSync(dir, { recursive: true, force: true });
});

const python = pythonWith(['nibabel', 'numpy', 'scipy'], 'python3-nibabel python3-scipy');
const REFERENCE = join(__dirname, '..', '..', '..', 'tools', 'metrics-reference', 'surface.py');

const MAKE = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('imagesTr', 'labelsTr'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(17)
# LPS voxel axes (x and y flipped against RAS), 1.5 mm isotropic.
affine = np.diag([-1.5, -1.5, 1.5, 1.0]); affine[:3, 3] = [30.0, 20.0, -10.0]
shape = (24, 22, 12)
x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
training = []
for i in range(16):
    c = [rng.integers(6, n - 6) for n in shape[:2]] + [rng.integers(4, 8)]
    sphere = (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= 3.2 ** 2
    b = [rng.integers(1, n - 7) for n in shape[:2]] + [rng.integers(1, 6)]
    box = (x >= b[0]) & (x < b[0] + 6) & (y >= b[1]) & (y < b[1] + 5) & (z >= b[2]) & (z < b[2] + 5) & ~sphere
    label = (sphere * 1 + box * 2).astype(np.uint8)
    image = (rng.normal(30, 8, shape) + 170 * sphere + 90 * box).astype(np.int16)
    img = nib.Nifti1Image(image, affine); img.set_qform(affine, code=1); img.set_sform(affine, code=1)
    nib.save(img, f'{root}/imagesTr/v_{i:03d}.nii.gz')
    nib.save(nib.Nifti1Image(label, affine), f'{root}/labelsTr/v_{i:03d}.nii.gz')
    training.append({'image': f'./imagesTr/v_{i:03d}.nii.gz', 'label': f'./labelsTr/v_{i:03d}.nii.gz'})
json.dump({'name': 'spheres', 'modality': {'0': 'CT'}, 'labels': {'0': 'background', '1': 'sphere', '2': 'box'},
           'numTraining': 16, 'training': training, 'test': []}, open(f'{root}/dataset.json', 'w'))
`;

const MAKE_PAIRS = `
import os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('input', 'target'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(5)
affine = np.diag([1.5, 1.5, 2.5, 1.0])
shape = (14, 13, 8)
x, y, z = np.meshgrid(*[np.linspace(0, 1, n) for n in shape], indexing='ij')
for i in range(10):
    clean = 100 * (np.sin(3 * x + rng.uniform(0, 3)) * np.cos(2 * y) + z) + 200
    for folder, data in (('input', clean + rng.normal(0, 20, shape)), ('target', clean)):
        nib.save(nib.Nifti1Image(data.astype(np.float32), affine), f'{root}/{folder}/v{i}.nii.gz')
`;

/**
 * MAE, RMSE and PSNR over every voxel of the named volumes, R the targets' max - min, as phi metrics
 * pools them; and each volume's own, R its own target's range.
 */
const POOLED = `
import json, sys
import nibabel as nib, numpy as np
root, out, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
load = lambda p: np.asarray(nib.load(p).dataobj, dtype=np.float64)
targets = [load(f'{root}/target/{n}') for n in names]
preds = [load(f'{out}/{n}') for n in names]
t = np.concatenate([v.ravel() for v in targets]); p = np.concatenate([v.ravel() for v in preds])
def figures(t, p):
    mse = np.mean((t - p) ** 2)
    return {'mae': float(np.mean(np.abs(t - p))), 'rmse': float(np.sqrt(mse)),
            'psnr': float(10 * np.log10((t.max() - t.min()) ** 2 / mse))}
print(json.dumps({**figures(t, p), 'shapes': [list(v.shape) for v in preds],
                  'volumes': {n: figures(a, b) for n, a, b in zip(names, targets, preds)}}))
`;

/** A project: the Dataset node, then `modules` in a line, then the network node `net`. */
function chainProject(
  path: string,
  dataset: Record<string, unknown>,
  modules: [string, Record<string, unknown>][],
  network: Record<string, unknown>,
): void {
  const at = { x: 0, y: 0 };
  const nodes: Graph['nodes'] = [
    { id: 'data', kind: 'dataset', type: 'dataset', version: 1, params: dataset, position: at },
    ...modules.map(([type, params]) => ({
      id: type,
      kind: 'module' as const,
      type,
      version: 1,
      params,
      position: at,
    })),
    { id: 'net', kind: 'network', type: 'neural-network', version: 1, params: network, position: at },
  ];
  const edges = nodes
    .slice(1)
    .map((n, i) => ({ id: `e${i}`, source: nodes[i].id, target: n.id, targetPort: 'in' }));
  ProjectStore.create(path, { graph: { nodes, edges } }).close();
}

/** Runs the project; its events and the network node's stored test result. */
function train(path: string) {
  return withOpenProject(join(dir, 'cache'), path, async (engine) => {
    const events: EngineEvent[] = [];
    engine.onDidEmit((event) => events.push(event));
    const result = await engine.run({ mode: 'all' });
    expect(result.errors).toEqual([]);
    expect(result.status).toBe('done');
    return { events, test: (await engine.getMetrics({ node: 'net' })).test };
  });
}

const SEGMENTATION_SPLIT = { task: 'segmentation', test: 25, validation: 12 };
const TRANSFORMATION_SPLIT = { task: 'transformation', test: 30, validation: 10 };

type VolumeReport = {
  perClass: Record<'dice' | 'iou' | 'hd95' | 'msd', (number | null)[]>;
  volumes: { name: string; perClass: Record<string, (number | null)[]> }[];
};

describe('test metrics of a 3-D segmentation in the source geometry', () => {
  it('the stored per-volume Dice, IoU, HD95 and MSD are phi metrics on phi predict NIfTI masks, and SciPy agrees', async () => {
    runPython(python, MAKE, [join(dir, 'ds')]);
    const path = join(dir, 'p.phiproj');
    chainProject(
      path,
      { path: 'ds', ...SEGMENTATION_SPLIT },
      [
        ['reorient', { orientation: 'RAS' }],
        ['resample-spacing', { spacingX: 2, spacingY: 2, spacingZ: 2 }],
        ['crop-or-pad', { depth: 8, height: 16, width: 16 }],
      ],
      {
        task: 'segmentation',
        architecture: 'unet3d',
        backend: 'wasm',
        baseFilters: 8,
        depth: 2,
        patchSize: '8x8x8',
        patchForeground: 0.75,
        batchSize: 4,
        epochs: 40,
        learningRate: 0.01,
        seed: 2,
      },
    );
    const { events, test } = await train(path);
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContain('Data-parallel training on 2 threads');
    const trainLoss = events.flatMap((e) =>
      e.type === 'epoch' && e.split === 'train' ? [e.metrics.loss as number] : [],
    );
    expect(trainLoss).toHaveLength(40);
    expect(trainLoss[trainLoss.length - 1]).toBeLessThan(trainLoss[0]);
    expect(logs.filter((m) => m.startsWith('Test metrics'))).toEqual([]);
    expect(test?.geometry).toBe('source');

    // The test split's volumes as the Dataset node splits them, their labels apart.
    const source = await openDataset(
      join(dir, 'ds'),
      datasetParamsSchema.parse({ path: join(dir, 'ds'), ...SEGMENTATION_SPLIT }),
    );
    const names = source.items
      .filter((i) => i.split === 'test')
      .map((i) => basename(i.id).replace(/\.nii\.gz$/, ''));
    expect(names.length).toBeGreaterThan(2);
    for (const folder of ['images', 'labels']) mkdirSync(join(dir, 'split', folder), { recursive: true });
    for (const name of names) {
      copyFileSync(
        join(dir, 'ds', 'imagesTr', `${name}.nii.gz`),
        join(dir, 'split', 'images', `${name}.nii.gz`),
      );
      copyFileSync(
        join(dir, 'ds', 'labelsTr', `${name}.nii.gz`),
        join(dir, 'split', 'labels', `${name}.nii.gz`),
      );
    }
    const predicted = await runPhi(dir, ['predict', path, '--node', 'net', 'split/images', 'masks']);
    expect(predicted.err).toBe('');
    expect(readdirSync(join(dir, 'masks')).length).toBe(names.length);
    const measured = await runPhi(dir, [
      'metrics',
      '--task',
      'segmentation',
      '--truth',
      'split/labels',
      '--pred',
      'masks',
      '--classes',
      '3',
      '--json',
    ]);
    expect(measured.err).toBe('');
    const report = JSON.parse(measured.out) as VolumeReport & { macro: Record<string, number | null> };
    const reference = spawnSync(python, [REFERENCE, join(dir, 'split', 'labels'), join(dir, 'masks'), '3'], {
      encoding: 'utf8',
    });
    expect(reference.stderr).toBe('');
    const scipy = JSON.parse(reference.stdout) as VolumeReport;
    console.log(
      `3-D test split, ${names.length} volumes in the source geometry: stored ${JSON.stringify(test?.metrics)}; SciPy ${JSON.stringify(scipy.perClass)}`,
    );

    expect(test?.items).toBe(names.length);
    expect(report.volumes).toHaveLength(names.length);
    for (const metric of ['dice', 'iou', 'hd95', 'msd'] as const) {
      const stored = test?.metrics[metric] as (number | null)[];
      // Background is left out, as phi metrics leaves it out.
      expect(stored[0]).toBeNull();
      expect(stored.slice(1)).toEqual(report.perClass[metric]);
      const macro = `macro${metric.charAt(0).toUpperCase()}${metric.slice(1)}`;
      expect(test?.metrics[macro]).toBe(report.macro[metric]);
      scipy.perClass[metric].forEach((value, c) => {
        if (value === null) expect(stored[c + 1]).toBeNull();
        else expect(Math.abs((stored[c + 1] as number) - value)).toBeLessThan(1e-6);
      });
    }
    // Each volume's own Dice and HD95 per class are stored with the evaluation: phi metrics' per volume.
    const stem = (name: string): string => basename(name).replace(/\.nii\.gz$/, '');
    const rows = new Map((test?.volumes ?? []).map((row) => [stem(row.id), row.figures]));
    expect([...rows.keys()].sort()).toEqual([...names].sort());
    for (const volume of report.volumes) {
      const row = rows.get(stem(volume.name));
      [1, 2].forEach((k) => {
        expect(row?.[volumeClassKey('dice', k)]).toBe(volume.perClass.dice[k - 1]);
        expect(row?.[volumeClassKey('hd95', k)]).toBe(volume.perClass.hd95[k - 1]);
      });
    }
    // The network found both structures: the distances are measured, not all undefined.
    expect((test?.metrics.dice as number[])[1]).toBeGreaterThan(0.3);
    expect(test?.metrics.macroHd95).not.toBeNull();
    expect(test?.metrics).not.toHaveProperty('loss');
    const reported = await runPhi(dir, ['report', path, 'report.html']);
    expect(reported.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('figures in the source geometry');
    expect(html).toContain(
      `<td>HD95 mm, sphere</td><td class="num">${formatValue(report.perClass.hd95[0])}</td>`,
    );
    // Repeats measure each seed's model the same way: per volume, in the source volumes.
    const repeat = await withOpenProject(join(dir, 'cache'), path, (engine) =>
      engine.repeatTraining({ node: 'net', seeds: 2 }),
    );
    expect(repeat.seeds.map((s) => s.status)).toEqual(['done', 'done']);
    for (const seed of repeat.seeds) {
      expect(seed.items).toBe(names.length);
      expect(seed.test.hd95).toHaveLength(3);
      expect((seed.test.hd95 as (number | null)[])[0]).toBeNull();
    }
    expect(Object.keys(repeat.acrossSeeds).sort()).toEqual([
      'macroDice',
      'macroHd95',
      'macroIou',
      'macroMsd',
    ]);
    // The voxel confusion counts every source voxel of every test volume (24x22x12, not the 8x16x16 grid).
    expect(test?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(names.length * 24 * 22 * 12);
  }, 600_000);

  it("the chain's recorded geometry takes its own 2 mm label grid back onto the 1.5 mm source labels", async () => {
    const graph = ProjectStore.open(join(dir, 'p.phiproj'));
    const chain = chainOf(createBuiltinRegistry(), graph.graph(), 'net');
    graph.close();
    const source = await openDataset(
      join(dir, 'ds'),
      datasetParamsSchema.parse({ path: join(dir, 'ds'), task: 'segmentation' }),
    );
    const figures = new VolumeFigures(3);
    for (const item of source.items.slice(0, 4)) {
      const original = await source.load(item);
      const sample = (await applyChain(chain, original)) as Sample;
      if (sample.label?.kind !== 'mask') throw new Error('the chain lost the label');
      const grid = geometry(sample.image);
      const at = geometry(original.image);
      expect([grid.depth, grid.height, grid.width]).toEqual([8, 16, 16]);
      figures.add(
        original,
        resampleVolumeToSource(
          sample.label.mask.data,
          { ...grid, channels: 1 },
          sourceToSample(sample, at),
          sourceDepthToSample(sample, at.depth),
          at,
          'nearest',
        ),
      );
    }
    const m = figures.metrics();
    console.log(`labels through the chain and back, 4 volumes: ${JSON.stringify(m)}`);
    // Nearest sampling 1.5 -> 2 -> 1.5 mm moves boundaries by at most a voxel; the crop drops little.
    expect(m.macroDice).toBeGreaterThan(0.8);
    expect(m.macroHd95).toBeLessThanOrEqual(3);
  });

  it("transformation: the stored MAE, RMSE and PSNR are numpy's on phi predict NIfTI outputs against the source targets", async () => {
    runPython(python, MAKE_PAIRS, [join(dir, 'tr')]);
    const path = join(dir, 'tr.phiproj');
    chainProject(
      path,
      { path: 'tr', ...TRANSFORMATION_SPLIT },
      [
        ['resample-spacing', { spacingX: 2, spacingY: 2, spacingZ: 2 }],
        ['crop-or-pad', { depth: 10, height: 12, width: 12 }],
      ],
      {
        task: 'transformation',
        architecture: 'unet3d-regression',
        backend: 'wasm',
        baseFilters: 4,
        depth: 2,
        patchSize: '8x8x8',
        batchSize: 4,
        epochs: 15,
        learningRate: 0.003,
        seed: 3,
      },
    );
    const run = await runPhi(dir, ['run', path]);
    expect(run.err).toBe('');
    expect(run.out).toMatch(/net test \(\d+ items, in source geometry\): mae=/);
    const test = await withOpenProject(
      join(dir, 'cache'),
      path,
      async (engine) => (await engine.getMetrics({ node: 'net' })).test,
    );
    expect(test?.geometry).toBe('source');

    const source = await openDataset(
      join(dir, 'tr'),
      datasetParamsSchema.parse({ path: join(dir, 'tr'), ...TRANSFORMATION_SPLIT }),
    );
    const names = source.items.filter((i) => i.split === 'test').map((i) => basename(i.id));
    expect(names.length).toBeGreaterThan(1);
    mkdirSync(join(dir, 'tr-split'), { recursive: true });
    for (const name of names) copyFileSync(join(dir, 'tr', 'input', name), join(dir, 'tr-split', name));
    const predicted = await runPhi(dir, ['predict', path, '--node', 'net', 'tr-split', 'tr-out']);
    expect(predicted.err).toBe('');
    const numpy = JSON.parse(
      runPython(python, POOLED, [join(dir, 'tr'), join(dir, 'tr-out'), JSON.stringify(names)]),
    ) as {
      mae: number;
      rmse: number;
      psnr: number;
      shapes: number[][];
      volumes: Record<string, { mae: number; rmse: number; psnr: number }>;
    };
    console.log(
      `3-D transformation test split, ${names.length} volumes of ${JSON.stringify(numpy.shapes[0])} in the source geometry: stored MAE ${test?.metrics.mae}, PSNR ${test?.metrics.psnr}; numpy MAE ${numpy.mae}, PSNR ${numpy.psnr}`,
    );
    expect(test?.items).toBe(names.length);
    expect(numpy.shapes.every((s) => s.join('x') === '14x13x8')).toBe(true);
    expect(Math.abs((test?.metrics.mae as number) - numpy.mae) / numpy.mae).toBeLessThan(1e-5);
    expect(Math.abs((test?.metrics.rmse as number) - numpy.rmse) / numpy.rmse).toBeLessThan(1e-5);
    expect(Math.abs((test?.metrics.psnr as number) - numpy.psnr)).toBeLessThan(1e-4);
    expect(test?.metrics).not.toHaveProperty('loss');

    // Each test volume's own figures are stored with the evaluation and equal numpy's on its output.
    const volumes = test?.volumes ?? [];
    console.log(`per volume: stored ${JSON.stringify(volumes)}; numpy ${JSON.stringify(numpy.volumes)}`);
    expect(volumes.map((v) => basename(v.id)).sort()).toEqual([...names].sort());
    for (const row of volumes) {
      const reference = numpy.volumes[basename(row.id)];
      for (const key of ['mae', 'rmse'] as const)
        expect(Math.abs((row.figures[key] as number) - reference[key]) / reference[key]).toBeLessThan(1e-5);
      expect(Math.abs((row.figures.psnr as number) - reference.psnr)).toBeLessThan(1e-4);
    }
    // phi run prints them worst MAE first, with the run and the number of volumes.
    const worstFirst = [...volumes].sort((a, b) => (b.figures.mae as number) - (a.figures.mae as number));
    const printed = run.out.split('\n');
    const heading = printed.findIndex((l) =>
      new RegExp(
        `^  net Test split of run \\S+ · ${names.length} volumes · each in its source geometry, worst MAE first:$`,
      ).test(l),
    );
    expect(heading).toBeGreaterThan(-1);
    expect(printed.slice(heading + 1, heading + 1 + names.length)).toEqual(
      worstFirst.map(
        (r) =>
          `    ${r.id}: MAE ${formatVolumeFigure(r.figures.mae)}, RMSE ${formatVolumeFigure(r.figures.rmse)}, PSNR dB ${formatVolumeFigure(r.figures.psnr)}`,
      ),
    );
    // The report lists them by rank, worst first, without their names.
    expect((await runPhi(dir, ['report', path, 'tr-report.html'])).code).toBe(0);
    const html = readFileSync(join(dir, 'tr-report.html'), 'utf8');
    expect(html).toContain(`${names.length} volumes · each in its source geometry`);
    const table = html.slice(html.indexOf('aria-label="Test split evaluation: figures per volume"'));
    worstFirst.forEach((r, rank) =>
      expect(table).toContain(
        `<tr><td class="num">${rank + 1}</td><td class="num">${formatVolumeFigure(r.figures.mae)}</td>`,
      ),
    );
    for (const name of names) expect(html).not.toContain(name);
  }, 600_000);
});
