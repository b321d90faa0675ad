#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/conv3d.ts: one Conv3D layer (3x3x3, 'same',
no bias) forward and backward (the filter's gradient, and the input's where a
case asks) on random volumes. Prints one JSON line: volumes/s of each case.
Usage: /usr/bin/python3 bench/conv3d-torch.py THREADS STEPS CASES_JSON
CASES_JSON: [{"name", "batch", "size", "ci", "co", "inputGrad"}, ...]"""
import json
import sys
import time

import torch

threads, steps = int(sys.argv[1]), int(sys.argv[2])
cases = json.loads(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)

out = {}
for c in cases:
    n, s = c["batch"], c["size"]
    x = torch.rand(n, c["ci"], s, s, s, requires_grad=c["inputGrad"])
    conv = torch.nn.Conv3d(c["ci"], c["co"], 3, padding=1, bias=False)
    r = torch.rand(n, c["co"], s, s, s)
    for i in range(steps + 1):
        if i == 1:
            t0 = time.process_time()
        x.grad = None
        conv.weight.grad = None
        (conv(x) * r).sum().backward()
    out[c["name"]] = n * steps / (time.process_time() - t0)
print(json.dumps(out))
