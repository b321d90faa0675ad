/**
 * Patch training end to end through the CLI: a Medical Segmentation Decathlon folder written by
 * nibabel whose volumes (72 slices) are deeper than the 3-D template centres -> `phi new` keeps
 * them whole and sets the 3-D U-Net's patch size -> `phi run` trains on random patches and
 * validates whole volumes by sliding windows -> `phi predict` writes NIfTI masks of whole
 * volumes of other sizes, whose shape and affine nibabel reads as the inputs', and whose lesion
 * overlaps the phantom's (Dice against the truth written beside the data, never seen by phi).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { pythonWith, runPython } from '../../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-predict-patches-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');

const py = (code: string, root: string): string => runPython(python, code, [root]);

const MAKE_MSD = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('ds/imagesTr', 'ds/labelsTr', 'ds/imagesTs', 'truth'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(5)
affine = np.array([[-1.2, 0, 0, 30.0], [0, -1.2, 0, 20.0], [0, 0, 2.0, -80.0], [0, 0, 0, 1]])
def case(shape):
    x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
    cx, cy, cz = (rng.integers(7, n - 7) for n in shape)
    inside = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= 36
    image = (rng.normal(40, 15, shape) + 200 * inside).astype(np.int16)
    return image, inside.astype(np.uint8)
def save(data, path):
    img = nib.Nifti1Image(data, affine); img.set_qform(affine, code=1); img.set_sform(affine, code=1)
    nib.save(img, path)
training = []
for i in range(8):
    image, label = case((24, 24, 72))
    save(image, f'{root}/ds/imagesTr/ph_{i:03d}.nii.gz'); save(label, f'{root}/ds/labelsTr/ph_{i:03d}.nii.gz')
    training.append({'image': f'./imagesTr/ph_{i:03d}.nii.gz', 'label': f'./labelsTr/ph_{i:03d}.nii.gz'})
for i, shape in enumerate([(28, 20, 80), (20, 26, 50)]):
    image, label = case(shape)
    save(image, f'{root}/ds/imagesTs/ph_{100 + i:03d}.nii.gz'); save(label, f'{root}/truth/ph_{100 + i:03d}.nii.gz')
json.dump({'name': 'phantom', 'modality': {'0': 'CT'}, 'labels': {'0': 'background', '1': 'lesion'},
           'numTraining': 8, 'training': training}, open(f'{root}/ds/dataset.json', 'w'))
`;

const COMPARE = `
import json, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
out = []
for name in ('ph_100.nii.gz', 'ph_101.nii.gz'):
    a = nib.load(f'{root}/ds/imagesTs/{name}'); m = nib.load(f'{root}/masks/{name}')
    t = np.asarray(nib.load(f'{root}/truth/{name}').dataobj) > 0; p = np.asarray(m.dataobj) > 0
    out.append({'shape': [list(a.shape), list(m.shape)], 'affine': float(np.abs(a.affine - m.affine).max()),
                'dice': float(2 * (t & p).sum() / (t.sum() + p.sum()))})
print(json.dumps(out))
`;

describe('3-D segmentation trained on patches', () => {
  it('phi new sets a patch size for deep volumes, phi run trains on patches, phi predict masks whole volumes', async () => {
    py(MAKE_MSD, dir);
    const made = await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'segmentation']);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    const store = ProjectStore.open(join(dir, 'p.phiproj'));
    const graph = store.graph();
    // No Crop or Pad: 72 slices are more than the 64 the template centres volumes in.
    expect(graph.nodes.map((n) => n.type)).toEqual(['dataset', 'z-score-normalization', 'neural-network']);
    const net = graph.nodes[2];
    expect(net.params).toMatchObject({ patchSize: '32x24x24' });
    store.applyEdits([{ op: 'set-params', id: net.id, params: { ...net.params, epochs: 14 } }]);
    store.close();

    const run = await runPhi(dir, ['run', 'p.phiproj']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Training on 32x24x24 patches; whole volumes validate by sliding windows');
    expect(run.out).toMatch(/network epoch 14 validation: loss=/);

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
    const checks = JSON.parse(py(COMPARE, dir)) as { shape: number[][]; affine: number; dice: number }[];
    console.log(
      `patch network on whole test volumes: Dice of the lesion ${checks.map((c) => c.dice.toFixed(3)).join(', ')}`,
    );
    expect(checks.map((c) => c.shape[1])).toEqual([
      [28, 20, 80],
      [20, 26, 50],
    ]);
    for (const c of checks) {
      expect(c.shape[1]).toEqual(c.shape[0]);
      expect(c.affine).toBeLessThan(1e-5);
      expect(c.dice).toBeGreaterThan(0.5);
    }
  }, 400_000);
});
