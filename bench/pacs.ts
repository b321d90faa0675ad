/**
 * `npm run bench -- pacs [STUDIES] [INSTANCES]`: studies per minute that `phi pull`
 * copies from a local Orthanc (started as the PACS tests start it) over DICOMweb
 * (QIDO-RS, WADO-RS), DIMSE C-MOVE and DIMSE C-GET, all in the same run on the same
 * studies: STUDIES studies (default 20) of INSTANCES instances each (default 3,
 * pydicom's CT_small.dcm, 128x128 16-bit, about 39 kB) with UIDs of their own.
 * De-identification on arrival is on, as for a user. Each protocol pulls everything
 * into an empty folder twice, in alternating order; the better time counts. Prints
 * studies per minute and the ratio to DICOMweb. Where DCMTK's `getscu` is installed, a
 * reference line: the same studies fetched by it (one C-GET association per study, no
 * search, no de-identification), to tell the PACS's own DIMSE pace from ours.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pull, type PullRequest } from '../src/engine/pacs/pull';
import type { DimseRetrieve } from '../src/engine/pacs/source';
import { parseTarget } from '../src/engine/pacs/target';
import { startOrthanc } from '../src/engine/test-support/orthanc';
import { pythonWith } from '../src/engine/test-support/python';

const studies = Number(process.argv[2] ?? 20);
const instances = Number(process.argv[3] ?? 3);
const python = pythonWith(['pydicom'], 'python3-pydicom');

const MAKE_STUDIES = `
import sys, os, pydicom, pydicom.data
from pydicom.uid import generate_uid
out, studies, instances = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = pydicom.dcmread(pydicom.data.get_testdata_file('CT_small.dcm'))
for s in range(studies):
    d.StudyInstanceUID = generate_uid(); d.SeriesInstanceUID = generate_uid(); d.PatientID = f'BENCH{s}'
    for k in range(instances):
        d.SOPInstanceUID = generate_uid(); d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
        d.InstanceNumber = k + 1
        d.save_as(os.path.join(out, f'{s}-{k}.dcm'))
    print(d.StudyInstanceUID)
`;

const work = mkdtempSync(join(tmpdir(), 'phi-bench-pacs-'));
const orthanc = await startOrthanc();
try {
  const made = spawnSync(python, ['-c', MAKE_STUDIES, work, String(studies), String(instances)], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(made.stderr);
  const studyUids = made.stdout.trim().split('\n');
  for (const file of readdirSync(work)) await orthanc.upload(join(work, file));
  console.log(
    `Orthanc on loopback, ${studies} studies x ${instances} instances (CT_small.dcm), de-identified on arrival`,
  );

  const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
  const protocols: { name: string; url: string; retrieve?: DimseRetrieve }[] = [
    { name: 'DICOMweb (WADO-RS)', url: orthanc.dicomweb },
    { name: 'DIMSE C-MOVE', url: orthanc.dimse, retrieve: 'move' },
    { name: 'DIMSE C-GET', url: orthanc.dimse, retrieve: 'get' },
  ];
  const best = new Map<string, number>();
  let run = 0;
  for (const round of [0, 1]) {
    for (const protocol of round ? [...protocols].reverse() : protocols) {
      const dir = join(work, `pull-${run++}`);
      const request: PullRequest = {
        target: parseTarget(protocol.url),
        dir,
        filters: {},
        all: true,
        keepIdentifiers: false,
        http: { authorization },
        dimse: { ourAet: orthanc.ourAet, port: orthanc.ourPort, retrieve: protocol.retrieve },
        progress: () => undefined,
      };
      const start = performance.now();
      const summary = await pull(request);
      const seconds = (performance.now() - start) / 1000;
      if (summary.fetched !== studies * instances)
        throw new Error(`${protocol.name} fetched ${summary.fetched} of ${studies * instances}`);
      best.set(protocol.name, Math.min(best.get(protocol.name) ?? Infinity, seconds));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const baseline = best.get(protocols[0].name) as number;
  for (const { name } of protocols) {
    const seconds = best.get(name) as number;
    console.log(
      `${name.padEnd(20)} ${seconds.toFixed(2).padStart(7)} s  ${((studies / seconds) * 60).toFixed(0).padStart(6)} studies/min  x${(baseline / seconds).toFixed(2)} of DICOMweb's rate`,
    );
  }
  if (existsSync('/usr/bin/getscu')) {
    const out = join(work, 'getscu');
    mkdirSync(out);
    const [host, port] = [
      orthanc.dimse.split('@')[1].split(':')[0],
      orthanc.dimse.split(':').pop() as string,
    ];
    const start = performance.now();
    for (const uid of studyUids) {
      const get = spawnSync('getscu', [
        '-S',
        '-aet',
        orthanc.ourAet,
        '-aec',
        orthanc.aet,
        '-od',
        out,
        '-k',
        'QueryRetrieveLevel=STUDY',
        '-k',
        `StudyInstanceUID=${uid}`,
        host,
        port,
      ]);
      if (get.status !== 0) throw new Error(`getscu failed: ${get.stderr}`);
    }
    const seconds = (performance.now() - start) / 1000;
    if (readdirSync(out).length !== studies * instances)
      throw new Error('getscu did not fetch every instance');
    console.log(
      `${'DCMTK getscu (ref.)'.padEnd(20)} ${seconds.toFixed(2).padStart(7)} s  ${((studies / seconds) * 60).toFixed(0).padStart(6)} studies/min  x${(baseline / seconds).toFixed(2)} of DICOMweb's rate (retrieval only, one process per study)`,
    );
  }
} finally {
  await orthanc.stop();
  rmSync(work, { recursive: true, force: true });
}
