/**
 * "Send to PACS" in the View tab, in Chromium at 1280x800 against a real
 * Orthanc: a segmentation project over DICOM slices (trained before it is
 * served), the network node selected, its prediction of a slice sent with the
 * profile chosen; the line under it names the segments and the study, and
 * Orthanc holds a SEG instance in that study.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { writeDicomSegProject } from '../src/engine/test-support/dicom-seg-project';
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
    'phi-ui-pacs-send-',
    async (dir) => {
      useSettingsFolder(join(dir, 'config'));
      studies = await uploadSyntheticStudies(orthanc, dir, 12);
      const project = await writeDicomSegProject(dir, studies);
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

describe('Send to PACS in the View tab', () => {
  it("sends the shown prediction as a DICOM SEG that Orthanc files in the slice's study", async () => {
    await page.getByTestId('node-network').click();
    await page.getByRole('tab', { name: 'View' }).click();
    const send = page.getByTestId('send-to-pacs');
    await send.waitFor();
    await expect.poll(() => send.getByLabel('PACS server to send to').inputValue()).toBe('Orthanc');
    await send.getByRole('button', { name: 'Send to PACS' }).click();
    const line = send.getByRole('status');
    await expect
      .poll(() => line.innerText(), { timeout: 60_000 })
      .toMatch(/^Sent a DICOM SEG of |marks no pixel/);
    const text = await line.innerText();
    expect(text).toMatch(
      /^Sent a DICOM SEG of .*study-\d\d\.dcm \(segments: [^)]+\) to Orthanc, in the image's study [\d.]+\.$/,
    );
    const study = /study ([\d.]+)\.$/.exec(text)?.[1];
    expect(studies.map((s) => s.studyUid)).toContain(study);
    const segs = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Series', Query: { Modality: 'SEG', StudyInstanceUID: study } }),
    })) as string[];
    expect(segs.length).toBe(1);
    expect(await layoutProblems(page, '[data-testid="send-to-pacs"]')).toEqual([]);
    await session.shot('pacs-send');
    expect(session.pageErrors).toEqual([]);
  });
});
