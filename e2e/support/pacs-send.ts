/**
 * The "Send to PACS" browser tests' common steps: a real Orthanc holding 12
 * synthetic DICOM slices, a project over the same slices trained before it is
 * served (its network node `network`), the profile "Orthanc" in the user
 * settings; then the shown prediction sent from the network's View tab.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { SyntheticStudy } from '../../src/engine/test-support/dicom-studies';
import {
  orthancProfile,
  uploadSyntheticStudies,
  useSettingsFolder,
} from '../../src/engine/test-support/pacs-workbench';
import { startOrthanc, type Orthanc } from '../../src/engine/test-support/orthanc';
import { Engine } from '../../src/engine/service/engine';
import { openProject, type Session } from './browser-steps';

/** Starts Orthanc, writes and trains the project `write` makes, and serves it at 1280x800. */
export async function serveTrainedProject(
  prefix: string,
  write: (dir: string, studies: SyntheticStudy[]) => string | Promise<string>,
): Promise<{ orthanc: Orthanc; studies: SyntheticStudy[]; session: Session }> {
  const orthanc = await startOrthanc();
  let studies: SyntheticStudy[] = [];
  const session = await openProject(
    prefix,
    async (dir) => {
      useSettingsFolder(join(dir, 'config'));
      studies = await uploadSyntheticStudies(orthanc, dir, 12);
      const project = await write(dir, studies);
      // Trained here, so that the served project holds a model; the profile lands in the user settings.
      const engine = new Engine({ cacheDir: join(dir, 'cache', 'phi-studio'), seed: 1 });
      await engine.openProject({ path: project });
      if ((await engine.run({ mode: 'all' })).status !== 'done') throw new Error('training failed');
      await engine.savePacsProfile({ profile: orthancProfile(orthanc, 'Orthanc'), secret: orthanc.password });
      engine.closeProject();
      return project;
    },
    { width: 1280, height: 800 },
  );
  return { orthanc, studies, session };
}

/** Sends the network's shown prediction to "Orthanc" from the View tab; returns the line under the button. */
export async function sendShownPrediction(page: Page, answered: RegExp): Promise<string> {
  await page.getByTestId('node-network').click();
  await page.getByRole('tab', { name: 'View' }).click();
  const send = page.getByTestId('send-to-pacs');
  await send.waitFor();
  await expect.poll(() => send.getByLabel('PACS server to send to').inputValue()).toBe('Orthanc');
  await send.getByRole('button', { name: 'Send to PACS' }).click();
  const line = send.getByRole('status');
  await expect.poll(() => line.innerText(), { timeout: 60_000 }).toMatch(answered);
  return line.innerText();
}
