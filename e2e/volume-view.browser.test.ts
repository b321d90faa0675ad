/**
 * The View tab on the bundled 3-D example in Chromium at 1280x800: the 3-D U-Net's input
 * volume slice by slice, scrolled with the wheel and the keys, in the three planes with
 * the aspect of the voxel spacing (1.5 x 1.5 x 3 mm), window and level dragged, the label
 * and prediction overlays with the class legend, and the patient's sides at the edges; its
 * CT volumes (dataset.json names the channel CT) in HU with the CT window presets. A DICOM
 * series (oblique, files in shuffled order) shows the patient's sides too.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../src/engine/resources';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import { Engine } from '../src/engine/service/engine';
import { ProjectStore } from '../src/engine/store/project-store';
import { OBLIQUE_SERIES_PY } from '../src/engine/test-support/oblique-series';
import { GraphBuilder } from '../src/engine/test-support/pipeline';
import { pythonWith, runPython } from '../src/engine/test-support/python';
import { layoutProblems, openProject, type Session } from './support/browser-steps';

let session: Session;

/** A copy of the 3-D example, run (3 epochs) with the cache `phi serve` will use. */
async function trainedExample(dir: string): Promise<string> {
  const folder = join(dir, 'example');
  cpSync(resourcesDir('examples', 'lesions-3d'), folder, { recursive: true });
  const project = join(folder, 'lesions-3d.phiproj');
  const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio') });
  const opened = await engine.openProject({ path: project });
  const network = opened.graph.nodes.find((n) => n.id === 'network');
  await engine.editGraph({
    edits: [{ op: 'set-params', id: 'network', params: { ...network?.params, epochs: 3 } }],
  });
  const run = await engine.run({ mode: 'all' });
  engine.closeProject();
  if (run.status !== 'done') throw new Error(`the example did not run: ${run.status}`);
  return project;
}

beforeAll(async () => {
  session = await openProject('phi-volume-e2e-', trainedExample, { width: 1280, height: 800 });
});

afterAll(() => session?.close());

/** The text of the slice counter once it reads `expected`. */
async function sliceReads(expected: string): Promise<string> {
  const position = session.page.getByTestId('slice-position');
  await position.filter({ hasText: expected }).waitFor();
  return position.innerText();
}

/** Width over height of the drawn slice on the page: its box, which its pixels fill. */
async function shownAspect(): Promise<number> {
  const slice = session.page.getByTestId('volume-slice');
  const fit = await slice.evaluate(
    (img) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { objectFit: string } }).getComputedStyle(img)
        .objectFit,
  );
  expect(fit).toBe('fill');
  const box = await slice.boundingBox();
  if (!box) throw new Error('the slice is not shown');
  return box.width / box.height;
}

describe('the View tab on volumes', () => {
  it('scrolls slices with the wheel and the keys, switches planes with the aspect of the spacing', async () => {
    const { page } = session;
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'View' }).click();
    await page.getByTestId('volume-slice').waitFor();
    // 24 axial slices of 32 x 32: the middle one first.
    expect(await sliceReads('slice 13 / 24')).toBe('slice 13 / 24');
    expect(await shownAspect()).toBeCloseTo(1, 1);
    const first = await page.getByTestId('volume-slice').getAttribute('src');

    const viewport = await page.locator('.volume-view .viewport').boundingBox();
    if (!viewport) throw new Error('no viewport');
    await page.mouse.move(viewport.x + viewport.width / 2, viewport.y + viewport.height / 2);
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, 100);
      await sliceReads(`slice ${14 + i} / 24`);
    }
    await expect.poll(() => page.getByTestId('volume-slice').getAttribute('src')).not.toBe(first);
    await page.locator('.slice-keys').focus();
    await page.keyboard.press('PageDown');
    await sliceReads('slice 18 / 24');
    await page.keyboard.press('ArrowUp');
    await sliceReads('slice 17 / 24');
    await page.keyboard.press('End');
    await sliceReads('slice 24 / 24');
    await page.keyboard.press('ArrowDown');
    await sliceReads('slice 24 / 24');

    // Coronal: 32 columns of 1.5 mm by 24 rows of 3 mm, so two thirds as wide as high.
    await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Coronal' }).click();
    await sliceReads('slice 17 / 32');
    await expect.poll(shownAspect).toBeLessThan(0.7);
    expect(await shownAspect()).toBeCloseTo(48 / 72, 1);
    expect(await page.getByTestId('edge-top').innerText()).toBe('S');
    expect(await page.getByTestId('edge-left').innerText()).toBe('R');

    await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Sagittal' }).click();
    await page.getByTestId('edge-left').filter({ hasText: 'A' }).waitFor();
    expect(await page.getByTestId('edge-right').innerText()).toBe('P');
    expect(await shownAspect()).toBeCloseTo(48 / 72, 1);
    expect(await page.getByTestId('slice-meta').innerText()).toMatch(/32 × 24 px · 3 × 1.5 mm pixels/);
    await session.shot('volume-01-sagittal');
  });

  it('shows the label and the prediction over the slice with the class names, and drags window and level', async () => {
    const { page } = session;
    await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Axial' }).click();
    await page.getByTestId('label-overlay').waitFor();
    expect(await page.getByTestId('label-overlay').isVisible()).toBe(true);
    expect(await page.getByTestId('prediction-overlay').isVisible()).toBe(true);
    expect(await page.getByRole('list', { name: 'Overlay classes' }).innerText()).toBe('lesion');
    await page.getByRole('checkbox', { name: 'Label' }).uncheck();
    expect(await page.getByTestId('label-overlay').count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Label' }).check();

    const level = page.getByRole('slider', { name: 'Window level (centre)' });
    const before = Number(await level.inputValue());
    const viewport = await page.locator('.volume-view .viewport').boundingBox();
    if (!viewport) throw new Error('no viewport');
    const x = viewport.x + viewport.width / 2;
    const y = viewport.y + viewport.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 30, y + 40, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => Number(await level.inputValue())).toBeGreaterThan(before);
    expect(await page.getByRole('button', { name: 'Auto' }).getAttribute('class')).not.toMatch(/active/);

    expect(await layoutProblems(page, '.volume-view')).toEqual([]);
    await session.shot('volume-02-overlays');
    expect(session.pageErrors).toEqual([]);
  });

  it("shows the example's CT volumes in HU, says why, and offers the CT window presets", async () => {
    const { page } = session;
    await page.locator('[data-testid="node-dataset"] .phi-node-title').click();
    await page.getByTestId('volume-slice').waitFor();
    await page.getByText('Values in HU, as dataset.json "modality": {"0": "CT"} says').waitFor();
    expect(await page.getByTestId('slice-meta').innerText()).toMatch(/ HU · sides from the affine/);
    await page.locator('.wl-presets').getByRole('button', { name: 'Lung' }).click();
    expect(await page.getByRole('slider', { name: 'Window level (centre)' }).inputValue()).toBe('-600');
    expect(session.pageErrors).toEqual([]);
  });
});

/** A project whose Dataset node reads two oblique DICOM series, one per class folder, run. */
async function seriesProject(dir: string): Promise<string> {
  const python = pythonWith(['pydicom', 'numpy'], 'python3-pydicom');
  runPython(
    python,
    `${OBLIQUE_SERIES_PY}
import sys
rng = np.random.default_rng(5)
for name in ('lesion/ct1', 'normal/ct2'):
    write_series(f'{sys.argv[1]}/series/{name}', rng.integers(-1000, 1000, size=(24, 20, 9)).astype(np.int16), rng)
`,
    [dir],
  );
  const project = join(dir, 'series.phiproj');
  ProjectStore.create(project, {
    graph: new GraphBuilder(createBuiltinRegistry())
      .chain(['dataset', 'dataset', { path: 'series', task: 'classification', layout: 'class-folders' }])
      .build(),
  }).close();
  // Run with the cache `phi serve` will use, so the View tab has the items.
  const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio') });
  await engine.openProject({ path: project });
  const run = await engine.run({ mode: 'all' });
  engine.closeProject();
  if (run.status !== 'done') throw new Error(`the series project did not run: ${run.status}`);
  return project;
}

describe('the View tab on a DICOM series', () => {
  let series: Session;
  beforeAll(async () => {
    series = await openProject('phi-volume-series-e2e-', seriesProject, { width: 1280, height: 800 });
  });
  afterAll(() => series?.close());

  it("names the patient's sides of an oblique series in every plane", async () => {
    const { page } = series;
    await page.locator('[data-testid="node-dataset"] .phi-node-title').click();
    await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'View' }).click();
    await page.getByTestId('volume-slice').waitFor();
    const sides = async (): Promise<string> =>
      (
        await Promise.all(
          (['top', 'bottom', 'left', 'right'] as const).map((e) => page.getByTestId(`edge-${e}`).innerText()),
        )
      ).join('');
    expect(await sides()).toBe('APRL');
    expect(await page.getByTestId('slice-meta').innerText()).toMatch(/HU · sides from the affine/);
    await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Coronal' }).click();
    await expect.poll(sides).toBe('SIRL');
    await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'Sagittal' }).click();
    await expect.poll(sides).toBe('SIAP');
    await series.shot('volume-03-dicom-series-sagittal');
    expect(series.pageErrors).toEqual([]);
  });
});
