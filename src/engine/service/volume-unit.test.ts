/**
 * The unit of NIfTI CT volumes, with nibabel-made volumes stored as int16 with scl_slope 1 and
 * scl_inter -1024: an MSD folder whose dataset.json names its one channel CT gives HU volumes
 * (values scaled as nibabel scales them, HU through a HU Clamp node, the View tab saying where
 * the unit comes from, no connection problem); the same volumes in an MSD folder naming no
 * modality stay raw, said so in the View tab, until the Dataset node's Volume intensity unit
 * says HU.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VolumeSlice } from '../api';
import { createBuiltinRegistry } from './builtin-registry';
import { ProjectStore } from '../store/project-store';
import { GraphBuilder, tempDir } from '../test-support/pipeline';
import { pythonWith, runPython } from '../test-support/python';
import { Engine } from './engine';

const MAKE = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
rng = np.random.default_rng(3)
out = {}
for name, modality in (('ct', {'0': 'CT'}), ('plain', None)):
    for d in ('imagesTr', 'labelsTr'):
        os.makedirs(f'{root}/{name}/{d}', exist_ok=True)
    for i in range(7):
        stored = rng.integers(0, 2000, size=(10, 8, 6)).astype(np.int16)
        image = nib.Nifti1Image(stored, np.diag([0.8, 0.8, 2.5, 1]))
        image.header.set_slope_inter(1, -1024)
        nib.save(image, f'{root}/{name}/imagesTr/c{i}.nii.gz')
        label = (stored > 1500).astype(np.uint8)
        nib.save(nib.Nifti1Image(label, np.diag([0.8, 0.8, 2.5, 1])), f'{root}/{name}/labelsTr/c{i}.nii.gz')
        hu = np.asarray(nib.load(f'{root}/{name}/imagesTr/c{i}.nii.gz').get_fdata())
        out[f'{name}/c{i}'] = [float(hu.min()), float(hu.max())]
    meta = {'labels': {'0': 'background', '1': 'bone'}}
    if modality: meta['modality'] = modality
    json.dump(meta, open(f'{root}/{name}/dataset.json', 'w'))
print(json.dumps(out))
`;

const dir = tempDir('phi-volume-unit-');
let ranges: Record<string, [number, number]>;
const registry = createBuiltinRegistry();

beforeAll(() => {
  const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');
  ranges = JSON.parse(runPython(python, MAKE, [dir])) as typeof ranges;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a project over folder `name`: Dataset -> HU Clamp; the axial middle slice of c0 at both nodes. */
async function open(
  name: string,
  volumeUnit?: string,
): Promise<{ engine: Engine; issues: string[]; dataset: VolumeSlice; clamp: VolumeSlice }> {
  const project = join(dir, `${name}-${volumeUnit ?? 'auto'}.phiproj`);
  ProjectStore.create(project, {
    graph: new GraphBuilder(registry)
      .chain(
        ['dataset', 'dataset', { path: name, task: 'segmentation', ...(volumeUnit ? { volumeUnit } : {}) }],
        ['clamp', 'hu-clamp', { min: -1000, max: 1000 }],
      )
      .build(),
  }).close();
  const engine = new Engine({ cacheDir: join(dir, 'cache'), registry });
  const snapshot = await engine.openProject({ path: project });
  expect((await engine.run({ mode: 'all' })).status).toBe('done');
  const slice = (node: string): Promise<VolumeSlice> =>
    engine.getVolumeSlice({ node, sampleId: 'imagesTr/c0.nii.gz', plane: 'axial' });
  return {
    engine,
    issues: snapshot.issues.map((i) => i.message),
    dataset: await slice('dataset'),
    clamp: await slice('clamp'),
  };
}

describe('NIfTI CT volumes in HU', () => {
  it('an MSD folder whose dataset.json names one CT channel gives HU, scaled by scl_slope/scl_inter', async () => {
    const { engine, issues, dataset, clamp } = await open('ct');
    try {
      console.log(
        `MSD CT: unit ${String(dataset.unit)}, values ${dataset.min}..${dataset.max} (nibabel ${ranges['ct/c0'].join('..')})`,
      );
      expect(dataset.unit).toBe('HU');
      expect([dataset.min, dataset.max]).toEqual(ranges['ct/c0']);
      expect(dataset.min).toBeLessThan(-900);
      expect(dataset.notes).toContain('Values in HU, as dataset.json "modality": {"0": "CT"} says');
      expect(issues).toEqual([]);
      expect(clamp.unit).toBe('HU');
      expect([clamp.min, clamp.max]).toEqual([
        Math.max(-1000, ranges['ct/c0'][0]),
        Math.min(1000, ranges['ct/c0'][1]),
      ]);
    } finally {
      engine.closeProject();
    }
  });

  it('a folder naming no modality stays raw, and says so, until the Dataset node says HU', async () => {
    const raw = await open('plain');
    try {
      expect(raw.dataset.unit).toBe('raw');
      expect([raw.dataset.min, raw.dataset.max]).toEqual(ranges['plain/c0']);
      expect(raw.dataset.notes).toContain(
        "Values as stored (raw): a NIfTI file names no modality. For CT in HU, set the Dataset node's Volume intensity unit to HU",
      );
    } finally {
      raw.engine.closeProject();
    }
    const said = await open('plain', 'HU');
    try {
      expect(said.dataset.unit).toBe('HU');
      expect(said.dataset.notes).toContain(
        "Values in HU, as the Dataset node's Volume intensity unit (HU) says",
      );
      expect(said.issues).toEqual([]);
    } finally {
      said.engine.closeProject();
    }
    // 'raw' overrides what a dataset.json states.
    const overridden = await open('ct', 'raw');
    try {
      expect(overridden.dataset.unit).toBe('raw');
    } finally {
      overridden.engine.closeProject();
    }
  });
});
