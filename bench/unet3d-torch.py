#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/unet3d.ts: the same 3-D U-Net (torch_nets.UNet3d) trained with
Adam on random patches, and a whole volume predicted by sliding windows as the engine does
(nn/sliding-window.ts: the same window starts, constant blending). Rates are voxels per second of
CPU time. Prints one JSON line.
Usage: /usr/bin/python3 bench/unet3d-torch.py THREADS PATCH BATCH STEPS VOLUME OVERLAP"""
import json
import math
import sys
import time

import torch
from torch import nn

from torch_nets import UNet3d

threads, patch, batch, steps, volume = (int(a) for a in sys.argv[1:6])
overlap = float(sys.argv[6])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = UNet3d()

x = torch.rand(batch, 1, patch, patch, patch)
y = torch.randint(0, 2, (batch, patch, patch, patch))
opt = torch.optim.Adam(model.parameters(), 1e-3)
loss_fn = nn.CrossEntropyLoss()
model.train()
for i in range(steps + 1):
    if i == 1:
        t0 = time.process_time()
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()
train = batch * patch**3 * steps / (time.process_time() - t0)


def starts(n, p, step):
    """nn/sliding-window.ts windowStarts on one axis."""
    count = 1
    for d in range(math.ceil(n / step)):
        if d * step + p >= n:
            count = d + 1
            break
    return [i * step - max(i * step + p - n, 0) for i in range(count)]


model.eval()
image = torch.rand(1, 1, volume, volume, volume)
step = patch if patch == volume else max(1, int(patch * (1 - overlap)))
axis = starts(volume, patch, step)
with torch.no_grad():
    model(image[:, :, :patch, :patch, :patch])
    t0 = time.process_time()
    out = torch.zeros(1, 2, volume, volume, volume)
    count = torch.zeros(1, 1, volume, volume, volume)
    for z in axis:
        for r in axis:
            for c in axis:
                window = (slice(None), slice(None), slice(z, z + patch), slice(r, r + patch), slice(c, c + patch))
                out[window] += torch.softmax(model(image[window]), 1)
                count[window] += 1
    mask = (out / count).argmax(1)
    infer = volume**3 / (time.process_time() - t0)
print(json.dumps({"train": train, "infer": infer, "windows": len(axis) ** 3}))
