/**
 * "Send to PACS" in the View tab, in Chromium at 1280x800 against a real
 * Orthanc: a segmentation project over DICOM slices (trained before it is
 * served), the network node selected, its prediction of a slice sent with the
 * profile chosen; the line under it names the segments and the study, and
 * Orthanc holds a SEG instance in that study.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDicomSegProject } from '../src/engine/test-support/dicom-seg-project';
import type { SyntheticStudy } from '../src/engine/test-support/dicom-studies';
import type { Orthanc } from '../src/engine/test-support/orthanc';
import { layoutProblems, type Session } from './support/browser-steps';
import { sendShownPrediction, serveTrainedProject } from './support/pacs-send';

let orthanc: Orthanc;
let studies: SyntheticStudy[];
let session: Session;

beforeAll(async () => {
  ({ orthanc, studies, session } = await serveTrainedProject('phi-ui-pacs-send-', writeDicomSegProject));
});

afterAll(async () => {
  await session?.close();
  await orthanc?.stop();
});

describe('Send to PACS in the View tab', () => {
  it("sends the shown prediction as a DICOM SEG that Orthanc files in the slice's study", async () => {
    const text = await sendShownPrediction(session.page, /^Sent a DICOM SEG of |marks no pixel/);
    expect(text).toMatch(
      /^Sent a DICOM SEG of .*study-\d\d\.dcm \(segments: [^)]+\) to Orthanc, in the image's study [\d.]+\.$/,
    );
    const study = /study ([\d.]+)\.$/.exec(text)?.[1];
    expect(studies.map((s) => s.studyUid)).toContain(study);
    const segs = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Series', Query: { Modality: 'SEG', StudyInstanceUID: study } }),
    })) as string[];
    expect(segs.length).toBe(1);
    expect(await layoutProblems(session.page, '[data-testid="send-to-pacs"]')).toEqual([]);
    await session.shot('pacs-send');
    expect(session.pageErrors).toEqual([]);
  });
});
