/**
 * 3-D classification end to end through the CLI: class folders of NIfTI phantom volumes written
 * by nibabel (a bright sphere in `lesion/`, none in `normal/`) -> `phi new` (z-scores, Crop or Pad
 * to Size, the 3-D CNN) -> `phi run` trains cnn3d and evaluates the test split -> `phi predict`
 * labels volumes it has never seen, whose truth the test knows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../store/project-store';
import { runPhi } from '../../test-support/cli-io';
import { pythonWith, runPython } from '../../test-support/python';

const dir = mkdtempSync(join(tmpdir(), 'phi-classify-volume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');

const MAKE = `
import os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
rng = np.random.default_rng(9)
affine = np.diag([1.5, 1.5, 3.0, 1.0])
def volume(lesion, shape=(16, 16, 12)):
    image = rng.normal(40, 15, shape)
    if lesion:
        x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
        c = [rng.integers(4, n - 4) for n in shape]
        image += 150 * ((x - c[0]) ** 2 + (y - c[1]) ** 2 + ((z - c[2]) * 2) ** 2 <= 16)
    return nib.Nifti1Image(image.astype(np.int16), affine)
for cls in ('lesion', 'normal'):
    os.makedirs(f'{root}/ds/{cls}', exist_ok=True)
    for i in range(20):
        nib.save(volume(cls == 'lesion'), f'{root}/ds/{cls}/{cls}_{i:02d}.nii.gz')
os.makedirs(f'{root}/unseen', exist_ok=True)
for i in range(8):
    nib.save(volume(i % 2 == 0, (18, 14, 12)), f'{root}/unseen/{"lesion" if i % 2 == 0 else "normal"}_{i}.nii.gz')
`;

describe('3-D classification from class folders of volumes', () => {
  it('phi new builds the 3-D chain with cnn3d, phi run trains it, phi predict labels unseen volumes', async () => {
    runPython(python, MAKE, [dir]);

    const created = await runPhi(dir, ['new', 'p.phiproj', '--dataset', 'ds', '--task', 'classification']);
    expect(created.err).toBe('');
    const store = ProjectStore.open(join(dir, 'p.phiproj'));
    const graph = store.graph();
    expect(graph.nodes.map((n) => n.type)).toEqual([
      'dataset',
      'z-score-normalization',
      'crop-or-pad',
      'neural-network',
    ]);
    expect(graph.nodes[2].params).toMatchObject({ depth: 12, height: 16, width: 16 });
    store.close();

    const run = await runPhi(dir, ['run', 'p.phiproj']);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Training cnn3d on the');
    const accuracy = Number(
      /network test \(\d+ items[^)]*\): loss=[\d.]+ accuracy=([\d.]+)/.exec(run.out)?.[1],
    );
    console.log(`cnn3d test accuracy ${accuracy}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.8);

    const predicted = await runPhi(dir, ['predict', 'p.phiproj', '--node', 'network', 'unseen', 'out']);
    expect(predicted.err).toBe('');
    expect(predicted.code).toBe(0);
    const rows = readFileSync(join(dir, 'out', 'predictions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    expect(rows).toHaveLength(8);
    const right = rows.filter((row) => {
      const [id, label] = row.split(',');
      return id.startsWith(label);
    }).length;
    console.log(`cnn3d on 8 unseen volumes: ${right} right`);
    expect(right).toBeGreaterThanOrEqual(7);
  }, 400_000);
});
