"""A tiny evaluator for the ops our exported graphs use, in torch: collects every intermediate tensor
(for calibration) without onnxruntime, which has no Python build here. Checked against torch outputs."""
from __future__ import annotations

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper


def attrs(node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    g = model.graph
    env: dict[str, torch.Tensor] = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in g.initializer}
    for k, v in feeds.items():
        env[k] = torch.from_numpy(v)
    for n in g.node:
        a = attrs(n)
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "Conv":
            pads = a.get("pads", [0, 0, 0, 0])
            y = F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, stride=a.get("strides", [1, 1]),
                         padding=(pads[0], pads[1]), dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
        elif op == "Relu":
            y = F.relu(x[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(x[0])
        elif op == "MaxPool":
            y = F.max_pool2d(x[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]))
        elif op == "Resize":
            scales = x[2] if len(x) > 2 and x[2] is not None and x[2].numel() else None
            if scales is not None:
                y = F.interpolate(x[0], scale_factor=(float(scales[2]), float(scales[3])), mode="nearest")
            else:
                y = F.interpolate(x[0], size=(int(x[3][2]), int(x[3][3])), mode="nearest")
        elif op == "Concat":
            y = torch.cat(x, dim=a["axis"])
        elif op == "Constant":
            y = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Mul":
            y = x[0] * x[1]
        else:
            raise NotImplementedError(f"op {op} not supported by the calibration evaluator")
        env[n.output[0]] = y
    return env
