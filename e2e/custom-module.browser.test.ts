/**
 * The custom module screens in Chromium against `phi serve` on a temp copy of
 * the example: New module wizard -> Monaco editor with the template; a syntax
 * error is reported on its line (marker and Problems list) and nothing is
 * saved; the fixed source saves, the module appears in the palette tagged
 * "My", is dropped into the pipeline and runs. A Python module goes through
 * the same wizard (Language: Python) into Monaco's python mode, its syntax
 * error comes from the interpreter with its line, and it saves into the
 * palette. Screenshots 11-*.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Graph, NodeStatus } from '../src/engine/api';
import { centre, dragBetween, openExample, type Session } from './support/browser-steps';

/** What these tests read of the page's store. */
interface G {
  __phi: {
    graph: Graph;
    status: Map<string, NodeStatus>;
    info: { nodeTypes: { id: string; origin: string }[] } | null;
    customModules: { doc: { source: string } | null };
    setParams(id: string, params: Record<string, unknown>): Promise<void>;
  };
}

/** Line 7 lacks its closing parenthesis. */
const BROKEN = [
  'export default defineModule({',
  '  params: z.object({',
  "    gain: z.number().min(0).max(10).default(2).describe('Multiplies every pixel'),",
  '  }),',
  '  run(data, params) {',
  '    const pixels = data.image.data;',
  '    const out = new Float32Array(pixels.length;',
  '    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] * params.gain;',
  '    data.image.data = out;',
  '    return data;',
  '  },',
  '});',
  '',
].join('\n');
const FIXED = BROKEN.replace('new Float32Array(pixels.length;', 'new Float32Array(pixels.length);');
/** Valid syntax, but a misspelt property the type checker rejects (it would run and give NaN). */
const TYPO = FIXED.replace('i < pixels.length;', 'i < pixels.lenght;');

/** Line 8 lacks its closing parenthesis. */
const PY_BROKEN = [
  'import numpy as np',
  '',
  'PARAMS = {',
  '    "gain": {"type": "number", "default": 2, "min": 0, "max": 10, "description": "Multiplies every pixel"},',
  '}',
  '',
  'def run(data, params, ctx):',
  '    data["image"] = (data["image"] * params["gain"]).astype(np.float32',
  '    return data',
  '',
].join('\n');
const PY_FIXED = PY_BROKEN.replace('.astype(np.float32', '.astype(np.float32)');

let s: Session;
let page: Page;

/** Replaces the editor's whole text as pasted input (typing would auto-indent and auto-close). */
async function replaceSource(source: string): Promise<void> {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+a');
  // Monaco listens on its edit context element (a textarea in older browsers).
  await page
    .locator('.monaco-editor .native-edit-context, .monaco-editor textarea.inputarea')
    .first()
    .evaluate((area, text) => {
      const g = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        ClipboardEvent: new (type: string, init: Record<string, unknown>) => unknown;
      };
      const data = new g.DataTransfer();
      data.setData('text/plain', text);
      (area as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
        new g.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, source);
  await page.waitForFunction(
    (expected) => (globalThis as unknown as G).__phi.customModules.doc?.source === expected,
    source,
  );
}

beforeAll(async () => {
  s = await openExample('phi-ui-custom-');
  page = s.page;
});

afterAll(async () => {
  await s?.close();
});

describe('custom module wizard and editor', () => {
  it('the wizard derives the id from the name and opens the template in the editor', async () => {
    await page.getByRole('button', { name: 'New module' }).click();
    const wizard = page.getByRole('dialog', { name: 'New module' });
    await wizard.getByLabel('Name').fill('Pixel gain');
    expect(await wizard.getByLabel('Id').inputValue()).toBe('my-pixel-gain');
    await wizard.getByLabel('Modality').selectOption('CT');
    await wizard.getByLabel('Description').fill('Multiplies every pixel by a gain.');
    await s.shot('11a-module-wizard');
    await wizard.getByRole('button', { name: /Next/ }).click();
    // Monaco comes from its own chunk, bundled: it renders the engine's template.
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
    await page.getByText('defineModule({').first().waitFor();
    const source = await page.evaluate(() => (globalThis as unknown as G).__phi.customModules.doc?.source);
    expect(source).toMatch(/Pixel gain/);
    expect(source).toMatch(/export default defineModule/);
  });

  it('reports a syntax error on its line, saves nothing, then saves the fixed source', async () => {
    await replaceSource(BROKEN);
    await page.keyboard.press('Control+s');
    const problems = page.getByRole('list', { name: 'Problems' });
    await problems.waitFor();
    expect(await problems.innerText()).toMatch(/Line 7:\d+/);
    // The engine's problem is a marker in the editor too (the squiggle on line 7).
    await page.waitForSelector('.monaco-editor .squiggly-error');
    expect(await page.getByTestId('editor-status').innerText()).toMatch(/problem.*not saved/);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as G).__phi.info?.nodeTypes.some((t) => t.id === 'my-pixel-gain'),
      ),
    ).toBe(false);
    await s.shot('11b-module-syntax-error');

    // A type error the editor underlines is not saved as runnable: Save says what to fix.
    await replaceSource(TYPO);
    const status = page.getByTestId('editor-status');
    await status
      .filter({ hasText: /1 type error: fix it to save \(line 8: Property 'lenght' does not exist/ })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await page.keyboard.press('Control+s');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as G).__phi.info?.nodeTypes.some((t) => t.id === 'my-pixel-gain'),
      ),
    ).toBe(false);

    await replaceSource(FIXED);
    await page.keyboard.press('Control+s');
    await page.getByTestId('editor-status').filter({ hasText: 'Saved' }).waitFor();
    expect(await problems.count()).toBe(0);
    await s.shot('11c-module-saved');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('the module is in the palette with the My tag, drops into the pipeline and runs', async () => {
    const item = page.getByTestId('palette-my-pixel-gain');
    await item.waitFor();
    expect(await item.locator('.tag-my').innerText()).toBe('My');
    const canvas = await page.locator('.react-flow__pane').boundingBox();
    await item.dragTo(page.locator('.react-flow__pane'), {
      targetPosition: { x: canvas!.width * 0.45, y: canvas!.height * 0.8 },
    });
    await page.waitForSelector('[data-testid="node-my-pixel-gain-1"]');
    await dragBetween(
      page,
      await centre(page, '[data-testid="node-resize"] .react-flow__handle.source'),
      await centre(page, '[data-testid="node-my-pixel-gain-1"] .react-flow__handle.target'),
    );
    await page.waitForFunction(() =>
      (globalThis as unknown as G).__phi.graph.edges.some(
        (e) => e.source === 'resize' && e.target === 'my-pixel-gain-1',
      ),
    );
    // Its Parameter tab comes from the module's own zod declaration.
    await page.locator('[data-testid="node-my-pixel-gain-1"] .phi-node-title').click();
    expect(await page.getByTestId('param-gain').locator('input').inputValue()).toBe('2');

    // One epoch keeps the network short; a Sample RUN of 8 items runs the module too.
    await page.evaluate(async () => {
      const wb = (globalThis as unknown as G).__phi;
      const net = wb.graph.nodes.find((n) => n.id === 'network')!;
      await wb.setParams('network', { ...net.params, epochs: 1 });
    });
    await page.getByRole('button', { name: 'More run options' }).click();
    await page.getByRole('menuitem', { name: /Sample RUN/ }).click();
    await page.getByLabel('Sample size', { exact: true }).fill('8');
    await page.getByRole('button', { name: 'Run sample' }).click();
    await page.waitForSelector('[data-testid="node-my-pixel-gain-1"][data-state="done"]', {
      timeout: 60_000,
    });
    expect(await page.getByTestId('shape-my-pixel-gain-1').innerText()).toMatch(/^\(64, 64, 1\)/);
    await s.shot('11d-module-in-pipeline');
  });

  it('lists the module for editing and refuses to delete it while a node uses it', async () => {
    await page.getByRole('button', { name: 'My modules…' }).click();
    const list = page.getByRole('dialog', { name: 'My modules' });
    await list.getByText('Pixel gain').waitFor();
    expect(await list.getByRole('button', { name: 'Delete Pixel gain' }).isDisabled()).toBe(true);
    await list.getByRole('button', { name: 'Edit' }).click();
    await page.waitForSelector('.monaco-editor .view-lines');
    expect(await page.evaluate(() => (globalThis as unknown as G).__phi.customModules.doc?.source)).toBe(
      FIXED,
    );
    await page.getByRole('button', { name: 'Close' }).click();
    expect(s.pageErrors).toEqual([]);
  });

  it("a Python module: Language in the wizard, python in the editor, the interpreter's syntax error, saved with My", async () => {
    // Needs nothing of the tests above: a freshly loaded page, whatever dialog they left open.
    await page.goto(s.serve.url);
    await page.waitForSelector('[data-testid="node-dataset"]');
    await page.getByRole('button', { name: 'New module' }).click();
    const wizard = page.getByRole('dialog', { name: 'New module' });
    await wizard.getByLabel('Name').fill('Py gain');
    await wizard.getByRole('radio', { name: 'Python' }).check();
    await wizard.getByRole('button', { name: /Next/ }).click();
    await page.waitForSelector('[data-testid="code-editor"][data-mode-id="python"] .view-lines', {
      timeout: 30_000,
    });
    const source = await page.evaluate(() => (globalThis as unknown as G).__phi.customModules.doc?.source);
    expect(source).toMatch(/^# Py gain: a custom image-processing module/);
    expect(source).toMatch(/^def run\(data, params, ctx\):/m);

    await replaceSource(PY_BROKEN);
    await page.keyboard.press('Control+s');
    const problems = page.getByRole('list', { name: 'Problems' });
    await problems.waitFor();
    expect(await problems.innerText()).toMatch(/Line 8:\d+ SyntaxError/);
    await s.shot('11e-python-module-syntax-error');

    await replaceSource(PY_FIXED);
    await page.keyboard.press('Control+s');
    await page.getByTestId('editor-status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    const item = page.getByTestId('palette-my-py-gain');
    await item.waitFor();
    expect(await item.locator('.tag-my').innerText()).toBe('My');
    expect(s.pageErrors).toEqual([]);
  });
});
