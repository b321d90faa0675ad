/**
 * Steps shared by the browser tests of the custom module, network builder
 * and tuning screens: a served temp copy of the example in Chromium,
 * screenshots, connecting nodes by dragging handles, waiting on the store.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, repoRoot } from '../../src/engine/server/build-renderer';
import { copyExample, launchChromium, startServe, tempFolder, type ServeProcess } from './serve';

/** Where every browser test saves its screenshots. */
export const SHOTS = join(repoRoot, 'test-results/ui');

/** One served example project open in Chromium. */
export interface Session {
  dir: string;
  serve: ServeProcess;
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page (a test ends by expecting none). */
  pageErrors: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Builds the renderer if needed, serves a temp copy of the example and opens it in Chromium. */
export async function openExample(prefix: string): Promise<Session> {
  return openProject(prefix, (dir) => copyExample(join(dir, 'example')));
}

/**
 * Builds the renderer if needed, makes a project in a new temp folder with
 * `make(dir)`, serves it (with `serveArgs(dir)` added to `phi serve`) and opens it in
 * Chromium (1440x900 unless a viewport is given).
 */
export async function openProject(
  prefix: string,
  make: (dir: string) => Promise<string>,
  viewport = { width: 1440, height: 900 },
  serveArgs: (dir: string) => string[] = () => [],
): Promise<Session> {
  mkdirSync(SHOTS, { recursive: true });
  await ensureRendererBuilt();
  const dir = tempFolder(prefix);
  const project = await make(dir);
  const serve = await startServe(project, join(dir, 'cache'), serveArgs(dir));
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport, colorScheme: 'light' });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('[data-testid="node-dataset"]');
  return {
    dir,
    serve,
    browser,
    page,
    pageErrors,
    shot: async (name) => void (await page.screenshot({ path: join(SHOTS, `${name}.png`) })),
    close: async () => {
      await browser.close();
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Types `value` into the Parameter tab's field `param` of the selected node and
 * waits until the page's graph holds it for node `node`.
 */
export async function setNodeParam(
  page: Page,
  node: string,
  param: string,
  value: string | number,
): Promise<void> {
  const field = page.getByTestId(`param-${param}`).locator('input');
  await field.fill(String(value));
  await field.press('Enter');
  await page.waitForFunction(
    ({ node, param, value }) =>
      (
        globalThis as unknown as {
          __phi: { graph: { nodes: { id: string; params: Record<string, unknown> }[] } };
        }
      ).__phi.graph.nodes.find((n) => n.id === node)?.params[param] === value,
    { node, param, value },
  );
}

/** Centre of the first element matching a selector. */
export async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags from one point to another in small steps, as a user does. */
export async function dragBetween(
  page: Page,
  from: { x: number; y: number },
  to: { x: number; y: number },
): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/**
 * What keeps the first element matching `selector` from being read whole in
 * the window: the page grown wider than the window, or the element cut off
 * by a box that neither fits it nor scrolls. Empty when the element fits, or
 * scrolls inside a box that lies within the window.
 */
export async function layoutProblems(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((selector) => {
    const w = globalThis as unknown as LayoutWindow;
    const problems: string[] = [];
    const root = w.document.documentElement;
    if (root.scrollWidth > w.innerWidth)
      problems.push(`the page is ${root.scrollWidth} px wide in a ${w.innerWidth} px window`);
    const element = w.document.querySelector(selector);
    if (!element) return [...problems, `${selector} is not on the page`];
    // The box that shows the element: the nearest one (itself included) that clips or scrolls.
    let box: LayoutBox | null = element;
    while (box && box !== root && w.getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const shown = (box && box !== root ? box : root).getBoundingClientRect();
    if (shown.right > w.innerWidth + 0.5 || shown.bottom > w.innerHeight + 0.5)
      problems.push(
        `${selector} is shown in a box reaching ${Math.round(shown.right)}x${Math.round(shown.bottom)}`,
      );
    if (box && box !== root) {
      const style = w.getComputedStyle(box);
      const scrolls = (o: string): boolean => o === 'auto' || o === 'scroll';
      if (box.scrollWidth > box.clientWidth + 1 && !scrolls(style.overflowX))
        problems.push(`${selector} is cut off on the right (${box.scrollWidth} px in ${box.clientWidth})`);
      if (box.scrollHeight > box.clientHeight + 1 && !scrolls(style.overflowY))
        problems.push(`${selector} is cut off at the bottom (${box.scrollHeight} px in ${box.clientHeight})`);
    }
    return problems;
  }, selector);
}

/** What {@link layoutProblems} reads of an element in the page (the tests are typed without the DOM). */
interface LayoutBox {
  parentElement: LayoutBox | null;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  getBoundingClientRect(): { right: number; bottom: number };
}

/** What {@link layoutProblems} reads of the page's window. */
interface LayoutWindow {
  innerWidth: number;
  innerHeight: number;
  document: { documentElement: LayoutBox; querySelector(selector: string): LayoutBox | null };
  getComputedStyle(element: LayoutBox): { overflowX: string; overflowY: string };
}
