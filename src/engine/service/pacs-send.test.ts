/**
 * "Send to PACS" of a segmentation prediction against a real Orthanc: a small
 * U-Net trained on DICOM slices with lesion masks; the prediction of one
 * slice goes to Orthanc as a DICOM SEG that Orthanc files in the slice's own
 * study, and pydicom reads one binary frame per segment at the slice's size.
 * Items that cannot be sent are refused with a sentence. A small CNN classifying
 * the same slices sends its prediction as an SR and its Grad-CAM as a Secondary
 * Capture, both found in the slice's study and read back by pydicom.
 */
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine';
import type { SyntheticStudy } from '../test-support/dicom-studies';
import { ranWithOrthanc, uploadSyntheticStudies, useSettingsFolder } from '../test-support/pacs-workbench';
import { writeDicomSegProject } from '../test-support/dicom-seg-project';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { tempDir } from '../test-support/pipeline';
import { writeDicomClassificationProject } from '../test-support/dicom-classification-project';
import { pythonWith } from '../test-support/python';

let orthanc: Orthanc;
let dir: string;
let studies: SyntheticStudy[];
let engine: Engine;

beforeAll(async () => {
  dir = tempDir('phi-pacs-send-');
  useSettingsFolder(join(dir, 'settings'));
  orthanc = await startOrthanc();
  // The images are on the PACS; the project trains on its own copy with masks drawn beside them.
  studies = await uploadSyntheticStudies(orthanc, dir, 16);
  const project = await writeDicomSegProject(dir, studies);
  engine = await ranWithOrthanc(dir, project, orthanc);
}, 600_000);

afterAll(async () => {
  engine?.closeProject();
  await orthanc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Send to PACS', () => {
  it("stores the prediction as a DICOM SEG in the image's study", async () => {
    const items = (await engine.listFiles({ node: 'dataset', limit: 100 })).items;
    const sampleId = items.find((i) => i.id.endsWith('study-00.dcm'))?.id as string;
    const sent = await engine.sendToPacs({ profile: 'Orthanc', node: 'network', sampleId });
    // Whatever the two-epoch network found, each segment is named by its class.
    expect(sent.segments.every((s) => s === 'foreground' || s === 'lesion' || /^class /.test(s))).toBe(true);
    expect(sent.studyInstanceUid).toBe(studies[0].studyUid);
    expect(sent.fromSample).toBe(false);
    const [found] = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sent.sopInstanceUid } }),
    })) as string[];
    expect(found).toBeDefined();
    const tags = (await orthanc.rest(`/instances/${found}/simplified-tags`)) as Record<string, string>;
    expect(tags.Modality).toBe('SEG');
    expect(tags.StudyInstanceUID).toBe(studies[0].studyUid);
    const bytes = (await orthanc.rest(`/instances/${found}/file`, { raw: true })) as Buffer;
    const python = pythonWith(['pydicom', 'numpy'], 'python3-pydicom python3-numpy');
    const read = spawnSync(
      python,
      [
        '-c',
        'import sys, io, pydicom; d = pydicom.dcmread(io.BytesIO(sys.stdin.buffer.read())); ' +
          'print(d.NumberOfFrames, d.Rows, d.Columns, len(d.SegmentSequence), d.SegmentSequence[0].SegmentLabel)',
      ],
      { input: bytes, encoding: 'latin1' },
    );
    expect(read.stderr).toBe('');
    const [frames, rows, columns, segments, label] = read.stdout.trim().split(' ');
    expect([Number(frames), Number(rows), Number(columns)]).toEqual([sent.segments.length, 32, 32]);
    expect(Number(segments)).toBe(sent.segments.length);
    expect(label).toBe(sent.segments[0]);
  });

  it("stores a classification's prediction as an SR and its Grad-CAM as a Secondary Capture in the image's study", async () => {
    // The same slices in one folder per class, classified by a small CNN.
    const project = writeDicomClassificationProject(dir, studies);
    engine.closeProject();
    await engine.openProject({ path: project });
    try {
      expect((await engine.run({ mode: 'all' })).status).toBe('done');
      const items = (await engine.listFiles({ node: 'dataset', limit: 100 })).items;
      const study = studies[3];
      const sampleId = items.find((i) => i.id.endsWith(basename(study.file)))?.id as string;
      const sent = await engine.sendToPacs({ profile: 'Orthanc', node: 'network', sampleId });
      expect(['lesion', 'normal']).toContain(sent.predicted);
      expect(sent.segments).toEqual([]);
      expect(sent.studyInstanceUid).toBe(study.studyUid);
      const python = pythonWith(['pydicom'], 'python3-pydicom');
      const read = async (uid: string): Promise<Record<string, unknown>> => {
        const [found] = (await orthanc.rest('/tools/find', {
          body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: uid } }),
        })) as string[];
        expect(found, uid).toBeDefined();
        const bytes = (await orthanc.rest(`/instances/${found}/file`, { raw: true })) as Buffer;
        const script = `
import io, json, sys, pydicom
d = pydicom.dcmread(io.BytesIO(sys.stdin.buffer.read()))
items = list(d.get('ContentSequence', []))
print(json.dumps({'Modality': d.Modality, 'Study': d.StudyInstanceUID, 'SOPClass': d.SOPClassUID,
  'Finding': [i.ConceptCodeSequence[0].CodeMeaning for i in items if i.ValueType == 'CODE'],
  'Probabilities': {i.ConceptNameCodeSequence[0].CodeMeaning: float(i.MeasuredValueSequence[0].NumericValue) for i in items if i.ValueType == 'NUM'},
  'Texts': [i.TextValue for i in items if i.ValueType == 'TEXT'],
  'Comments': str(d.get('ImageComments', '')), 'BurnedIn': str(d.get('BurnedInAnnotation', '')),
  'Size': [int(d.get('Rows', 0)), int(d.get('Columns', 0)), int(d.get('SamplesPerPixel', 0))],
  'Source': [r.ReferencedSOPInstanceUID for r in d.get('SourceImageSequence', [])]}))`;
        const run = spawnSync(python, ['-c', script], { input: bytes, encoding: 'latin1' });
        expect(run.stderr).toBe('');
        return JSON.parse(run.stdout) as Record<string, unknown>;
      };
      const sr = await read(sent.sopInstanceUid);
      expect(sr).toMatchObject({ Modality: 'SR', Study: study.studyUid, Finding: [sent.predicted] });
      const probabilities = sr.Probabilities as Record<string, number>;
      expect(Object.keys(probabilities).sort()).toEqual(['Probability of lesion', 'Probability of normal']);
      expect(Object.values(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(probabilities[`Probability of ${sent.predicted}`]).toBeGreaterThanOrEqual(0.5);
      expect((sr.Texts as string[]).some((t) => t.startsWith('Not for diagnosis'))).toBe(true);
      expect(sr.Texts).toContain('network');
      const capture = await read(sent.captureSopInstanceUid as string);
      expect(capture).toMatchObject({
        Modality: 'OT',
        Study: study.studyUid,
        SOPClass: '1.2.840.10008.5.1.4.1.1.7',
        BurnedIn: 'YES',
      });
      expect(capture.Comments).toMatch(/^Not for diagnosis/);
      expect((capture.Size as number[])[2]).toBe(3);
      expect((capture.Size as number[])[0]).toBeGreaterThan(0);
      expect((capture.Source as string[]).length).toBe(1);
    } finally {
      engine.closeProject();
      await engine.openProject({ path: join(dir, 'seg.phiproj') });
    }
  });

  it('refuses a network that is not a segmentation, or an unknown profile, with a sentence', async () => {
    const items = (await engine.listFiles({ node: 'dataset', limit: 100 })).items;
    await expect(
      engine.sendToPacs({ profile: 'Nowhere', node: 'network', sampleId: items[0].id }),
    ).rejects.toThrow(
      'There is no PACS profile "Nowhere" (there are "Orthanc"): add it under File > PACS servers.',
    );
    await expect(
      engine.sendToPacs({ profile: 'Orthanc', node: 'dataset', sampleId: items[0].id }),
    ).rejects.toThrow(/No Dataset node feeds "dataset"/);
  });
});
