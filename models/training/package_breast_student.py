"""Package a one-pass breast-lesion student (distil_breast_lesion.py) as a breast-lesion model folder (issue #22).
By default into a SCRATCH models folder for a runtime check; `--ship` is needed to write models/breast-lesion.

    nice -n 10 /usr/bin/python3 models/training/package_breast_student.py /work/train-work/breast-student-v3/a/last.pt \
        --out /work/train-work/breast-student-v3/models-a --version 2.0.0
    SONOEDGE_MODELS_DIR=/work/train-work/breast-student-v3/models-a npm run eval:busi

Writes OUT/breast-lesion/: fp32 ONNX (one pass; sigmoid and softmax(logits / T) in the graph), u8 and s8 QDQ from
one calibration on 48 training images (16 per class folder, as package_breast_lesion.py), validation.txt (the
same 104 groups) and a manifest.json that is the shipped one with version, files, provenance and evaluation
replaced. Unlike package_breast_lesion.py nothing is fitted on validation: T is `--temperature` (session 10:
1, fixed before any figure; the training-group holdout's own fit is recorded, not used, because those groups
were in the v1 initialisation's 100 epochs and the fit sharpens). Test vectors: scripts/model-test-vectors.ts.
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

from busi_data import validation_names  # noqa: E402
from export_onnx import export_module  # noqa: E402
from lesion_net import Calibrated, load  # noqa: E402
from package_breast_lesion import fit_temperature, sha256  # noqa: E402
from quantize_qdq import activation_tensors, calibrate, quantize  # noqa: E402
from train_breast_lesion import predict  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_ID = "breast-lesion"
SHIPPED = os.path.realpath(os.path.join(HERE, "..", MODEL_ID))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--out", required=True, help="a models folder (gets breast-lesion/ inside)")
    ap.add_argument("--version", required=True)
    ap.add_argument("--temperature", type=float, default=1.0, help="baked into the class softmax (not fitted here)")
    ap.add_argument("--calibration-images", type=int, default=48)
    ap.add_argument("--ship", action="store_true", help="allow writing into the repository's models/breast-lesion")
    ap.add_argument("--note", default="", help="provenance note (what the run was, which hardware trained it)")
    ap.add_argument("--init-desc", default="the v1 student (100 epochs from scratch)",
                    help="what the run was fine-tuned from, for the provenance (session 11 v4: 1.2.0's run B, recovered by lesion_from_onnx.py)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = os.path.join(a.out, MODEL_ID)
    if os.path.realpath(out) == SHIPPED and not a.ship:
        raise SystemExit("refusing to write into the shipped models/breast-lesion without --ship; pass a scratch --out")
    os.makedirs(out, exist_ok=True)
    base = json.load(open(os.path.join(SHIPPED, "manifest.json")))
    ck = torch.load(a.checkpoint, map_location="cpu", weights_only=False)
    w, h = ck["input"]
    d = np.load(os.path.join(os.path.dirname(a.checkpoint), f"busi_{w}x{h}.npz"))
    holdout = np.asarray(ck["holdout"], np.int64)
    holdout = holdout[d["label"][holdout] >= 0]
    net = load(ck)
    ho_t = None
    if len(holdout):
        ho_logits, _ = predict(net, d["images"][holdout])
        ho_t = fit_temperature(ho_logits.astype(np.float64), d["label"][holdout])
    print(f"temperature {a.temperature} (the holdout's own fit, not used: {ho_t})", flush=True)

    fp32 = os.path.join(out, f"{MODEL_ID}.fp32.onnx")
    export_module(Calibrated([net], a.temperature, mirror=False), torch.rand(1, 1, h, w), fp32, ["lesion_prob", "class_prob"])
    model = onnx.load(fp32)
    train = np.nonzero(~d["validation"])[0]
    per = a.calibration_images // 3
    pick = np.concatenate([c[np.linspace(0, len(c) - 1, per).astype(int)] for c in (train[d["folder"][train] == k] for k in range(3))])
    ranges = calibrate(model, d["images"][pick].astype(np.float32) / 255.0, activation_tensors(model))
    files = [{"precision": "fp32", "providers": ["tensorrt", "cuda", "cpu"], "path": os.path.basename(fp32)}]
    for mode, prec, providers in (("u8", "int8-qdq-u8", ["cpu"]), ("s8", "int8-qdq-s8", ["tensorrt"])):
        path = os.path.join(out, f"{MODEL_ID}.int8-{mode}.onnx")
        onnx.save(quantize(model, ranges, mode), path)
        files.append({"precision": prec, "providers": providers, "path": os.path.basename(path)})
    for f in files:
        f["sha256"] = sha256(os.path.join(out, f["path"]))
    with open(os.path.join(out, "validation.txt"), "w") as f:
        f.write("\n".join(validation_names(d)) + "\n")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    n_params = sum(v.numel() for k, v in ck["model"].items() if "num_batches" not in k and "running" not in k)
    man = dict(base)
    man["version"] = a.version
    man["files"] = files
    man["provenance"] = {
        "data": base["provenance"]["data"],
        "architecture": f"one U-Net widths {ck['widths']} (nearest upsampling + conv) with a pooled linear classifier on the "
                        f"bottleneck, {n_params} parameters; one pass per frame",
        "training": "distilled from breast-lesion 1.2.0 (four passes) by models/training/distil_breast_lesion.py; fine-tuned "
                    f"from {a.init_desc} with the options below; the last epoch is the model",
        "note": a.note,
        "trainedEpochs": int(ck["epoch"]) + 1, "scheduledEpochs": ck.get("epochs"), "seed": ck.get("seed"),
        "alpha": ck.get("alpha"), "options": ck.get("options", {}), "trainingCommit": commit,
        "temperature": {"temperature": a.temperature, "holdoutFitNotUsed": ho_t, "holdoutImages": int(len(holdout))},
        "calibration": f"{len(pick)} training images ({per} per class folder), min/max per tensor, one pass for u8 and s8",
        "deduplication": base["provenance"].get("deduplication"),
        "split": base["provenance"].get("split"),
    }
    man["evaluation"] = {"runtime": "npm run eval:busi (see MODEL_CARD.md)"}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
