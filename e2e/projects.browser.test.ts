/**
 * Projects from the workbench, in Chromium at 1280x800 against `phi serve
 * --root DIR`: File > New project on a folder made here (two class folders,
 * PNGs of mixed sizes) shows the detected layout, label source and classes
 * before anything is created, then creates the project and shows its
 * pipeline; Open recent lists it; Ctrl+S confirms the save; the Sample RUN
 * size is kept in the project file and survives a reload.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Engine } from '../src/engine/service/engine';
import { runPhi } from '../src/engine/test-support/cli-io';
import { writeClassFolders } from '../src/engine/test-support/pipeline';
import { openProject } from './support/browser-steps';

let served: Awaited<ReturnType<typeof openProject>>;
let page: Page;
/** The temp folder, symlinks resolved (the engine lists real paths). */
let root: string;

interface Globals {
  __phi: { running: boolean };
  localStorage: { length: number; key(i: number): string | null };
}

beforeAll(async () => {
  served = await openProject(
    'phi-ui-projects-',
    async (dir) => {
      // The served engine keeps its recent list here, not in this user's config folder.
      process.env.PHI_CONFIG_DIR = join(dir, 'config');
      await writeClassFolders(join(dir, 'first-data'), { classes: { a: 4, b: 4 }, size: [16, 16] });
      const made = await runPhi(dir, ['new', 'first.phiproj', '--dataset', 'first-data']);
      if (made.code !== 0) throw new Error(`phi new failed: ${made.err}`);
      // Three sizes, so the layout check sees a mixed-size set.
      const sizes: [number, number][] = [
        [40, 28],
        [24, 24],
        [32, 48],
      ];
      await writeClassFolders(join(dir, 'studies', 'mixed'), {
        classes: { benign: 6, malignant: 5 },
        size: (i) => sizes[i % 3],
      });
      return join(dir, 'first.phiproj');
    },
    { width: 1280, height: 800 },
    (dir) => ['--root', dir],
  );
  page = served.page;
  root = realpathSync(served.dir);
});

afterAll(async () => {
  await served?.close();
});

async function fileMenu(): Promise<void> {
  await page.getByRole('button', { name: 'File' }).click();
  await page.getByRole('menu', { name: 'File' }).waitFor();
}

describe('projects in the workbench', () => {
  it('File > New project shows how the folder reads before creating it, then the pipeline', async () => {
    await fileMenu();
    await page.getByRole('menuitem', { name: /New project/ }).click();
    const dialog = page.getByRole('dialog', { name: 'New project' });
    const folders = dialog.getByRole('listbox', { name: 'Folders' });
    await folders.getByRole('button', { name: 'studies' }).click();
    await folders.getByRole('button', { name: 'mixed' }).click();
    await expect
      .poll(() => dialog.getByLabel('Folder path').inputValue())
      .toBe(join(root, 'studies', 'mixed'));
    expect(await dialog.getByRole('button', { name: 'Create project' }).isDisabled()).toBe(true);

    await dialog.getByRole('button', { name: 'Use this folder' }).click();
    const preview = dialog.getByRole('region', { name: 'Dataset preview' });
    await preview.waitFor();
    expect(await preview.getByTestId('preview-task').innerText()).toBe('classification');
    expect(await preview.getByTestId('preview-layout').innerText()).toMatch(/class.?folders/i);
    expect(await preview.getByTestId('preview-classes').innerText()).toBe('benign, malignant');
    expect(await preview.getByTestId('dataset-label-source').innerText()).toMatch(/folder/i);
    const table = preview.getByRole('table', { name: 'Classes per split' });
    expect(await table.getByRole('row', { name: /benign/ }).innerText()).toMatch(/\b6\s*$/);
    expect(await table.getByRole('row', { name: /malignant/ }).innerText()).toMatch(/\b5\s*$/);
    // Nothing is created before the user says so.
    const project = join(root, 'studies', 'mixed.phiproj');
    expect(await dialog.getByLabel('Project file').inputValue()).toBe(project);
    expect(existsSync(project)).toBe(false);
    await served.shot('projects-01-new-preview');

    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.locator('.project-name').innerText()).toBe('mixed');
    await page.locator('[data-testid="node-dataset"]').waitFor();
    expect(await page.locator('.react-flow__node').count()).toBeGreaterThanOrEqual(3);
    expect(existsSync(project)).toBe(true);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await served.shot('projects-02-created');
    expect(served.pageErrors).toEqual([]);
  });

  it('Open recent lists the new project first and opens the others', async () => {
    await fileMenu();
    const recent = page.getByTestId('recent-projects').getByRole('menuitem');
    await expect.poll(() => recent.allInnerTexts()).toHaveLength(2);
    const texts = await recent.allInnerTexts();
    expect(texts[0]).toContain('mixed.phiproj');
    expect(texts[0]).toContain(join(root, 'studies', 'mixed.phiproj'));
    expect(texts[1]).toContain('first.phiproj');
    await served.shot('projects-03-open-recent');
    await recent.nth(1).click();
    await expect.poll(() => page.locator('.project-name').innerText()).toBe('first');

    await fileMenu();
    await page
      .getByTestId('recent-projects')
      .getByRole('menuitem', { name: /mixed\.phiproj/ })
      .click();
    await expect.poll(() => page.locator('.project-name').innerText()).toBe('mixed');
    await page.locator('[data-testid="node-dataset"]').waitFor();
    expect(served.pageErrors).toEqual([]);
  });

  it('Ctrl+O opens a project picked in the folder browser, which stays inside --root', async () => {
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+o');
    const dialog = page.getByRole('dialog', { name: 'Open project' });
    const list = dialog.getByRole('listbox', { name: 'Folders and projects' });
    await list.getByRole('button', { name: 'first.phiproj' }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Parent folder' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Folder path').fill('..');
    await dialog.getByRole('button', { name: 'Go', exact: true }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /outside the folder that may be browsed/ })
      .waitFor();
    await list.getByRole('button', { name: 'first.phiproj' }).click();
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.locator('.project-name').innerText()).toBe('first');
    await page.keyboard.press('Control+o');
    await list.getByRole('button', { name: 'studies' }).click();
    await list.getByRole('button', { name: 'mixed.phiproj' }).dblclick();
    await expect.poll(() => page.locator('.project-name').innerText()).toBe('mixed');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(served.pageErrors).toEqual([]);
  });

  it('Ctrl+S confirms the save; the status bar says when the engine last wrote', async () => {
    expect(await page.getByTestId('saved-indicator').innerText()).toBe('Saved');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+s');
    const toast = page.locator('.toast').filter({ hasText: /^Saved: every change is in mixed\.phiproj/ });
    await toast.waitFor();
    // An edit is written at once; the indicator then shows the time of that write.
    await page.locator('[data-testid="node-dataset"] .phi-node-title').click();
    const seed = page.getByTestId('param-seed').locator('input');
    await seed.fill('11');
    await seed.press('Enter');
    await expect.poll(() => page.getByTestId('saved-indicator').innerText()).toMatch(/^Saved \d/);
    await served.shot('projects-04-saved');
    expect(served.pageErrors).toEqual([]);
  });

  it('the Sample RUN size is kept in the project file and survives a reload', async () => {
    await page.getByRole('button', { name: 'More run options' }).click();
    await page.getByRole('menuitem', { name: /Sample size/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Sample RUN' });
    await dialog.getByLabel('Sample size', { exact: true }).fill('7');
    await dialog.getByRole('button', { name: 'Run sample' }).click();
    // The dialog starts a sample run: stop it, the size is what matters here.
    await page
      .getByRole('button', { name: 'Cancel run' })
      .click({ trial: false })
      .catch(() => undefined);
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as Globals).__phi.running), { timeout: 60_000 })
      .toBe(false);

    const reader = new Engine({ cacheDir: join(root, 'cache-reader') });
    try {
      const saved = await reader.openProject({ path: join(root, 'studies', 'mixed.phiproj') });
      expect(saved.settings).toEqual({ sampleSize: { count: 7 }, inferenceRuntime: 'auto' });
    } finally {
      reader.closeProject();
    }

    await page.reload();
    await page.locator('[data-testid="node-dataset"]').waitFor();
    const keys = await page.evaluate(() => {
      const storage = (globalThis as unknown as Globals).localStorage;
      return Array.from({ length: storage.length }, (_, i) => storage.key(i));
    });
    expect(keys.filter((k) => k?.startsWith('phi.sampleSize'))).toEqual([]);
    await page.getByRole('button', { name: 'More run options' }).click();
    expect(await page.getByRole('menuitem', { name: /Sample RUN/ }).innerText()).toMatch(
      /7 items per dataset/,
    );
    await served.shot('projects-05-sample-size-after-reload');
    expect(served.pageErrors).toEqual([]);
  });
});
