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

threads, batch, steps = (int(a) for a in sys.argv[1:4])
unet_batch = int(sys.argv[4]) if len(sys.argv) > 4 else batch
torch.set_num_threads(threads)
torch.manual_seed(0)


def cbr(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout, momentum=0.1), nn.ReLU())


class SmallCnn(nn.Module):
    def __init__(self, base=16, depth=3, classes=2):
        super().__init__()
        layers, c = [], 1
        for i in range(depth):
            layers += [cbr(c, base * 2**i), nn.MaxPool2d(2)]
            c = base * 2**i
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(c, classes))

    def forward(self, x):
        return self.head(self.features(x))


class UNet(nn.Module):
    def __init__(self, base=16, depth=3, classes=2):
        super().__init__()
        self.down, self.up, self.dec = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c = 1
        for i in range(depth):
            self.down.append(nn.Sequential(cbr(c, base * 2**i), cbr(base * 2**i, base * 2**i)))
            c = base * 2**i
        self.mid = nn.Sequential(cbr(c, base * 2**depth), cbr(base * 2**depth, base * 2**depth))
        c = base * 2**depth
        for i in reversed(range(depth)):
            self.up.append(nn.ConvTranspose2d(c, base * 2**i, 2, 2))
            self.dec.append(nn.Sequential(cbr(base * 2**i * 2, base * 2**i), cbr(base * 2**i, base * 2**i)))
            c = base * 2**i
        self.out = nn.Conv2d(c, classes, 1)

    def forward(self, x):
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
            x = nn.functional.max_pool2d(x, 2)
        x = self.mid(x)
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], 1))
        return self.out(x)


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
