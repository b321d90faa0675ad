#!/usr/bin/env python3
"""Independent reference values for Phi Studio's volume metrics (docs/metrics.md, "Volumes").

Seeded random blobs (numpy) in volumes with anisotropic voxel spacing, and per volume and
foreground class the values computed here with SciPy the way MONAI defines them:
- Dice and IoU from voxel counts (None when the class is in neither truth nor prediction);
- surface = mask XOR scipy.ndimage.binary_erosion(mask) (default cross structure, outside the
  image is background), MONAI's get_mask_edges;
- directed distances = distance_transform_edt(~surface_other, sampling=spacing) at the surface
  voxels of one mask, MONAI's get_surface_distance;
- HD95 = max of the two directed sets' 95th percentiles (numpy's linear interpolation, as
  torch.quantile), MONAI's compute_hausdorff_distance(percentile=95, directed=False);
- mean surface distance = mean of both sets concatenated, MONAI's
  compute_average_surface_distance(symmetric=True);
- None for both when the class is missing from the truth or from the prediction.
It also prints one full distance transform. src/engine/nn/metrics/volume.test.ts and the
phi metrics test run it and read its JSON. Run: /usr/bin/python3 surface.py

With two folders of NIfTI label volumes (truth, prediction; matched by file name, read with
nibabel, class c = value c, spacing = the truth header's zooms) it prints instead each volume's
values and, per class and metric, the mean over the volumes where it is defined:
/usr/bin/python3 surface.py TRUTH_DIR PRED_DIR CLASSES
"""
import json
import os
import sys

import numpy as np
from scipy.ndimage import binary_erosion, distance_transform_edt


def blobs(rng, shape, count, radius):
    """A boolean volume: the union of `count` random ellipsoids (radii in voxels)."""
    grid = np.indices(shape).astype(float)
    out = np.zeros(shape, dtype=bool)
    for _ in range(count):
        centre = [rng.uniform(0, n) for n in shape]
        radii = [rng.uniform(0.5, 1.0) * radius * n / max(shape) for n in shape]
        d = sum(((g - c) / max(r, 0.6)) ** 2 for g, c, r in zip(grid, centre, radii))
        out |= d <= 1.0
    return out


def label_volume(rng, shape, classes, missing=()):
    labels = np.zeros(shape, dtype=np.int64)
    for c in range(1, classes):
        if c in missing:
            continue
        labels[blobs(rng, shape, int(rng.integers(1, 4)), max(shape) / 3)] = c
    return labels


def perturb(rng, labels, classes, missing=()):
    """A prediction: the truth shifted by a voxel or two, with a few labels flipped at random."""
    pred = np.roll(labels, tuple(int(s) for s in rng.integers(-2, 3, size=labels.ndim)), axis=tuple(range(labels.ndim)))
    flip = rng.random(labels.shape) < 0.01
    pred[flip] = rng.integers(0, classes, size=int(flip.sum()))
    for c in missing:
        pred[pred == c] = 0
    return pred


def surface_distances(truth, pred, spacing):
    edges_t = binary_erosion(truth) ^ truth
    edges_p = binary_erosion(pred) ^ pred
    if not edges_t.any() or not edges_p.any():
        return None, None
    pred_to_truth = distance_transform_edt(~edges_t, sampling=spacing)[edges_p]
    truth_to_pred = distance_transform_edt(~edges_p, sampling=spacing)[edges_t]
    hd95 = max(np.percentile(pred_to_truth, 95), np.percentile(truth_to_pred, 95))
    msd = np.concatenate([pred_to_truth, truth_to_pred]).mean()
    return float(hd95), float(msd)


def case(name, truth, pred, spacing, classes):
    per = {"dice": [], "iou": [], "hd95": [], "msd": []}
    for c in range(1, classes):
        t = truth == c
        p = pred == c
        tp = int((t & p).sum())
        union = int((t | p).sum())
        per["dice"].append(None if union == 0 else 2 * tp / (union + tp))
        per["iou"].append(None if union == 0 else tp / union)
        hd95, msd = surface_distances(t, p, spacing)
        per["hd95"].append(hd95)
        per["msd"].append(msd)
    return {
        "name": name,
        "shape": list(truth.shape),
        "spacing": list(spacing),
        "classes": classes,
        "truth": truth.ravel().tolist(),
        "pred": pred.ravel().tolist(),
        "perClass": per,
    }


def main():
    rng = np.random.default_rng(20261206)
    cases = []
    for k, (shape, spacing) in enumerate(
        [
            ((14, 22, 19), (2.5, 0.8, 0.7)),
            ((9, 17, 25), (3.0, 0.6, 0.9)),
            ((16, 16, 16), (1.25, 1.0, 0.5)),
            ((11, 20, 13), (5.0, 0.75, 0.75)),
        ]
    ):
        truth = label_volume(rng, shape, 3)
        cases.append(case(f"blobs{k}", truth, perturb(rng, truth, 3), spacing, 3))
    # Class 2 absent from the truth and predicted; class 1 absent from the prediction.
    truth = label_volume(rng, (10, 18, 15), 3, missing=(2,))
    pred = perturb(rng, truth, 3, missing=(1,))
    pred[2:4, 3:6, 4:8] = 2
    cases.append(case("absent", truth, pred, (2.0, 0.9, 1.1), 3))
    # Class 2 in neither.
    truth = label_volume(rng, (8, 12, 12), 3, missing=(2,))
    cases.append(case("neither", truth, perturb(rng, truth, 3, missing=(2,)), (1.5, 1.0, 0.8), 3))
    # A 2-D image with pixel spacing.
    truth = label_volume(rng, (40, 33), 2)
    cases.append(case("slice", truth, perturb(rng, truth, 2), (0.6, 1.3), 2))

    features = rng.random((7, 13, 11)) < 0.03
    spacing = (2.2, 0.7, 1.3)
    transform = {
        "shape": list(features.shape),
        "spacing": list(spacing),
        "features": features.astype(int).ravel().tolist(),
        "distance": distance_transform_edt(~features, sampling=spacing).ravel().tolist(),
    }
    print(json.dumps({"cases": cases, "transform": transform}))


def nifti_folders(truth_dir, pred_dir, classes):
    import nibabel as nib

    volumes = []
    for name in sorted(os.listdir(truth_dir)):
        if not name.endswith((".nii", ".nii.gz")):
            continue
        truth = nib.load(os.path.join(truth_dir, name))
        pred = np.asarray(nib.load(os.path.join(pred_dir, name)).dataobj).round().astype(np.int64)
        spacing = tuple(float(z) for z in truth.header.get_zooms()[:3])
        labels = np.asarray(truth.dataobj).round().astype(np.int64)
        result = case(name, labels, pred, spacing, classes)
        volumes.append({"name": name, "perClass": result["perClass"]})
    means = {}
    for metric in ("dice", "iou", "hd95", "msd"):
        means[metric] = []
        for c in range(classes - 1):
            defined = [v["perClass"][metric][c] for v in volumes if v["perClass"][metric][c] is not None]
            means[metric].append(float(np.mean(defined)) if defined else None)
    print(json.dumps({"volumes": volumes, "perClass": means}))


if __name__ == "__main__":
    if len(sys.argv) == 4:
        nifti_folders(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        main()
