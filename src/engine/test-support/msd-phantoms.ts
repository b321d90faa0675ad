/**
 * Python (nibabel) that writes an MSD segmentation folder of small CT-like phantoms: each volume
 * noise around 40 with one bright ellipsoid (half as long along z), its mask the ellipsoid.
 * `phantom(shape, rng, radius2=12, contrast=200)` gives `(image int16, mask uint8)` in nibabel's
 * `[x, y, z]` order; `write_msd(folder, count, rng, shape=(16, 16, 8), radius2=12, contrast=200)`
 * writes imagesTr/, labelsTr/ and dataset.json (classes background, lesion). Paste it before a
 * test script's own code.
 */
export const MSD_PHANTOMS_PY = `
import json, os
import nibabel as nib, numpy as np
def phantom(shape, rng, radius2=12, contrast=200):
    x, y, z = np.meshgrid(*[np.arange(n) for n in shape], indexing='ij')
    c = [rng.integers(3, n - 3) for n in shape]
    inside = (x - c[0]) ** 2 + (y - c[1]) ** 2 + ((z - c[2]) * 2) ** 2 <= radius2
    return (rng.normal(40, 15, shape) + contrast * inside).astype(np.int16), inside.astype(np.uint8)
def write_msd(folder, count, rng, shape=(16, 16, 8), radius2=12, contrast=200):
    for d in ('imagesTr', 'labelsTr'):
        os.makedirs(f'{folder}/{d}', exist_ok=True)
    training = []
    for i in range(count):
        image, label = phantom(shape, rng, radius2, contrast)
        nib.save(nib.Nifti1Image(image, np.eye(4)), f'{folder}/imagesTr/c{i}.nii.gz')
        nib.save(nib.Nifti1Image(label, np.eye(4)), f'{folder}/labelsTr/c{i}.nii.gz')
        training.append({'image': f'./imagesTr/c{i}.nii.gz', 'label': f'./labelsTr/c{i}.nii.gz'})
    json.dump({'labels': {'0': 'background', '1': 'lesion'}, 'training': training}, open(f'{folder}/dataset.json', 'w'))
`;
