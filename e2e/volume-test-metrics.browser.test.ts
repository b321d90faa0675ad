/**
 * The Output tab on the bundled 3-D example in Chromium: the 3-D U-Net's test figures are
 * headed "in source geometry" with the number of test volumes, and list the per-volume means
 * the engine stored (Dice, IoU, HD95 and mean surface distance in mm, macro over the foreground
 * classes), as formatted from `getMetrics`, and under them each test volume's own figures, worst
 * first, sortable by a column's header.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../src/engine/resources';
import { Engine } from '../src/engine/service/engine';
import { formatVolumeFigure, sortVolumeRows, volumeFigureColumns } from '../src/engine/api';
import { formatMetric } from '../src/renderer/stores/format';
import { openProject, type Session } from './support/browser-steps';

let session: Session;
let stored: Awaited<ReturnType<Engine['getMetrics']>>['test'];
let classes: string[] = [];

/** A copy of the 3-D example, run (3 epochs) with the cache `phi serve` will use; keeps its stored test result. */
async function trainedExample(dir: string): Promise<string> {
  const folder = join(dir, 'example');
  cpSync(resourcesDir('examples', 'lesions-3d'), folder, { recursive: true });
  const project = join(folder, 'lesions-3d.phiproj');
  const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio') });
  try {
    const opened = await engine.openProject({ path: project });
    const network = opened.graph.nodes.find((n) => n.id === 'network');
    await engine.editGraph({
      edits: [{ op: 'set-params', id: 'network', params: { ...network?.params, epochs: 3 } }],
    });
    const run = await engine.run({ mode: 'all' });
    if (run.status !== 'done') throw new Error(`the example did not run: ${run.status}`);
    const history = await engine.getMetrics({ node: 'network' });
    stored = history.test;
    classes = history.classes;
  } finally {
    engine.closeProject();
  }
  return project;
}

beforeAll(async () => {
  session = await openProject('phi-volume-metrics-e2e-', trainedExample, { width: 1280, height: 900 });
});

afterAll(() => session?.close());

describe('the Output tab on a 3-D segmentation', () => {
  it('heads the test figures "in source geometry" and lists the per-volume means in mm', async () => {
    const { page } = session;
    expect(stored?.geometry).toBe('source');
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await page.getByRole('tab', { name: 'Output' }).click();
    const heading = page.locator('.test-result > h4').filter({ hasText: 'Test split' });
    await heading.waitFor();
    expect(await heading.innerText()).toBe(`Test split · ${stored?.items} items · in source geometry`);
    const rows = await page
      .getByRole('table', { name: 'Test metrics' })
      .locator('tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('th')?.textContent ?? '',
          tr.querySelector('td')?.textContent ?? '',
        ]),
      );
    expect(rows).toEqual([
      ['Dice (macro)', formatMetric(stored?.metrics.macroDice as number | null)],
      ['IoU (macro)', formatMetric(stored?.metrics.macroIou as number | null)],
      ['HD95 mm (macro)', formatMetric(stored?.metrics.macroHd95 as number | null)],
      ['Mean surface distance mm (macro)', formatMetric(stored?.metrics.macroMsd as number | null)],
    ]);
  });

  it('lists each test volume under the averages, worst mean Dice first, and sorts by a header', async () => {
    const { page } = session;
    const volumes = stored?.volumes ?? [];
    expect(volumes).toHaveLength(stored?.items as number);
    const table = page.getByRole('table', { name: 'Test figures per volume' });
    await table.waitFor();
    expect(await page.locator('[data-testid="volume-figures"] h4').innerText()).toMatch(
      new RegExp(`^Test split of run \\S+ · ${volumes.length} volumes? · each in its source geometry$`),
    );
    const shown = async (): Promise<string[][]> =>
      table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')));
    const columns = volumeFigureColumns(volumes, classes);
    const rowsOf = (order: typeof volumes): string[][] =>
      order.map((v) => [v.id, ...columns.map((c) => formatVolumeFigure(v.figures[c.key]))]);
    expect(await shown()).toEqual(rowsOf(sortVolumeRows(volumes, columns[0])));
    await table.getByRole('button', { name: /Dice \(mean over classes\)/ }).click();
    expect(await shown()).toEqual(rowsOf(sortVolumeRows(volumes, columns[0], false)));
  });
});
