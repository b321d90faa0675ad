/**
 * The Auto Tuning tab in Chromium against `phi serve` on a temp copy of the
 * example: after a Sample RUN (one epoch), tick the learning rate, run a tiny
 * search (population 2, one generation), watch the trials arrive on the chart
 * and in the top-5 table, and Apply the best: the network's params change (in
 * the store and the Parameter tab) and Undo takes them back. A search is a run
 * like any other: while it goes on the status bar says so, RUN is off with the
 * reason and Cancel is on; a trial that fails says why in the table and on the
 * chart, and the trial counts add up. Screenshots 13-*.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Graph } from '../src/engine/api';
import { layoutProblems, openExample, type Session } from './support/browser-steps';

/** What these tests read of the page's store. */
interface G {
  __phi: {
    api: { startTuning(params: unknown): Promise<unknown> };
    metrics: { of(node: string): { rows: unknown[] } };
    graph: Graph;
    tuningOf(node: string): {
      trials: { id: string; params: Record<string, unknown> }[];
      top: Record<string, string[]>;
    };
  };
}

let s: Session;
let page: Page;

/** The network node's learning rate in the page's store. */
function learningRate(): Promise<unknown> {
  return page.evaluate(
    () => (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.learningRate,
  );
}

beforeAll(async () => {
  s = await openExample('phi-ui-tuning-');
  page = s.page;
});

afterAll(async () => {
  await s?.close();
});

describe('Auto Tuning tab', () => {
  it(
    'needs the sample run data: one epoch per trial, Sample RUN of 16 items',
    { timeout: 120_000 },
    async () => {
      await page.locator('[data-testid="node-network"] .phi-node-title').click();
      const epochs = page.getByTestId('param-epochs').locator('input');
      await epochs.fill('1');
      await epochs.press('Enter');
      await page.waitForFunction(
        () =>
          (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.epochs === 1,
      );
      await page.getByRole('button', { name: 'More run options' }).click();
      await page.getByRole('menuitem', { name: /Sample RUN/ }).click();
      await page.getByLabel('Sample size', { exact: true }).fill('16');
      await page.getByRole('button', { name: 'Run sample' }).click();
      await page.waitForSelector('[data-testid="node-network"][data-state="done"]', { timeout: 90_000 });
    },
  );

  it('runs a search of the learning rate and shows each trial live', { timeout: 120_000 }, async () => {
    // A classification network is offered its own networks and metrics only (the engine's task options).
    const architectures = await page.getByTestId('param-architecture').locator('option').allTextContents();
    expect(architectures).toContain('small-cnn');
    expect(architectures).not.toContain('unet');
    await page.getByRole('tab', { name: 'Auto Tuning' }).click();
    const metrics = await page
      .locator('label.inline-field', { hasText: 'Metric' })
      .first()
      .locator('option')
      .allTextContents();
    expect(metrics).toContain('validation.accuracy');
    for (const m of ['validation.miou', 'validation.map50', 'validation.mae'])
      expect(metrics).not.toContain(m);
    expect(await page.getByTestId('search-architecture').innerText()).not.toMatch(/unet|centernet/);
    const row = page.getByTestId('search-learningRate');
    await row.getByRole('checkbox', { name: 'Search Learning rate' }).check();
    // A rate is searched on a log scale, a decade either side of the current value.
    const rate = (await learningRate()) as number;
    expect(Number(await row.getByLabel('Learning rate minimum').inputValue())).toBeCloseTo(rate / 10, 10);
    expect(Number(await row.getByLabel('Learning rate maximum').inputValue())).toBeCloseTo(rate * 10, 10);
    expect(await row.getByRole('checkbox', { name: 'log' }).isChecked()).toBe(true);
    await page.getByLabel('Population').fill('2');
    await page.getByLabel('Generations').fill('1');
    await s.shot('13a-tuning-form');
    await page.getByRole('button', { name: 'Start tuning' }).click();
    await page
      .getByTestId('tuning-status')
      .filter({ hasText: /^2 trials asked \(population 2 x 1 generation\): 2 trained \(2 done\)$/ })
      .waitFor({ timeout: 100_000 });
    expect(await page.getByTestId('tuning-chart').getAttribute('data-points')).toBe('2');
    const rows = page.getByTestId('top-row');
    expect(await rows.count()).toBe(2);
    await s.shot('13b-tuning-results');
  });

  it('Apply sets the best trial params on the network, shown in the Parameter tab; Undo restores', async () => {
    const best = await page.evaluate(() => {
      const store = (globalThis as unknown as G).__phi.tuningOf('network');
      const id = store.top['validation.accuracy'][0];
      return store.trials.find((t) => t.id === id)!;
    });
    const before = await learningRate();
    await page.getByRole('button', { name: `Apply trial ${best.id}` }).click();
    await page.waitForFunction(
      (rate) =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params
          .learningRate === rate,
      best.params.learningRate,
    );
    const field = page.getByTestId('param-learningRate').locator('input');
    expect(Number(await field.inputValue())).toBe(best.params.learningRate);
    await s.shot('13c-tuning-applied');

    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (rate) =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params
          .learningRate === rate,
      before,
    );
    expect(s.pageErrors).toEqual([]);
  });

  it(
    'a search is one run for the whole workbench, and a failed trial says why',
    { timeout: 120_000 },
    async () => {
      // Three class weights for two classes cannot train: the form does not offer class weights,
      // so this search goes through the page's own engine connection, as the Start button's does.
      void page.evaluate(() =>
        (globalThis as unknown as G).__phi.api
          .startTuning({
            node: 'network',
            search: [
              { param: 'classWeights', values: ['', '1,2,3', 'balanced'] },
              { param: 'epochs', values: [3] },
            ],
            population: 3,
            generations: 1,
          })
          .catch(() => undefined),
      );
      const statusBar = page.locator('footer.statusbar');
      await statusBar.getByText(/^Auto tuning · network: /).waitFor({ timeout: 30_000 });
      const run = page.getByRole('button', { name: 'Run all modules' });
      expect(await statusBar.textContent()).not.toContain('Idle');
      expect(await run.isDisabled()).toBe(true);
      expect(await run.getAttribute('title')).toMatch(
        /^Auto tuning of network is running: wait for it or cancel it/,
      );
      expect(await page.getByRole('button', { name: 'Cancel run' }).isEnabled()).toBe(true);
      await s.shot('13d-tuning-running');

      const failed = page.locator('[data-testid="trial-row"][data-status="failed"]');
      await failed.waitFor({ timeout: 100_000 });
      expect(await failed.textContent()).toContain(
        'failed: Class weights "1,2,3": give 2 non-negative numbers separated by commas, or "balanced"',
      );
      await statusBar.getByText('Idle').waitFor({ timeout: 100_000 });
      await page
        .getByTestId('tuning-status')
        .filter({
          hasText: /^3 trials asked \(population 3 x 1 generation\): 3 trained \(2 done, 1 failed\)$/,
        })
        .waitFor({ timeout: 10_000 });
      const chart = page.getByTestId('tuning-chart');
      expect(await chart.getAttribute('data-failed')).toBe('1');
      expect(await chart.getByRole('img').getAttribute('aria-label')).toContain('trial');
      expect(await run.isDisabled()).toBe(false);
      // Trials trained 3 epochs each; the node still shows its own one-epoch model, not a trial's.
      expect(await page.getByTestId('shape-network').textContent()).toMatch(/^epoch 1 · val acc /);
      expect(
        await page.evaluate(() => (globalThis as unknown as G).__phi.metrics.of('network').rows.length),
      ).toBe(1);
      await s.shot('13e-tuning-failed-trial');
      expect(s.pageErrors).toEqual([]);
    },
  );

  it('at 1280x800 the tables of trials fit, or scroll inside their pane, and the minimap makes way', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.getByRole('tab', { name: 'Auto Tuning' }).click();
      await page.locator('table.trials-table').waitFor();
      expect(await layoutProblems(page, 'table.trials-table')).toEqual([]);
      expect(await layoutProblems(page, 'table[aria-label^="Best trials by"]')).toEqual([]);
      // The window narrowed below 1440 px: the minimap, never chosen by hand here, leaves the nodes uncovered.
      await page.locator('.react-flow__minimap').waitFor({ state: 'detached' });
      await s.shot('13f-tuning-1280x800');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
