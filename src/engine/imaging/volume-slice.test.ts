/**
 * Slices of a NIfTI volume in the three planes against nibabel: the file is reoriented with
 * `as_closest_canonical` and sliced in the display convention of volume-slice.ts, for an
 * RAS affine, a DICOM-like LPS one and an oblique affine with permuted and flipped axes. A DICOM
 * series (oblique, files in shuffled order) read as a Dataset reads it is sliced as nibabel slices
 * the engine's NIfTI of the same series, with the sides named.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOLUME_PLANES, type VolumePlane } from '../api';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDataset } from '../data/dataset-node';
import { niftiWithAffine } from '../data/nifti-writer';
import { datasetParamsSchema } from '../data/params';
import { openImage } from '../data/readers';
import { seriesVolumes } from '../data/series-input';
import { OBLIQUE_SERIES_PY } from '../test-support/oblique-series';
import { pythonWith, runPython } from '../test-support/python';
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

const SERIES = `${OBLIQUE_SERIES_PY}
import sys
rng = np.random.default_rng(9)
for name in ('lesion/ct1', 'normal/ct2'):
    write_series(f'{sys.argv[1]}/series/{name}', rng.integers(-1000, 1000, size=(11, 9, 7)).astype(np.int16), rng)
`;

const CANONICAL = `
import json, sys
import numpy as np, nibabel as nib
image = nib.load(sys.argv[1])
c = np.asarray(nib.as_closest_canonical(image).dataobj)
print(json.dumps({
    'codes': ''.join(nib.aff2axcodes(image.affine)),
    'axial': [c[::-1, ::-1, k].T.tolist() for k in range(c.shape[2])],
    'coronal': [c[::-1, j, ::-1].T.tolist() for j in range(c.shape[1])],
    'sagittal': [c[i, ::-1, ::-1].T.tolist() for i in range(c.shape[0])],
}))
`;

describe('DICOM series slices against nibabel', () => {
  it('an oblique series in shuffled files: every slice of every plane as nibabel slices its NIfTI, sides named', async () => {
    const python = pythonWith(['nibabel', 'numpy', 'pydicom'], 'python3-nibabel python3-pydicom');
    runPython(python, SERIES, [folder.root]);
    const root = join(folder.root, 'series');
    const source = await openDataset(
      root,
      datasetParamsSchema.parse({ path: root, task: 'classification', layout: 'class-folders' }),
    );
    const item = source.items.find((i) => i.id === 'lesion/ct1');
    if (!item) throw new Error(`no series item: ${source.items.map((i) => i.id).join(', ')}`);
    const sample = await source.load(item);
    // The engine's NIfTI of the same series (what phi predict writes masks with).
    const folderOf = join(root, 'lesion/ct1');
    const files = readdirSync(folderOf).map((name) => join(folderOf, name));
    const [series] = (await seriesVolumes(root, files)).volumes;
    const [d, h, w] = series.image.shape;
    const converted = join(folder.root, 'series-ct1.nii.gz');
    niftiWithAffine(series.image.data as Int16Array, { nx: w, ny: h, nz: d }, series.affine ?? [], converted);
    const reference = JSON.parse(runPython(python, CANONICAL, [converted])) as Record<
      VolumePlane,
      number[][][]
    > & {
      codes: string;
    };
    expect(sample.meta.orientation).toBe(reference.codes);
    const axes = worldAxesOf(sample);
    expect(axes.source).toBe('affine');
    let compared = 0;
    for (const plane of VOLUME_PLANES) {
      const layout = planeLayout(sample.image, axes, plane);
      expect(layout.orientation.source).toBe('affine');
      expect(layout.count).toBe(reference[plane].length);
      reference[plane].forEach((rows, index) => {
        expect([layout.height, layout.width]).toEqual([rows.length, rows[0].length]);
        expect(Array.from(sliceValues(sample.image.data, layout, index))).toEqual(rows.flat());
        compared++;
      });
    }
    console.log(`DICOM series ${reference.codes}: ${compared} slices in 3 planes equal nibabel's`);
  });
});
