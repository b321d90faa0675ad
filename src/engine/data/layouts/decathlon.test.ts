/**
 * Volume layouts: nnU-Net v2 raw folders (one file per channel) and Decathlon
 * folders, written by nibabel at test time and read by the Dataset node; the
 * loaded voxels are compared with nibabel's. Also how 2-D work meets a
 * volume: Resize runs slice by slice, a 2-D network is refused with a
 * sentence, and Crop or Pad to Size maps a volume's mask back exactly.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../api';
import { resampleVolumeToSource, sourceDepthToSample, sourceToSample } from '../../imaging/geometry-steps';
import { cropOrPadModule } from '../../modules/crop-or-pad';
import { resizeModule } from '../../modules/resize';
import { NetworkParamsSchema } from '../../nn/params';
import { resolveFor } from '../../nn/train/setup';
import { params, scratchFolder } from '../../test-support/scratch-folders';
import { pythonWith } from '../../test-support/python';
import { openDataset } from '../dataset-node';
import { sourceInfo } from '../source-info';

const python = pythonWith(['nibabel', 'numpy'], 'python3-nibabel');

function py(code: string, root: string): string {
  const run = spawnSync(python, ['-c', code, root], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
}

/** Three cases of two channels (CT int16, PET float32), one case missing its PET file, and an unlabelled case. */
const MAKE_NNUNET = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('imagesTr', 'labelsTr', 'imagesTs'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(5)
affine = np.diag([0.8, 0.8, 2.5, 1.0])
for i in range(4):
    ct = rng.integers(-100, 200, (6, 5, 4)).astype(np.int16)
    pet = rng.random((6, 5, 4)).astype(np.float32)
    label = (rng.random((6, 5, 4)) > 0.7).astype(np.uint8)
    nib.save(nib.Nifti1Image(ct, affine), f'{root}/imagesTr/lung_{i:03d}_0000.nii.gz')
    if i != 3:
        nib.save(nib.Nifti1Image(pet, affine), f'{root}/imagesTr/lung_{i:03d}_0001.nii.gz')
    nib.save(nib.Nifti1Image(label, affine), f'{root}/labelsTr/lung_{i:03d}.nii.gz')
nib.save(nib.Nifti1Image(ct, affine), f'{root}/imagesTs/lung_900_0000.nii.gz')
json.dump({'channel_names': {'0': 'CT', '1': 'PET'}, 'labels': {'background': 0, 'tumour': 1},
           'numTraining': 4, 'file_ending': '.nii.gz'}, open(f'{root}/dataset.json', 'w'))
`;

/** nibabel's voxels of case 0 as [z][y][x][channel] lists. */
const READ_CASE0 = `
import json, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
ct = np.asarray(nib.load(f'{root}/imagesTr/lung_000_0000.nii.gz').dataobj, dtype=np.float64)
pet = np.asarray(nib.load(f'{root}/imagesTr/lung_000_0001.nii.gz').dataobj, dtype=np.float64)
print(json.dumps(np.stack([ct, pet], -1).transpose(2, 1, 0, 3).ravel().tolist()))
`;

describe('nnU-Net and Decathlon folders', () => {
  it('reads an nnU-Net folder by itself: cases of 2 channel files, classes from dataset.json', async () => {
    const dir = await scratchFolder();
    try {
      py(MAKE_NNUNET, dir.root);
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'segmentation' }));
      expect(sourceInfo(source)?.layout).toBe('nnunet');
      expect(source.classes).toEqual(['background', 'tumour']);
      expect(source.items.map((i) => i.id)).toEqual([
        'imagesTr/lung_000_0000.nii.gz',
        'imagesTr/lung_001_0000.nii.gz',
        'imagesTr/lung_002_0000.nii.gz',
      ]);
      expect(source.port).toEqual({ colorMode: 'grayscale', dims: 3 });
      expect(source.skipped).toEqual([
        {
          file: 'labelsTr/lung_003.nii.gz',
          reason: 'channel 0001 of case lung_003 is missing in imagesTr/ (dataset.json names 2 channels)',
        },
      ]);
      expect(sourceInfo(source)?.choice?.rejected).toEqual([
        {
          what: 'imagesTs/ (1 file)',
          reason: 'unlabelled test images: not used for training; phi predict runs a trained network on them',
        },
      ]);
      const sample = await source.load(source.items[0]);
      expect(sample.image.shape).toEqual([4, 5, 6, 2]);
      expect(sample.image.spacing).toEqual([2.5, 0.800000011920929, 0.800000011920929]);
      const expected = JSON.parse(py(READ_CASE0, dir.root)) as number[];
      const got = Array.from(sample.image.data);
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
      expect(sample.label?.kind === 'mask' && sample.label.mask.shape).toEqual([4, 5, 6, 1]);
      // The same folder named as the layout.
      const named = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', layout: 'nnunet' }),
      );
      expect(named.items.length).toBe(3);
    } finally {
      await dir.dispose();
    }
  });

  it('refuses a 2-D network on volumes with a sentence, and runs Resize slice by slice', async () => {
    const dir = await scratchFolder();
    try {
      py(MAKE_NNUNET, dir.root);
      const source = await openDataset(dir.root, params({ path: dir.root, task: 'segmentation' }));
      const collection = {
        task: 'segmentation' as const,
        classes: source.classes,
        items: source.items.map((i) => ({ id: i.id, split: i.split, shape: [4, 5, 6, 2] })),
      };
      const unet = NetworkParamsSchema.parse({ task: 'segmentation', architecture: 'unet' });
      expect(() => resolveFor(collection as never, unet)).toThrow(
        "Architecture unet takes 2-D images, but the data is 3-D volumes (d x h x w x c): pick unet3d (or auto), or set the Dataset's volumes to slices",
      );
      const auto = NetworkParamsSchema.parse({ task: 'segmentation' });
      expect(resolveFor(collection as never, auto).architecture).toBe('unet3d');

      const sample = await source.load(source.items[0]);
      const resized = await resizeModule.run(sample, resizeModule.params.parse({ width: 12, height: 10 }), {
        nodeId: 'r',
        rng: () => 0.5,
        inputs: {},
      });
      expect((resized as Sample).image.shape).toEqual([4, 10, 12, 2]);
      // Each slice is what Resize makes of that slice alone.
      for (let z = 0; z < 4; z++) {
        const per = 5 * 6 * 2;
        const slice: Sample = {
          ...sample,
          image: { ...sample.image, data: sample.image.data.slice(z * per, (z + 1) * per), shape: [5, 6, 2] },
          label: undefined,
        };
        const alone = (await resizeModule.run(slice, resizeModule.params.parse({ width: 12, height: 10 }), {
          nodeId: 'r',
          rng: () => 0.5,
          inputs: {},
        })) as Sample;
        const out = 10 * 12 * 2;
        expect(Array.from((resized as Sample).image.data.slice(z * out, (z + 1) * out))).toEqual(
          Array.from(alone.image.data),
        );
      }
    } finally {
      await dir.dispose();
    }
  });
});

/** Three MSD cases with masks of three classes; dataset.json lists two of them for training. */
const MAKE_MSD = `
import json, os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
for d in ('imagesTr', 'labelsTr'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
rng = np.random.default_rng(9)
for i in range(3):
    nib.save(nib.Nifti1Image(rng.integers(0, 99, (4, 4, 3)).astype(np.int16), np.eye(4)), f'{root}/imagesTr/brain_{i}.nii.gz')
    nib.save(nib.Nifti1Image(rng.integers(0, 3, (4, 4, 3)).astype(np.uint8), np.eye(4)), f'{root}/labelsTr/brain_{i}.nii.gz')
json.dump({'labels': {'0': 'background', '2': 'enhancing', '1': 'edema'},
           'training': [{'image': './imagesTr/brain_0.nii.gz', 'label': './labelsTr/brain_0.nii.gz'},
                        {'image': './imagesTr/brain_1.nii.gz', 'label': './labelsTr/brain_1.nii.gz'}]},
          open(f'{root}/dataset.json', 'w'))
`;

describe('Decathlon folders', () => {
  it('pairs what dataset.json lists, names the classes by mask value, and classMap overrides them', async () => {
    const dir = await scratchFolder();
    try {
      py(MAKE_MSD, dir.root);
      const source = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', layout: 'msd' }),
      );
      expect(source.classes).toEqual(['background', 'edema', 'enhancing']);
      expect(source.items.map((i) => i.id)).toEqual(['imagesTr/brain_0.nii.gz', 'imagesTr/brain_1.nii.gz']);
      expect(source.skipped.map((s) => s.file)).toEqual([
        'imagesTr/brain_2.nii.gz',
        'labelsTr/brain_2.nii.gz',
      ]);
      const sample = await source.load(source.items[0]);
      const mask = sample.label?.kind === 'mask' ? Array.from(sample.label.mask.data) : [];
      expect(new Set(mask)).toEqual(new Set([0, 1, 2]));
      const renamed = await openDataset(
        dir.root,
        params({ path: dir.root, task: 'segmentation', classMap: '0=bg,1=oedema,2=tumour' }),
      );
      expect(sourceInfo(renamed)?.layout).toBe('msd');
      expect(renamed.classes).toEqual(['bg', 'oedema', 'tumour']);
    } finally {
      await dir.dispose();
    }
  });
});

describe('Crop or Pad to Size on a volume', () => {
  it('crops one axis, pads the others, and its record maps the mask back onto the source grid', async () => {
    const [d, h, w] = [7, 5, 9];
    const mask = new Uint8Array(d * h * w).map((_, i) => (i * 7) % 3);
    const sample: Sample = {
      id: 'v',
      image: { data: Float32Array.from(mask, (v) => v * 10), shape: [d, h, w, 1], colorMode: 'grayscale' },
      label: { kind: 'mask', mask: { data: mask, shape: [d, h, w, 1], colorMode: 'grayscale' } },
      meta: {},
    };
    const out = (await cropOrPadModule.run(
      sample,
      cropOrPadModule.params.parse({ depth: 4, height: 8, width: 8, value: -5 }),
      { nodeId: 'c', rng: () => 0.5, inputs: {} },
    )) as Sample;
    expect(out.image.shape).toEqual([4, 8, 8, 1]);
    // Depth 7 -> 4 drops slice 0 and slices 5, 6; height 5 -> 8 pads one row above (two below); width 9 -> 8 drops the last column.
    expect(out.image.data[(0 * 8 + 0) * 8 + 0]).toBe(-5);
    expect(out.image.data[(0 * 8 + 1) * 8 + 0]).toBe(mask[(1 * h + 0) * w + 0] * 10);
    const back = resampleVolumeToSource(
      out.label?.kind === 'mask' ? (out.label.mask.data as Uint8Array) : new Uint8Array(),
      { depth: 4, height: 8, width: 8, channels: 1 },
      sourceToSample(out, { height: h, width: w }),
      sourceDepthToSample(out, d),
      { depth: d, height: h, width: w },
      'nearest',
    );
    for (let z = 0; z < d; z++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const kept = z >= 1 && z <= 4 && x <= 7;
          expect(back[(z * h + y) * w + x]).toBe(kept ? mask[(z * h + y) * w + x] : 0);
        }
  });
});
