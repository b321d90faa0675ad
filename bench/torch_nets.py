"""The small CNN and U-Net of Phi Studio's built-in specs in PyTorch, for the
PyTorch baselines of bench/train.ts (train-torch.py) and bench/inference.ts
(inference-torch.py)."""
import torch
from torch import nn


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


class UNet3d(nn.Module):
    """Phi Studio's unet3d spec: per stage two 3x3x3 convs with leaky ReLU, 2x2x2 max pooling, a
    bottleneck conv, per stage up a 2x2x2 stride-2 transposed conv, concatenation and one conv,
    then a 1x1x1 conv to the classes (softmax)."""

    def __init__(self, base=8, depth=2, classes=2):
        super().__init__()

        def conv(cin, cout):
            return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1), nn.LeakyReLU(0.1))

        self.down, self.up, self.dec = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c = 1
        for i in range(depth):
            self.down.append(nn.Sequential(conv(c, base * 2**i), conv(base * 2**i, base * 2**i)))
            c = base * 2**i
        self.mid = conv(c, base * 2**depth)
        c = base * 2**depth
        for i in reversed(range(depth)):
            self.up.append(nn.ConvTranspose3d(c, base * 2**i, 2, 2))
            self.dec.append(conv(base * 2**i * 2, base * 2**i))
            c = base * 2**i
        self.out = nn.Conv3d(c, classes, 1)

    def forward(self, x):
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
            x = nn.functional.max_pool3d(x, 2)
        x = self.mid(x)
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([up(x), skips.pop()], 1))
        return self.out(x)
