import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhi } from '../test-support/cli-io';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';

const python = pythonWith(
  ['pydicom', 'numpy', 'matplotlib'],
  'python3-pydicom python3-numpy python3-matplotlib',
);

/** Runs a Python script on `args`; its stdout as JSON. */
function py(script: string, ...args: string[]): Record<string, unknown> {
  const run = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/**
 * Three slices of pydicom's CT_small.dcm as one series on an oblique plane (rotated 30 degrees
 * about z, tilted 10), with anisotropic pixels (0.7 mm between rows, 0.5 between columns); file
 * names in the reverse order of the positions, so the order must come from the geometry.
 */
const MAKE_SERIES = `
import json, sys, os, numpy as np, pydicom, pydicom.data
from pydicom.uid import generate_uid
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
src = pydicom.dcmread(pydicom.data.get_testdata_file('CT_small.dcm'))
a, t = np.radians(30), np.radians(10)
row = np.array([np.cos(a), np.sin(a), 0.0])
col = np.array([-np.sin(a) * np.cos(t), np.cos(a) * np.cos(t), np.sin(t)])
normal = np.cross(row, col)
series, frame = generate_uid(), generate_uid()
for k in range(3):
    d = src.copy()
    d.SOPInstanceUID = generate_uid(); d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
    d.SeriesInstanceUID = series; d.FrameOfReferenceUID = frame
    d.ImageOrientationPatient = [round(float(v), 6) for v in (*row, *col)]
    d.ImagePositionPatient = [round(float(v), 4) for v in np.array([-40.0, 12.5, 100.0]) + normal * 2.5 * k]
    d.PixelSpacing = [0.7, 0.5]
    d.InstanceNumber = 3 - k
    d.save_as(os.path.join(out, f'slice{2 - k}.dcm'))
print(json.dumps({'study': src.StudyInstanceUID, 'series': series, 'frame': frame}))
`;

/**
 * A mask of the series (slices x rows x columns) with what tracing gets wrong most easily: a
 * ring with a hole and an island in it, two pixels touching only at a corner, a region on the
 * image border, and a class absent from one slice.
 */
const MAKE_MASK = `
import json, sys, numpy as np
m = np.zeros((3, 128, 128), np.uint8)
m[0, 20:70, 30:90] = 1; m[0, 35:50, 45:60] = 0; m[0, 40:44, 50:54] = 1
m[1, 10, 10] = 1; m[1, 11, 11] = 1
m[1, 60:100, 60:100] = 2; m[1, 127, 0:5] = 2
m[2, 64:80, 64:70] = 2
np.save(sys.argv[1], m)
print(json.dumps({'pixels': [int((m == 1).sum()), int((m == 2).sum())]}))
`;

/**
 * Rasterises an RT structure set back onto its series: each contour's patient coordinates go
 * back to pixel coordinates through its slice's position, orientation and spacing, and the pixel
 * centres inside an odd number of a slice's contours (matplotlib's Path) make the ROI's mask.
 * Prints each ROI's pixels that differ from the mask's class, and how far any point lies off
 * its slice's plane (mm).
 */
const RASTERISE = `
import json, sys, glob, numpy as np, pydicom
from matplotlib.path import Path
rt = pydicom.dcmread(sys.argv[1])
slices = [pydicom.dcmread(f) for f in glob.glob(sys.argv[2] + '/*.dcm')]
mask = np.load(sys.argv[3])
def normal(s):
    o = np.array(s.ImageOrientationPatient, float)
    return np.cross(o[:3], o[3:])
slices.sort(key=lambda s: float(normal(s) @ np.array(s.ImagePositionPatient, float)))
index = {s.SOPInstanceUID: z for z, s in enumerate(slices)}
rows, cols = slices[0].Rows, slices[0].Columns
cc, rr = np.meshgrid(np.arange(cols), np.arange(rows))
centres = np.stack([cc.ravel(), rr.ravel()], 1)
names = {r.ROINumber: r.ROIName for r in rt.StructureSetROISequence}
frame = rt.ReferencedFrameOfReferenceSequence[0]
series = frame.RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
out = {'sopClass': rt.SOPClassUID, 'modality': rt.Modality, 'study': rt.StudyInstanceUID,
  'frame': frame.FrameOfReferenceUID, 'series': series.SeriesInstanceUID,
  'referencedSlices': sorted(i.ReferencedSOPInstanceUID for i in series.ContourImageSequence) == sorted(index),
  'rois': [names[k] for k in sorted(names)], 'differing': {}, 'contours': {}, 'offPlane': 0.0}
for roi in rt.ROIContourSequence:
    name = names[roi.ReferencedROINumber]
    value = list(names).index(roi.ReferencedROINumber) + 1
    drawn = np.zeros(mask.shape, bool)
    for c in roi.ContourSequence:
        assert c.ContourGeometricType == 'CLOSED_PLANAR'
        s = slices[index[c.ContourImageSequence[0].ReferencedSOPInstanceUID]]
        o = np.array(s.ImageOrientationPatient, float); spacing = np.array(s.PixelSpacing, float)
        p = np.array(c.ContourData, float).reshape(-1, 3) - np.array(s.ImagePositionPatient, float)
        assert len(p) == c.NumberOfContourPoints
        out['offPlane'] = max(out['offPlane'], float(np.abs(p @ normal(s)).max()))
        xy = np.stack([p @ o[:3] / spacing[1], p @ o[3:] / spacing[0]], 1)
        drawn[index[s.SOPInstanceUID]] ^= Path(xy).contains_points(centres).reshape(rows, cols)
    out['contours'][name] = len(roi.ContourSequence)
    out['differing'][name] = int((drawn != (mask == value)).sum())
print(json.dumps(out))
`;

/** The SR's content tree in words, and its references. */
const READ_SR = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
items = {}
for i in d.ContentSequence:
    name = i.ConceptNameCodeSequence[0].CodeMeaning
    if i.ValueType == 'TEXT': items[name] = i.TextValue
    elif i.ValueType == 'CODE': items[name] = i.ConceptCodeSequence[0].CodeMeaning
    elif i.ValueType == 'NUM': items[name] = float(i.MeasuredValueSequence[0].NumericValue)
    elif i.ValueType == 'IMAGE': items[name] = i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID
evidence = d.CurrentRequestedProcedureEvidenceSequence[0]
print(json.dumps({'sopClass': d.SOPClassUID, 'modality': d.Modality, 'study': d.StudyInstanceUID,
  'verification': d.VerificationFlag, 'title': d.ConceptNameCodeSequence[0].CodeMeaning, 'items': items,
  'evidence': [evidence.StudyInstanceUID, evidence.ReferencedSeriesSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID],
  'patient': d.PatientID}))
`;

let orthanc: Orthanc;
let work: string;
let auth: string[];
let ctFile: string;
let ct: { study: string; sop: string; patient: string };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-derived-'));
  orthanc = await startOrthanc();
  writeFileSync(join(work, 'password'), orthanc.password);
  auth = ['--user', orthanc.user, '--password-file', 'password'];
  ctFile = join(work, 'ct.dcm');
  ct = py(
    `
import json, sys, pydicom, pydicom.data
d = pydicom.dcmread(pydicom.data.get_testdata_file('CT_small.dcm'))
d.save_as(sys.argv[1])
print(json.dumps({'study': d.StudyInstanceUID, 'sop': d.SOPInstanceUID, 'patient': d.PatientID}))
`,
    ctFile,
  ) as typeof ct;
  await orthanc.upload(ctFile);
});

afterAll(async () => {
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The file Orthanc stored for SOP instance `sop` (downloaded to WORK/NAME), and its study's UID. */
async function stored(sop: string, name: string): Promise<{ file: string; study: string }> {
  const [id] = (await orthanc.rest('/tools/find', {
    body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sop } }),
  })) as string[];
  expect(id, `Orthanc has ${sop}`).toBeDefined();
  const file = join(work, name);
  writeFileSync(file, (await orthanc.rest(`/instances/${id}/file`, { raw: true })) as Buffer);
  const study = (await orthanc.rest(`/instances/${id}/study`)) as {
    MainDicomTags: { StudyInstanceUID: string };
  };
  return { file, study: study.MainDicomTags.StudyInstanceUID };
}

const sopOf = (file: string): string =>
  py(
    `import json, sys, pydicom; print(json.dumps({'sop': pydicom.dcmread(sys.argv[1]).SOPInstanceUID}))`,
    file,
  ).sop as string;

/** `phi push` over DICOMweb of what `--as KIND INPUT --source SOURCE` makes. */
const pushAs = (kind: string, input: string | undefined, source: string, ...more: string[]) =>
  runPhi(work, [
    'push',
    orthanc.dicomweb,
    '--as',
    kind,
    ...(input ? [input] : []),
    '--source',
    source,
    ...more,
    ...auth,
  ]);

describe('phi push --as rtstruct to a real Orthanc', () => {
  it('traces each class on an oblique, anisotropic series; rasterised back, the contours give the mask exactly', async () => {
    const series = join(work, 'series');
    const made = py(MAKE_SERIES, series) as { study: string; series: string; frame: string };
    for (const file of readdirSync(series)) await orthanc.upload(join(series, file));
    expect(py(MAKE_MASK, join(work, 'mask.npy'))).toEqual({ pixels: [2793, 1701] });

    const r = await pushAs(
      'rtstruct',
      'mask.npy',
      'series',
      '--label',
      'liver',
      '--label',
      'tumour',
      '--out',
      'rt.dcm',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // liver: outer ring, hole, island (slice 1) and two corner-touching pixels kept apart (slice 2).
    expect(r.out).toBe(
      `RTSTRUCT: liver (5 contours), tumour (3 contours) on 3 slices from mask.npy\n1/1 sent to ${orthanc.dicomweb}\n`,
    );
    const { file, study } = await stored(sopOf(join(work, 'rt.dcm')), 'stored-rt.dcm');
    expect(study).toBe(made.study);
    const check = py(RASTERISE, file, series, join(work, 'mask.npy'));
    expect(check).toMatchObject({
      sopClass: '1.2.840.10008.5.1.4.1.1.481.3',
      modality: 'RTSTRUCT',
      study: made.study,
      frame: made.frame,
      series: made.series,
      referencedSlices: true,
      rois: ['liver', 'tumour'],
      contours: { liver: 5, tumour: 3 },
      differing: { liver: 0, tumour: 0 },
    });
    // Coordinates are written to 0.001 mm.
    expect(check.offPlane).toBeLessThan(0.002);
  });

  it('refuses a mask of another shape, and class names that do not match the classes, each in one sentence', async () => {
    const wrongNames = await pushAs('rtstruct', 'mask.npy', 'series', '--label', 'liver');
    expect(wrongNames.code).toBe(1);
    expect(wrongNames.err).toBe(
      'phi push: the mask has 2 classes (values 1, 2) but 1 names were given: give one --label per class, in value order\n',
    );
    await sharp({ create: { width: 128, height: 128, channels: 3, background: '#ffffff' } })
      .png()
      .toFile(join(work, 'one-slice.png'));
    const wrongShape = await pushAs('rtstruct', 'one-slice.png', 'series');
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.err).toBe(
      'phi push: the mask is 128x128 but the source is 3x128x128 (slices x rows x columns, slices ordered along their normal)\n',
    );
    // A single slice with a PNG mask works.
    const single = await pushAs('rtstruct', 'one-slice.png', 'ct.dcm');
    expect(single.err).toBe('');
    expect(single.out).toContain('RTSTRUCT: class 255 (1 contours) on 1 slices from one-slice.png');
  });
});

describe('classification results to a real Orthanc', () => {
  it('--as sr: a Comprehensive SR in the source study with every probability, the model and project, not for diagnosis (C-STORE)', async () => {
    const r = await runPhi(work, [
      'push',
      orthanc.dimse,
      '--as',
      'sr',
      '--source',
      'ct.dcm',
      '--probability',
      'benign=0.13',
      '--probability',
      'malignant=0.87',
      '--model',
      'resnet-chest',
      '--project-hash',
      '3f2a9c',
      '--out',
      'sr.dcm',
      '--aet',
      orthanc.ourAet,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('SR: class malignant by resnet-chest, not for diagnosis');
    const { file, study } = await stored(sopOf(join(work, 'sr.dcm')), 'stored-sr.dcm');
    expect(study).toBe(ct.study);
    expect(py(READ_SR, file)).toEqual({
      sopClass: '1.2.840.10008.5.1.4.1.1.88.33',
      modality: 'SR',
      study: ct.study,
      verification: 'UNVERIFIED',
      title: 'Imaging Measurement Report',
      items: {
        Comment:
          'Not for diagnosis: research output of a model built in Phi Studio, not verified by a physician.',
        Finding: 'malignant',
        'Probability of benign': 0.13,
        'Probability of malignant': 0.87,
        'Algorithm Name': 'resnet-chest',
        'Algorithm Version': 'project 3f2a9c',
        'Source of Measurement': ct.sop,
      },
      evidence: [ct.study, ct.sop],
      patient: ct.patient,
    });

    const bad = await pushAs(
      'sr',
      undefined,
      'ct.dcm',
      '--probability',
      'benign=1.3',
      '--model',
      'm',
      '--project-hash',
      'h',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('phi push: the probability of "benign" is 1.3, not a number from 0 to 1\n');
  });

  it('--as sc: the overlay as a Secondary Capture in the source study, NOT FOR DIAGNOSIS burned in and declared', async () => {
    // A heat-map-like overlay: red rising left to right, blue top to bottom.
    const [width, height] = [96, 80];
    const rgb = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) rgb.set([x * 2, 40, y * 3], (y * width + x) * 3);
    await sharp(rgb, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(join(work, 'gradcam.png'));
    writeFileSync(join(work, 'gradcam.raw'), rgb);
    const r = await pushAs(
      'sc',
      'gradcam.png',
      'ct.dcm',
      '--derivation',
      'Grad-CAM of class "malignant" from model resnet-chest (project 3f2a9c)',
      '--out',
      'sc.dcm',
    );
    expect(r.err).toBe('');
    expect(r.out.split('\n')[0]).toBe('Secondary Capture: 96x80 from gradcam.png, not for diagnosis');
    const { file, study } = await stored(sopOf(join(work, 'sc.dcm')), 'stored-sc.dcm');
    expect(study).toBe(ct.study);
    const check = py(
      `
import json, sys, numpy as np, pydicom
d = pydicom.dcmread(sys.argv[1])
a = d.pixel_array
o = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(a.shape)
banner = 10
print(json.dumps({'sopClass': d.SOPClassUID, 'burnedIn': d.BurnedInAnnotation, 'derivation': d.DerivationDescription,
  'comments': d.ImageComments, 'source': d.SourceImageSequence[0].ReferencedSOPInstanceUID, 'shape': list(a.shape),
  'belowBanner': bool(np.array_equal(a[banner:], o[banner:])), 'bannerDark': int((a[:banner] < 30).all(2).sum()),
  'bannerLetters': int((a[:banner] > 200).all(2).sum())}))
`,
      file,
      join(work, 'gradcam.raw'),
    );
    expect(check).toMatchObject({
      sopClass: '1.2.840.10008.5.1.4.1.1.7',
      burnedIn: 'YES',
      derivation:
        'Grad-CAM of class "malignant" from model resnet-chest (project 3f2a9c) on the referenced image. Not for diagnosis: research output of a model built in Phi Studio, not verified by a physician.',
      comments:
        'Not for diagnosis: research output of a model built in Phi Studio, not verified by a physician.',
      source: ct.sop,
      shape: [80, 96, 3],
      belowBanner: true,
    });
    // The banner: a black strip with white letters in it.
    expect(check.bannerDark).toBeGreaterThan(300);
    expect(check.bannerLetters).toBeGreaterThan(20);
  });

  it('--as pdf: the report as an Encapsulated PDF in the source study, its bytes intact', async () => {
    // A small PDF of odd length (the DICOM value is padded to even).
    const pdf = Buffer.from(
      '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    );
    expect(pdf.length % 2).toBe(1);
    writeFileSync(join(work, 'report.pdf'), pdf);
    const r = await pushAs('pdf', 'report.pdf', 'ct.dcm', '--out', 'pdf.dcm');
    expect(r.err).toBe('');
    expect(r.out.split('\n')[0]).toBe(`Encapsulated PDF: ${pdf.length} bytes from report.pdf`);
    const { file, study } = await stored(sopOf(join(work, 'pdf.dcm')), 'stored-pdf.dcm');
    expect(study).toBe(ct.study);
    const check = py(
      `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
pdf = open(sys.argv[2], 'rb').read()
doc = d.EncapsulatedDocument
print(json.dumps({'sopClass': d.SOPClassUID, 'mime': d.MIMETypeOfEncapsulatedDocument, 'title': d.DocumentTitle,
  'length': int(d.EncapsulatedDocumentLength), 'same': doc[:len(pdf)] == pdf and len(doc) == len(pdf) + 1,
  'source': d.SourceInstanceSequence[0].ReferencedSOPInstanceUID}))
`,
      file,
      join(work, 'report.pdf'),
    );
    expect(check).toEqual({
      sopClass: '1.2.840.10008.5.1.4.1.1.104.1',
      mime: 'application/pdf',
      title: 'report',
      length: pdf.length,
      same: true,
      source: ct.sop,
    });
    // Orthanc hands the PDF back as it was.
    const [id] = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sopOf(file) } }),
    })) as string[];
    expect(Buffer.compare((await orthanc.rest(`/instances/${id}/pdf`, { raw: true })) as Buffer, pdf)).toBe(
      0,
    );

    const notPdf = await pushAs('pdf', 'password', 'ct.dcm');
    expect(notPdf.code).toBe(1);
    expect(notPdf.err).toBe(
      `phi push: ${join(work, 'password')} is not a PDF file (it does not start with %PDF-)\n`,
    );
    expect(readFileSync(join(work, 'pdf.dcm')).subarray(128, 132).toString()).toBe('DICM');

    // An option the kind would ignore is refused, naming the kinds it goes with.
    const stray = await pushAs('pdf', 'report.pdf', 'ct.dcm', '--label', 'lesion');
    expect(stray.code).toBe(2);
    expect(stray.err.split('\n')[0]).toBe('phi push: --label goes with --as seg or rtstruct');
    const keepless = await runPhi(work, ['push', orthanc.dicomweb, 'ct.dcm', '--out', 'x.dcm', ...auth]);
    expect(keepless.err.split('\n')[0]).toBe(
      'phi push: --out keeps a file made with --as (or --seg): give --as KIND',
    );
  });
});
