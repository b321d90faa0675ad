import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhi } from '../test-support/cli-io';
import { startCuttingProxy, startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';

const python = pythonWith(['pydicom'], 'python3-pydicom');

/** Three instances of one series (pydicom's CT_small.dcm, about 39 kB each, new SOP instance UIDs). */
const MAKE_STUDY = `
import json, sys, os, pydicom, pydicom.data
from pydicom.uid import generate_uid
d = pydicom.dcmread(pydicom.data.get_testdata_file('CT_small.dcm'))
for k in range(3):
    d.SOPInstanceUID = generate_uid(); d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
    d.InstanceNumber = k + 1
    d.save_as(os.path.join(sys.argv[1], f'{k}.dcm'))
print(json.dumps({'study': d.StudyInstanceUID}))
`;

/** The server sends this many bytes, then drops the connection: the QIDO-RS answers or C-FINDs, one whole instance, part of the next. */
const CUT_AFTER = 60_000;

let orthanc: Orthanc;
let work: string;
let auth: string[];
let study: string;

const dicomFiles = (dir: string): string[] =>
  existsSync(dir)
    ? (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm')).sort()
    : [];
const portOf = (url: string): number => Number(/:(\d+)(\/|$)/.exec(url)?.[1]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-drop-'));
  orthanc = await startOrthanc();
  writeFileSync(join(work, 'password'), orthanc.password);
  auth = ['--user', orthanc.user, '--password-file', 'password'];
  const made = spawnSync(python, ['-c', MAKE_STUDY, work], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  study = (JSON.parse(made.stdout) as { study: string }).study;
  for (const k of [0, 1, 2]) await orthanc.upload(join(work, `${k}.dcm`));
});

afterAll(async () => {
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a PACS that drops the connection mid-transfer', () => {
  it('over DICOMweb: one sentence naming the server and the cut, what arrived is kept, a second pull resumes', async () => {
    const proxy = await startCuttingProxy(portOf(orthanc.http), { bytes: CUT_AFTER });
    const url = `http://127.0.0.1:${proxy.port}/dicom-web`;
    try {
      const r = await runPhi(work, ['pull', url, 'web', '--study', study, ...auth]);
      expect(proxy.cut()).toBe(true);
      expect(r.code).toBe(1);
      expect(r.out).toContain('1/3 fetched');
      expect(r.err).toMatch(
        new RegExp(
          `^phi pull: ${url} closed the connection in the middle of its answer to send an instance \\(after \\d+ bytes\\)\\.\\n$`,
        ),
      );
    } finally {
      await proxy.close();
    }
    expect(dicomFiles(join(work, 'web'))).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(work, 'web', 'pull.json'), 'utf8'));
    expect(record.pulls[0]).toMatchObject({ fetched: 1, outcome: expect.stringContaining('in the middle') });

    const again = await runPhi(work, ['pull', orthanc.dicomweb, 'web', '--study', study, ...auth]);
    expect(again.err).toBe('');
    expect(again.out).toContain('2 fetched, 1 already here');
    expect(dicomFiles(join(work, 'web'))).toHaveLength(3);
  });

  it('over DIMSE C-GET: one sentence naming the server and the cut, what arrived is kept, a second pull resumes', async () => {
    const proxy = await startCuttingProxy(portOf(orthanc.dimse), { bytes: CUT_AFTER });
    const url = `dicom://${orthanc.aet}@127.0.0.1:${proxy.port}`;
    const dimse = ['--retrieve', 'get', '--aet', orthanc.ourAet, '--study', study];
    try {
      const r = await runPhi(work, ['pull', url, 'get', ...dimse]);
      expect(proxy.cut()).toBe(true);
      expect(r.code).toBe(1);
      expect(r.out).toContain('1/3 fetched');
      expect(r.err).toMatch(
        new RegExp(
          `^phi pull: ${orthanc.aet}@127\\.0\\.0\\.1:${proxy.port} closed the connection in the middle of the C-GET \\(1 of 3 instances received\\)\\.\\n$`,
        ),
      );
    } finally {
      await proxy.close();
    }
    expect(dicomFiles(join(work, 'get'))).toHaveLength(1);
    const again = await runPhi(work, ['pull', orthanc.dimse, 'get', ...dimse]);
    expect(again.err).toBe('');
    expect(again.out).toContain('2 fetched, 1 already here');
    expect(dicomFiles(join(work, 'get'))).toHaveLength(3);
  });

  it('over DIMSE C-MOVE: the association cut after the first sub-operation; what reached our SCP is kept, a second pull resumes', async () => {
    // Connections: C-FIND of studies, of series, of images, then the C-MOVE: its association is
    // accepted (first answer), and dropped after Orthanc's first pending answer (second).
    const proxy = await startCuttingProxy(portOf(orthanc.dimse), { connection: 4, chunks: 2 });
    const url = `dicom://${orthanc.aet}@127.0.0.1:${proxy.port}`;
    const dimse = ['--aet', orthanc.ourAet, '--port', String(orthanc.ourPort), '--study', study];
    let received: number;
    try {
      const r = await runPhi(work, ['pull', url, 'move', ...dimse]);
      expect(proxy.cut()).toBe(true);
      expect(r.code).toBe(1);
      const sentence = new RegExp(
        `^phi pull: ${orthanc.aet}@127\\.0\\.0\\.1:${proxy.port} closed the connection in the middle of the C-MOVE \\(([12]) of 3 instances received\\)\\.\\n$`,
      ).exec(r.err);
      expect(sentence, r.err).not.toBeNull();
      received = Number(sentence?.[1]);
    } finally {
      await proxy.close();
    }
    expect(dicomFiles(join(work, 'move'))).toHaveLength(received);
    const again = await runPhi(work, ['pull', orthanc.dimse, 'move', ...dimse]);
    expect(again.err).toBe('');
    expect(again.out).toContain(`${3 - received} fetched, ${received} already here`);
    expect(dicomFiles(join(work, 'move'))).toHaveLength(3);
  });
});
