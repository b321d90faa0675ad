#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/train.ts: the same small CNN and depth-3 U-Net
as Phi Studio's built-in specs, trained with Adam on random 128x128x1 batches.
Prints one JSON line: images/s for training and inference of each network.
Usage: /usr/bin/python3 bench/train-torch.py THREADS BATCH STEPS [UNET_BATCH]"""
import json
import sys
import time

import torch
from torch import nn

from torch_nets import SmallCnn, UNet

threads, batch, steps = (int(a) for a in sys.argv[1:4])
unet_batch = int(sys.argv[4]) if len(sys.argv) > 4 else batch
torch.set_num_threads(threads)
torch.manual_seed(0)


def bench(model, target_fn, batch):
    x = torch.rand(batch, 1, 128, 128)
    y = target_fn()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for i in range(steps + 1):
        if i == 1:
            t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    train = batch * steps / (time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        model(x)
        t0 = time.perf_counter()
        for _ in range(steps):
            model(x)
    infer = batch * steps / (time.perf_counter() - t0)
    return train, infer


out = {}
out["small-cnn"] = bench(SmallCnn(), lambda: torch.randint(0, 2, (batch,)), batch)
out["unet"] = bench(UNet(), lambda: torch.randint(0, 2, (unet_batch, 128, 128)), unet_batch)
print(json.dumps({k: {"train": v[0], "infer": v[1]} for k, v in out.items()}))
