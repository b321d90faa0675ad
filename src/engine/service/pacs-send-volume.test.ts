/**
 * "Send to PACS" of a 3-D U-Net's prediction against a real Orthanc: trained on NIfTI phantoms (an
 * MSD folder), it predicts an oblique DICOM series written by pydicom in shuffled file order
 * (under the folder's imagesTs/), already stored in Orthanc; the SEG sent lands in the series'
 * study, and pydicom reads from Orthanc's copy one frame per slice per class found, each at its
 * slice's position and referencing it, equal to the NIfTI mask `phi predict` writes for the same
 * series. A NIfTI item is refused with a sentence.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../store/project-store';
import { runPhi } from '../test-support/cli-io';
import { MSD_PHANTOMS_PY } from '../test-support/msd-phantoms';
import { OBLIQUE_SERIES_PY, seriesSegExpected } from '../test-support/oblique-series';
import { startOrthanc, type Orthanc } from '../test-support/orthanc';
import { ranWithOrthanc, useSettingsFolder } from '../test-support/pacs-workbench';
import { tempDir } from '../test-support/pipeline';
import { pythonWith, runPython } from '../test-support/python';
import type { Engine } from './engine';

const MAKE = `${OBLIQUE_SERIES_PY}${MSD_PHANTOMS_PY}
import sys
root = sys.argv[1]
rng = np.random.default_rng(4)
write_msd(f'{root}/ds', 10, rng, radius2=16, contrast=300)
volume, _ = phantom((16, 16, 8), rng, radius2=16, contrast=300)
study, series = write_series(f'{root}/ds/imagesTs/ct1', volume, rng)
print(json.dumps({'study': study}))
`;

const python = pythonWith(['nibabel', 'pydicom', 'numpy'], 'python3-nibabel python3-pydicom');
let orthanc: Orthanc;
let dir: string;
let engine: Engine;
let study: string;

beforeAll(async () => {
  dir = tempDir('phi-pacs-send-volume-');
  useSettingsFolder(join(dir, 'settings'));
  orthanc = await startOrthanc();
  study = (JSON.parse(runPython(python, MAKE, [dir])) as { study: string }).study;
  const seriesFolder = join(dir, 'ds', 'imagesTs', 'ct1');
  for (const name of readdirSync(seriesFolder))
    await orthanc.rest('/instances', { body: readFileSync(join(seriesFolder, name)) });
  expect((await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'segmentation'])).code).toBe(0);
  const store = ProjectStore.open(join(dir, 'p.phiproj'));
  const net = store.graph().nodes.find((n) => n.type === 'neural-network');
  if (!net) throw new Error('no network node');
  store.applyEdits([{ op: 'set-params', id: net.id, params: { ...net.params, epochs: 4 } }]);
  store.close();
  engine = await ranWithOrthanc(dir, join(dir, 'p.phiproj'), orthanc);
}, 600_000);

afterAll(async () => {
  engine?.closeProject();
  await orthanc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Send to PACS of a 3-D segmentation', () => {
  it("stores the series' SEG in its study, each frame at its slice, equal to phi predict's mask", async () => {
    const sent = await engine.sendToPacs({ profile: 'Orthanc', node: 'network', sampleId: 'imagesTs/ct1' });
    expect(sent.segments).toEqual(['lesion']);
    expect(sent.studyInstanceUid).toBe(study);
    const [id] = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: sent.sopInstanceUid } }),
    })) as string[];
    expect(id).toBeDefined();
    const stored = join(dir, 'stored-seg.dcm');
    writeFileSync(stored, (await orthanc.rest(`/instances/${id}/file`, { raw: true })) as Buffer);

    const predicted = await engine.predictFolder({
      node: 'network',
      input: join(dir, 'ds', 'imagesTs'),
      output: join(dir, 'masks'),
    });
    expect(predicted.done).toBe(1);
    const check = JSON.parse(
      runPython(
        python,
        `${OBLIQUE_SERIES_PY}
import json, sys
import nibabel as nib
mask = np.asarray(nib.load(sys.argv[1] + '/masks/ct1.nii.gz').dataobj)
print(json.dumps(check_seg(sys.argv[2], sys.argv[1] + '/ds/imagesTs/ct1', mask)))
`,
        [dir, stored],
      ),
    ) as Record<string, unknown>;
    console.log(
      `3-D Send to PACS: ${String(check.frames)} frames from Orthanc, ${String(check.pixels)} equal to phi predict's mask, ${String(check.foreground)} lesion voxels`,
    );
    expect(check.foreground).toBeGreaterThan(0);
    expect(check).toEqual(seriesSegExpected(8, ['lesion'], check.foreground));
    // The SEG is a second series beside the one predicted on.
    const [studyId] = (await orthanc.rest('/tools/find', {
      body: JSON.stringify({ Level: 'Study', Query: { StudyInstanceUID: study } }),
    })) as string[];
    expect(((await orthanc.rest(`/studies/${studyId}`)) as { Series: string[] }).Series).toHaveLength(2);
  });

  it('refuses a NIfTI volume with a sentence', async () => {
    await expect(
      engine.sendToPacs({ profile: 'Orthanc', node: 'network', sampleId: 'imagesTr/c0.nii.gz' }),
    ).rejects.toThrow(
      'imagesTr/c0.nii.gz is not a DICOM series: a 3-D mask goes to a PACS as a SEG of the DICOM series it was predicted on; phi predict writes NIfTI masks of NIfTI volumes.',
    );
  });
});
