/**
 * DICOM series into `phi predict` with a 3-D network: a series written by pydicom (oblique
 * ImageOrientationPatient, 1.5 x 1.2 mm pixels, slices 3 mm apart, files in shuffled order) is read
 * as one volume, and its mask is NIfTI whose affine puts every voxel where that slice's own
 * ImagePositionPatient and orientation put it (RAS, checked with nibabel per voxel), with the
 * values the same network gives for the same volume written as NIfTI. Beside it, a DICOM SEG
 * (read by pydicom): one frame per slice, each frame at its slice's position and equal to the NIfTI
 * mask's slice, referencing that slice of the series; the series' orientation, pixel spacing and
 * slice thickness shared; the segment named by the class name. A series without a Frame of
 * Reference UID gets its NIfTI mask and a note saying why it has no SEG.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { MSD_PHANTOMS_PY } from '../../test-support/msd-phantoms';
import { OBLIQUE_SERIES_PY, seriesSegExpected } from '../../test-support/oblique-series';
import { pythonWith, runPython } from '../../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-predict-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = pythonWith(['nibabel', 'pydicom', 'numpy'], 'python3-nibabel python3-pydicom');

const py = (code: string): string => runPython(python, code, [dir]);

const MAKE = `${OBLIQUE_SERIES_PY}${MSD_PHANTOMS_PY}
import sys
root = sys.argv[1]
rng = np.random.default_rng(4)
write_msd(f'{root}/ds', 8, rng)
os.makedirs(f'{root}/nifti', exist_ok=True)
volume, _ = phantom((16, 16, 8), rng)
write_series(f'{root}/dicom/ct1', volume, rng)
# A series without a Frame of Reference UID gets its NIfTI mask, and no SEG.
write_series(f'{root}/dicom/ct2', phantom((16, 16, 8), rng)[0], rng, frame_of_reference=False)
nib.save(nib.Nifti1Image(volume, np.eye(4)), f'{root}/nifti/ct1.nii.gz')
`;

const CHECK = `
import glob, json, sys
import nibabel as nib, numpy as np
import pydicom
root = sys.argv[1]
m = nib.load(f'{root}/masks/ct1.nii.gz')
worst = 0.0
for f in glob.glob(f'{root}/dicom/ct1/*.dcm'):
    ds = pydicom.dcmread(f)
    k = ds.InstanceNumber - 1
    p = np.array(ds.ImagePositionPatient, float); o = np.array(ds.ImageOrientationPatient, float)
    dr, dc = (float(v) for v in ds.PixelSpacing)
    for i in range(0, 16, 5):
        for j in range(0, 16, 5):
            lps = p + i * dc * o[:3] + j * dr * o[3:]
            ras = lps * np.array([-1, -1, 1])
            worst = max(worst, float(np.abs(m.affine @ np.array([i, j, k, 1]) - np.append(ras, 1)).max()))
ref = np.asarray(nib.load(f'{root}/niftimasks/ct1.nii.gz').dataobj)
mask = np.asarray(m.dataobj)
print(json.dumps({'shape': list(m.shape), 'worst': worst, 'same': bool((ref == mask).all()),
                  'values': sorted(np.unique(mask).tolist()), 'intent': int(m.header['intent_code']),
                  'sform': int(m.header['sform_code'])}))
`;

const CHECK_SEG = `${OBLIQUE_SERIES_PY}
import json, sys
import nibabel as nib
root = sys.argv[1]
mask = np.asarray(nib.load(f'{root}/masks/ct1.nii.gz').dataobj)
print(json.dumps(check_seg(f'{root}/masks/ct1.seg.dcm', f'{root}/dicom/ct1', mask)))
`;

describe('DICOM series through phi predict', () => {
  it('reads a series as one volume and writes its mask as NIfTI at the series position', async () => {
    py(MAKE);
    expect((await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'segmentation'])).code).toBe(
      0,
    );
    const store = ProjectStore.open(join(dir, 'p.phiproj'));
    const net = store.graph().nodes.find((n) => n.type === 'neural-network');
    if (!net) throw new Error('no network node');
    store.applyEdits([{ op: 'set-params', id: net.id, params: { ...net.params, epochs: 2 } }]);
    store.close();
    const run = await runPhi(dir, ['run', 'p.phiproj']);
    expect(run.code).toBe(0);

    const fromSeries = await runPhi(dir, ['predict', 'p.phiproj', '--node', 'network', 'dicom', 'masks']);
    expect(fromSeries.err).toBe('');
    expect(fromSeries.code).toBe(0);
    expect(fromSeries.out).toContain('Predicted 2 image(s)');
    expect(fromSeries.out).toContain(
      'ct2: no DICOM SEG, the slices of series ct2 do not share one Frame of Reference UID\n',
    );
    expect(existsSync(join(dir, 'masks', 'ct2.nii.gz'))).toBe(true);
    expect(existsSync(join(dir, 'masks', 'ct2.seg.dcm'))).toBe(false);
    const fromNifti = await runPhi(dir, ['predict', 'p.phiproj', '--node', 'network', 'nifti', 'niftimasks']);
    expect(fromNifti.code).toBe(0);

    const check = JSON.parse(py(CHECK)) as {
      shape: number[];
      worst: number;
      same: boolean;
      values: number[];
      intent: number;
      sform: number;
    };
    console.log(
      `series mask: affine within ${check.worst.toExponential(1)} mm, values ${check.values.join(',')}`,
    );
    expect(check.shape).toEqual([16, 16, 8]);
    expect(check.worst).toBeLessThan(1e-3);
    expect(check.same).toBe(true);
    expect(check.values.every((v) => v === 0 || v === 1)).toBe(true);
    expect(check.intent).toBe(1002);
    expect(check.sform).toBe(1);
    expect(fromSeries.out).toContain('1 DICOM series mask(s) also written as DICOM SEG');

    const seg = JSON.parse(py(CHECK_SEG)) as Record<string, unknown>;
    console.log(
      `series SEG: ${String(seg.frames)} frames, ${String(seg.positions)} at their slice's position, ${String(seg.pixels)} equal to the NIfTI slice, ${String(seg.foreground)} foreground pixels`,
    );
    expect(seg).toEqual(seriesSegExpected(8, ['lesion'], seg.foreground));
  }, 300_000);
});
