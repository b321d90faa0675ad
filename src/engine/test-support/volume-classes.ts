/**
 * Two class folders (lesion, normal) of 8 NIfTI volumes each (16 x 16 x 8 voxels of 1.5 x 1.5 x
 * 3 mm), written by nibabel: noise around 40, a lesion adds a bright 5 x 5 x 4 block. Enough for a
 * 3-D classifier to train on in seconds.
 */
import { pythonWith, runPython } from './python';

const MAKE_CLASSES = `
import os, sys
import nibabel as nib, numpy as np
root = sys.argv[1]
rng = np.random.default_rng(3)
for cls in ('lesion', 'normal'):
    os.makedirs(f'{root}/{cls}', exist_ok=True)
    for i in range(8):
        image = rng.normal(40, 15, (16, 16, 8))
        if cls == 'lesion':
            image[5:10, 5:10, 2:6] += 150
        nib.save(nib.Nifti1Image(image.astype(np.int16), np.diag([1.5, 1.5, 3.0, 1.0])), f'{root}/{cls}/{cls}_{i}.nii.gz')
`;

/** Writes the class folders under `root`. */
export function writeVolumeClasses(root: string): void {
  runPython(pythonWith(['nibabel', 'numpy'], 'python3-nibabel'), MAKE_CLASSES, [root]);
}
