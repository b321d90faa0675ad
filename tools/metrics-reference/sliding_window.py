#!/usr/bin/env python3
"""Reference for Phi Studio's sliding-window inference (src/engine/nn/sliding-window.ts).

MONAI is not installed here, so this reproduces, in numpy, the code of MONAI's
monai/inferers/utils.py `sliding_window_inference` (constant padding of axes shorter than
the window, `_get_scan_interval`), monai/data/utils.py `dense_patch_slices` and
monai/data/utils.py `compute_importance_map` (float32, as MONAI computes them). The network
is a 'same'-padded cross-correlation (a 3x3 or 3x3x3 convolution, scipy.ndimage.correlate
with zeros outside the window) with one input channel and two output channels, so that a
window's output depends on where the window lies and the blending shows.
src/engine/nn/sliding-window.test.ts runs it and reads its JSON. Run: /usr/bin/python3 sliding_window.py
"""
import json
import math

import numpy as np
from scipy.ndimage import correlate


def get_scan_interval(image_size, roi_size, overlap):
    out = []
    for i in range(len(image_size)):
        if roi_size[i] == image_size[i]:
            out.append(int(roi_size[i]))
        else:
            interval = int(roi_size[i] * (1 - overlap))
            out.append(interval if interval > 0 else 1)
    return tuple(out)


def dense_patch_slices(image_size, patch_size, scan_interval):
    num_spatial_dims = len(image_size)
    scan_num = []
    for i in range(num_spatial_dims):
        if scan_interval[i] == 0:
            scan_num.append(1)
        else:
            num = int(math.ceil(float(image_size[i]) / scan_interval[i]))
            scan_dim = next((d for d in range(num) if d * scan_interval[i] + patch_size[i] >= image_size[i]), None)
            scan_num.append(scan_dim + 1 if scan_dim is not None else 1)
    starts = []
    for dim in range(num_spatial_dims):
        dim_starts = []
        for idx in range(scan_num[dim]):
            start_idx = idx * scan_interval[dim]
            start_idx -= max(start_idx + patch_size[dim] - image_size[dim], 0)
            dim_starts.append(start_idx)
        starts.append(dim_starts)
    return np.asarray([x.flatten() for x in np.meshgrid(*starts, indexing="ij")]).T


def compute_importance_map(patch_size, mode, sigma_scale=0.125):
    if mode == "constant":
        importance_map = np.ones(patch_size, dtype=np.float32)
    else:
        sigmas = [i * sigma_scale for i in patch_size]
        importance_map = None
        for i in range(len(patch_size)):
            x = np.arange(-(patch_size[i] - 1) / 2.0, (patch_size[i] - 1) / 2.0 + 1, dtype=np.float32)
            x = np.exp(x**2 / np.float32(-2 * sigmas[i] ** 2)).astype(np.float32)
            importance_map = np.expand_dims(importance_map, -1) * x[(None,) * i] if i > 0 else x
    min_non_zero = max(float(importance_map.min()), 1e-3)
    return np.maximum(importance_map, np.float32(min_non_zero)).astype(np.float32)


def sliding_window_inference(image, roi_size, overlap, mode, predictor):
    """image: spatial array (one channel); returns [out_channels, *spatial]."""
    nd = image.ndim
    image_size_ = image.shape
    image_size = tuple(max(image_size_[i], roi_size[i]) for i in range(nd))
    pad = []
    for i in range(nd):
        diff = max(roi_size[i] - image_size_[i], 0)
        pad.append((diff // 2, diff - diff // 2))
    padded = np.pad(image, pad, mode="constant", constant_values=0)
    interval = get_scan_interval(image_size, roi_size, overlap)
    starts = dense_patch_slices(image_size, roi_size, interval)
    weights = compute_importance_map(roi_size, mode)
    out = None
    count = np.zeros(image_size, dtype=np.float32)
    for start in starts:
        window = tuple(slice(int(s), int(s) + roi_size[d]) for d, s in enumerate(start))
        y = predictor(padded[window])
        if out is None:
            out = np.zeros((y.shape[0],) + image_size, dtype=np.float32)
        out[(slice(None),) + window] += weights * y
        count[window] += weights
    out /= count
    crop = tuple(slice(pad[i][0], pad[i][0] + image_size_[i]) for i in range(nd))
    return out[(slice(None),) + crop]


def main():
    rng = np.random.default_rng(20261206)
    positions = []
    for image_size, patch_size, overlap in [
        ((64, 64, 40), (32, 32, 16), 0.25),
        ((37, 50, 23), (16, 20, 8), 0.25),
        ((10, 96), (16, 32), 0.5),
        ((100,), (7,), 0.0),
        ((33, 17), (8, 17), 0.9),
        ((5, 9, 30), (5, 4, 12), 0.6),
    ]:
        size = tuple(max(n, p) for n, p in zip(image_size, patch_size))
        interval = get_scan_interval(size, patch_size, overlap)
        positions.append(
            {
                "imageSize": list(size),
                "patchSize": list(patch_size),
                "overlap": overlap,
                "interval": list(interval),
                "starts": dense_patch_slices(size, patch_size, interval).tolist(),
            }
        )
    blends = []
    for shape, roi, overlap in [((13, 21, 5), (6, 8, 8), 0.25), ((30, 7), (12, 10), 0.5)]:
        image = rng.normal(size=shape).astype(np.float32)
        kernel = rng.normal(size=(2,) + (3,) * len(shape)).astype(np.float32)

        def predictor(window):
            return np.stack([correlate(window, k, mode="constant", cval=0.0) for k in kernel])

        blends.append(
            {
                "shape": list(shape),
                "patchSize": list(roi),
                "overlap": overlap,
                "image": image.ravel().tolist(),
                "kernel": kernel.ravel().tolist(),
                "out": {
                    mode: np.moveaxis(sliding_window_inference(image, roi, overlap, mode, predictor), 0, -1)
                    .ravel()
                    .tolist()
                    for mode in ("constant", "gaussian")
                },
                "importance": compute_importance_map(roi, "gaussian").ravel().tolist(),
            }
        )
    print(json.dumps({"positions": positions, "blends": blends}))


if __name__ == "__main__":
    main()
