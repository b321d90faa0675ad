import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../data/readers';
import { runPhi } from '../test-support/cli-io';
import { freePort, startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';

const python = pythonWith(['pydicom', 'numpy'], 'python3-pydicom python3-numpy');
/** pydicom's own test files (CT_small.dcm, MR_small.dcm). */
const testFile = (name: string): string =>
  spawnSync(
    python,
    ['-c', `import pydicom.data; print(pydicom.data.get_testdata_file(${JSON.stringify(name)}))`],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();

/** What pydicom reads in a file: identifiers and the attributes training needs. */
function pydicomRead(file: string): Record<string, unknown> {
  const script = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
g = lambda k: str(d.get(k, '')) if k in d else None
print(json.dumps({k: g(k) for k in ['PatientName', 'PatientID', 'PatientBirthDate', 'StudyDate', 'StudyTime', 'SeriesDate',
  'AcquisitionDate', 'ContentDate', 'InstitutionName', 'ReferringPhysicianName', 'StudyInstanceUID', 'SeriesInstanceUID',
  'SOPInstanceUID', 'FrameOfReferenceUID', 'Modality', 'Manufacturer', 'PatientSex', 'PatientAge', 'RescaleSlope',
  'RescaleIntercept', 'WindowCenter', 'PatientIdentityRemoved']} | {'PixelSpacing': [float(v) for v in d.PixelSpacing],
  'private': sum(1 for e in d.iterall() if e.tag.is_private)}))
`;
  const run = spawnSync(python, ['-c', script, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** The `.dcm` files under `dir`, relative to it, sorted. */
function dicomFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => relative(dir, join(dir, f)))
    .sort();
}

let orthanc: Orthanc;
let work: string;
const originals: Record<string, string> = {};
let auth: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-pull-'));
  orthanc = await startOrthanc();
  for (const name of ['CT_small.dcm', 'MR_small.dcm']) {
    originals[name] = testFile(name);
    await orthanc.upload(originals[name]);
  }
  writeFileSync(join(work, 'password'), `${orthanc.password}\n`);
  writeFileSync(join(work, 'wrong-password'), 'not-the-password\n');
  auth = ['--user', orthanc.user, '--password-file', 'password'];
});

afterAll(async () => {
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `phi pull --all` over DIMSE into WORK/DIR, with the secret of the DICOMweb pull into WORK/all. */
const pullDimse = (dir: string, ...more: string[]) =>
  runPhi(work, [
    'pull',
    orthanc.dimse,
    dir,
    '--all',
    '--aet',
    orthanc.ourAet,
    '--port',
    String(orthanc.ourPort),
    '--secret-file',
    'all/.phi-pull-secret',
    ...more,
  ]);

/** Checks that WORK/DIR holds the files of WORK/all (pulled over DICOMweb): same names, attributes, pixels. */
async function expectSameAsWeb(dir: string): Promise<string[]> {
  const files = dicomFiles(join(work, dir));
  expect(files).toEqual(dicomFiles(join(work, 'all')));
  for (const file of files) {
    const [web, dimse] = [join(work, 'all', file), join(work, dir, file)];
    expect(pydicomRead(dimse)).toEqual(pydicomRead(web));
    expect(Array.from((await decodeImage(dimse)).data)).toEqual(Array.from((await decodeImage(web)).data));
  }
  return files;
}

describe('phi pull from a real Orthanc', () => {
  it('over DICOMweb: files arrive de-identified, pixels and training attributes intact', async () => {
    const r = await runPhi(work, ['pull', orthanc.dicomweb, 'web', '--modality', 'CT', ...auth]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 study matches');
    expect(r.out).toContain('1/1 fetched');
    const files = dicomFiles(join(work, 'web'));
    expect(files).toHaveLength(1);
    const pulled = join(work, 'web', files[0]);

    const before = pydicomRead(originals['CT_small.dcm']);
    const after = pydicomRead(pulled);
    // What training needs survives.
    for (const key of [
      'Modality',
      'Manufacturer',
      'PixelSpacing',
      'RescaleSlope',
      'RescaleIntercept',
      'WindowCenter',
      'PatientSex',
    ])
      expect(after[key], key).toEqual(before[key]);
    expect(after.PatientIdentityRemoved).toBe('YES');
    expect(before.private).toBeGreaterThan(0);
    expect(after.private).toBe(0);
    // No identifier survives, neither in the attributes nor anywhere in the bytes.
    for (const key of ['PatientBirthDate', 'StudyDate', 'StudyTime', 'ReferringPhysicianName'])
      expect(after[key] ?? '', key).toBe('');
    for (const key of ['SeriesDate', 'AcquisitionDate', 'ContentDate', 'InstitutionName'])
      expect(after[key], key).toBeNull();
    const bytes = readFileSync(pulled).toString('latin1');
    for (const key of [
      'PatientName',
      'PatientID',
      'StudyDate',
      'StudyInstanceUID',
      'SeriesInstanceUID',
      'SOPInstanceUID',
      'FrameOfReferenceUID',
    ]) {
      expect(String(before[key]).length, key).toBeGreaterThan(0);
      expect(bytes.includes(String(before[key])), `${key} ${String(before[key])}`).toBe(false);
      expect(after[key], key).not.toBe(before[key]);
    }
    expect(after.StudyInstanceUID).toMatch(/^2\.25\.\d+$/);
    // The same pixels, read by our own reader.
    const [a, b] = [await decodeImage(originals['CT_small.dcm']), await decodeImage(pulled)];
    expect(b.shape).toEqual(a.shape);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));

    const record = JSON.parse(readFileSync(join(work, 'web', 'pull.json'), 'utf8'));
    expect(record.pulls[0]).toMatchObject({
      identifiers: 'removed',
      fetched: 1,
      outcome: 'complete',
      filters: { modality: 'CT' },
    });
  });

  it('refuses to pull everything without --all, saying how many studies the server lists; resumes what is missing', async () => {
    const refused = await runPhi(work, ['pull', orthanc.dicomweb, 'all', ...auth]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${orthanc.dicomweb} lists 2 studies`);
    expect(dicomFiles(join(work, 'all'))).toEqual([]);

    const first = await runPhi(work, ['pull', orthanc.dicomweb, 'all', '--all', ...auth]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('2 fetched, 0 already here');
    const files = dicomFiles(join(work, 'all'));
    expect(files).toHaveLength(2);
    // An interrupted pull: one file missing, one left half-written.
    unlinkSync(join(work, 'all', files[0]));
    writeFileSync(join(work, 'all', `${files[0]}.part`), 'half');
    const again = await runPhi(work, ['pull', orthanc.dicomweb, 'all', '--all', ...auth]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('1 fetched, 1 already here');
    expect(dicomFiles(join(work, 'all'))).toEqual(files);
    const record = JSON.parse(readFileSync(join(work, 'all', 'pull.json'), 'utf8'));
    expect(record.pulls.map((p: { fetched: number }) => p.fetched)).toEqual([2, 1]);
  });

  it('over DIMSE (C-FIND, C-MOVE to our SCP): the same new UIDs as over DICOMweb with the same secret', async () => {
    const r = await pullDimse('dimse');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 fetched, 0 already here');
    const files = await expectSameAsWeb('dimse');
    const mr = pydicomRead(
      files.map((f) => join(work, 'dimse', f)).find((f) => pydicomRead(f).Modality === 'MR') as string,
    );
    const original = pydicomRead(originals['MR_small.dcm']);
    expect(mr.PixelSpacing).toEqual(original.PixelSpacing);
    expect(mr.PatientName).not.toBe(original.PatientName);
  });

  it('over DIMSE with --retrieve get (C-GET on our own association): the same files as by C-MOVE, no port of ours used', async () => {
    // Our C-MOVE port taken: C-GET must not need it.
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(orthanc.ourPort, resolve));
    try {
      const r = await pullDimse('get', '--retrieve', 'get');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain('2 fetched, 0 already here');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const files = await expectSameAsWeb('get');
    // Resume: one file gone, C-GET of that one instance only.
    unlinkSync(join(work, 'get', files[1]));
    const again = await pullDimse('get', '--retrieve', 'get');
    expect(again.err).toBe('');
    expect(again.out).toContain('1 fetched, 1 already here');
    expect(dicomFiles(join(work, 'get'))).toEqual(files);

    const web = await runPhi(work, ['pull', orthanc.dicomweb, 'get', '--all', '--retrieve', 'get', ...auth]);
    expect(web.code).toBe(2);
    expect(web.err.split('\n')[0]).toBe(
      'phi pull: --retrieve get is for DIMSE (dicom://AET@host:port); DICOMweb retrieves by WADO-RS',
    );
  });

  it('filters by a date range over DIMSE (C-FIND)', async () => {
    const dimse = ['--aet', orthanc.ourAet, '--port', String(orthanc.ourPort)];
    const january = await runPhi(work, [
      'pull',
      orthanc.dimse,
      'dated',
      '--date',
      '20040101-20040131',
      ...dimse,
    ]);
    expect(january.err).toBe('');
    expect(january.out).toContain('1 study matches');
    const [file] = dicomFiles(join(work, 'dated'));
    expect(pydicomRead(join(work, 'dated', file)).Modality).toBe('CT');
    const none = await runPhi(work, ['pull', orthanc.dimse, 'dated', '--date', '20100101-', ...dimse]);
    expect(none.out).toContain('0 studies match');
  });

  it('--keep-identifiers warns and is recorded in pull.json', async () => {
    const r = await runPhi(work, [
      'pull',
      orthanc.dicomweb,
      'kept',
      '--patient',
      '4MR1',
      '--keep-identifiers',
      ...auth,
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: --keep-identifiers');
    const [file] = dicomFiles(join(work, 'kept'));
    expect(pydicomRead(join(work, 'kept', file)).PatientID).toBe('4MR1');
    const record = JSON.parse(readFileSync(join(work, 'kept', 'pull.json'), 'utf8'));
    expect(record.pulls[0]).toMatchObject({ identifiers: 'kept', fetched: 1 });
    expect(existsSync(join(work, 'kept', '.phi-pull-secret'))).toBe(false);
  });

  it('test connection: one verdict sentence for DICOMweb and for DIMSE', async () => {
    const web = await runPhi(work, ['pacs-echo', orthanc.dicomweb, ...auth]);
    expect(web.code).toBe(0);
    expect(web.out).toBe(
      `${orthanc.dicomweb} answers: a QIDO-RS study search with these credentials succeeded.\n`,
    );
    const dimse = await runPhi(work, ['pull', orthanc.dimse, '--echo', '--aet', orthanc.ourAet]);
    expect(dimse.code).toBe(0);
    expect(dimse.out).toMatch(
      /^ORTHANC@127\.0\.0\.1:\d+ answers: C-ECHO from our AE title "PHI" succeeded\.\n$/,
    );
  });

  it('bad input: wrong password, refused AE title, nothing listening, each one sentence and exit code 1', async () => {
    const wrong = await runPhi(work, [
      'pull',
      orthanc.dicomweb,
      'bad',
      '--all',
      '--user',
      orthanc.user,
      '--password-file',
      'wrong-password',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe(
      `phi pull: ${orthanc.dicomweb} refused the credentials (HTTP 401): check --user and --password-file, or --token-file.\n`,
    );
    expect(dicomFiles(join(work, 'bad'))).toEqual([]);

    const refused = await runPhi(work, ['pull', orthanc.dimse, 'bad', '--all', '--aet', 'STRANGER']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /^phi pull: ORTHANC@127\.0\.0\.1:\d+ rejected our AE title "STRANGER" .*\.\n$/,
    );

    // Our C-STORE port already taken by another program.
    const taken = createNetServer();
    await new Promise<void>((resolve) => taken.listen(orthanc.ourPort, resolve));
    try {
      const busy = await runPhi(work, [
        'pull',
        orthanc.dimse,
        'busy',
        '--all',
        '--aet',
        orthanc.ourAet,
        '--port',
        String(orthanc.ourPort),
      ]);
      expect(busy.code).toBe(1);
      expect(busy.err).toMatch(
        new RegExp(
          `^phi pull: our C-STORE SCP cannot listen on port ${orthanc.ourPort} for ORTHANC@127\\.0\\.0\\.1:\\d+: .*EADDRINUSE.*\\.\\n$`,
        ),
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }

    const port = await freePort();
    for (const url of [`dicom://ANY@127.0.0.1:${port}`, `http://127.0.0.1:${port}/dicom-web`]) {
      const nobody = await runPhi(work, ['pacs-echo', url]);
      expect(nobody.code).toBe(1);
      expect(nobody.err).toContain('nothing is listening on that port (connection refused).');
      expect(nobody.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a malformed answer is named as such; what arrived before stays', async () => {
    const good = readFileSync(join(work, 'all', dicomFiles(join(work, 'all'))[0]));
    // An HTTP server that answers QIDO-RS correctly, sends one good instance, then a broken body.
    const study = '1.2.3';
    const server: Server = createServer((req, res) => {
      if (req.url?.startsWith('/dicom-web/studies?')) {
        res.setHeader('Content-Type', 'application/dicom+json');
        return res.end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: [study] } }]));
      }
      if (req.url?.startsWith(`/dicom-web/studies/${study}/instances?`)) {
        res.setHeader('Content-Type', 'application/dicom+json');
        const item = (sop: string) => ({
          '0020000E': { vr: 'UI', Value: ['1.2.3.4'] },
          '00080018': { vr: 'UI', Value: [sop] },
        });
        return res.end(JSON.stringify([item('1.2.3.4.5'), item('1.2.3.4.6')]));
      }
      res.setHeader('Content-Type', 'multipart/related; type="application/dicom"; boundary=b');
      if (req.url?.endsWith('/1.2.3.4.5'))
        return res.end(
          Buffer.concat([
            Buffer.from('--b\r\nContent-Type: application/dicom\r\n\r\n'),
            good,
            Buffer.from('\r\n--b--'),
          ]),
        );
      return res.end('this is not a multipart body');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${port}/dicom-web`;
      const r = await runPhi(work, ['pull', url, 'broken', '--all']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `phi pull: ${url} sent a malformed answer to send an instance: Response message has no multipart mime header.\n`,
      );
      expect(r.out).toContain('1/2 fetched');
      expect(dicomFiles(join(work, 'broken'))).toHaveLength(1);
      const record = JSON.parse(readFileSync(join(work, 'broken', 'pull.json'), 'utf8'));
      expect(record.pulls[0].outcome).toContain('malformed');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a pulled folder goes back with phi push: its DICOM files as new, de-identified studies, not its record', async () => {
    const before = (await orthanc.rest('/studies')) as string[];
    const r = await runPhi(work, ['push', orthanc.dicomweb, 'all', ...auth]);
    expect(r.err).toBe('');
    expect(r.out).toBe(`2/2 sent to ${orthanc.dicomweb}\n`);
    const after = (await orthanc.rest('/studies')) as string[];
    expect(after).toHaveLength(before.length + 2);
    const added = after.filter((id) => !before.includes(id));
    for (const id of added) {
      const study = (await orthanc.rest(`/studies/${id}`)) as { PatientMainDicomTags: { PatientID: string } };
      expect(study.PatientMainDicomTags.PatientID).toMatch(/^ANON-[0-9A-F]{16}$/);
    }
  });
});
