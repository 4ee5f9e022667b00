"""Undo the export's BatchNorm folding, for recovering a network from a shipped fp32 graph.

The export folded each BatchNorm into the Conv before it. The folded weight goes back into the Conv; the
BatchNorm becomes the identity plus the folded bias (running mean 0, running variance 1 − eps, weight 1), so in
eval mode the pair computes exactly what the graph's one Conv computes.
"""
from __future__ import annotations

import onnx
import torch
from onnx import numpy_helper
from torch import nn


def initializers(model: onnx.ModelProto) -> dict[str, torch.Tensor]:
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}


def unfold(conv: nn.Conv2d, bn: nn.BatchNorm2d, weight: torch.Tensor, bias: torch.Tensor) -> None:
    with torch.no_grad():
        conv.weight.copy_(weight)
        bn.weight.fill_(1.0)
        bn.bias.copy_(bias)
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)
