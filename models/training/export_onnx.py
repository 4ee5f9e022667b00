"""Export a trained checkpoint to fp32 ONNX (BatchNorm folded into Conv by the exporter in eval mode)."""
from __future__ import annotations

import argparse
import os

import numpy as np
import onnx
import torch

from onnx_eval import run_graph
from unet import UNet, WithSigmoid


def inline_initializer_identities(m: onnx.ModelProto) -> None:
    """The exporter shares equal constants (e.g. two folded Conv biases that are both zero) through Identity
    nodes; give each consumer its own initializer so every Conv's weight and bias is one the quantizer finds."""
    inits = {i.name: i for i in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)


def export_module(model: torch.nn.Module, x: torch.Tensor, out: str, output_names: list[str], opset: int = 13,
                  tolerance: float = 1e-4) -> None:
    """Export an eval-mode module with input `image`, check it (BatchNorm folded, every output equal to torch's
    through onnx_eval) and save it."""
    model.eval()
    torch.onnx.export(model, x, out, input_names=["image"], output_names=output_names, opset_version=opset,
                      do_constant_folding=True)
    m = onnx.load(out)
    inline_initializer_identities(m)
    onnx.checker.check_model(m)
    onnx.save(m, out)
    ops = sorted({n.op_type for n in m.graph.node})
    if "BatchNormalization" in ops:
        raise SystemExit("BatchNormalization was not folded into Conv")
    with torch.no_grad():
        ref = model(x)
    ref = [ref] if isinstance(ref, torch.Tensor) else list(ref)
    env = run_graph(m, {"image": x.numpy()})
    err = max(float(np.abs(r.numpy() - env[name].numpy()).max()) for r, name in zip(ref, output_names))
    if err > tolerance:
        raise SystemExit(f"exported graph disagrees with torch (max |Δ| {err})")
    print(f"exported {out}: ops {ops}, max |torch - graph| {err:.2e}")


def export(checkpoint: str, out: str, opset: int = 13) -> tuple[int, int]:
    ck = torch.load(checkpoint, map_location="cpu")
    widths = ck.get("widths", [8, 16, 32, 64, 96])
    w, h = ck.get("input", [320, 224])
    net = UNet(widths)
    net.load_state_dict(ck["model"])
    net.eval()
    export_module(WithSigmoid(net), torch.rand(1, 1, h, w), out, ["prob"], opset)
    return w, h


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(2)
    export(a.checkpoint, a.out)
