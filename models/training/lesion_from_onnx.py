"""Recover the LesionNet runs inside a shipped breast-lesion fp32 graph as torch modules.

The training checkpoints of 1.2.0's two runs were not kept, but its fp32 ONNX holds every weight: the export
folded each BatchNorm into the Conv before it, and the node names keep the module path
(`/nets.1/enc.0/enc.0.0/Conv`). Each folded Conv goes back into its torch Conv, and the BatchNorm after it
becomes the identity plus the folded bias (running mean 0, running variance 1 − eps, weight 1), so in eval
mode the module computes exactly what the graph computes. Fine-tuning from these weights should keep the
BatchNorms in eval mode: their running statistics are no longer the training batches'.

    /usr/bin/python3 models/training/lesion_from_onnx.py models/breast-lesion/breast-lesion.fp32.onnx --out DIR
writes DIR/run0.pt, DIR/run1.pt (checkpoint dicts as lesion_net.load reads) and checks each against the graph.
"""
from __future__ import annotations

import argparse
import os
import re

import onnx
import torch

from folded import initializers, unfold
from lesion_net import LesionNet

CONV_PATH = re.compile(r"^/nets\.(\d+)/(enc|dec)\.(\d+)/\2\.\3\.(\d+)/Conv$")
WIDTHS = (8, 16, 32, 64, 128)


def nets_from_graph(model: onnx.ModelProto, widths=WIDTHS) -> list[LesionNet]:
    init = initializers(model)
    runs = sorted({int(m.group(1)) for n in model.graph.node if (m := CONV_PATH.match(n.name))})
    nets = [LesionNet(widths).eval() for _ in runs]
    filled = [0] * len(nets)
    for node in model.graph.node:
        m = CONV_PATH.match(node.name)
        if not m:
            continue
        run, part, block, index = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        seq = getattr(nets[run].unet, part)[block]
        conv, bn = seq[index], seq[index + 1]
        unfold(conv, bn, init[node.input[1]], init[node.input[2]])
        filled[run] += 1
    expected = 4 * len(widths) - 2
    if any(f != expected for f in filled):
        raise SystemExit(f"expected {expected} folded convs per run, found {filled}: not a LesionNet graph")
    for i, net in enumerate(nets):
        sd = net.state_dict()
        with torch.no_grad():
            for key in ("unet.head.weight", "unet.head.bias", "fc_avg.weight", "fc_avg.bias"):
                sd[key].copy_(init[f"nets.{i}.{key}"])
    # fc_max has no bias; its weight is exported transposed for a MatMul and unnamed: match by shape and order
    matmuls = [n for n in model.graph.node if n.op_type == "MatMul" and n.name.endswith("/fc_max/MatMul")]
    for node in matmuls:
        run = int(re.match(r"^/nets\.(\d+)/", node.name).group(1))
        with torch.no_grad():
            nets[run].fc_max.weight.copy_(init[node.input[1]].t())
    return nets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model = onnx.load(a.graph)
    nets = nets_from_graph(model)
    os.makedirs(a.out, exist_ok=True)
    from onnx_eval import run_graph

    x = torch.rand(1, 1, 224, 288, generator=torch.Generator().manual_seed(7))
    got = run_graph(model, {"image": x.numpy()})
    # the shipped graph is the mirrored mean of every run (lesion_net.Calibrated); rebuild it and compare
    from lesion_net import Calibrated, run_passes

    passes = run_passes(nets, x, mirror=True)
    prob = torch.stack([p for p, _ in passes]).mean(0)
    logits = torch.stack([lg for _, lg in passes]).mean(0)
    # the graph's temperature is baked in: fit it back from the one example (log-ratio of two classes)
    g = got["class_prob"].double()
    t = float((logits[0, 2] - logits[0, 0]) / torch.log(g[0, 2] / g[0, 0]))
    cls = Calibrated(nets, t, mirror=True)(x)[1]
    print(f"runs {len(nets)}; max |lesion_prob − graph| = {float((prob - got['lesion_prob']).abs().max()):.2e}; "
          f"temperature {t:.4f}; max |class_prob − graph| = {float((cls - got['class_prob']).abs().max()):.2e}")
    for i, net in enumerate(nets):
        path = os.path.join(a.out, f"run{i}.pt")
        torch.save({"widths": list(WIDTHS), "model": net.state_dict(), "source": os.path.abspath(a.graph)}, path)
        print("wrote", path)


if __name__ == "__main__":
    main()
