/**
 * Slices of a NIfTI volume in the three planes against nibabel: the file is reoriented with
 * `as_closest_canonical` and sliced in the display convention of volume-slice.ts, for an
 * RAS affine, a DICOM-like LPS one and an oblique affine with permuted and flipped axes.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOLUME_PLANES, type VolumePlane } from '../api';
import { openImage } from '../data/readers';
import { pythonWith } from '../test-support/python';
import { scratchFolder, type ScratchFolder } from '../test-support/scratch-folders';
import { planeLayout, sliceValues, worldAxesOf } from './volume-slice';

const REFERENCE = `
import json, sys
import numpy as np, nibabel as nib
folder = sys.argv[1]
def rot(axis, deg):
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    m = np.eye(3)
    i, j = [a for a in range(3) if a != axis]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m
linear = {
    'ras': np.diag([0.8, 0.9, 2.5]),
    'lps': np.diag([-0.7, -0.7, 3.0]),
    # i runs up (S), j to the patient's left, k forwards, then tilted 20 and 15 degrees.
    'oblique': rot(2, 15) @ rot(0, 20) @ np.array([[0, -1.2, 0], [0, 0, 0.9], [2.0, 0, 0]]),
}
rng = np.random.default_rng(7)
out = {}
for name, m in linear.items():
    affine = np.eye(4)
    affine[:3, :3] = m
    affine[:3, 3] = [10, -20, 5]
    data = rng.integers(-1000, 1000, size=(7, 9, 5)).astype(np.int16)
    path = f'{folder}/{name}.nii.gz'
    nib.save(nib.Nifti1Image(data, affine), path)
    canonical = nib.as_closest_canonical(nib.load(path))
    c = np.asarray(canonical.dataobj)
    zx, zy, zz = canonical.header.get_zooms()[:3]
    planes = {
        'axial': ([c[::-1, ::-1, k].T for k in range(c.shape[2])], [zy, zx]),
        'coronal': ([c[::-1, j, ::-1].T for j in range(c.shape[1])], [zz, zx]),
        'sagittal': ([c[i, ::-1, ::-1].T for i in range(c.shape[0])], [zz, zy]),
    }
    out[name] = {
        'codes': ''.join(nib.aff2axcodes(affine)),
        'planes': {p: {'slices': [s.tolist() for s in slices], 'spacing': [float(v) for v in spacing]}
                   for p, (slices, spacing) in planes.items()},
    }
print(json.dumps(out))
`;

type Reference = Record<
  string,
  { codes: string; planes: Record<VolumePlane, { slices: number[][][]; spacing: number[] }> }
>;

let folder: ScratchFolder;
let reference: Reference;

beforeAll(async () => {
  folder = await scratchFolder('phi-volume-slice-');
  const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');
  const run = spawnSync(python, ['-c', REFERENCE, folder.root], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  reference = JSON.parse(run.stdout) as Reference;
});

afterAll(() => folder?.dispose());

describe('volume slices against nibabel', () => {
  it.each(['ras', 'lps', 'oblique'])(
    '%s: every slice of every plane, and its pixel spacing',
    async (name) => {
      const opened = await openImage(`${folder.root}/${name}.nii.gz`);
      const image = await opened.decode();
      const sample = { meta: opened.header.meta };
      const axes = worldAxesOf(sample);
      expect(axes.source).toBe('affine');
      expect(opened.header.meta.orientation).toBe(reference[name].codes);
      for (const plane of VOLUME_PLANES) {
        const expected = reference[name].planes[plane];
        const layout = planeLayout(image, axes, plane);
        expect(layout.count).toBe(expected.slices.length);
        expect(layout.pixelSpacing?.map((s) => Number(s.toFixed(4)))).toEqual(
          expected.spacing.map((s) => Number(s.toFixed(4))),
        );
        expected.slices.forEach((rows, index) => {
          expect([layout.height, layout.width]).toEqual([rows.length, rows[0].length]);
          expect(Array.from(sliceValues(image.data, layout, index))).toEqual(rows.flat());
        });
      }
    },
  );

  it('names the sides only where the affine still holds', async () => {
    const opened = await openImage(`${folder.root}/oblique.nii.gz`);
    const image = await opened.decode();
    const kept = worldAxesOf({ meta: opened.header.meta, geometry: [cropStep(1)] });
    expect(planeLayout(image, kept, 'axial').orientation).toEqual({
      source: 'affine',
      sides: { top: 'A', bottom: 'P', left: 'R', right: 'L' },
    });
    // A flip changed a direction the affine gives: the planes are the stored axes, no side named.
    const flipped = worldAxesOf({ meta: opened.header.meta, geometry: [cropStep(-1)] });
    const stored = planeLayout(image, flipped, 'axial');
    expect(stored.orientation.source).toBe('stored');
    expect(stored.orientation.sides.top).toBe('');
    expect([stored.count, stored.height, stored.width]).toEqual(image.shape.slice(0, 3));
    // Stored axes: axial slice k is the stored slice k, rows and columns as stored.
    const [, h, w] = image.shape;
    expect(Array.from(sliceValues(image.data, stored, 2))).toEqual(
      Array.from(image.data.subarray(2 * h * w, 3 * h * w)),
    );
    expect(() => sliceValues(image.data, stored, stored.count)).toThrow(
      `Slice ${stored.count} does not exist: this plane has slices 0 to ${stored.count - 1}`,
    );
  });
});

/** A geometry step that scales x by `sx` (a crop when 1, a flip when -1). */
function cropStep(sx: number) {
  return {
    module: sx > 0 ? 'crop' : 'flip',
    from: { height: 9, width: 7 },
    to: { height: 9, width: 7 },
    affine: [sx, 0, sx > 0 ? 0 : 7, 0, 1, 0] as [number, number, number, number, number, number],
  };
}
