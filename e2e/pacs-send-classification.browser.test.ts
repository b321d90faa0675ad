/**
 * "Send to PACS" of a classification in the View tab, in Chromium at 1280x800
 * against a real Orthanc: a small CNN over DICOM slices (trained before it is
 * served), its prediction of a slice sent with the profile chosen; the line
 * under it names the class given and the study, and Orthanc holds the SR and
 * the Grad-CAM Secondary Capture in that study.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDicomClassificationProject } from '../src/engine/test-support/dicom-classification-project';
import type { SyntheticStudy } from '../src/engine/test-support/dicom-studies';
import type { Orthanc } from '../src/engine/test-support/orthanc';
import { layoutProblems, type Session } from './support/browser-steps';
import { sendShownPrediction, serveTrainedProject } from './support/pacs-send';

let orthanc: Orthanc;
let studies: SyntheticStudy[];
let session: Session;

beforeAll(async () => {
  ({ orthanc, studies, session } = await serveTrainedProject(
    'phi-ui-pacs-send-cls-',
    writeDicomClassificationProject,
  ));
});

afterAll(async () => {
  await session?.close();
  await orthanc?.stop();
});

describe('Send to PACS of a classification in the View tab', () => {
  it("sends the shown prediction as an SR and its Grad-CAM as a Secondary Capture in the slice's study", async () => {
    const text = await sendShownPrediction(session.page, /^Sent /);
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
    expect(await layoutProblems(session.page, '[data-testid="send-to-pacs"]')).toEqual([]);
    await session.shot('pacs-send-classification');
    expect(session.pageErrors).toEqual([]);
  });
});
