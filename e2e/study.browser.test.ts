/**
 * The study of a trained classifier in the Output tab, in Chromium against `phi serve` on
 * a temp copy of the example: after a short training, ROC (AUC and its interval in the
 * title), precision-recall and calibration charts, the item counts per class, which run
 * and split they come from, the confusion matrix at the operating point with class names,
 * all equal to the engine's `getEvaluation`; "Export report…" writes the HTML report
 * beside the project and says where. Screenshot 20-output-study.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  countsText,
  formatInterval,
  formatValue,
  subgroupRows,
  type EvaluationHistory,
  type Graph,
} from '../src/engine/api';
import { copyExample } from './support/serve';
import { openProject, type Session } from './support/browser-steps';

/** What this test reads of the page's store. */
interface G {
  __phi: {
    api: {
      getEvaluation(params: { node: string }): Promise<EvaluationHistory>;
      getProject(params: object): Promise<{ path: string }>;
    };
    graph: Graph;
    metrics: { of(node: string): { rows: unknown[] } };
    tuningOf(node: string): { live: unknown };
  };
}

let s: Session;
let page: Page;

beforeAll(async () => {
  // A tall window, so that the Output tab shows the study beside the curves.
  // The folder browser of web mode stays inside --root: the test's folder.
  s = await openProject(
    'phi-ui-study-',
    async (dir) => {
      const project = await copyExample(join(dir, 'example'));
      // A site per item, beside the data: the study's subgroup table reads it (the node's Subgroup file).
      const ids = ['lesion', 'normal'].flatMap((c) =>
        readdirSync(join(dir, 'example', 'data', c)).map((f) => `${c}/${f}`),
      );
      writeFileSync(
        join(dir, 'example', 'sites.csv'),
        `id,site\n${ids.map((id, i) => `${id},${i % 2 ? 'north' : 'south'}`).join('\n')}\n`,
      );
      return project;
    },
    { width: 1440, height: 1400 },
    (dir) => ['--root', dir],
  );
  page = s.page;
});
afterAll(async () => {
  await s?.close();
});

it(
  'shows the test split study of the trained network and exports the report',
  { timeout: 300_000 },
  async () => {
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    const epochs = page.getByTestId('param-epochs').locator('input');
    await epochs.fill('2');
    await epochs.press('Enter');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.epochs === 2,
    );
    const subgroupFile = page.getByTestId('param-subgroupFile').locator('input');
    await subgroupFile.fill('sites.csv');
    await subgroupFile.press('Enter');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params
          .subgroupFile === 'sites.csv',
    );
    await page.getByRole('button', { name: 'Run all modules' }).click();
    await page.waitForSelector('[data-testid="node-network"][data-state="done"]', { timeout: 240_000 });
    await page.getByRole('tab', { name: 'Output' }).click();

    const roc = page.getByTestId('roc-chart');
    await roc.waitFor({ timeout: 30_000 });
    const history = await page.evaluate(() =>
      (globalThis as unknown as G).__phi.api.getEvaluation({ node: 'network' }),
    );
    const test = history.test!;
    expect(test.source).toBe('test');
    const auc = test.study.overall.auc as number;
    const ci = test.study.overall.aucCI95 as [number, number];
    expect(await roc.locator('figcaption').innerText()).toBe(
      `ROC · AUC ${formatValue(auc)} ${formatInterval(ci)}`,
    );
    expect(await roc.locator('figcaption').innerText()).toMatch(
      /^ROC · AUC \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/,
    );
    expect(await roc.locator('canvas').count()).toBeGreaterThan(0);
    expect(await roc.innerText()).toContain(`${test.items} items`);
    expect(await page.getByTestId('pr-chart').locator('figcaption').innerText()).toMatch(
      /^Precision-recall · AP /,
    );
    expect(await page.getByTestId('calibration-chart').locator('figcaption').innerText()).toMatch(
      /^Calibration · ECE /,
    );

    // The counts per class of the 36 test items of the example, and where the figures come from.
    const counts = await page.getByTestId('study-counts').innerText();
    expect(counts).toContain(countsText(test.classes, test.items, test.counts));
    expect(counts).toContain('36 items: lesion 18, normal 18');
    expect(await page.getByTestId('evaluation-source').innerText()).toBe(`Test split · run ${test.runId}`);

    // The confusion matrix at the operating point, rows and columns named by class.
    const confusion = page.getByTestId('study-confusion');
    expect(await confusion.locator('thead th').allInnerTexts()).toEqual([
      'true \\ predicted',
      'lesion',
      'normal',
    ]);
    expect(await confusion.locator('tbody th').allInnerTexts()).toEqual(['lesion', 'normal']);
    const cells = await confusion
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
      );
    expect(cells).toEqual(test.confusion);
    expect(cells.flat().reduce((a, b) => a + b, 0)).toBe(36);
    // The figures per subgroup: the stored study's rows, n and AUC with its interval, small groups flagged.
    const subgroupTable = page.getByTestId('study-subgroups');
    const groups = subgroupRows(test);
    // The example's DICOM files name their manufacturer; the sites come from the node's file.
    expect(groups.map((g) => `${g.attribute}: ${g.value}`)).toEqual([
      'manufacturer: Phi Studio phantom generator',
      'site: north',
      'site: south',
    ]);
    expect(await subgroupTable.locator('tbody th').allInnerTexts()).toEqual(
      groups.map((g) => `${g.attribute}: ${g.value}${g.small ? ' (small)' : ''}`),
    );
    const groupCells = await subgroupTable
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    expect(groupCells.map((r) => [r[0], r[1]])).toEqual(
      groups.map((g) => [
        String(g.items),
        `${formatValue(g.figures[0].value)} ${formatInterval(g.figures[0].interval)}`,
      ]),
    );
    // A taller bottom panel, as a user drags it, to see the study whole.
    const resizer = page.getByRole('separator', { name: 'Resize the bottom panel' });
    for (let i = 0; i < 30; i++) await resizer.press('ArrowUp');
    // The study's bar (where the figures come from, Export report…) at the top of the panel.
    await page.getByTestId('study').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await s.shot('20-output-study');

    await page.getByRole('button', { name: 'Export report…' }).click();
    const said = await page.getByTestId('report-path').innerText({ timeout: 60_000 });
    const project = await page.evaluate(() => (globalThis as unknown as G).__phi.api.getProject({}));
    const path = said.replace(/^Report written to /, '');
    expect(dirname(path)).toBe(dirname(realpathSync(project.path)));
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`${formatValue(auc)}</td>`);

    // The error gallery: as many errors as the matrix's off-diagonal holds (up to four of each kind).
    const wrong =
      test.confusion.flat().reduce((a, b) => a + b, 0) - test.confusion.reduce((a, row, i) => a + row[i], 0);
    const gallery = page.getByTestId('error-gallery');
    expect(await gallery.locator('h4').innerText()).toBe(
      `Most confident errors · ${test.errors?.length ?? 0} shown of ${wrong} wrong in ${test.items} items`,
    );
    expect(test.errors?.length).toBe(
      test.confusion
        .flatMap((row, i) => row.filter((_, j) => j !== i))
        .reduce((a, c) => a + Math.min(c, 4), 0),
    );
    await gallery.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await s.shot('20b-error-gallery');
    const first = test.errors?.[0];
    if (first) {
      await gallery.getByRole('img', { name: `Grad-CAM of ${first.id}` }).waitFor({ timeout: 60_000 });
      await gallery
        .getByRole('button', { name: new RegExp(first.id) })
        .first()
        .click();
      // The View tab opens on that item, with its prediction and Grad-CAM.
      const sample = page.getByRole('combobox', { name: 'Sample' });
      await expect.poll(() => sample.inputValue(), { timeout: 30_000 }).toBe(first.id);
      await page
        .getByRole('img', { name: /Grad-CAM/ })
        .first()
        .waitFor({ timeout: 60_000 });
    } else {
      expect(await gallery.innerText()).toContain('No item of this split was called wrongly.');
    }

    // Repeat with 2 seeds: each test figure across the seeds, the node's own curves untouched.
    const rows = await page.evaluate(
      () => (globalThis as unknown as G).__phi.metrics.of('network').rows.length,
    );
    const repeat = page.getByTestId('repeat');
    await repeat.getByLabel('Number of seeds').fill('2');
    await repeat.getByRole('button', { name: 'Repeat with 2 seeds' }).click();
    // The status bar follows the seeds, not the node's own (finished) state.
    await page
      .locator('footer.statusbar .status-run-text')
      .filter({ hasText: /^Repeat with seeds · network: seed [12] of 2/ })
      .waitFor({ timeout: 120_000 });
    await repeat
      .getByTestId('repeat-summary')
      .filter({ hasText: /^2 of 2 seeds trained \(\d+, \d+\) · test split of 36 items$/ })
      .waitFor({ timeout: 240_000 });
    const accuracy = repeat
      .getByRole('table', { name: 'Test metrics across seeds' })
      .locator('tr', { hasText: /^Accuracy\s/ })
      .first();
    expect(await accuracy.locator('td').allInnerTexts()).toEqual([
      expect.stringMatching(/^\d\.\d{4}$/),
      expect.stringMatching(/^\d\.\d{4} ± \d\.\d{4}$/),
      expect.stringMatching(/^\d\.\d{4}–\d\.\d{4}$/),
      '2',
    ]);
    expect(
      await page.evaluate(() => (globalThis as unknown as G).__phi.metrics.of('network').rows.length),
    ).toBe(rows);
    // Nor do the seeds show as a live tuning trial.
    expect(
      await page.evaluate(() => (globalThis as unknown as G).__phi.tuningOf('network').live ?? null),
    ).toBeNull();
    await s.shot('20c-repeatability');

    // External validation from the study's bar: a labelled folder picked in the folder browser.
    await page.getByRole('button', { name: 'Evaluate on another dataset…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Evaluate on another dataset' });
    const folders = dialog.getByRole('listbox', { name: 'Folders' });
    await folders.getByRole('button', { name: 'example', exact: true }).click();
    await folders.getByRole('button', { name: 'data', exact: true }).click();
    await expect.poll(() => dialog.getByLabel('Folder path').inputValue()).toMatch(/example[\\/]data$/);
    await dialog.getByRole('button', { name: 'Evaluate' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 120_000 });
    const picker = page.getByTestId('evaluation-picker');
    await expect
      .poll(() => picker.locator('option:checked').innerText())
      .toMatch(/^External folder data · \d{4}-\d{2}-\d{2}$/);
    const after = await page.evaluate(() =>
      (globalThis as unknown as G).__phi.api.getEvaluation({ node: 'network' }),
    );
    const external = after.external[0];
    expect(external.items).toBe(240);
    expect(await page.getByTestId('study-counts').innerText()).toContain(
      countsText(external.classes, external.items, external.counts),
    );
    // Items of another folder are not in the project: no gallery for them.
    expect(await page.getByTestId('error-gallery').count()).toBe(0);
    expect(s.pageErrors).toEqual([]);
  },
);
