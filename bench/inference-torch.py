#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/inference.ts: inference of the same small CNN
and depth-3 U-Net as Phi Studio's built-in specs on random 128x128x1 batches.
Prints one JSON line: images/s of each network at each batch size.
Usage: /usr/bin/python3 bench/inference-torch.py THREADS BATCHES STEPS
(BATCHES comma-separated, e.g. 1,16)"""
import json
import sys
import time

import torch

from torch_nets import SmallCnn, UNet

threads, batches, steps = int(sys.argv[1]), [int(b) for b in sys.argv[2].split(",")], int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)


def rate(model, batch):
    x = torch.rand(batch, 1, 128, 128)
    model.eval()
    with torch.inference_mode():
        model(x)
        t0 = time.perf_counter()
        for _ in range(steps):
            model(x)
    return batch * steps / (time.perf_counter() - t0)


nets = {"small-cnn": SmallCnn(), "unet": UNet()}
print(json.dumps({name: {str(b): rate(net, b) for b in batches} for name, net in nets.items()}))
