/**
 * Reorient to Canonical against nibabel's as_closest_canonical on a NIfTI volume stored PRI
 * (columns to posterior, rows to the right, slices inferior): the same voxels and affine, the mask
 * moved alike, the recorded step maps the reoriented mask back onto the file's voxels, and a
 * sagittal volume is refused with a sentence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../api';
import { decodeImage } from '../data/readers';
import { resampleVolumeToSource, sourceDepthToSample, sourceToSample } from '../imaging/geometry-steps';
import { geometry } from '../imaging/image';
import { pythonWith, runPython } from '../test-support/python';
import { reorientModule } from './reorient';

const dir = mkdtempSync(join(tmpdir(), 'phi-reorient-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PYTHON = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');

const MAKE = `
import json, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
x = np.arange(5 * 7 * 4, dtype=np.float32).reshape(5, 7, 4)
nib.save(nib.Nifti1Image(x, np.array([[0, 1.2, 0, 10], [-1.5, 0, 0, 20], [0, 0, -3, 30], [0, 0, 0, 1]])), f'{root}/pri.nii.gz')
nib.save(nib.Nifti1Image(x, np.array([[0, 0, 2, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]])), f'{root}/sagittal.nii.gz')
can = nib.as_closest_canonical(nib.load(f'{root}/pri.nii.gz'))
print(json.dumps({'shape': list(can.shape), 'data': np.asarray(can.dataobj).transpose(2, 1, 0).ravel().tolist(),
                  'affine': can.affine.tolist()}))
`;

const ctx = { nodeId: 'r', split: 'train' as const, rng: () => 0.5, inputs: {} };

async function load(name: string): Promise<Sample> {
  const image = await decodeImage(join(dir, name));
  const mask = Uint8Array.from(image.data, (v) => (Number(v) % 3 === 0 ? 1 : 0));
  return {
    id: name,
    image,
    meta: image.meta,
    label: {
      kind: 'mask',
      mask: { data: mask, shape: [...image.shape.slice(0, -1), 1], colorMode: 'grayscale' },
    },
  };
}

describe('Reorient to Canonical', () => {
  it('gives the voxels and affine of nibabel as_closest_canonical and maps back', async () => {
    const canonical = JSON.parse(runPython(PYTHON, MAKE, [dir])) as {
      shape: number[];
      data: number[];
      affine: number[][];
    };
    const sample = await load('pri.nii.gz');
    expect(sample.meta.orientation).toBe('PRI');
    const out = (await reorientModule.run(sample, reorientModule.params.parse({}), ctx)) as Sample;
    const [x, y, z] = canonical.shape;
    expect(out.image.shape).toEqual([z, y, x, 1]);
    expect(Array.from(out.image.data)).toEqual(canonical.data);
    expect(out.meta.orientation).toBe('RAS');
    const affine = out.meta.affine as number[][];
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) expect(affine[r][c]).toBeCloseTo(canonical.affine[r][c], 5);
    // The mask moved with the image: it marks the same values.
    const mask = out.label?.kind === 'mask' ? out.label.mask.data : new Uint8Array();
    out.image.data.forEach((v, i) => expect(mask[i]).toBe(Number(v) % 3 === 0 ? 1 : 0));
    const source = geometry(sample.image);
    const back = resampleVolumeToSource(
      mask,
      { ...geometry(out.image), channels: 1 },
      sourceToSample(out, source),
      sourceDepthToSample(out, source.depth),
      source,
      'nearest',
    );
    expect(Array.from(back)).toEqual(Array.from(sample.label?.kind === 'mask' ? sample.label.mask.data : []));
  });

  it('refuses a volume whose slices are not axial', async () => {
    const sample = await load('sagittal.nii.gz');
    expect(() => reorientModule.run(sample, reorientModule.params.parse({}), ctx)).toThrow(
      /sagittal\.nii\.gz is ASR: its slices are not along S\/I .*leave it out for such volumes/,
    );
  });
});
