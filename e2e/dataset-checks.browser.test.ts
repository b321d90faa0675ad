/**
 * A new project on a folder of mixed-size PNGs that cannot be trained (one
 * class folder, plus files that do not decode), in Chromium at 1280x800: before any run the
 * Dataset node carries a warning badge and the network says why it cannot
 * train; the Parameter tab's summary names the label source and the findings;
 * RUN is refused with that sentence and nothing shows as Done.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runPhi } from '../src/engine/test-support/cli-io';
import { writeClassFolders } from '../src/engine/test-support/pipeline';
import { openProject, type Session } from './support/browser-steps';
import type { PageGlobals as G } from './support/page-globals';

let session: Session;
let page: Page;

beforeAll(async () => {
  session = await openProject(
    'phi-ui-checks-',
    async (dir) => {
      // The user's own PNGs: sizes differ from file to file.
      await writeClassFolders(join(dir, 'scans'), {
        classes: { lesion: 10 },
        size: (i) => [24 + (i % 3) * 8, 24],
      });
      for (let i = 0; i < 4; i++) writeFileSync(join(dir, 'scans', 'lesion', `cut-${i}.png`), 'not a png');
      const made = await runPhi(dir, [
        'new',
        'one-class.phiproj',
        '--dataset',
        'scans',
        '--task',
        'classification',
      ]);
      if (made.code !== 0) throw new Error(`phi new failed: ${made.err}`);
      return join(dir, 'one-class.phiproj');
    },
    { width: 1280, height: 800 },
  );
  page = session.page;
});

afterAll(async () => {
  await session?.close();
});

describe('dataset checks in the workbench', () => {
  it('at 1280x800 the fitted pipeline stays readable and the minimap covers nothing until asked for', async () => {
    const transform = await page.locator('.react-flow__viewport').getAttribute('style');
    expect(Number(/scale\(([\d.]+)\)/.exec(transform ?? '')?.[1])).toBeGreaterThanOrEqual(0.6);
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await page.getByTestId('minimap-toggle').click();
    await page.locator('.react-flow__minimap').waitFor();
    await page.getByTestId('minimap-toggle').click();
    await page.locator('.react-flow__minimap').waitFor({ state: 'detached' });
    // Controls that are off say why in their tooltip.
    for (const [name, why] of [
      ['Cancel run', /^Nothing is running/],
      ['Copy', /^Copy: select modules first/],
      ['Paste', /^Paste: copy modules first/],
      ['Delete selection', /^Delete: select modules or connections first/],
      ['Undo', /^Nothing to undo/],
    ] as const) {
      const button = page.getByRole('button', { name, exact: true });
      expect(await button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toMatch(why);
    }
  });

  it('shows the findings before any run and refuses RUN with the same sentence', async () => {
    const badge = page.getByTestId('warnings-dataset');
    await badge.waitFor();
    expect(await badge.getAttribute('title')).toMatch(/4 files or rows skipped: .*cut-0\.png/);

    const network = page.locator('[data-testid="node-network"] .phi-node-status');
    await expect.poll(() => network.innerText()).toMatch(/cannot train on "dataset": .*only one class/);

    await page.locator('[data-testid="node-dataset"] .phi-node-title').click();
    const summary = page.getByRole('region', { name: 'Dataset summary' });
    await summary.getByTestId('dataset-label-source').waitFor();
    expect(await summary.getByTestId('dataset-label-source').innerText()).toMatch(/folder/i);
    const findings = summary.getByRole('list', { name: 'Dataset findings' });
    expect(await findings.innerText()).toMatch(/only one class, "lesion"/);
    expect(await findings.innerText()).toMatch(/4 files or rows skipped/);
    await session.shot('dataset-checks-01-findings');

    await page.getByRole('button', { name: 'Run all modules' }).click();
    await page.locator('[data-testid="node-network"][data-state="failed"]').waitFor();
    expect(await network.innerText()).toMatch(/only one class/);
    // The refusal is one line in the log, not one per place that heard of it.
    const logged = await page.evaluate(
      () =>
        (globalThis as unknown as G).__phi.logs.lines.filter((l) => l.message.includes('only one class'))
          .length,
    );
    expect(logged).toBe(1);
    // Refused before anything ran: no node reads Done.
    expect(await page.locator('.phi-node[data-state="done"]').count()).toBe(0);
    await session.shot('dataset-checks-02-refused');
    expect(session.pageErrors).toEqual([]);
  });

  it('the dataset still runs alone, so its images can be looked at; a change marks its outputs out of date', async () => {
    await page.locator('[data-testid="node-dataset"] .phi-node-title').click();
    const run = page.getByRole('button', { name: 'Run this module' });
    expect(await run.getAttribute('title')).toMatch(/load the dataset and list its items/);
    await run.click();
    await page.locator('[data-testid="node-dataset"][data-state="done"]').waitFor();
    await page.getByRole('tab', { name: 'View' }).click();
    await page.getByTestId('view-image').waitFor();
    expect(await page.getByTestId('view-stale').count()).toBe(0);

    await page.getByRole('tab', { name: 'Parameter' }).click();
    const seed = page.getByTestId('param-seed').locator('input');
    await seed.fill('7');
    await seed.press('Enter');
    await page.locator('[data-testid="node-dataset"][data-state="stale"]').waitFor();
    await page.getByRole('tab', { name: 'View' }).click();
    expect(await page.getByTestId('view-stale').innerText()).toMatch(/^Out of date: shown as last run/);
    await session.shot('dataset-checks-03-stale-view');
    expect(session.pageErrors).toEqual([]);
  });

  it('a file added to the folder between runs shows the dataset out of date once the window is back in use', async () => {
    await page.getByRole('tab', { name: 'Parameter' }).click();
    await page.getByRole('button', { name: 'Run this module' }).click();
    await page.locator('[data-testid="node-dataset"][data-state="done"]').waitFor();

    const folder = join(session.dir, 'scans', 'lesion');
    copyFileSync(join(folder, 'lesion-0.png'), join(folder, 'lesion-added.png'));
    const state = page.locator('[data-testid="node-dataset"]');
    // The user comes back from the file manager: the window gets the focus again.
    await expect
      .poll(
        async () => {
          await page.evaluate('dispatchEvent(new Event("focus"))');
          return state.getAttribute('data-state');
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe('stale');
    expect(session.pageErrors).toEqual([]);
  });
});
