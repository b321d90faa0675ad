/**
 * Volumes end to end through the CLI: a Medical Segmentation Decathlon folder
 * written by nibabel (NIfTI CT-like volumes with a bright sphere, an oblique
 * LPS affine, dataset.json naming the classes, imagesTs/ unlabelled and of
 * another size) -> `phi new` (the 3-D chain and the 3-D U-Net) -> `phi run`
 * (2 epochs) -> `phi predict` on imagesTs/, whose NIfTI masks nibabel reads
 * back with the inputs' shape, affine, pixdim and qform/sform codes. The View
 * tab's 2-D preview refuses the 3-D network with a sentence.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../data/readers';
import { loadTrained, predictSample, releaseTrained } from '../../nn/predict';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { pythonWith } from '../../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-predict-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');

/** Runs a Python snippet with `root` as sys.argv[1]; returns its stdout. */
function py(code: string, root: string): string {
  const run = spawnSync(python, ['-c', code, root], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

const MAKE_MSD = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('imagesTr', 'labelsTr', 'imagesTs'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(3)
# LPS-like axes, a small rotation in-plane, 1.5 x 1.5 x 3 mm voxels.
c, s = np.cos(0.2), np.sin(0.2)
affine = np.array([[-1.5 * c, 1.5 * s, 0, 40.0], [-1.5 * s, -1.5 * c, 0, 25.0], [0, 0, 3.0, -60.0], [0, 0, 0, 1]])
def case(shape):
    x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
    cx, cy, cz = rng.integers(5, shape[0] - 5), rng.integers(5, shape[1] - 5), shape[2] // 2
    inside = (x - cx) ** 2 + (y - cy) ** 2 + ((z - cz) * 2) ** 2 <= 12
    image = (rng.normal(40, 15, shape) + 200 * inside).astype(np.int16)
    return image, inside.astype(np.uint8)
training = []
for i in range(8):
    image, label = case((16, 16, 8))
    img = nib.Nifti1Image(image, affine); img.set_qform(affine, code=1); img.set_sform(affine, code=2)
    nib.save(img, f'{root}/imagesTr/ph_{i:03d}.nii.gz')
    nib.save(nib.Nifti1Image(label, affine), f'{root}/labelsTr/ph_{i:03d}.nii.gz')
    training.append({'image': f'./imagesTr/ph_{i:03d}.nii.gz', 'label': f'./labelsTr/ph_{i:03d}.nii.gz'})
for i, shape in enumerate([(18, 17, 10), (14, 16, 6)]):
    image, _ = case(shape)
    img = nib.Nifti1Image(image, affine); img.set_qform(affine, code=1); img.set_sform(affine, code=2)
    nib.save(img, f'{root}/imagesTs/ph_{100 + i:03d}.nii.gz')
json.dump({'name': 'phantom', 'modality': {'0': 'CT'}, 'labels': {'0': 'background', '1': 'lesion'},
           'numTraining': 8, 'training': training, 'test': ['./imagesTs/ph_100.nii.gz', './imagesTs/ph_101.nii.gz']},
          open(f'{root}/dataset.json', 'w'))
`;

const COMPARE = `
import json, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
out = []
for name in ('ph_100.nii.gz', 'ph_101.nii.gz'):
    a = nib.load(f'{root}/ds/imagesTs/{name}'); m = nib.load(f'{root}/masks/{name}')
    out.append({'shape': [list(a.shape), list(m.shape)],
                'affine': float(np.abs(a.affine - m.affine).max()),
                'qform': [int(a.header['qform_code']), int(m.header['qform_code'])],
                'sform': [int(a.header['sform_code']), int(m.header['sform_code'])],
                'pixdim': float(np.abs(a.header['pixdim'][1:4] - m.header['pixdim'][1:4]).max()),
                'dtype': str(m.get_data_dtype()), 'values': sorted(np.unique(np.asarray(m.dataobj)).tolist())})
print(json.dumps(out))
`;

describe('3-D segmentation from a Decathlon folder to NIfTI masks', () => {
  it('phi new builds the 3-D chain, phi run trains unet3d, phi predict writes masks in the inputs grids', async () => {
    py(MAKE_MSD, join(dir, 'ds'));

    const made = await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'segmentation']);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    const store = ProjectStore.open(join(dir, 'p.phiproj'));
    const graph = store.graph();
    // No 2-D Resize: intensities z-scored, every volume centred in the training volumes' 8 x 16 x 16 grid.
    expect(graph.nodes.map((n) => n.type)).toEqual([
      'dataset',
      'z-score-normalization',
      'crop-or-pad',
      'neural-network',
    ]);
    expect(graph.nodes[2].params).toMatchObject({ depth: 8, height: 16, width: 16 });
    const net = graph.nodes[3];
    store.applyEdits([{ op: 'set-params', id: net.id, params: { ...net.params, epochs: 2 } }]);
    store.close();

    const inspect = await runPhi(dir, ['inspect', 'ds', '--task', 'segmentation']);
    expect(inspect.out).toContain('layout msd, 2 classes');
    expect(inspect.out).toContain('imagesTs/ (2 files): unlabelled test images: not used for training');

    const run = await runPhi(dir, ['run', 'p.phiproj']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Training unet3d on the');
    expect(run.out).toMatch(/network epoch 2 validation: loss=/);
    expect(run.out).toContain('crop-or-pad          [8, 16, 16, 1]');
    // The test measured in the source geometry loads the model once training has released its own.
    expect(run.out).toContain('in source geometry');
    expect(run.out).not.toContain('tensors were not released');

    const predicted = await runPhi(dir, [
      'predict',
      'p.phiproj',
      '--node',
      'network',
      'ds/imagesTs',
      'masks',
    ]);
    expect(predicted.err).toBe('');
    expect(predicted.code).toBe(0);
    expect(predicted.out).toContain('Predicted 2 image(s)');

    const checks = JSON.parse(py(COMPARE, dir)) as {
      shape: [number[], number[]];
      affine: number;
      qform: [number, number];
      sform: [number, number];
      pixdim: number;
      dtype: string;
      values: number[];
    }[];
    for (const c of checks) {
      expect(c.shape[1]).toEqual(c.shape[0]);
      expect(c.affine).toBeLessThan(1e-5);
      expect(c.qform).toEqual([1, 1]);
      expect(c.sform).toEqual([2, 2]);
      expect(c.pixdim).toBeLessThan(1e-6);
      expect(c.dtype).toBe('uint8');
      expect(c.values.every((v) => v === 0 || v === 1)).toBe(true);
    }
    expect(checks.map((c) => c.shape[0])).toEqual([
      [18, 17, 10],
      [14, 16, 6],
    ]);

    // The 2-D preview refuses a 3-D network rather than drawing slices as rows, and points at the volume view.
    const opened = ProjectStore.open(join(dir, 'p.phiproj'));
    const trained = await loadTrained(opened.artifactsFor('network'));
    opened.close();
    const image = await decodeImage(join(dir, 'ds', 'imagesTs', 'ph_100.nii.gz'));
    await expect(predictSample(trained, { id: 'ph_100', image, meta: image.meta })).rejects.toThrow(
      "a 3-D network's predictions are drawn slice by slice in the View tab's volume view",
    );
    releaseTrained();
  }, 240_000);
});
