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
    """Export wrapper over one net or several runs of the same recipe from different seeds, optionally each
    also on the mirrored image: lesion_prob = the mean of sigmoid(mask logits) over every pass (a mirrored
    pass's map mirrored back); class_prob = softmax(mean class logits / T).
    Their mean ships as one graph with the same two outputs, so the runtime still sees one model.
    Probabilities, not logits, are averaged for the mask: one pass's very confident "no" would otherwise veto
    another's "yes". The mirror is a horizontal one, which training's augmentation already uses.

    `batched` (with `mirror`) computes the same mean with one pass per net instead of two: the image and its
    mirror go through the net together as a batch of 2N, and the second half's map is mirrored back. The
    weights and the outputs are the same (float sums in another order); the runtime still feeds one image.
    Batched, an int8 file shares each activation scale between the image and its mirror. Measured on 1.2.0's
    runs (session 11, onnxruntime-node, 1 thread): the same convolutions cost the same, batched or not:
    int8-u8 2-6% less time, fp32 none, so 1.2.0 still ships the sequential graph (batch_breast_lesion.py)."""

    def __init__(self, nets: list[LesionNet], temperature: float, mirror: bool = False, batched: bool = False):
        super().__init__()
        if batched and not mirror:
            raise ValueError("batched runs the image and its mirror as one batch: it needs mirror=True")
        self.nets = nn.ModuleList(nets)
        self.inv_t = float(1.0 / temperature)
        self.mirror = mirror
        self.batched = batched

    def forward(self, x):
        if self.batched:
            return self._forward_batched(x)
        passes = [(n, False) for n in self.nets] + ([(n, True) for n in self.nets] if self.mirror else [])
        prob, logits = None, None
        for net, mirrored in passes:
            seg, lg = net(torch.flip(x, [3]) if mirrored else x)
            p = torch.sigmoid(seg)
            p = torch.flip(p, [3]) if mirrored else p
            prob, logits = (p, lg) if prob is None else (prob + p, logits + lg)
        if len(passes) > 1:
            prob, logits = prob * (1.0 / len(passes)), logits * (1.0 / len(passes))
        return prob, torch.softmax(logits * self.inv_t, dim=1)

    def _forward_batched(self, x):
        n = x.shape[0]
        both = torch.cat([x, torch.flip(x, [3])], 0)
        prob, logits = None, None
        for net in self.nets:
            seg, lg = net(both)
            p = torch.sigmoid(seg)
            p = p[:n] + torch.flip(p[n:], [3])
            lg = lg[:n] + lg[n:]
            prob, logits = (p, lg) if prob is None else (prob + p, logits + lg)
        k = 1.0 / (2 * len(self.nets))
        return prob * k, torch.softmax(logits * k * self.inv_t, dim=1)


def load(checkpoint: dict) -> LesionNet:
    net = LesionNet(checkpoint["widths"])
    net.load_state_dict(checkpoint["model"])
    return net.eval()


def run_passes(nets: list[LesionNet], x: torch.Tensor, mirror: bool) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(lesion probability mirrored back, class logits) of each pass Calibrated averages, in its order: every
    net on x, then, with `mirror`, every net on the mirrored x. For evaluation outside the exported graph."""
    out = []
    for mirrored in ((False, True) if mirror else (False,)):
        for net in nets:
            seg, lg = net(torch.flip(x, [3]) if mirrored else x)
            p = torch.sigmoid(seg)
            out.append((torch.flip(p, [3]) if mirrored else p, lg))
    return out


def load_all(checkpoints: list[dict]) -> list[LesionNet]:
    return [load(c) for c in checkpoints]
