"""Build models/fetal-head from a trained checkpoint: fp32 ONNX, u8 and s8 QDQ from one calibration, and
manifest.json with SHA-256 of every file. Evaluation figures are measured afterwards by
`npm run eval:hc18` (through the runtime itself) and recorded with --evaluation.

    /usr/bin/python3 models/training/package_fetal_head.py --checkpoint models/training/.work/fetal-head/best.pt \
        --version 1.0.0 [--evaluation eval.json]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from export_onnx import export  # noqa: E402
from quantize_qdq import activation_tensors, calibrate, quantize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def sha256(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "fetal-head"))
    ap.add_argument("--cache", default=os.path.join(HERE, ".work", "fetal-head", "hc18_320x224.npz"))
    ap.add_argument("--calibration-images", type=int, default=48)
    ap.add_argument("--evaluation", help="JSON of measured figures to record in the manifest")
    a = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)
    fp32 = os.path.join(a.out, "fetal-head.fp32.onnx")
    w, h = export(a.checkpoint, fp32)
    # Calibration: training-side images only (never validation), spread over the set.
    d = np.load(a.cache)
    train_idx = np.nonzero(d["meta"][:, 5] == 0)[0]
    pick = train_idx[np.linspace(0, len(train_idx) - 1, a.calibration_images).astype(int)]
    imgs = d["images"][pick].astype(np.float32) / 255.0
    model = onnx.load(fp32)
    names = activation_tensors(model)
    ranges = calibrate(model, imgs, names)
    files = [{"precision": "fp32", "providers": ["tensorrt", "cuda", "cpu"], "path": os.path.basename(fp32)}]
    for mode, prec, providers in (("u8", "int8-qdq-u8", ["cpu"]), ("s8", "int8-qdq-s8", ["tensorrt"])):
        path = os.path.join(a.out, f"fetal-head.int8-{mode}.onnx")
        onnx.save(quantize(model, ranges, mode), path)
        files.append({"precision": prec, "providers": providers, "path": os.path.basename(path)})
    for f in files:
        f["sha256"] = sha256(os.path.join(a.out, f["path"]))
    ck = torch.load(a.checkpoint, map_location="cpu")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    evaluation = json.load(open(a.evaluation)) if a.evaluation else {"note": "measured with npm run eval:hc18; see MODEL_CARD.md"}
    manifest = {
        "apiVersion": 1,
        "id": "fetal-head",
        "version": a.version,
        "task": "fetal-head",
        "description": "Fetal head segmentation on 2D B-mode (trans-thalamic plane) for HC/BPD/OFD biometry",
        "input": {"name": "image", "shape": [1, 1, h, w], "layout": "NCHW",
                  "normalize": {"scale": 1 / 255, "mean": 0, "std": 1}, "resize": "letterbox", "cropToRegion": True},
        "outputs": [{"name": "prob", "meaning": "probability that the pixel lies inside the fetal skull's outer outline (centre line of the HC18 annotation)", "shape": [1, 1, h, w]}],
        "classes": ["fetal-head"],
        "files": files,
        "provenance": {
            "data": "HC18 training set (van den Heuvel et al., PLoS ONE 2018, CC BY 4.0), split by subject (hash of subject id, 15% validation)",
            "architecture": f"U-Net widths {ck.get('widths')}, nearest upsampling + conv, {sum(v.numel() for k, v in ck['model'].items() if 'num_batches' not in k and 'running' not in k)} parameters",
            "trainedEpochs": int(ck.get("epoch", -1)) + 1,
            "trainingCommit": commit,
            "calibration": f"{a.calibration_images} training images, min/max per tensor",
            "checkpointValidation": ck.get("val"),
        },
        "evaluation": evaluation,
    }
    json.dump(manifest, open(os.path.join(a.out, "manifest.json"), "w"), indent=2)
    print(json.dumps({f["path"]: os.path.getsize(os.path.join(a.out, f["path"])) for f in files}))


if __name__ == "__main__":
    main()
