import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, openImage } from '../data/readers';
import { runPhi } from '../test-support/cli-io';
import { freePort, startOrthanc, type Orthanc } from '../test-support/orthanc';
import { pythonWith } from '../test-support/python';
import { DicomWebPacs, jsonValue } from './dicomweb';
import { parseTarget, type DicomWebTarget } from './target';

const python = pythonWith(['pydicom'], 'python3-pydicom');
const testFile = (name: string): string =>
  spawnSync(
    python,
    ['-c', `import pydicom.data; print(pydicom.data.get_testdata_file(${JSON.stringify(name)}))`],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();

/** A test CA and a certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
function certificates(dir: string): { ca: string; key: string; cert: string } {
  const openssl = (...args: string[]): void => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args[0]}: ${run.stderr}`);
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Phi test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'server.key'), cert: join(dir, 'server.crt') };
}

const PLAIN = ['CT_small.dcm', 'MR_small.dcm'];
const TOKEN = 'a-token-from-the-hospital-sign-on';
/** JPEG 2000 (NM) and RLE, two frames of RGB (OT). */
const COMPRESSED = ['JPEG2000.dcm', 'SC_rgb_rle_2frame.dcm'];

/** The `.dcm` files under `dir`. */
const dicomFiles = (dir: string): string[] =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => join(dir, f));

let orthanc: Orthanc;
let work: string;
let front: Server;
let https: string;
let auth: string[];
let pems: { ca: string; key: string; cert: string };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'phi-dicomweb-'));
  orthanc = await startOrthanc();
  for (const name of [...PLAIN, ...COMPRESSED]) await orthanc.upload(testFile(name));
  writeFileSync(join(work, 'password'), orthanc.password);
  auth = ['--user', orthanc.user, '--password-file', 'password'];
  // HTTPS in front of Orthanc's HTTP, as a hospital's reverse proxy would be (Debian's Orthanc
  // 1.10.1 ends with a segmentation fault on its own HTTPS with OpenSSL 3).
  pems = certificates(work);
  const origin = new URL(orthanc.http);
  // It also takes a bearer token in place of the password, as a hospital's single sign-on gateway does.
  const basic = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
  front = createServer({ key: readFileSync(pems.key), cert: readFileSync(pems.cert) }, (req, res) => {
    const headers = { ...req.headers };
    if (headers.authorization?.startsWith('Bearer '))
      headers.authorization = headers.authorization === `Bearer ${TOKEN}` ? basic : 'Basic none';
    const upstream = request(
      { host: origin.hostname, port: origin.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
  https = `https://127.0.0.1:${port}/dicom-web`;
});

afterAll(async () => {
  await new Promise((resolve) => (front ? front.close(resolve) : resolve(undefined)));
  await orthanc?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('DICOMweb', () => {
  it('over HTTPS: an unknown CA is named with --ca-file; with the hospital CA the pull works', async () => {
    const untrusted = await runPhi(work, ['pacs-echo', https, ...auth]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.err).toBe(
      `phi pacs-echo: ${https} could not be reached to search for studies: its TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): give the hospital CA with --ca-file.\n`,
    );
    const echo = await runPhi(work, ['pacs-echo', https, ...auth, '--ca-file', pems.ca]);
    expect(echo.err).toBe('');
    expect(echo.out).toBe(`${https} answers: a QIDO-RS study search with these credentials succeeded.\n`);
    const pulled = await runPhi(work, [
      'pull',
      https,
      'tls',
      '--modality',
      'MR',
      ...auth,
      '--ca-file',
      pems.ca,
    ]);
    expect(pulled.err).toBe('');
    expect(pulled.out).toContain('1 fetched, 0 already here');
  });

  it('a bearer token (--token-file) is sent as such; a wrong one gets the credentials sentence', async () => {
    writeFileSync(join(work, 'token'), `${TOKEN}\n`);
    writeFileSync(join(work, 'old-token'), 'expired\n');
    const ok = await runPhi(work, ['pacs-echo', https, '--token-file', 'token', '--ca-file', pems.ca]);
    expect(ok.err).toBe('');
    expect(ok.out).toBe(`${https} answers: a QIDO-RS study search with these credentials succeeded.\n`);
    const expired = await runPhi(work, [
      'pacs-echo',
      https,
      '--token-file',
      'old-token',
      '--ca-file',
      pems.ca,
    ]);
    expect(expired.code).toBe(1);
    expect(expired.err).toContain('refused the credentials (HTTP 401)');
  });

  it('QIDO-RS searches go through every page (limit and offset)', async () => {
    const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
    const target = parseTarget(orthanc.dicomweb) as DicomWebTarget;
    const paged = new DicomWebPacs(target, { authorization, pageSize: 1 });
    const whole = new DicomWebPacs(target, { authorization });
    const uids = (found: Record<string, { vr: string; Value?: unknown[] }>[]): string[] =>
      found.map((s) => jsonValue(s, '0020000D') as string).sort();
    const studies = uids(await paged.searchStudies({}));
    expect(studies).toHaveLength(PLAIN.length + COMPRESSED.length);
    expect(studies).toEqual(uids(await whole.searchStudies({})));
    expect(await paged.searchInstances(studies[0])).toHaveLength(1);
  });

  it('compressed instances (JPEG 2000, RLE) arrive with the same pixels, over DICOMweb, C-MOVE and C-GET', async () => {
    const dimse = ['--aet', orthanc.ourAet, '--port', String(orthanc.ourPort)];
    const originals = new Map<string, string>();
    for (const name of COMPRESSED)
      originals.set((await openImage(testFile(name))).header.modality, testFile(name));
    // C-GET proposes uncompressed transfer syntaxes only: Orthanc decompresses for it.
    for (const [name, url, extra] of [
      ['web', orthanc.dicomweb, auth],
      ['move', orthanc.dimse, dimse],
      ['get', orthanc.dimse, [...dimse, '--retrieve', 'get']],
    ] as const) {
      const dir = join(work, `compressed-${name}`);
      for (const modality of originals.keys()) {
        const r = await runPhi(work, ['pull', url, dir, '--modality', modality, ...extra]);
        expect(r.err).toBe('');
        expect(r.out).toContain('1 fetched');
      }
      const files = dicomFiles(dir);
      expect(files).toHaveLength(COMPRESSED.length);
      for (const file of files) {
        const pulled = await decodeImage(file);
        const original = await decodeImage(originals.get((await openImage(file)).header.modality) as string);
        expect(pulled.shape).toEqual(original.shape);
        const bytes = (d: ArrayBufferView): Buffer => Buffer.from(d.buffer, d.byteOffset, d.byteLength);
        expect(bytes(pulled.data).equals(bytes(original.data))).toBe(true);
      }
    }
  });
});
