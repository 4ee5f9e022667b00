"""The breast-lesion network: unet.py's U-Net (same encoder/decoder modules) plus a classification head on the
bottleneck, and the export wrapper whose graph outputs the runtime contract's probabilities.

Classification pools the bottleneck twice — average (how the whole view looks) and max (the most lesion-like
spot) — into two linear layers that are summed, so the export has no Concat for the quantizer to touch and
the head stays in float after the last DequantizeLinear.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from unet import UNet

CLASSES = ("normal", "benign", "malignant")


class LesionNet(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64, 128), n_classes: int = 3, dropout: float = 0.2):
        super().__init__()
        self.unet = UNet(widths, out_channels=1)
        self.widths = list(widths)
        self.fc_avg = nn.Linear(widths[-1], n_classes)
        self.fc_max = nn.Linear(widths[-1], n_classes, bias=False)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        u = self.unet
        skips = []
        for i, e in enumerate(u.enc):
            x = e(x)
            if i < len(u.enc) - 1:
                skips.append(x)
                x = u.pool(x)
        avg = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        mx = torch.flatten(F.adaptive_max_pool2d(x, 1), 1)
        logits = self.fc_avg(self.drop(avg)) + self.fc_max(self.drop(mx))
        for d in u.dec:
            x = d(torch.cat([u.up(x), skips.pop()], dim=1))
        return u.head(x), logits


class Calibrated(nn.Module):
    """Export wrapper: lesion_prob = sigmoid(mask logits); class_prob = softmax(class logits / T)."""

    def __init__(self, net: LesionNet, temperature: float):
        super().__init__()
        self.net = net
        self.inv_t = float(1.0 / temperature)

    def forward(self, x):
        seg, logits = self.net(x)
        return torch.sigmoid(seg), torch.softmax(logits * self.inv_t, dim=1)


def load(checkpoint: dict) -> LesionNet:
    net = LesionNet(checkpoint["widths"])
    net.load_state_dict(checkpoint["model"])
    return net.eval()
