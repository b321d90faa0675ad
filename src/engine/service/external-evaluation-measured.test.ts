/**
 * External evaluation of 2-D segmentation and transformation networks: a project (96x80 PNGs -> Resize 64x64 ->
 * a small U-Net) is trained by the engine, then `phi evaluate` measures it on another labelled
 * folder; the stored figures equal `phi metrics` on `phi predict`'s source-size masks of that
 * folder (and the report shows them), and a folder whose masks hold values the network does
 * not know, or no masks, is refused in one sentence without storing anything. A transformation
 * network evaluated on a copy of its test split gives the MAE, RMSE and PSNR stored for that split.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValue } from '../api';
import { openDataset } from '../data/dataset-node';
import { datasetParamsSchema } from '../data/params';
import { releaseTrained } from '../nn/predict';
import { ProjectStore } from '../store/project-store';
import { runPhi } from '../test-support/cli-io';
import { GraphBuilder } from '../test-support/pipeline';
import { createBuiltinRegistry } from './builtin-registry';
import { evaluatedOn, predictedSegmentationMetrics } from '../test-support/predicted-metrics';
import { withOpenProject } from '../test-support/open-project';
import { rng } from '../test-support/phantoms';
import { SQUARE_HEIGHT, SQUARE_WIDTH, writeSquareCase } from '../test-support/square-phantoms';

const dir = mkdtempSync(join(tmpdir(), 'phi-external-measured-'));
afterAll(() => {
  releaseTrained();
  rmSync(dir, { recursive: true, force: true });
});

const W = SQUARE_WIDTH;
const H = SQUARE_HEIGHT;

/** `count` cases in `name`/images and, with `inside` on the square, `name`/masks (none when `masks` is false). */
async function folder(
  name: string,
  count: number,
  seed: number,
  inside = 255,
  masks = true,
): Promise<string> {
  const random = rng(seed);
  const root = join(dir, name);
  const folders = masks ? ['images', 'masks'] : ['images'];
  for (const f of folders) mkdirSync(join(root, f), { recursive: true });
  for (let n = 0; n < count; n++)
    await writeSquareCase(
      root,
      folders as [string, string?],
      `case${String(n).padStart(3, '0')}.png`,
      random,
      inside,
    );
  return root;
}

/** `train` -> Resize 64x64 -> a small U-Net of `task`. */
function project(path: string, task: 'segmentation' | 'transformation' = 'segmentation'): void {
  const graph = new GraphBuilder(createBuiltinRegistry())
    .chain(
      ['data', 'dataset', { path: task === 'segmentation' ? 'train' : 'train-transformation', task }],
      ['resize', 'resize', { width: 64, height: 64 }],
      [
        'net',
        'neural-network',
        {
          task,
          architecture: task === 'segmentation' ? 'unet' : 'unet-regression',
          backend: 'wasm',
          baseFilters: 8,
          depth: 2,
          batchSize: 8,
          learningRate: 0.01,
          epochs: 4,
        },
      ],
    )
    .build();
  ProjectStore.create(path, { graph }).close();
}

describe('external evaluation of 2-D segmentation and transformation networks', () => {
  it('stores phi metrics on phi predict masks of the folder, in the source geometry; refuses unknown labels', async () => {
    await folder('train', 30, 3);
    const external = await folder('external', 7, 29);
    const path = join(dir, 'seg.phiproj');
    project(path);
    await withOpenProject(join(dir, 'cache'), path, async (engine) => {
      const result = await engine.run({ mode: 'all' });
      expect(result.errors).toEqual([]);
      expect(result.status).toBe('done');
    });

    const record = await evaluatedOn(dir, path, external);
    const report = await predictedSegmentationMetrics(
      dir,
      path,
      join(external, 'images'),
      join(external, 'masks'),
      join(dir, 'pred'),
    );
    console.log(
      `external folder, ${record.items} images at 96x80: stored Dice ${JSON.stringify(record.metrics.dice)}, phi metrics ${JSON.stringify(report.perClass.dice)}`,
    );
    expect(record).toMatchObject({ task: 'segmentation', geometry: 'source', dataset: external, items: 7 });
    expect(record.classes).toEqual(['background', 'foreground']);
    expect(record.modelStamp).toMatch(/\S/);
    expect(report.matched).toBe(7);
    expect(record.confusion).toEqual(report.confusion);
    expect(record.confusion.flat().reduce((a, b) => a + b, 0)).toBe(7 * W * H);
    expect(record.metrics.dice).toEqual(report.perClass.dice);
    expect(record.metrics.iou).toEqual(report.perClass.iou);
    expect(record.metrics.macroDice).toBe(report.macro.dice);
    expect(record.metrics.miou).toBe(report.overall.miou);
    expect(record.metrics).not.toHaveProperty('loss');

    // The text names the folder, the items, the run and the geometry; the project keeps it.
    const text = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', external]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`7 items of ${external}, run `);
    expect(text.out).toContain('segmentation figures in the source geometry');
    expect(text.out).toMatch(/Dice, foreground\s+\d\.\d+/);
    const history = await withOpenProject(join(dir, 'cache'), path, (engine) =>
      engine.getEvaluation({ node: 'net' }),
    );
    expect(history.external).toEqual([]);
    expect(history.measured?.map((m) => m.runId)).toHaveLength(2);
    expect(history.measured?.[1]).toEqual(record);

    // The report shows it with the folder, the item count and the geometry.
    const reported = await runPhi(dir, ['report', path, join(dir, 'report.html')]);
    expect(reported.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>External validation 1</h2>');
    expect(html).toContain(`7 items of external, run ${record.runId}`);
    expect(html).toContain(
      `<td>Dice, foreground</td><td class="num">${formatValue(report.perClass.dice[1])}</td>`,
    );

    // Labels the network does not know: refused in one sentence, nothing stored.
    const gray = await folder('gray-levels', 3, 5, 128);
    const refused = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', gray]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toBe(
      `phi evaluate: ${gray}'s masks hold classes the network was not trained on (value 128; it knows background, foreground): save them with the mask values of the training's masks\n`,
    );
    const bare = await folder('no-masks', 3, 6, 255, false);
    const unlabelled = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', bare]);
    expect(unlabelled.code).not.toBe(0);
    // The layout reader names what is missing and how to lay it out.
    expect(unlabelled.err).toBe(
      `phi evaluate: ${bare} needs an image folder (Dataset, images, image) and a mask folder (Label, Labels, masks) with files of the same names; found folders: images\n`,
    );
    const after = await withOpenProject(join(dir, 'cache'), path, (engine) =>
      engine.getEvaluation({ node: 'net' }),
    );
    expect(after.measured).toHaveLength(2);
  }, 600_000);

  it("transformation: the folder's MAE, RMSE and PSNR are the test split's when it holds the test split", async () => {
    // The square's mask as the target of its image.
    const random = rng(8);
    const root = join(dir, 'train-transformation');
    for (const f of ['input', 'target']) mkdirSync(join(root, f), { recursive: true });
    for (let n = 0; n < 30; n++)
      await writeSquareCase(root, ['input', 'target'], `case${String(n).padStart(3, '0')}.png`, random);
    const path = join(dir, 'transformation.phiproj');
    project(path, 'transformation');
    const test = await withOpenProject(join(dir, 'cache'), path, async (engine) => {
      expect((await engine.run({ mode: 'all' })).status).toBe('done');
      return (await engine.getMetrics({ node: 'net' })).test;
    });
    expect(test?.geometry).toBe('source');
    const source = await openDataset(root, datasetParamsSchema.parse({ path: root, task: 'transformation' }));
    const names = source.items.filter((i) => i.split === 'test').map((i) => basename(i.id));
    const external = join(dir, 'transformation-test');
    for (const f of ['input', 'target']) {
      mkdirSync(join(external, f), { recursive: true });
      for (const name of names) copyFileSync(join(root, f, name), join(external, f, name));
    }
    const record = await evaluatedOn(dir, path, external);
    console.log(
      `transformation, ${record.items} images: external ${JSON.stringify(record.metrics)}; test split ${JSON.stringify(test?.metrics)}`,
    );
    expect(record).toMatchObject({ task: 'transformation', geometry: 'source', classes: [], confusion: [] });
    expect(record.items).toBe(names.length);
    expect(test?.items).toBe(names.length);
    for (const key of ['mae', 'rmse', 'psnr'])
      expect(record.metrics[key] as number).toBeCloseTo(test?.metrics[key] as number, 9);
    const text = await runPhi(dir, ['evaluate', path, '--node', 'net', '--dataset', external]);
    expect(text.out).toContain(`${names.length} items of ${external}, run `);
    expect(text.out).toContain('transformation figures in the source geometry');
    expect(text.out).toMatch(/PSNR\s+\d+\.\d+/);
  }, 600_000);
});
