/**
 * Clusters in the workbench, in Chromium at 1280x800 against a real one-node
 * Slurm cluster on loopback: File > Clusters… tests a profile ("Test
 * cluster": sinfo and a one-second job running the engine on the node) with
 * the engine's verdict for a partition that does not exist and for the right
 * settings, refuses a queue poll interval or a cap on jobs at once out of
 * bounds in one sentence, saves it in the user's settings (Enter), and makes the open
 * project train on it, which the Auto Tuning tab says; Escape closes.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSlurm, type SlurmCluster } from '../src/engine/test-support/slurm';
import { layoutProblems, openProject, type Session } from './support/browser-steps';
import { copyExample, tempFolder } from './support/serve';

let cluster: SlurmCluster;
let session: Session;
let page: Page;
const settings = tempFolder('phi-cluster-settings-');
const saved = { ...process.env };

beforeAll(async () => {
  cluster = await startSlurm();
  // The served engine keeps profiles here, and its jobs find `node` on the PATH it passes on.
  Object.assign(process.env, { PHI_CONFIG_DIR: join(settings, 'config'), PATH: cluster.env.PATH });
  session = await openProject('phi-ui-cluster-', (dir) => copyExample(join(dir, 'example')), {
    width: 1280,
    height: 800,
  });
  page = session.page;
}, 300_000);

afterAll(async () => {
  await session?.close();
  await cluster?.stop();
  Object.assign(process.env, saved);
}, 120_000);

async function openClusters() {
  await page.getByRole('button', { name: /^File/ }).click();
  await page.getByRole('menuitem', { name: 'Clusters…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clusters' });
  await dialog.waitFor();
  return dialog;
}

describe('Clusters in the workbench', () => {
  it('tests a profile with the engine verdict, saves it, and makes the project train on it', async () => {
    const dialog = await openClusters();
    await dialog.getByLabel('Name').fill('loopback');
    await dialog.getByLabel('Shared folder').fill(tmpdir());
    await dialog.getByLabel('slurm.conf').fill(cluster.env.SLURM_CONF!);
    await dialog.getByLabel('Partition').fill('gpu');
    await dialog.getByRole('button', { name: 'Test cluster' }).click();
    const verdict = dialog.getByRole('status');
    await expect
      .poll(() => verdict.innerText(), { timeout: 60_000 })
      .toBe(
        'Cluster "loopback": partition "gpu" is not on the cluster or has no nodes: name another partition',
      );
    await dialog.getByLabel('Partition').fill('');
    await dialog.getByRole('button', { name: 'Test cluster' }).click();
    await expect
      .poll(() => verdict.innerText(), { timeout: 120_000 })
      .toMatch(
        /^Cluster "loopback" works: debug\* up, 1 node\(s\) idle; a test job ran on \S+ [\d.]+ s after submission, the engine answered there and its output came back through /,
      );
    // The queue poll interval is bounded: a wrong one is said in one sentence and Save stays off.
    await dialog.getByLabel('Queue poll (seconds)').fill('0');
    await expect
      .poll(() => dialog.getByRole('alert').innerText())
      .toBe('The queue poll interval must be a whole number of seconds from 1 to 600: give one, e.g. 15');
    expect(await dialog.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Queue poll (seconds)').fill('20');
    await dialog.getByLabel('At most N jobs at once').fill('0');
    await expect
      .poll(() => dialog.getByRole('alert').innerText())
      .toBe(
        'At most N jobs at once must be a whole number from 1 to 10000: give one, or leave it empty for no cap',
      );
    await dialog.getByLabel('At most N jobs at once').fill('2');
    await expect.poll(() => dialog.getByRole('alert').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Save' }).isDisabled()).toBe(false);
    expect(await layoutProblems(page, '[role="dialog"]')).toEqual([]);
    await session.shot('cluster-profiles');
    // Enter saves, in the user's settings.
    await dialog.getByLabel('Name').press('Enter');
    await dialog
      .getByRole('listbox', { name: 'Cluster profiles' })
      .getByRole('option', { name: 'loopback' })
      .waitFor();
    expect(JSON.parse(readFileSync(join(settings, 'config', 'cluster-profiles.json'), 'utf8'))).toMatchObject(
      [
        {
          name: 'loopback',
          sharedFolder: tmpdir(),
          slurmConf: cluster.env.SLURM_CONF,
          pollSeconds: 20,
          maxParallel: 2,
        },
      ],
    );
    // The project trains there; reopened, the dialog says so.
    await dialog.getByLabel('This project trains on').selectOption('loopback');
    await expect.poll(() => dialog.getByLabel('This project trains on').inputValue()).toBe('loopback');
    await dialog.getByLabel('Name').press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Auto Tuning says where its trials run.
    await page.locator('[data-testid="node-network"] .phi-node-title').click();
    await page.getByRole('tab', { name: 'Auto Tuning' }).click();
    const runsOn = page.getByTestId('trials-run-on');
    await expect.poll(() => runsOn.innerText()).toBe('Trials run on cluster loopback');
    const again = await openClusters();
    await expect.poll(() => again.getByLabel('This project trains on').inputValue()).toBe('loopback');
    // The saved profile shows its poll interval and cap; emptied, the cap is gone.
    await again
      .getByRole('listbox', { name: 'Cluster profiles' })
      .getByRole('option', { name: 'loopback' })
      .click();
    expect(await again.getByLabel('Queue poll (seconds)').inputValue()).toBe('20');
    expect(await again.getByLabel('At most N jobs at once').inputValue()).toBe('2');
    await again.getByLabel('At most N jobs at once').fill('');
    await again.getByLabel('Name').press('Enter');
    await expect
      .poll(() => JSON.parse(readFileSync(join(settings, 'config', 'cluster-profiles.json'), 'utf8')))
      .toMatchObject([{ name: 'loopback', pollSeconds: 20, maxParallel: null }]);
    await again.getByLabel('This project trains on').selectOption('');
    await expect.poll(() => again.getByLabel('This project trains on').inputValue()).toBe('');
    await again.getByLabel('Name').press('Escape');
    await again.waitFor({ state: 'detached' });
    await expect.poll(() => runsOn.innerText()).toBe('Trials run on this computer');
    expect(session.pageErrors).toEqual([]);
  }, 300_000);
});
