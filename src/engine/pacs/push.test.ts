import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhi } from '../test-support/cli-io';
import { OBLIQUE_SERIES_PY, seriesSegExpected } from '../test-support/oblique-series';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';

const python = pythonWith(['pydicom', 'numpy', 'nibabel'], 'python3-pydicom python3-numpy python3-nibabel');
const testFile = (name: string): string =>
  spawnSync(
    python,
    ['-c', `import pydicom.data; print(pydicom.data.get_testdata_file(${JSON.stringify(name)}))`],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();
/** Runs a Python script on `args`; its stdout as JSON. */
function py(script: string, ...args: string[]): Record<string, unknown> {
  const run = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
const uids = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
print(json.dumps({'sop': d.SOPInstanceUID, 'study': d.StudyInstanceUID, 'series': d.SeriesInstanceUID, 'rows': d.Rows, 'columns': d.Columns}))
`;

let orthanc: Orthanc;
let work: string;
let auth: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-push-'));
  orthanc = await startOrthanc();
  writeFileSync(join(work, 'password'), orthanc.password);
  auth = ['--user', orthanc.user, '--password-file', 'password'];
});

afterAll(async () => {
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Orthanc's instance ids whose SOP Instance UID is `sop`. */
async function findInstance(sop: string): Promise<string[]> {
  return (await orthanc.rest('/tools/find', {
    body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sop } }),
  })) as string[];
}

describe('phi push to a real Orthanc', () => {
  it('sends DICOM files by STOW-RS and by C-STORE', async () => {
    const mr = testFile('MR_small.dcm');
    const ct = testFile('CT_small.dcm');
    expect(await findInstance(py(uids, mr).sop as string)).toEqual([]);

    const web = await runPhi(work, ['push', orthanc.dicomweb, mr, ...auth]);
    expect(web.err).toBe('');
    expect(web.code).toBe(0);
    expect(web.out).toBe(`1/1 sent to ${orthanc.dicomweb}\n`);
    expect(await findInstance(py(uids, mr).sop as string)).toHaveLength(1);

    const dimse = await runPhi(work, ['push', orthanc.dimse, ct, '--aet', orthanc.ourAet]);
    expect(dimse.err).toBe('');
    expect(dimse.code).toBe(0);
    expect(await findInstance(py(uids, ct).sop as string)).toHaveLength(1);

    const notDicom = join(work, 'notes.txt');
    writeFileSync(notDicom, 'x'.repeat(200));
    const refused = await runPhi(work, ['push', orthanc.dicomweb, notDicom, ...auth]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('is not a DICOM Part-10 file');
  });

  it('builds a DICOM SEG from a mask, sends it, and Orthanc files it in the source study with the right frames', async () => {
    const ct = testFile('CT_small.dcm');
    const source = py(uids, ct) as { study: string; rows: number; columns: number };
    // Two regions with different values: two segments.
    const { rows, columns } = source;
    const mask = new Uint8Array(rows * columns);
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < columns; x++)
        mask[y * columns + x] = x > 20 && x < 60 && y > 30 && y < 90 ? 255 : x > 80 && y < 25 ? 128 : 0;
    await sharp(Buffer.from(mask), { raw: { width: columns, height: rows, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(join(work, 'mask.png'));

    const r = await runPhi(work, [
      'push',
      orthanc.dicomweb,
      '--seg',
      'mask.png',
      '--source',
      ct,
      '--label',
      'small',
      '--label',
      'lesion',
      '--seg-out',
      'seg.dcm',
      ...auth,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SEG: 2 segments x 1 frames');

    const seg = py(uids, join(work, 'seg.dcm')) as { sop: string; study: string };
    expect(seg.study).toBe(source.study);
    const [id] = await findInstance(seg.sop);
    expect(id).toBeDefined();
    const tags = (await orthanc.rest(`/instances/${id}/simplified-tags`)) as Record<string, string>;
    expect(tags.Modality).toBe('SEG');
    expect(tags.StudyInstanceUID).toBe(source.study);

    // The copy Orthanc stored, read back by pydicom: one frame per segment, equal to the mask.
    const stored = join(work, 'stored-seg.dcm');
    writeFileSync(stored, (await orthanc.rest(`/instances/${id}/file`, { raw: true })) as Buffer);
    writeFileSync(join(work, 'mask.raw'), mask);
    const check = py(
      `
import json, sys, numpy as np, pydicom
d = pydicom.dcmread(sys.argv[1])
m = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(d.Rows, d.Columns)
a = d.pixel_array
print(json.dumps({'sopClass': d.SOPClassUID, 'frames': int(d.NumberOfFrames), 'labels': [s.SegmentLabel for s in d.SegmentSequence],
  'small': bool(np.array_equal(a[0], m == 128)), 'lesion': bool(np.array_equal(a[1], m == 255)),
  'referenced': d.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID}))
`,
      stored,
      join(work, 'mask.raw'),
    );
    expect(check).toEqual({
      sopClass: '1.2.840.10008.5.1.4.1.1.66.4',
      frames: 2,
      labels: ['small', 'lesion'],
      small: true,
      lesion: true,
      referenced: py(uids, ct).sop,
    });
  });

  it('builds the SEG of a NIfTI mask on an oblique series in shuffled files; Orthanc files it beside the series, each frame at its slice', async () => {
    const made = py(
      `${OBLIQUE_SERIES_PY}
import json, sys
import nibabel as nib
rng = np.random.default_rng(11)
volume = rng.integers(-100, 300, size=(16, 12, 6)).astype(np.int16)
study, series = write_series(sys.argv[1] + '/series', volume, rng)
mask = np.zeros((16, 12, 6), np.uint8)
mask[3:9, 2:7, 1:4] = 1
mask[10:14, 8:11, 2:6] = 2
nib.save(nib.Nifti1Image(mask, np.eye(4)), sys.argv[1] + '/series-mask.nii.gz')
print(json.dumps({'study': study, 'series': series}))
`,
      work,
    ) as { study: string; series: string };
    const r = await runPhi(work, [
      'push',
      orthanc.dicomweb,
      '--as',
      'seg',
      'series-mask.nii.gz',
      'series',
      '--source',
      'series',
      '--label',
      'liver',
      '--label',
      'lesion',
      '--out',
      'series-seg.dcm',
      ...auth,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SEG: 2 segments x 6 frames from series-mask.nii.gz');
    expect(r.out).toContain(`7/7 sent to ${orthanc.dicomweb}`);

    const seg = py(uids, join(work, 'series-seg.dcm')) as { sop: string; study: string };
    expect(seg.study).toBe(made.study);
    const [id] = await findInstance(seg.sop);
    expect(id).toBeDefined();
    const stored = join(work, 'stored-series-seg.dcm');
    writeFileSync(stored, (await orthanc.rest(`/instances/${id}/file`, { raw: true })) as Buffer);
    const check = py(
      `${OBLIQUE_SERIES_PY}
import json, sys
import nibabel as nib
mask = np.asarray(nib.load(sys.argv[2] + '/series-mask.nii.gz').dataobj)
print(json.dumps(check_seg(sys.argv[1], sys.argv[2] + '/series', mask)))
`,
      stored,
      work,
    );
    console.log(
      `series SEG read back from Orthanc: ${String(check.frames)} frames, ${String(check.positions)} at their slice, ${String(check.pixels)} equal to the mask`,
    );
    expect(check).toEqual(seriesSegExpected(6, ['liver', 'lesion'], 6 * 5 * 3 + 4 * 3 * 4));
    // Orthanc holds the SEG in the series' study: two series, the slices' and the SEG's.
    const [studyId] = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Study', Query: { StudyInstanceUID: made.study } }),
    })) as string[];
    const study = (await orthanc.rest(`/studies/${studyId}`)) as { Series: string[] };
    expect(study.Series).toHaveLength(2);
  });

  it('a mask of another size than its source is refused with the two shapes', async () => {
    const ct = testFile('CT_small.dcm');
    await sharp({ create: { width: 10, height: 12, channels: 3, background: '#ffffff' } })
      .png()
      .toFile(join(work, 'small-mask.png'));
    const r = await runPhi(work, [
      'push',
      orthanc.dicomweb,
      '--seg',
      'small-mask.png',
      '--source',
      ct,
      ...auth,
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('phi push: the mask is 12x10 but the source image is 128x128 (rows x columns)\n');
  });
});
