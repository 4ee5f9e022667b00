"""Export the second-stage refiner (experiment, not shipped) and measure its ONNX files on the same images.

Writes to --out (scratch, never models/): refiner.fp32.onnx (BatchNorm folded; input `image` 1x2x48x128,
output `radial` = softmax over the 48 radial bins, 1x1x48x128) and refiner.int8-u8.onnx / .int8-s8.onnx
(QDQ from ONE calibration on 48 training images' polar inputs around their first-stage ellipses, like the
shipped model's). It then measures HC on the checkpoint's test images (validation subjects, or the inner
fold it was trained without) with torch, the fp32 graph and the u8 QDQ graph (simulated by
`onnx_eval.run_graph`), first stage alone alongside, in one table.

    nice -n 19 /usr/bin/python3 models/training/hc_refine_export.py --work /work/train-work/hc-refine/final-map
    /usr/bin/python3 models/training/hc_refine_export.py --work … --time-only   # latency vs the shipped model

Latency (`--time`, `--time-only`): onnxruntime-node from this repo's node_modules, the runtime's session options
(CPU provider, 2 intra-op threads, no spinning, all graph optimisations), the shipped fetal-head fp32 and u8
files and the refiner's fp32 and u8 files in ONE process, interleaved rounds, plus the JavaScript cost of the
polar resampling (2 x 48 x 128 bilinear samples from an 800x540 frame).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

import hc_refine as H  # noqa: E402
from export_onnx import export_module  # noqa: E402
from onnx_eval import run_graph  # noqa: E402
from quantize_qdq import activation_tensors, quantize  # noqa: E402


class Softmaxed(torch.nn.Module):
    def __init__(self, net: H.Refiner):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net.logits4d(x), dim=2)


class GraphRefiner:
    """Called like the torch Refiner (returns log-probabilities (N, R, K)), runs an ONNX graph instead."""
    def __init__(self, model: onnx.ModelProto):
        self.model = model

    def eval(self):
        return self

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        p = run_graph(self.model, {"image": x.numpy()})["radial"]
        return torch.log(p.clamp_min(1e-12))[:, 0]


TIMING_JS = r"""
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/package.json');
const ort = require('onnxruntime-node');
const [, , , ...files] = process.argv;
const opts = { executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  executionMode: 'sequential', extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } };
const entries = [];
for (const f of files) {
  const s = await ort.InferenceSession.create(f, opts);
  const meta = s.inputNames[0];
  const dims = f.includes('refiner') ? [1, 2, 48, 128] : [1, 1, 224, 320];
  const data = new Float32Array(dims.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) >>> 24) / 255;
  const feeds = { [meta]: new ort.Tensor('float32', data, dims) };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  entries.push({ f, s, feeds, t: [] });
}
// the polar resampling the runtime would add: 2 x 48 x 128 bilinear samples (image and probability map)
const W = 800, H = 540, img = new Float32Array(W * H).map((_, i) => (i % 251) / 251), out = new Float32Array(2 * 48 * 128);
const sample = () => {
  let k = 0;
  for (let c = 0; c < 2; c++) for (let r = 0; r < 48; r++) for (let a = 0; a < 128; a++) {
    const t = (2 * Math.PI * a) / 128, s = 0.88 + (0.24 * r) / 47, x = 400 + s * 300 * Math.cos(t), y = 270 + s * 200 * Math.sin(t);
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0, i = y0 * W + x0;
    out[k++] = (img[i] * (1 - fx) + img[i + 1] * fx) * (1 - fy) + (img[i + W] * (1 - fx) + img[i + W + 1] * fx) * fy;
  }
};
const js = [];
for (let r = 0; r < 12; r++) {
  for (let k = 0; k < entries.length; k++) {
    const e = entries[(k + r) % entries.length];
    for (let i = 0; i < 20; i++) { const t0 = performance.now(); await e.s.run(e.feeds); e.t.push(performance.now() - t0); }
  }
  for (let i = 0; i < 20; i++) { const t0 = performance.now(); sample(); js.push(performance.now() - t0); }
}
const p = (a, q) => [...a].sort((x, y) => x - y)[Math.floor(q * (a.length - 1))];
const rows = entries.map((e) => ({ file: e.f, p50: p(e.t, 0.5), p90: p(e.t, 0.9) }));
rows.push({ file: 'js polar resampling 2x48x128', p50: p(js, 0.5), p90: p(js, 0.9) });
console.log(JSON.stringify(rows));
"""


def time_files(out: str, files: list[str]) -> list[dict]:
    js = os.path.join(out, "time_refiner.mjs")
    with open(js, "w") as f:
        f.write(TIMING_JS)
    repo = os.path.abspath(os.path.join(H.HERE, "..", ".."))
    res = subprocess.run(["node", js, repo, *files], check=True, capture_output=True, text=True)
    rows = json.loads(res.stdout.strip().splitlines()[-1])
    for r in rows:
        print(f"{os.path.basename(r['file']):34s} p50 {r['p50']:.2f} ms  p90 {r['p90']:.2f} ms", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="a hc_refine.py work folder (last.pt)")
    ap.add_argument("--out", default="", help="where the ONNX files go (default: WORK/onnx)")
    ap.add_argument("--data", default=os.path.join(H.HERE, "../../../shared/data/hc18"))
    ap.add_argument("--cache", default="/work/train-work/quality/hc18_320x224.npz")
    ap.add_argument("--maps", default="/work/train-work/quality/maps.npz")
    ap.add_argument("--model", default=os.path.join(H.HERE, "..", "fetal-head", "fetal-head.fp32.onnx"))
    ap.add_argument("--inner-fold", default="")
    ap.add_argument("--time", action="store_true", help="also time the files (onnxruntime-node, 2 threads)")
    ap.add_argument("--time-only", action="store_true", help="only time the files already exported")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = a.out or os.path.join(a.work, "onnx")
    os.makedirs(out, exist_ok=True)
    shipped = os.path.dirname(a.model)
    timed = [os.path.join(shipped, "fetal-head.fp32.onnx"), os.path.join(shipped, "fetal-head.int8-u8.onnx"),
             os.path.join(out, "refiner.fp32.onnx"), os.path.join(out, "refiner.int8-u8.onnx")]
    if a.time_only:
        json.dump(time_files(out, timed), open(os.path.join(out, "latency.json"), "w"), indent=1)
        return
    ck = torch.load(os.path.join(a.work, "last.pt"))
    use_map = ck["use_map"]
    net = H.Refiner(2 if use_map else 1)
    net.load_state_dict(ck["model"])
    net.eval()
    d = H.Data(a)
    train = np.nonzero(~d.val)[0]
    if a.inner_fold:
        f, n = (int(v) for v in a.inner_fold.split("/"))
        folds = np.array([H.fold_of(s, n) for s in d.subjects[train]])
        test, train = train[folds == f], train[folds != f]
    else:
        test = np.nonzero(d.val)[0]
    fp32 = os.path.join(out, "refiner.fp32.onnx")
    x0 = torch.from_numpy(d.inputs(int(train[0]), d.first[train[0]], use_map)[None])
    export_module(Softmaxed(net), x0, fp32, ["radial"])
    g = onnx.load(fp32)
    calib = np.random.default_rng(7).choice(train, 48, replace=False)
    names = activation_tensors(g)
    lo = {k: np.inf for k in names}
    hi = {k: -np.inf for k in names}
    for i in calib:
        env = run_graph(g, {"image": d.inputs(int(i), d.first[i], use_map)[None]})
        for k in names:
            lo[k], hi[k] = min(lo[k], float(env[k].min())), max(hi[k], float(env[k].max()))
    ranges = {k: (lo[k], hi[k]) for k in names}
    graphs = {}
    for mode in ("u8", "s8"):
        q = quantize(g, ranges, mode)
        onnx.save(q, os.path.join(out, f"refiner.int8-{mode}.onnx"))
        graphs[mode] = q
    print(f"wrote {out}: fp32, u8, s8 ({len(names)} activation tensors, 48 calibration images)", flush=True)
    report = {}
    for label, m in (("torch", net), ("onnx fp32", GraphRefiner(g)), ("onnx u8 (QDQ simulated)", GraphRefiner(graphs["u8"]))):
        with torch.no_grad():
            r = H.evaluate(m, d, test, use_map, 1)
        report[label] = {k: {"first": v["first"], "refined": v["refined"], "n": v["n"]} for k, v in r["groups"].items()}
        for k, v in r["groups"].items():
            print(f"{label:24s} {k:4s} n {v['n']:3d} first {v['first']['mae']:.3f}  refined {v['refined']['mae']:.3f} "
                  f"({v['refined']['lo']:.2f}-{v['refined']['hi']:.2f}) signed {v['refined']['signed']:+.2f}", flush=True)
    json.dump(report, open(os.path.join(out, "onnx-eval.json"), "w"), indent=1)
    if a.time:
        json.dump(time_files(out, timed), open(os.path.join(out, "latency.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
