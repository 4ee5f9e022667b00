"""Prototype of a fetal-head measurement-uncertainty score from the probability map (issue #22).

The runtime's quality score does not predict an HC error above 3 mm (AUROC 0.64 held-out, 0.55 on training
images). This probe asks whether the probability map itself does: it runs the shipped fp32 graph (through
`onnx_eval.run_graph`) on every HC18 image, and measures per image
  band_mm  the width of the uncertain band (pixels with 0.1 < p < 0.9, per unit of boundary length), in mm
  shift_mm |HC of the ellipse fitted at level 0.3 − HC at level 0.7|, in mm
  hc_mm    HC of the ellipse at level 0.5, in mm
against the runtime's own int8 errors (the JSON of `bench/eval-support.ts`). Features are ranked on the
training images; the held-out subjects only measure the chosen one.

    nice -n 19 /usr/bin/python3 models/training/quality_probe.py --errors-train /work/train-work/support/int8-train.json \
        --errors-heldout /work/train-work/support/int8.json
"""
from __future__ import annotations

import argparse
import json
import os
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from scipy import ndimage  # noqa: E402

from geometry import fit_ellipse  # noqa: E402
from hc18_data import build_cache  # noqa: E402
from onnx_eval import run_graph  # noqa: E402
from quality_tta import auc, auc_ci  # noqa: E402  (one AUROC and subject-clustered CI for both probes)

HERE = os.path.dirname(os.path.abspath(__file__))


def maps_cache(onnx_path: str, images: np.ndarray, path: str) -> np.ndarray:
    d = dict(np.load(path)) if os.path.exists(path) else {"maps": np.zeros(images.shape, np.uint8), "done": np.array(0)}
    model = onnx.load(onnx_path)
    inp = model.graph.input[0].name
    out_name = model.graph.output[0].name
    t0 = time.time()
    with torch.no_grad():
        for i in range(int(d["done"]), len(images)):
            p = run_graph(model, {inp: images[i][None, None].astype(np.float32) / 255.0})[out_name].numpy()[0, 0]
            d["maps"][i] = np.clip(np.rint(p * 255), 0, 255).astype(np.uint8)
            d["done"] = np.array(i + 1)
            if (i + 1) % 50 == 0 or i + 1 == len(images):
                np.savez(path + ".tmp.npz", **d)
                os.replace(path + ".tmp.npz", path)
                print(f"maps {i + 1}/{len(images)} ({time.time() - t0:.0f} s)", flush=True)
    return d["maps"]


def level_hc(p: np.ndarray, level: float) -> float:
    """HC (model pixels) of the ellipse fitted to the boundary of the largest component at `level`."""
    m = p >= level
    lab, n = ndimage.label(m)
    if n == 0:
        return float("nan")
    sizes = ndimage.sum(m, lab, range(1, n + 1))
    comp = lab == (1 + int(np.argmax(sizes)))
    edge = comp & ~ndimage.binary_erosion(comp)
    ys, xs = np.nonzero(edge)
    if len(xs) < 6:
        return float("nan")
    e = fit_ellipse(xs.astype(np.float64), ys.astype(np.float64))
    return float(e.perimeter()) if e is not None else float("nan")


def features(p: np.ndarray, mm_per_model_px: float) -> dict:
    hc05 = level_hc(p, 0.5)
    band = ((p > 0.1) & (p < 0.9)).sum()
    return {
        "band_mm": float(band / max(hc05, 1.0) * mm_per_model_px),
        "shift_mm": abs(level_hc(p, 0.3) - level_hc(p, 0.7)) * mm_per_model_px,
        "hc_mm": hc05 * mm_per_model_px,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/hc18"))
    ap.add_argument("--model", default=os.path.join(HERE, "..", "fetal-head", "fetal-head.fp32.onnx"))
    ap.add_argument("--work", default="/work/train-work/quality")
    ap.add_argument("--errors-train", required=True)
    ap.add_argument("--errors-heldout", required=True)
    ap.add_argument("--bad-mm", type=float, default=3.0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.work, exist_ok=True)
    data = build_cache(a.data, os.path.join(a.work, "hc18_320x224.npz"), 320, 224)
    maps = maps_cache(a.model, data["images"], os.path.join(a.work, "maps.npz")).astype(np.float32) / 255.0
    names = [str(n) for n in data["names"]]
    feats = {n: features(maps[i], data["meta"][i, 3] / data["meta"][i, 0]) for i, n in enumerate(names)}
    out = {}
    for split, path in (("training", a.errors_train), ("held-out", a.errors_heldout)):
        rows = json.load(open(path))["hc"]
        bad = np.array([(not r["detected"]) or abs(r["err"]) > a.bad_mm for r in rows])
        subj = np.array([r["subject"] for r in rows])
        f = {k: np.array([feats[r["file"]][k] for r in rows]) for k in ("band_mm", "shift_mm", "hc_mm")}
        f["band_mm*hc"] = f["band_mm"] * f["hc_mm"]
        f["shift_mm+band_mm"] = f["shift_mm"] + f["band_mm"]
        f["1-quality (runtime)"] = np.array([1 - r["quality"] for r in rows])
        res = {}
        for k, v in f.items():
            lo, hi = auc_ci(v, bad, subj)
            res[k] = {"auroc": auc(v, bad), "lo": lo, "hi": hi}
        out[split] = {"n": len(rows), "bad": int(bad.sum()), "features": res}
        print(f"{split}: n {len(rows)}, bad {int(bad.sum())}")
        for k, r in res.items():
            print(f"  {k:22s} AUROC {r['auroc']:.3f} ({r['lo']:.3f}-{r['hi']:.3f})")
    json.dump(out, open(os.path.join(a.work, "probe.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
