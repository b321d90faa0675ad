/**
 * Volume-to-volume denoising end to end through the CLI: input/target folders of NIfTI volumes
 * written by nibabel (a smooth clean volume plus Gaussian noise) -> `phi new --task
 * transformation` builds the 3-D chain and a 3-D network that `auto` resolves to
 * unet3d-regression -> `phi run` trains it on patches of input and target at the same place and
 * reports the test volumes' metrics each and averaged -> `phi predict` writes float NIfTI
 * volumes whose shape and affine nibabel reads as the inputs', and whose PSNR against the clean
 * volume numpy computes as phi reported it and above the noisy input's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { pythonWith, runPython } from '../../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-transform-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');
const py = (code: string, ...args: string[]): string => runPython(python, code, [dir, ...args]);

const MAKE_PAIRS = `
import os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('ds/input', 'ds/target', 'new/input', 'new/clean'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(3)
affine = np.array([[-1.5, 0, 0, 30.0], [0, 1.5, 0, -20.0], [0, 0, 2.5, -60.0], [0, 0, 0, 1]])
def case(shape):
    x, y, z = np.meshgrid(*[np.linspace(0, 1, n) for n in shape], indexing='ij')
    clean = 100 * (np.sin(3 * x + rng.uniform(0, 3)) * np.cos(2 * y) + z) + 200
    return (clean + rng.normal(0, 25, shape)).astype(np.float32), clean.astype(np.float32)
def save(data, path):
    img = nib.Nifti1Image(data, affine); img.set_qform(affine, code=1); img.set_sform(affine, code=1)
    nib.save(img, path)
for i in range(10):
    noisy, clean = case((16, 16, 16))
    save(noisy, f'{root}/ds/input/v{i}.nii.gz'); save(clean, f'{root}/ds/target/v{i}.nii.gz')
noisy, clean = case((16, 16, 16))
save(noisy, f'{root}/new/input/n0.nii.gz'); save(clean, f'{root}/new/clean/n0.nii.gz')
`;

const COMPARE = `
import json, sys
import nibabel as nib, numpy as np
root, names = sys.argv[1], json.loads(sys.argv[2])
def psnr(clean, p):
    return float(10 * np.log10((clean.max() - clean.min()) ** 2 / np.mean((clean - p) ** 2)))
def load(path):
    return np.asarray(nib.load(path).dataobj, dtype=np.float64)
a = nib.load(f'{root}/new/input/n0.nii.gz'); o = nib.load(f'{root}/out/n0.nii.gz')
clean = load(f'{root}/new/clean/n0.nii.gz')
print(json.dumps({'shape': [list(a.shape), list(o.shape)], 'dtype': str(o.get_data_dtype()),
                  'affine': float(np.abs(a.affine - o.affine).max()),
                  'psnr': psnr(clean, load(f'{root}/out/n0.nii.gz')), 'noisy': psnr(clean, load(f'{root}/new/input/n0.nii.gz')),
                  'test': [psnr(load(f'{root}/ds/target/{n}'), load(f'{root}/out-ds/{n}')) for n in names]}))
`;

/** The PSNR a volume's line of the run's log states, e.g. `Test volume v3: MAE ..., PSNR (dB) 31.20`. */
const psnrOfLine = (line: string): number => Number(/PSNR \(dB\) ([\d.]+)/.exec(line)?.[1]);

describe('3-D transformation (denoising) of NIfTI volumes', () => {
  it('phi new picks the 3-D regression network, phi run trains on patches, phi predict writes float NIfTI', async () => {
    py(MAKE_PAIRS);
    const made = await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'transformation']);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    const store = ProjectStore.open(join(dir, 'p.phiproj'));
    const graph = store.graph();
    // No z-scores: the network scales input and target alike; no 2-D Resize on volumes.
    expect(graph.nodes.map((n) => n.type)).toEqual(['dataset', 'crop-or-pad', 'neural-network']);
    const net = graph.nodes[2];
    store.applyEdits([
      {
        op: 'set-params',
        id: net.id,
        params: { ...net.params, epochs: 25, patchSize: '8x16x16', learningRate: 0.003 },
      },
    ]);
    store.close();

    const run = await runPhi(dir, ['run', 'p.phiproj']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Training unet3d-regression');
    expect(run.out).toContain('Training on 8x16x16 patches; whole volumes validate by sliding windows');
    const volumeLines = run.out.split('\n').filter((l) => l.includes('Test volume '));
    const meanLine = run.out.split('\n').find((l) => l.includes('Test split, mean over its'));
    console.log([...volumeLines, meanLine].join('\n'));
    expect(volumeLines.length).toBeGreaterThan(0);
    expect(meanLine).toContain(`mean over its ${volumeLines.length} volume(s)`);
    const stated = volumeLines.map(psnrOfLine);
    expect(psnrOfLine(meanLine as string)).toBeCloseTo(stated.reduce((a, b) => a + b, 0) / stated.length, 1);

    const predicted = await runPhi(dir, ['predict', 'p.phiproj', '--node', net.id, 'new/input', 'out']);
    expect(predicted.err).toBe('');
    expect(predicted.code).toBe(0);
    expect(predicted.out).toContain('Predicted 1 image(s)');
    const again = await runPhi(dir, ['predict', 'p.phiproj', '--node', net.id, 'ds/input', 'out-ds']);
    expect(again.code).toBe(0);
    const names = volumeLines.map((l) => (/Test volume input\/(\S+):/.exec(l) as RegExpExecArray)[1]);
    const check = JSON.parse(py(COMPARE, JSON.stringify(names))) as {
      shape: number[][];
      dtype: string;
      affine: number;
      psnr: number;
      noisy: number;
      test: number[];
    };
    console.log(
      `new volume: denoised PSNR ${check.psnr.toFixed(2)} dB, noisy input ${check.noisy.toFixed(2)} dB; test volumes by numpy on phi predict's outputs: ${check.test.map((v) => v.toFixed(2)).join(', ')} dB`,
    );
    expect(check.shape[1]).toEqual(check.shape[0]);
    expect(check.dtype).toBe('float32');
    expect(check.affine).toBeLessThan(1e-5);
    expect(check.psnr).toBeGreaterThan(check.noisy + 3);
    // What phi stated for each test volume is what numpy computes on the volumes phi predict wrote.
    check.test.forEach((v, i) => expect(v).toBeCloseTo(stated[i], 1));

    // The same network trained on whole volumes (no patch size) gives the same kind of report.
    const reopened = ProjectStore.open(join(dir, 'p.phiproj'));
    const params = reopened.graph().nodes[2].params;
    reopened.applyEdits([{ op: 'set-params', id: net.id, params: { ...params, epochs: 3, patchSize: '' } }]);
    reopened.close();
    const whole = await runPhi(dir, ['run', 'p.phiproj']);
    expect(whole.err).toBe('');
    expect(whole.code).toBe(0);
    expect(whole.out).toContain('Training unet3d-regression');
    expect(whole.out).not.toContain('patches');
    expect(whole.out).toMatch(/network epoch 3 validation: loss=/);
    expect(whole.out).toContain(`mean over its ${volumeLines.length} volume(s)`);
  }, 600_000);
});
