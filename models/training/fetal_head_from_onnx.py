"""Recover the fetal-head U-Net inside a shipped fetal-head fp32 graph as a torch module (frozen, for losses).

The training checkpoint of fetal-head 1.0.0 is not on disk, but its fp32 ONNX holds every weight: the export
folded each BatchNorm into the Conv before it (Conv with a bias, no BatchNorm node), and the node names keep the
module path (`/net/enc.0/enc.0.3/Conv`). As in lesion_from_onnx.py, each folded Conv weight goes back into its
torch Conv and the BatchNorm after it becomes the identity plus the folded bias (running mean 0, running variance
1 − eps, weight 1), so in eval mode the module computes exactly what the graph computes.

Also the runtime's letterbox (src/inference/preprocess.ts + resample.ts: PIL-style bilinear whose triangle widens
when downscaling, content centred, padding 0) as two fixed matrices, so a loss can run the model on an image
exactly as `sonoedge analyze` feeds it, and differentiate through it.

    /usr/bin/python3 models/training/fetal_head_from_onnx.py models/fetal-head/fetal-head.fp32.onnx [--out FILE.pt]
checks the module against the graph (onnx_eval.run_graph) on a random input and a letterboxed HC18 image.
"""
from __future__ import annotations

import argparse
import math
import re

import numpy as np
import onnx
import torch

from folded import initializers, unfold
from unet import UNet, WithSigmoid

CONV_PATH = re.compile(r"^/net/(enc|dec)\.(\d+)/\1\.\2\.(\d+)/Conv$")


def unet_from_graph(model: onnx.ModelProto, widths=(8, 16, 32, 64, 96)) -> UNet:
    init = initializers(model)
    net = UNet(widths).eval()
    filled = 0
    for node in model.graph.node:
        m = CONV_PATH.match(node.name)
        if not m:
            continue
        part, block, index = m.group(1), int(m.group(2)), int(m.group(3))
        seq = getattr(net, part)[block]
        conv, bn = seq[index], seq[index + 1]
        unfold(conv, bn, init[node.input[1]], init[node.input[2]])
        filled += 1
    expected = 4 * len(widths) - 2
    if filled != expected:
        raise SystemExit(f"expected {expected} folded convs, found {filled}: not a fetal-head UNet graph")
    with torch.no_grad():
        net.head.weight.copy_(init["net.head.weight"])
        net.head.bias.copy_(init["net.head.bias"])
    return net


def frozen(path: str) -> UNet:
    """The graph's network (logits), eval mode, no parameter asks for a gradient."""
    net = unet_from_graph(onnx.load(path))
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """resample.ts `coefficients` as an n_out × n_in matrix (rows sum to 1)."""
    scale = n_in / n_out
    fs = max(1.0, scale)
    m = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        c = (o + 0.5) * scale
        lo = max(0, math.trunc(c - fs + 0.5))
        hi = min(n_in, math.trunc(c + fs + 0.5))
        for i in range(lo, hi):
            m[o, i] = max(0.0, 1 - abs((i - c + 0.5) / fs))
        m[o] /= m[o].sum() or 1
    return m


class Letterbox:
    """preprocess.ts for a whole-image region: out = pad(Ry · img · Rxᵀ) / 255, content centred, pad value 0."""

    def __init__(self, height: int, width: int, mh: int = 224, mw: int = 320):
        s = min(mw / width, mh / height)
        self.nw, self.nh = max(1, round(width * s)), max(1, round(height * s))
        self.ox, self.oy = (mw - self.nw) // 2, (mh - self.nh) // 2
        self.mh, self.mw = mh, mw
        self.ry = torch.from_numpy(resample_matrix(height, self.nh)).float()
        self.rx = torch.from_numpy(resample_matrix(width, self.nw)).float()

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        """img N×1×H×W in gray/255 → N×1×mh×mw."""
        small = self.ry @ img @ self.rx.t()
        pad = (self.ox, self.mw - self.nw - self.ox, self.oy, self.mh - self.nh - self.oy)
        return torch.nn.functional.pad(small, pad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph")
    ap.add_argument("--image", default="/work/shared/data/hc18/training_set/008_HC.png")
    ap.add_argument("--out")
    a = ap.parse_args()
    from PIL import Image

    from onnx_eval import run_graph

    model = onnx.load(a.graph)
    net = unet_from_graph(model)
    full = WithSigmoid(net).eval()
    x = torch.rand(1, 1, 224, 320, generator=torch.Generator().manual_seed(7))
    g = np.array(Image.open(a.image).convert("L"), np.float32)
    lb = Letterbox(*g.shape)
    xi = lb(torch.from_numpy(g / 255)[None, None])
    for name, inp in (("random", x), ("letterboxed image", xi)):
        got = run_graph(model, {"image": inp.numpy()})["prob"]
        with torch.no_grad():
            mine = full(inp)
        print(f"{name}: max |prob − graph| = {float((mine - got).abs().max()):.2e}")
    if a.out:
        torch.save({"widths": net.widths, "model": net.state_dict(), "source": a.graph}, a.out)
        print("wrote", a.out)


if __name__ == "__main__":
    main()
