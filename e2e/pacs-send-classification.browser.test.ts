/**
 * "Send to PACS" of a classification in the View tab, in Chromium at 1280x800
 * against a real Orthanc: a small CNN over DICOM slices (trained before it is
 * served), its prediction of a slice sent with the profile chosen; the line
 * under it names the class given and the study, and Orthanc holds the SR and
 * the Grad-CAM Secondary Capture in that study.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeDicomClassificationProject } from '../src/engine/test-support/dicom-classification-project';
import type { SyntheticStudy } from '../src/engine/test-support/dicom-studies';
import {
  orthancProfile,
  uploadSyntheticStudies,
  useSettingsFolder,
} from '../src/engine/test-support/pacs-workbench';
import { startOrthanc, type Orthanc } from '../src/engine/test-support/orthanc';
import { Engine } from '../src/engine/service/engine';
import { layoutProblems, openProject, type Session } from './support/browser-steps';

let orthanc: Orthanc;
let studies: SyntheticStudy[];
let session: Session;
let page: Page;

beforeAll(async () => {
  orthanc = await startOrthanc();
  session = await openProject(
    'phi-ui-pacs-send-cls-',
    async (dir) => {
      useSettingsFolder(join(dir, 'config'));
      studies = await uploadSyntheticStudies(orthanc, dir, 12);
      const project = writeDicomClassificationProject(dir, studies);
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
  page = session.page;
});

afterAll(async () => {
  await session?.close();
  await orthanc?.stop();
});

describe('Send to PACS of a classification in the View tab', () => {
  it("sends the shown prediction as an SR and its Grad-CAM as a Secondary Capture in the slice's study", async () => {
    await page.getByTestId('node-network').click();
    await page.getByRole('tab', { name: 'View' }).click();
    const send = page.getByTestId('send-to-pacs');
    await send.waitFor();
    await expect.poll(() => send.getByLabel('PACS server to send to').inputValue()).toBe('Orthanc');
    await send.getByRole('button', { name: 'Send to PACS' }).click();
    const line = send.getByRole('status');
    await expect.poll(() => line.innerText(), { timeout: 60_000 }).toMatch(/^Sent /);
    const text = await line.innerText();
    expect(text).toMatch(
      /^Sent a Structured Report of .*study-\d\d\.dcm \(class given: (lesion|normal), with every class's probability\) and its Grad-CAM as a Secondary Capture marked not for diagnosis to Orthanc, in the image's study [\d.]+\.$/,
    );
    const study = /study ([\d.]+)\.$/.exec(text)?.[1];
    expect(studies.map((s) => s.studyUid)).toContain(study);
    for (const modality of ['SR', 'OT']) {
      const series = (await orthanc.rest('/tools/find', {
        body: JSON.stringify({ Level: 'Series', Query: { Modality: modality, StudyInstanceUID: study } }),
      })) as string[];
      expect(series.length, modality).toBe(1);
    }
    expect(await layoutProblems(page, '[data-testid="send-to-pacs"]')).toEqual([]);
    await session.shot('pacs-send-classification');
    expect(session.pageErrors).toEqual([]);
  });
});
