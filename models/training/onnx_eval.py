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


def _qdq(op: str, x: list, axis: int) -> torch.Tensor:
    """ONNX QuantizeLinear / DequantizeLinear (per tensor or per axis), so quantized graphs can be simulated."""
    v, scale = x[0], x[1].double()
    zp = x[2] if len(x) > 2 and x[2] is not None else torch.zeros((), dtype=torch.uint8)
    if scale.ndim == 1:
        shape = [1] * v.ndim
        shape[axis] = -1
        scale = scale.reshape(shape)
        zp = zp.reshape(shape)
    if op == "QuantizeLinear":
        lo, hi = (0, 255) if zp.dtype == torch.uint8 else (-128, 127)
        q = torch.clamp(torch.round(v.double() / scale) + zp.double(), lo, hi)  # torch.round: half to even, as ONNX
        return q.to(zp.dtype)
    return ((v.double() - zp.double()) * scale).float()


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
        elif op == "DepthToSpace":
            bs = a["blocksize"]
            mode = a.get("mode", b"DCR")
            if mode in (b"CRD", "CRD"):
                y = F.pixel_shuffle(x[0], bs)
            else:
                n_, c_, h_, w_ = x[0].shape
                y = x[0].reshape(n_, bs, bs, c_ // (bs * bs), h_, w_).permute(0, 3, 4, 1, 5, 2).reshape(n_, c_ // (bs * bs), h_ * bs, w_ * bs)
        elif op == "Add":
            y = x[0] + x[1]
        elif op == "Mul":
            y = x[0] * x[1]
        elif op == "Identity":
            y = x[0]
        elif op == "Div":
            y = x[0] / x[1]
        elif op == "Softmax":
            y = torch.softmax(x[0], dim=a.get("axis", -1))
        elif op == "GlobalAveragePool":
            y = x[0].mean(dim=(2, 3), keepdim=True)
        elif op == "GlobalMaxPool":
            y = x[0].amax(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif op == "Gemm":
            aa = x[0].t() if a.get("transA", 0) else x[0]
            bb = x[1].t() if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (aa @ bb)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "Slice":
            # numpy slicing: torch has no negative steps (the mirrored passes are Slice with step -1)
            v = x[0].numpy()
            idx = [slice(None)] * v.ndim
            axes = x[3].tolist() if len(x) > 3 and x[3] is not None else list(range(len(x[1])))
            steps = x[4].tolist() if len(x) > 4 and x[4] is not None else [1] * len(axes)
            for ax, st, en, sp in zip(axes, x[1].tolist(), x[2].tolist(), steps):
                dim = v.shape[ax]
                # ONNX: negative indices count from the end; then with a negative step starts clamp to
                # [0, dim-1] and ends to [-1, dim-1] (-1 = past the first element), else both to [0, dim]
                st, en = (st + dim if st < 0 else st), (en + dim if en < 0 else en)
                st = max(0, min(dim - 1, st)) if sp < 0 else max(0, min(dim, st))
                en = max(-1, min(dim - 1, en)) if sp < 0 else max(0, min(dim, en))
                idx[ax] = slice(st, None if sp < 0 and en < 0 else en, sp)
            y = torch.from_numpy(np.ascontiguousarray(v[tuple(idx)]))
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op in ("QuantizeLinear", "DequantizeLinear"):
            y = _qdq(op, x, a.get("axis", 1))
        else:
            raise NotImplementedError(f"op {op} not supported by the calibration evaluator")
        env[n.output[0]] = y
    return env
