/**
 * The Output tab on the bundled 3-D example in Chromium: the 3-D U-Net's test figures are
 * headed "in source geometry" with the number of test volumes, and list the per-volume means
 * the engine stored (Dice, IoU, HD95 and mean surface distance in mm, macro over the foreground
 * classes), as formatted from `getMetrics`, and under them each test volume's own figures, worst
 * first, sortable by a column's header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/service/engine';
import { formatVolumeFigure, sortVolumeRows, volumeFigureColumns } from '../src/engine/api';
import { formatMetric } from '../src/renderer/stores/format';
import { openProject, type Session } from './support/browser-steps';
import { trainedLesions3d } from './support/lesions-3d-example';

let session: Session;
let stored: Awaited<ReturnType<Engine['getMetrics']>>['test'];
let classes: string[] = [];

/** The 3-D example, trained; keeps its stored test result. */
async function trainedExample(dir: string): Promise<string> {
  const { project } = await trainedLesions3d(dir, async (engine) => {
    const history = await engine.getMetrics({ node: 'network' });
    stored = history.test;
    classes = history.classes;
  });
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
    await table.getByRole('button', { name: /Dice \(mean over foreground classes\)/ }).click();
    expect(await shown()).toEqual(rowsOf(sortVolumeRows(volumes, columns[0], false)));
  });
});
