/**
 * The workbench in Debian's Chromium against `phi serve` on a temp copy of
 * the example project, step by step as a clinician would use it; every step
 * saves a screenshot under test-results/ui/. Runs in order: later steps use
 * what earlier ones built.
 */
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, repoRoot } from '../src/engine/server/build-renderer';
import { layoutProblems } from './support/browser-steps';
import type { PageGlobals } from './support/page-globals';
import { copyExample, launchChromium, startServe, tempFolder, type ServeProcess } from './support/serve';

/** The page's globals, typed (see page-globals.ts). */
type G = PageGlobals;

const SHOTS = join(repoRoot, 'test-results/ui');
let dir: string;
let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Centre of an element on the page. */
async function centre(selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Draws a connection by dragging from one handle to another, as a user does. */
async function drawEdge(fromNode: string, toNode: string): Promise<void> {
  const from = await centre(`[data-testid="node-${fromNode}"] .react-flow__handle.source`);
  const to = await centre(`[data-testid="node-${toNode}"] .react-flow__handle.target`);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node by clicking its title. */
async function select(node: string): Promise<void> {
  await page.locator(`[data-testid="node-${node}"] .phi-node-title`).click();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await ensureRendererBuilt();
  dir = tempFolder('phi-ui-e2e-');
  const project = await copyExample(join(dir, 'example'));
  serve = await startServe(project, join(dir, 'cache'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('[data-testid="node-dataset"]');
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('workbench in Chromium against phi serve', () => {
  it('prints the tokened URL first and refuses a client without the token', async () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    const bare = await browser.newPage();
    const response = await bare.goto(serve.url.replace(/\?token=.*/, ''));
    expect(response?.status()).toBe(403);
    expect(await bare.locator('body').innerText()).toBe('Forbidden');
    await bare.close();
    await expect(page.getByRole('button', { name: 'Run all modules' })).toBeTruthy();
    expect(await page.getByTestId('palette-resize').isVisible()).toBe(true);
    await shot('01-example-project');
  });

  it('drags a module from the palette and connects it; a wrong connection is refused with the reason', async () => {
    const canvas = await page.locator('.react-flow__pane').boundingBox();
    await page.getByTestId('palette-histogram-equalization').dragTo(page.locator('.react-flow__pane'), {
      targetPosition: { x: canvas!.width * 0.55, y: canvas!.height * 0.78 },
    });
    await page.waitForSelector('[data-testid="node-histogram-equalization-1"]');
    await drawEdge('grayscale', 'histogram-equalization-1');
    await page.waitForFunction(() =>
      (globalThis as unknown as G).__phi.graph.edges.some((e) => e.target === 'histogram-equalization-1'),
    );
    expect(await page.locator('.react-flow__edge').count()).toBe(5);

    // The network's input is taken: the engine refuses and the UI says why.
    await drawEdge('histogram-equalization-1', 'network');
    const toast = page.getByTestId('toast').filter({ hasText: 'Connection refused' });
    await toast.waitFor();
    expect(await toast.innerText()).toMatch(/already connected/);
    expect(await page.locator('.react-flow__edge').count()).toBe(5);
    await shot('02-drag-connect-refused');

    // Undo and redo from the keyboard travel to the project like any edit.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => (globalThis as unknown as G).__phi.graph.edges.length === 4);
    expect(await page.locator('.react-flow__edge').count()).toBe(4);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => (globalThis as unknown as G).__phi.graph.edges.length === 5);

    // The context menu offers Run and Step forward with their shortcuts.
    await page.locator('[data-testid="node-resize"] .phi-node-title').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: /Actions for resize/ });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^Run\s+Alt\+Enter$/),
      expect.stringMatching(/^Step forward\s+Alt\+Shift\+Enter$/),
      expect.stringMatching(/^Copy\s+Ctrl\+C$/),
      expect.stringMatching(/^Delete\s+Del$/),
    ]);
    await shot('02b-context-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
  });

  it('changes a parameter in the Parameter tab and refuses an out-of-bounds value', async () => {
    // A preset's values are the ones shown, read-only: abdomen is 50/400 (the stored center 40 does not run).
    await select('window');
    const center = page.getByTestId('param-center');
    expect(await center.locator('input').inputValue()).toBe('50');
    expect(await center.locator('input').isDisabled()).toBe(true);
    expect(await center.locator('.param-control').getAttribute('title')).toMatch(/Set by preset "abdomen"/);

    await select('resize');
    const width = page.getByTestId('param-width').locator('input');
    await width.fill('99999');
    await width.press('Enter');
    const error = page.getByTestId('param-width').locator('.field-error');
    expect(await error.innerText()).toMatch(/at most/);
    expect(await width.getAttribute('aria-invalid')).toBe('true');
    // Refused values never reach the project.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'resize')?.params.width,
      ),
    ).toBe(64);

    // The tooltip is the zod .describe() text with the bounds.
    await page.getByTestId('param-width').locator('label').hover();
    const tip = page.getByTestId('param-width').getByRole('tooltip');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.innerText()).toMatch(/≤ x ≤/);
    await shot('03-parameter-refused');

    await width.fill('48');
    await width.press('Enter');
    expect(await error.innerText()).toBe('');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'resize')?.params.width === 48,
    );

    // The network trains for two epochs, to keep the test short.
    await select('network');
    const epochs = page.getByTestId('param-epochs').locator('input');
    await epochs.fill('2');
    await epochs.press('Enter');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.epochs === 2,
    );
  });

  it(
    'Sample RUN asks the size, then every node turns done with its shape',
    { timeout: 300_000 },
    async () => {
      await page.getByRole('button', { name: 'More run options' }).click();
      await page.getByRole('menuitem', { name: /Sample RUN/ }).click();
      await page.getByLabel('Sample size', { exact: true }).fill('24');
      await shot('04a-sample-size');
      await page.getByRole('button', { name: 'Run sample' }).click();
      for (const node of [
        'dataset',
        'window',
        'resize',
        'grayscale',
        'histogram-equalization-1',
        'network',
      ]) {
        await page.waitForSelector(`[data-testid="node-${node}"][data-state="done"]`, { timeout: 180_000 });
      }
      expect(await page.getByTestId('shape-resize').innerText()).toMatch(/^\(64, 48, 1\)/);
      expect(await page.getByTestId('shape-histogram-equalization-1').innerText()).toMatch(
        /^\(64, 48, 1\) · Grayscale/,
      );
      expect(await page.locator('[data-testid="node-resize"] .phi-node-status').innerText()).toBe(
        'Done · sample of 24 items',
      );
      // The Files tab, open on the network's input since before the run, lists the new
      // items once the run has finished (regression: it stayed at "0 items").
      await page.waitForFunction(
        () =>
          (globalThis as unknown as G).document.querySelector('[data-testid="files-total"]')?.textContent ===
          '24 items',
      );
      await shot('04-sample-run-done');

      // Run on one module after the Sample RUN works on that sample (it used to fail: "not cached").
      await select('grayscale');
      await page.getByRole('button', { name: 'Run this module' }).click();
      await page.getByTestId('toast').filter({ hasText: 'Run module finished' }).first().waitFor();
      expect(await page.locator('[data-testid="node-grayscale"] .phi-node-status').innerText()).toBe(
        'Done · sample of 24 items',
      );
    },
  );

  it('the Files tab shows the new shape and colour mode', async () => {
    await select('histogram-equalization-1');
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).document.querySelector('[data-testid="files-total"]')?.textContent ===
        '24 items',
    );
    const firstRow = page.locator('.table-body [role="row"]').first();
    const cells = await firstRow.locator('[role="cell"]').allInnerTexts();
    expect(cells[3]).toBe('(64, 48, 1)');
    expect(cells[5]).toBe('Grayscale');
    expect(cells[7]).toBe('done');
    // Only visible rows exist: the table is virtualized.
    expect(await page.locator('.table-body [role="row"]').count()).toBeLessThanOrEqual(24);
    await page.getByRole('columnheader', { name: /Split/ }).click();
    await shot('05-files-tab');
    // At 1280x800 every column can be read: the table fits, or scrolls inside its pane.
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      expect(await layoutProblems(page, '[role="table"][aria-label="Files"]')).toEqual([]);
      await shot('05b-files-tab-1280x800');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('running the network adds a point to the Output charts each epoch', { timeout: 300_000 }, async () => {
    await select('network');
    await page.getByRole('tab', { name: 'Output' }).click();
    await page.waitForSelector('[data-testid="epoch-count"]');
    // A new learning rate trains afresh (not resumed) for 3 epochs; every rendered epoch count is recorded.
    const rate = page.getByTestId('param-learningRate').locator('input');
    await rate.fill('0.002');
    await rate.press('Enter');
    const epochs = page.getByTestId('param-epochs').locator('input');
    await epochs.fill('3');
    await epochs.press('Enter');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.epochs === 3,
    );
    await page.evaluate(() => {
      const seen: string[] = [];
      (globalThis as unknown as G).__seen = seen;
      const record = () => {
        const text =
          (globalThis as unknown as G).document.querySelector('[data-testid="epoch-count"]')?.textContent ??
          '';
        if (seen.at(-1) !== text) seen.push(text);
      };
      new (globalThis as unknown as G).MutationObserver(record).observe(
        (globalThis as unknown as G).document.body,
        { subtree: true, childList: true, characterData: true },
      );
    });
    await page.keyboard.press('Control+Shift+Enter');
    await page.waitForSelector('[data-testid="node-network"][data-state="running"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="node-network"][data-state="done"]', { timeout: 180_000 });
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).document.querySelector('[data-testid="epoch-count"]')?.textContent ===
        '3 epochs',
    );
    const seen = await page.evaluate(() => (globalThis as unknown as G).__seen);
    const counts = seen.map((s) => Number.parseInt(s, 10)).filter((n) => Number.isFinite(n));
    // Two epochs from the earlier run, then one more point each epoch of the new training.
    expect(counts).toEqual([2, 1, 2, 3]);
    const loss = page.getByTestId('chart-Loss');
    expect(Number(await loss.getAttribute('data-points'))).toBe(6);
    // The tooltip names the epoch as a whole number.
    await loss.hover();
    const tooltip = page.locator('.chart-tooltip').first();
    await tooltip.waitFor();
    expect((await tooltip.innerText()).split('\n')[0].trim()).toMatch(/^\d+$/);
    expect(await page.getByTestId('epoch-row').count()).toBe(3);
    // Ctrl+Shift+Enter is a Sample RUN: its curves say so, with the sample's size.
    expect(await page.getByTestId('run-kind').innerText()).toMatch(/^Sample run · \d+ items$/);
    await shot('06-output-tab');

    // Asking fewer epochs than trained keeps the trained model and its curves, and says so.
    const fewer = page.getByTestId('param-epochs').locator('input');
    await fewer.fill('2');
    await fewer.press('Enter');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as G).__phi.graph.nodes.find((n) => n.id === 'network')?.params.epochs === 2,
    );
    await page.keyboard.press('Control+Shift+Enter');
    const status = page.locator('[data-testid="node-network"] .phi-node-status');
    await expect
      .poll(() => status.innerText(), { timeout: 60_000 })
      .toMatch(/Trained for 3 epochs \(more than the 2 asked\)/);
    expect(await page.getByTestId('epoch-count').innerText()).toBe('3 epochs');
    expect(await page.getByTestId('epoch-row').count()).toBe(3);

    // The run picker shows an earlier training of the node, each run named by its kind.
    const picker = page.getByTestId('run-picker');
    const runs = await picker.locator('option').allInnerTexts();
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(run).toMatch(/ · Sample RUN · done$/);
    await picker.selectOption({ index: runs.length - 1 });
    await expect.poll(() => page.getByTestId('epoch-count').innerText()).toBe('2 epochs');
    await picker.selectOption({ index: 0 });
    await expect.poll(() => page.getByTestId('epoch-count').innerText()).toBe('3 epochs');
  });

  it('the View tab shows an output image, and the prediction for the network', async () => {
    await select('resize');
    await page.getByRole('tab', { name: 'View' }).click();
    const image = page.getByTestId('view-image');
    await image.waitFor();
    await page.waitForFunction(() => {
      const img = (globalThis as unknown as G).document.querySelector('[data-testid="view-image"]');
      return !!img && img.complete === true && (img.naturalWidth ?? 0) > 0;
    });
    expect(
      await image.evaluate((img) => [
        (img as unknown as { naturalWidth: number }).naturalWidth,
        (img as unknown as { naturalHeight: number }).naturalHeight,
      ]),
    ).toEqual([48, 64]);
    await page.getByRole('tab', { name: 'Processing Result' }).click();
    await page.getByAltText('After').waitFor();
    await shot('07a-view-processing-result');

    // CT data in Hounsfield units get window/level with CT presets.
    await select('dataset');
    await page.getByText(/values -1000 … \d+ HU/).waitFor();
    const before = await page.getByTestId('view-image').getAttribute('src');
    await page.getByRole('button', { name: 'Lung' }).click();
    await page.waitForFunction(
      (src) =>
        (globalThis as unknown as G).document
          .querySelector('[data-testid="view-image"]')
          ?.getAttribute('src') !== src,
      before,
    );
    expect(await page.getByLabel('Window level (centre)').inputValue()).toBe('-600');
    await shot('07b-view-ct-window');

    await select('network');
    await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'View' }).click();
    await page.getByRole('list', { name: 'Class probabilities' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('prediction-run-kind').innerText()).toMatch(
      /Model of a Sample RUN \(\d+ items\)/,
    );
    // Which runtime ran the network, and why: the project's Inference runtime is auto.
    expect(await page.getByTestId('prediction-runtime').innerText()).toMatch(
      /^(ONNX Runtime \(auto: the network exports to ONNX, so ONNX Runtime runs it\)|tf\.js \(auto: tf\.js runs it because .+\))$/,
    );
    await shot('07-view-prediction');
  });

  it('a reload finds every edit kept in the project', async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="node-histogram-equalization-1"]');
    expect(await page.locator('.react-flow__edge').count()).toBe(5);
    await select('resize');
    await page.getByRole('tab', { name: 'Parameter' }).click();
    expect(await page.getByTestId('param-width').locator('input').inputValue()).toBe('48');
    // Results survive too: states come from the project and cache.
    expect(await page.locator('[data-testid="node-resize"]').getAttribute('data-state')).toBe('done');
    await shot('08-after-reload');
  });

  it('follows a dark OS theme', async () => {
    const dark = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
    await dark.goto(serve.url);
    await dark.waitForSelector('[data-testid="node-dataset"]');
    const background = await dark.evaluate(
      () =>
        (globalThis as unknown as G).getComputedStyle((globalThis as unknown as G).document.body)
          .backgroundColor,
    );
    expect(background).toBe('rgb(20, 23, 28)');
    await dark.screenshot({ path: join(SHOTS, '09-dark-theme.png') });
    await dark.close();
    expect(pageErrors).toEqual([]);
  });
});

describe('phi serve without a project', () => {
  it('offers to create a project over a dataset folder, then shows its pipeline', async () => {
    const noProject = await startServe(undefined, join(dir, 'cache-2'), ['--root', dir]);
    const gate = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await gate.goto(noProject.url);
      await gate.getByRole('button', { name: 'New project…' }).click();
      const dialog = gate.getByRole('dialog', { name: 'New project' });
      await dialog.locator(`[role="listbox"][data-path="${realpathSync(dir)}"]`).waitFor();
      // A folder outside the served root is refused with the engine's message.
      await dialog.getByLabel('Folder path').fill('/');
      await dialog.getByRole('button', { name: 'Go', exact: true }).click();
      await dialog
        .getByRole('alert')
        .filter({ hasText: /outside the folder that may be browsed/ })
        .waitFor();
      await dialog.getByLabel('Folder path').fill(join(dir, 'example', 'data'));
      await dialog.getByRole('button', { name: 'Go', exact: true }).click();
      await dialog
        .locator(`[role="listbox"][data-path="${join(realpathSync(dir), 'example', 'data')}"]`)
        .waitFor();
      await dialog.getByRole('button', { name: 'Use this folder' }).click();
      await dialog.getByRole('region', { name: 'Dataset preview' }).waitFor();
      await dialog.getByLabel('Project file').fill(join(dir, 'fresh', 'fresh.phiproj'));
      await gate.screenshot({ path: join(SHOTS, '10-new-project.png') });
      await dialog.getByRole('button', { name: 'Create project' }).click();
      await gate.waitForSelector('[data-testid="node-dataset"]');
      expect(await gate.locator('.project-name').innerText()).toBe('fresh');
    } finally {
      await gate.close();
      await noProject.stop();
    }
  });
});
