"""Export a trained checkpoint to fp32 ONNX (BatchNorm folded into Conv by the exporter in eval mode)."""
from __future__ import annotations

import argparse
import os

import numpy as np
import onnx
import torch

from onnx_eval import run_graph
from unet import UNet, WithSigmoid


def export(checkpoint: str, out: str, opset: int = 13) -> tuple[int, int]:
    ck = torch.load(checkpoint, map_location="cpu")
    widths = ck.get("widths", [8, 16, 32, 64, 96])
    w, h = ck.get("input", [320, 224])
    net = UNet(widths)
    net.load_state_dict(ck["model"])
    net.eval()
    model = WithSigmoid(net).eval()
    x = torch.rand(1, 1, h, w)
    torch.onnx.export(model, x, out, input_names=["image"], output_names=["prob"], opset_version=opset,
                      do_constant_folding=True)
    m = onnx.load(out)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    if "BatchNormalization" in ops:
        raise SystemExit("BatchNormalization was not folded into Conv")
    with torch.no_grad():
        ref = model(x).numpy()
    got = run_graph(m, {"image": x.numpy()})["prob"].numpy()
    err = float(np.abs(ref - got).max())
    if err > 1e-4:
        raise SystemExit(f"exported graph disagrees with torch (max |Δ| {err})")
    print(f"exported {out}: ops {ops}, max |torch - graph| {err:.2e}")
    return w, h


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(2)
    export(a.checkpoint, a.out)
