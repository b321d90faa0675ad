/**
 * `npm run bench -- ui`: interaction latency of the workbench with a
 * 200-node pipeline, against a 5-node baseline measured in the same run, in
 * headless Chromium against the real server and engine. Prints milliseconds
 * (median of repeats) and the 200/5 ratio; asserts nothing.
 *
 * Measured: selecting a node until the Parameter tab shows it (two frames
 * painted), a progress update on every node at once (as a run reports),
 * dragging a node (time per pointer move), and zooming with the wheel.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { GraphEdit } from '../src/engine/api';
import { ensureRendererBuilt, rendererOutDir } from '../src/engine/server/build-renderer';
import { startServer } from '../src/engine/server/server';
import { dispatch } from '../src/engine/service/dispatch';
import { Engine } from '../src/engine/service/engine';
import { writeClassFolders } from '../src/engine/test-support/pipeline';
import type { PageGlobals } from '../e2e/support/page-globals';
import { launchChromium, tempFolder } from '../e2e/support/serve';

type G = PageGlobals & {
  __phi: PageGlobals['__phi'] & { handleEvent(event: unknown): void };
  requestAnimationFrame(callback: () => void): void;
  performance: { now(): number };
};

const REPEATS = 15;
const MODULES = ['invert', 'gaussian-blur', 'median', 'clip', 'gamma-correction', 'min-max-normalization'];

/** Adds `count - existing` module nodes in rows of 20, each fed by the previous one. */
function growEdits(existing: string[], count: number): GraphEdit[] {
  const edits: GraphEdit[] = [];
  let previous = existing.at(-1)!;
  for (let i = existing.length; i < count; i++) {
    const id = `m${i}`;
    const type = MODULES[i % MODULES.length];
    edits.push({
      op: 'add-node',
      node: {
        id,
        kind: 'module',
        type,
        version: 1,
        params: {},
        position: { x: (i % 20) * 220, y: Math.floor(i / 20) * 140 },
      },
    });
    edits.push({ op: 'add-edge', edge: { id: `e${i}`, source: previous, target: id, targetPort: 'in' } });
    previous = id;
  }
  return edits;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `action` in the page and returns ms until two frames have been painted after it. */
async function framed(page: Page, action: string): Promise<number> {
  return page.evaluate(async (code) => {
    const g = globalThis as unknown as G;
    const start = g.performance.now();
    new Function('wb', code)(g.__phi);
    await new Promise<void>((resolve) =>
      g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve())),
    );
    return g.performance.now() - start;
  }, action);
}

async function measure(page: Page, ids: string[]): Promise<Record<string, number>> {
  const select: number[] = [];
  const progress: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const id = ids[(r * 7) % ids.length];
    select.push(await framed(page, `wb.setSelection([${JSON.stringify(id)}])`));
    progress.push(
      await framed(
        page,
        `for (const id of ${JSON.stringify(ids)}) wb.handleEvent({ type: 'progress', node: id, done: ${r + 1}, total: ${REPEATS + 1} })`,
      ),
    );
  }
  await page.evaluate(() => (globalThis as unknown as G).__phi.setSelection([]));

  // Drag the first visible node by 200 px in 20 pointer moves.
  const node = page.locator('.react-flow__node').first();
  const box = (await node.boundingBox())!;
  const drag: number[] = [];
  for (let r = 0; r < 5; r++) {
    const x = box.x + 30;
    const y = box.y + 12;
    await page.mouse.move(x, y);
    await page.mouse.down();
    const t = performance.now();
    for (let s = 1; s <= 20; s++) await page.mouse.move(x + s * 10 * (r % 2 ? -1 : 1), y + s * 2);
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => (globalThis as unknown as G).requestAnimationFrame(() => resolve())),
    );
    drag.push((performance.now() - t) / 20);
    await page.mouse.up();
  }

  const zoom: number[] = [];
  const pane = (await page.locator('.react-flow__pane').boundingBox())!;
  await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
  for (let r = 0; r < 10; r++) {
    const t = performance.now();
    await page.mouse.wheel(0, r % 2 ? 120 : -120);
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => (globalThis as unknown as G).requestAnimationFrame(() => resolve())),
    );
    zoom.push(performance.now() - t);
  }
  return {
    'select node -> Parameter tab': median(select),
    'progress on every node': median(progress),
    'drag (per move)': median(drag),
    'wheel zoom': median(zoom),
  };
}

async function main(): Promise<void> {
  await ensureRendererBuilt((line) => console.error(line));
  const dir = tempFolder('phi-bench-ui-');
  const browser = await launchChromium();
  try {
    await writeClassFolders(join(dir, 'data'), { classes: { a: 2, b: 2 }, size: [16, 16], channels: 1 });
    const results: Record<string, Record<string, number>> = {};
    for (const size of [5, 200]) {
      const engine = new Engine({ cacheDir: join(dir, 'cache') });
      const snapshot = await engine.createProject({
        path: join(dir, `p${size}.phiproj`),
        dataset: join(dir, 'data'),
      });
      const chain = snapshot.graph.nodes.filter((n) => n.kind !== 'network').map((n) => n.id);
      await engine.editGraph({
        edits: growEdits(chain, size - (snapshot.graph.nodes.length - chain.length)),
      });
      const server = await startServer({
        handle: (method, params) => dispatch(engine, method, params),
        events: (listener) => engine.onDidEmit(listener),
        rendererDir: rendererOutDir,
      });
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const t = performance.now();
      await page.goto(server.url);
      await page.waitForFunction((n) => (globalThis as unknown as G).__phi.graph.nodes.length === n, size);
      await page.waitForSelector('.react-flow__node');
      const load = performance.now() - t;
      const ids = await page.evaluate(() => (globalThis as unknown as G).__phi.graph.nodes.map((n) => n.id));
      results[size] = { 'first load': load, ...(await measure(page, ids)) };
      await page.close();
      await server.close();
      engine.closeProject();
    }
    console.log(
      `UI interaction latency, ${REPEATS} repeats (median), headless Chromium (software rendering)`,
    );
    console.log(
      `${'interaction'.padEnd(32)}${'5 nodes ms'.padStart(12)}${'200 nodes ms'.padStart(14)}${'ratio'.padStart(8)}`,
    );
    for (const key of Object.keys(results[5])) {
      const a = results[5][key];
      const b = results[200][key];
      console.log(
        `${key.padEnd(32)}${a.toFixed(1).padStart(12)}${b.toFixed(1).padStart(14)}${(b / a).toFixed(2).padStart(8)}`,
      );
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
