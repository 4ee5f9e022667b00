"""Validation figures of one-pass breast-lesion students against the shipped 1.2.0 graph, on the same images
(issue #22). Nothing is chosen on validation here: the temperature is fitted on the student run's TRAINING-group
holdout (`holdout` in its checkpoint, see distil_breast_lesion.py --holdout-frac), and thresholds are the
runtime's fixed ones.

    nice -n 19 /usr/bin/python3 models/training/eval_breast_student.py /work/train-work/breast-student-v2/last.pt \
        --also /work/train-work/breast-student/last.pt --work /work/train-work/breast-student-v2

1.2.0's outputs are the teacher cache of distil_breast_lesion.py (its fp32 ONNX graph through onnx_eval; maps
stored as uint8, so "≥ 0.5" is "≥ 128/255"); its temperature is baked in (fitted on validation in 1.2.0, so its
ECE here is optimistic). Figures per model:
- Dice, every-pixel rule (train_breast_lesion.metrics: every pixel ≥ 0.5 against the mask, lesion images), and
  the runtime's one-region rule (compare_breast_lesion_passes.region_dice: the most confident region ≥ 0.2% of
  the input);
- normals outlined: the runtime's rule (any region ≥ 0.2% of the input) and the python 0.5%-of-pixels rule;
- malignant AUC with a 95% bootstrap interval over validation groups, and the paired bootstrap interval of
  (student − 1.2.0);
- ECE of the stated (top) class, 10 and 15 equal-width bins, at T = 1 and at the holdout temperature.
`--split holdout` gives the same figures on the first checkpoint's training-group holdout instead (its labelled
images; every checkpoint must hold the same holdout): the split that chooses between student runs (session 10),
so that validation chooses nothing. Written to eval-holdout.json beside the first checkpoint.
Alert rates need the runtime's shape rules (src/analysis/breast-lesion.ts): measure them with `npm run eval:busi`.
"""
from __future__ import annotations

import argparse
import json
import os

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from compare_breast_lesion_passes import region_dice  # noqa: E402
from lesion_net import load  # noqa: E402
from package_breast_lesion import bootstrap_auc, fit_temperature, softmax  # noqa: E402
from train_breast_lesion import ece, metrics, predict, roc_auc  # noqa: E402


def paired_auc_diff(a: np.ndarray, b: np.ndarray, pos: np.ndarray, n: int = 2000, seed: int = 7) -> list[float]:
    """95% percentile interval of AUC(a) − AUC(b) over the same resampled validation groups."""
    rng = np.random.default_rng(seed)
    v = []
    for _ in range(n):
        i = rng.integers(0, len(a), len(a))
        v.append(roc_auc(a[i], pos[i]) - roc_auc(b[i], pos[i]))
    return [float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5))]


def figures(prob: np.ndarray, seg: np.ndarray, masks: np.ndarray, y: np.ndarray) -> dict:
    m = metrics(prob, y, seg, masks)
    rdice, false_normals = region_dice(seg, masks, y)
    pos = y == 2
    return {
        "diceEveryPixel": m["dice"], "diceOneRegion": rdice,
        "normalsOutlinedRuntimeRule": false_normals / max(1, int((y == 0).sum())),
        "normalsOutlinedPythonRule": m["falseLesionRateNormals"],
        "malignantAuc": m["malignantAuc"], "malignantAucCi95": bootstrap_auc(prob[:, 2], pos),
        "ece10": ece(prob, y, 10), "ece15": ece(prob, y, 15), "accuracy": m["accuracy"], "macroF1": m["macroF1"],
        "sensitivityAt90Specificity": m["sensitivityAt90Specificity"], "confusion": m["confusion"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint", help="student checkpoint with its training-group holdout")
    ap.add_argument("--also", nargs="*", default=[], help="more student checkpoints (temperature from the first one's holdout)")
    ap.add_argument("--work", default="/work/train-work/breast-student-v2", help="holds busi_288x224.npz and teacher.npz")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--split", choices=("validation", "holdout"), default="validation",
                    help="validation groups, or the training-group holdout the runs kept out (to choose between runs)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    d = np.load(os.path.join(args.work, "busi_288x224.npz"))
    teacher = np.load(os.path.join(args.work, "teacher.npz"))
    first = torch.load(args.checkpoint, weights_only=False)
    holdout = np.asarray(first.get("holdout", []), np.int64)
    ho = holdout[d["label"][holdout] >= 0]
    if args.split == "holdout":
        if not len(ho):
            raise SystemExit(f"{args.checkpoint} has no training-group holdout")
        for path in args.also:
            other = np.asarray(torch.load(path, weights_only=False).get("holdout", []), np.int64)
            if not np.array_equal(other, holdout):
                raise SystemExit(f"{path} kept out another holdout than {args.checkpoint}: its figures are not comparable")
        val = ho
    else:
        val = np.nonzero(d["validation"] & d["representative"])[0]
    y, masks = d["label"][val], d["masks"][val]
    out = {"split": args.split, "images": int(len(val)), "groups": int(len(np.unique(d["group"][val]))),
           "validationImages": int(len(val)) if args.split == "validation" else 0, "holdoutImages": int(len(ho)), "models": {}}
    t_prob = teacher["probs"][val].astype(np.float64)
    t_seg = teacher["maps"][val].astype(np.float32) / 255.0
    out["models"]["1.2.0 (4 passes)"] = figures(t_prob, t_seg, masks, y)
    for path in [args.checkpoint, *args.also]:
        ck = first if path == args.checkpoint else torch.load(path, weights_only=False)
        net = load(ck)
        logits, seg = predict(net, d["images"][val])
        logits = logits.astype(np.float64)
        rec = {"epochs": int(ck["epoch"]) + 1, "options": ck.get("options", {})}
        rec["T1"] = figures(softmax(logits), seg, masks, y)
        if len(ho) and args.split == "validation":
            ho_logits, _ = predict(net, d["images"][ho])
            t = fit_temperature(ho_logits.astype(np.float64), d["label"][ho])
            p = softmax(logits / t)
            rec["holdoutTemperature"] = t
            rec["Tholdout"] = {"ece10": ece(p, y, 10), "ece15": ece(p, y, 15)}
        rec["aucMinus120Ci95"] = paired_auc_diff(softmax(logits)[:, 2], t_prob[:, 2], y == 2)
        out["models"][path] = rec
        print(json.dumps({path: rec}), flush=True)
    print(json.dumps(out, indent=1))
    name = "eval.json" if args.split == "validation" else "eval-holdout.json"
    with open(os.path.join(os.path.dirname(args.checkpoint), name), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
