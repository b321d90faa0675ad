import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhi } from '../test-support/cli-io';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';

const python = pythonWith(['pydicom'], 'python3-pydicom');
const KEYS = ['PatientID', 'PatientName', 'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID'] as const;
type Identifiers = Record<(typeof KEYS)[number], string>;

/** The identifiers pydicom reads in each file (pydicom's own test files by name, or paths). */
function identifiersOf(files: string[], testData = false): Identifiers[] {
  const script = `
import json, sys, pydicom, pydicom.data
files = [pydicom.data.get_testdata_file(f) for f in sys.argv[2:]] if sys.argv[1] == 'data' else sys.argv[2:]
print(json.dumps([{k: str(pydicom.dcmread(f).get(k, '')) for k in ${JSON.stringify(KEYS)}} | {'path': f} for f in files]))
`;
  const run = spawnSync(python, ['-c', script, testData ? 'data' : 'paths', ...files], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as (Identifiers & { path: string })[];
}

const dicomFiles = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => join(dir, f))
    .sort();

let orthanc: Orthanc;
let work: string;
let originals: (Identifiers & { path: string })[];
let auth: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-reid-'));
  orthanc = await startOrthanc();
  originals = identifiersOf(['CT_small.dcm', 'MR_small.dcm'], true) as typeof originals;
  for (const file of originals) await orthanc.upload(file.path);
  writeFileSync(join(work, 'password'), `${orthanc.password}\n`);
  writeFileSync(join(work, 'passphrase'), 'correct horse battery staple\n');
  writeFileSync(join(work, 'wrong'), 'correct horse battery stapler\n');
  auth = ['--user', orthanc.user, '--password-file', 'password'];
});

afterAll(async () => {
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `phi pull` from Orthanc's DICOMweb into WORK/DIR, keeping the table WORK/TABLE under the passphrase file. */
const pullWithTable = (dir: string, table: string, passphrase: string, ...more: string[]) =>
  runPhi(work, [
    'pull',
    orthanc.dicomweb,
    dir,
    ...auth,
    '--mapping-file',
    table,
    '--passphrase-file',
    passphrase,
    ...more,
  ]);

const lookup = (value: string, passphrase = 'passphrase') =>
  runPhi(work, ['pull', '--lookup', 'table.phimap', '--passphrase-file', passphrase, value]);

describe('the re-identification table of phi pull', () => {
  it('is encrypted, grows across pulls, maps every pulled study back with the passphrase and refuses another', async () => {
    const first = await pullWithTable('data', 'table.phimap', 'passphrase', '--modality', 'CT');
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    // A second pull into the same folder and table: the MR study is added, the CT rows stay.
    const second = await pullWithTable('data', 'table.phimap', 'passphrase', '--all');
    expect(second.code).toBe(0);
    expect(second.out).toContain('1 fetched, 1 already here');
    expect(statSync(join(work, 'table.phimap')).mode & 0o077).toBe(0);

    // No identifier in clear, in any encoding a reader would try.
    const bytes = readFileSync(join(work, 'table.phimap'));
    const pulled = identifiersOf(dicomFiles(join(work, 'data')));
    expect(pulled).toHaveLength(2);
    for (const original of originals)
      for (const key of KEYS) {
        const value = original[key];
        expect(value.length, key).toBeGreaterThan(3);
        for (const encoding of ['latin1', 'utf16le'] as const)
          expect(bytes.includes(Buffer.from(value, encoding)), `${key} ${value}`).toBe(false);
      }
    for (const file of pulled)
      expect(bytes.includes(Buffer.from(file.StudyInstanceUID)), 'new UID').toBe(false);

    // Every pulled study, series, instance and patient maps back to what the PACS holds.
    const kinds = {
      StudyInstanceUID: 'study',
      SeriesInstanceUID: 'series',
      SOPInstanceUID: 'instance',
      PatientID: 'patient',
    } as const;
    const matched = new Set<string>();
    for (const file of pulled) {
      for (const [key, kind] of Object.entries(kinds) as [keyof typeof kinds, string][]) {
        const r = await lookup(file[key]);
        expect(r.code, `${key} ${r.err}`).toBe(0);
        const [line, ...rest] = r.out.trim().split('\n');
        expect(rest).toEqual([]);
        const match = new RegExp(`^${kind} ${file[key]} <- (\\S+)`).exec(line);
        expect(match, line).not.toBeNull();
        const original = originals.find((o) => o[key] === match![1]);
        expect(original, line).toBeDefined();
        if (key === 'PatientID') expect(line).toContain(`(${original!.PatientName})`);
        matched.add(`${original!.path} ${key}`);
      }
    }
    expect(matched.size).toBe(originals.length * 4);
    // From the original side: the patient ID gives its pseudonym, as written in the pulled file.
    const byOriginal = await lookup(originals[0].PatientID);
    expect(byOriginal.code).toBe(0);
    expect(pulled.map((f) => f.PatientID)).toContain(/^patient (\S+)/.exec(byOriginal.out)![1]);
    const absent = await lookup('1.2.3.4');
    expect(absent.code).toBe(1);
    expect(absent.err.trim()).toBe('phi pull: 1.2.3.4 is not in table.phimap');

    // A wrong passphrase: one sentence, for a lookup and for a pull, which then fetches nothing.
    const wrong = await lookup(pulled[0].StudyInstanceUID, 'wrong');
    expect(wrong.code).toBe(1);
    expect(wrong.out).toBe('');
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    expect(wrong.err).toContain('The passphrase does not open');
    const refused = await pullWithTable('other', 'table.phimap', 'wrong', '--all');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('The passphrase does not open');
    expect(existsSync(join(work, 'other')) ? dicomFiles(join(work, 'other')) : []).toEqual([]);
    // The table is unchanged by the refused pull: the right passphrase still opens it.
    expect((await lookup(pulled[1].StudyInstanceUID)).code).toBe(0);
  });

  it('is refused beside --keep-identifiers and without a passphrase file', async () => {
    const kept = await pullWithTable('kept', 'kept.phimap', 'passphrase', '--all', '--keep-identifiers');
    expect(kept.code).toBe(2);
    expect(kept.err).toContain('--mapping-file is for de-identified pulls');
    const bare = await runPhi(work, ['pull', '--lookup', 'table.phimap', '1.2.3']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('--passphrase-file');
  });
});
