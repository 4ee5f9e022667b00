"""Static int8 QDQ quantization written with onnx's helpers (there is no onnxruntime for Python here).

Two variants from ONE calibration pass:
  u8 — uint8 asymmetric activations, int8 symmetric per-channel weights: onnxruntime's CPU provider fuses
       DequantizeLinear→Conv(→Relu)→QuantizeLinear into QLinearConv.
  s8 — int8 symmetric activations and weights, zero points 0: TensorRT's explicit-quantization form.
Weights are per output channel: axis 0 for Conv (axis 1 would be ConvTranspose, which we do not use).
"""
from __future__ import annotations

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_eval import run_graph

QUANT_OUTPUT_OPS = {"Relu", "MaxPool", "Resize", "Concat", "Conv", "Slice"}


def activation_tensors(model: onnx.ModelProto) -> list[str]:
    """Float activations to quantize: the graph input and op outputs, except a Conv's output that only feeds
    a Relu (Conv+Relu fuse; the Relu's output carries the scale) and the graph outputs."""
    g = model.graph
    consumers: dict[str, list] = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    outs = {o.name for o in g.output}
    names = [i.name for i in g.input]
    for n in g.node:
        if n.op_type not in QUANT_OUTPUT_OPS:
            continue
        t = n.output[0]
        if t in outs:
            continue
        cons = consumers.get(t, [])
        if n.op_type == "Conv" and cons and all(c.op_type == "Relu" for c in cons):
            continue
        # a Slice (the mirrored pass) is quantized only where it feeds a Conv: mirroring a lesion map back
        # happens after the Sigmoid, which stays in float
        if n.op_type == "Slice" and not any(c.op_type == "Conv" for c in cons):
            continue
        names.append(t)
    return names


def calibrate(model: onnx.ModelProto, images: np.ndarray, names: list[str]) -> dict[str, tuple[float, float]]:
    lo = {n: np.inf for n in names}
    hi = {n: -np.inf for n in names}
    for img in images:
        env = run_graph(model, {model.graph.input[0].name: img[None, None].astype(np.float32)})
        for n in names:
            v = env[n]
            lo[n] = min(lo[n], float(v.min()))
            hi[n] = max(hi[n], float(v.max()))
    return {n: (lo[n], hi[n]) for n in names}


def act_params(lo: float, hi: float, mode: str) -> tuple[float, int]:
    if mode == "u8":
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = max(hi - lo, 1e-8) / 255.0
        return scale, int(np.clip(round(-lo / scale), 0, 255))
    return max(abs(lo), abs(hi), 1e-8) / 127.0, 0


def quantize(model: onnx.ModelProto, ranges: dict[str, tuple[float, float]], mode: str) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    act_type = TensorProto.UINT8 if mode == "u8" else TensorProto.INT8
    new_nodes, new_inits = [], []
    scale_of: dict[str, float] = {}
    # 1. activation Q/DQ pairs
    renamed: dict[str, str] = {}
    for t, (lo, hi) in ranges.items():
        s, zp = act_params(lo, hi, mode)
        scale_of[t] = s
        new_inits += [numpy_helper.from_array(np.array(s, np.float32), f"{t}_scale"),
                      helper.make_tensor(f"{t}_zp", act_type, [], [zp])]
        new_nodes.append((t, [helper.make_node("QuantizeLinear", [t, f"{t}_scale", f"{t}_zp"], [f"{t}_q"], name=f"{t}_Q"),
                              helper.make_node("DequantizeLinear", [f"{t}_q", f"{t}_scale", f"{t}_zp"], [f"{t}_dq"], name=f"{t}_DQ")]))
        renamed[t] = f"{t}_dq"
    nodes = []
    for n in g.node:
        for k, i in enumerate(n.input):
            if i in renamed:
                n.input[k] = renamed[i]
        nodes.append(n)
    # 2. Conv weights per output channel, bias as int32 with scale s_in·s_w. A weight shared by several Convs
    # (one net run on the image and on its mirror) is quantized once; its bias once per Conv, since s_in differs.
    weights_done: set[str] = set()
    biases_done: set[str] = set()
    for n in nodes:
        if n.op_type != "Conv":
            continue
        src = n.input[0][:-3] if n.input[0].endswith("_dq") else None
        if src is None or src not in scale_of:
            raise SystemExit(f"Conv {n.name} input {n.input[0]} is not quantized")
        w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
        ws = np.maximum(np.abs(w.reshape(w.shape[0], -1)).max(axis=1), 1e-8) / 127.0
        wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
        wn = n.input[1]
        if wn not in weights_done:
            weights_done.add(wn)
            new_inits += [numpy_helper.from_array(wq, f"{wn}_q"), numpy_helper.from_array(ws.astype(np.float32), f"{wn}_scale"),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int8), f"{wn}_zp")]
            new_nodes.append((None, [helper.make_node("DequantizeLinear", [f"{wn}_q", f"{wn}_scale", f"{wn}_zp"], [f"{wn}_dq"], axis=0, name=f"{wn}_DQ")]))
        n.input[1] = f"{wn}_dq"
        if len(n.input) > 2 and n.input[2]:
            b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float64)
            bn = n.input[2] if n.input[2] not in biases_done else f"{n.input[2]}_{n.output[0]}"
            biases_done.add(n.input[2])
            bs = (scale_of[src] * ws).astype(np.float32)
            bq = np.round(b / bs).astype(np.int32)
            new_inits += [numpy_helper.from_array(bq, f"{bn}_q"), numpy_helper.from_array(bs, f"{bn}_scale"),
                          numpy_helper.from_array(np.zeros(w.shape[0], np.int32), f"{bn}_zp")]
            new_nodes.append((None, [helper.make_node("DequantizeLinear", [f"{bn}_q", f"{bn}_scale", f"{bn}_zp"], [f"{bn}_dq"], axis=0, name=f"{bn}_DQ")]))
            n.input[2] = f"{bn}_dq"
    # 3. rebuild node list in topological order: Q/DQ right after their producer
    producer_pos = {}
    for k, n in enumerate(nodes):
        for o in n.output:
            producer_pos[o] = k
    head = [x for t, pair in new_nodes for x in pair if t is None or t not in producer_pos]
    after: dict[int, list] = {}
    for t, pair in new_nodes:
        if t is not None and t in producer_pos:
            after.setdefault(producer_pos[t], []).extend(pair)
    ordered = list(head)
    for k, n in enumerate(nodes):
        ordered.append(n)
        ordered.extend(after.get(k, []))
    used = {i for n in ordered for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.node[:]
    g.node.extend(ordered)
    del g.initializer[:]
    g.initializer.extend(keep + [i for i in new_inits if i.name in used])
    onnx.checker.check_model(m)
    return m


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--calibration", required=True, help=".npy uint8 images N×H×W at model size")
    ap.add_argument("--out-u8", required=True)
    ap.add_argument("--out-s8", required=True)
    a = ap.parse_args()
    model = onnx.load(a.model)
    imgs = np.load(a.calibration).astype(np.float32) / 255.0
    names = activation_tensors(model)
    ranges = calibrate(model, imgs, names)
    for mode, out in (("u8", a.out_u8), ("s8", a.out_s8)):
        onnx.save(quantize(model, ranges, mode), out)
        print(f"wrote {out} ({mode}, {len(names)} activation tensors from {len(imgs)} calibration images)")


if __name__ == "__main__":
    main()
