"""Which passes to average in the breast-lesion graph: lesion Dice (the runtime's region rule: the most confident
region ≥ 0.2% of the input, at lesion_prob ≥ 0.5, on the model grid), false lesions on normal images and malignant
AUC of run A, run B, each with its mirrored pass, and their means, on validation and on the training images.

    /usr/bin/python3 models/training/compare_breast_lesion_passes.py A.pt B.pt [--threads 2] [--validation-only]
"""
from __future__ import annotations

import argparse
import os

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy import ndimage as ndi  # noqa: E402

from lesion_net import load, run_passes  # noqa: E402
from train_breast_lesion import roc_auc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MIN_REGION = 0.002  # the runtime's MIN_LESION_FRACTION


def region_dice(prob: np.ndarray, masks: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
    """(mean Dice of the most confident region over lesion images, normal images with any region)."""
    dices, false_normals = [], 0
    min_px = MIN_REGION * prob.shape[1] * prob.shape[2]
    for s, m, y in zip(prob, masks, labels):
        t = m >= 128
        lab, n = ndi.label(s >= 0.5)
        regions = [r for r in (lab == c for c in range(1, n + 1)) if r.sum() >= min_px]
        if not t.any():
            false_normals += int(y == 0 and bool(regions))
            continue
        best = max(regions, key=lambda r: s[r].mean()) if regions else None
        dices.append(0.0 if best is None else 2 * (best & t).sum() / (best.sum() + t.sum()))
    return float(np.mean(dices)), false_normals


def passes(net: torch.nn.Module, images: np.ndarray, mirrored: bool) -> tuple[np.ndarray, np.ndarray]:
    """Lesion probabilities (mirrored back) and class logits of one net's plain or mirrored pass over all images."""
    probs, logits = [], []
    with torch.no_grad():
        for i in range(0, len(images), 16):
            x = torch.from_numpy(images[i:i + 16]).float().unsqueeze(1) / 255.0
            p, lg = run_passes([net], x, mirrored)[-1]
            probs.append(p[:, 0].numpy())
            logits.append(lg.numpy())
    return np.concatenate(probs), np.concatenate(logits)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--cache", default=os.path.join(HERE, ".work", "breast-lesion", "busi_288x224.npz"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--validation-only", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    d = np.load(args.cache)
    nets = {"A": load(torch.load(args.a)), "B": load(torch.load(args.b))}
    splits = [("validation", np.nonzero(d["validation"] & d["representative"])[0])]
    if not args.validation_only:
        splits.append(("training", np.nonzero(~d["validation"])[0]))
    for split, idx in splits:
        images, masks, labels = d["images"][idx], d["masks"][idx], d["label"][idx]
        out = {f"{k}{'m' if m else ''}": passes(n, images, m) for k, n in nets.items() for m in (False, True)}
        known = labels >= 0
        for name, keys in (("A", ["A"]), ("B", ["B"]), ("A + A mirrored", ["A", "Am"]), ("A + B", ["A", "B"]),
                           ("A + B + both mirrored", ["A", "B", "Am", "Bm"])):
            prob = np.mean([out[k][0] for k in keys], axis=0)
            logits = np.mean([out[k][1] for k in keys], axis=0)
            malignant = torch.softmax(torch.from_numpy(logits), 1).numpy()[:, 2]
            dice, false_normals = region_dice(prob, masks, labels)
            print(f"{split:10s} {name:22s} Dice {dice:.4f}  normals with a region {false_normals}/{int((labels == 0).sum())}"
                  f"  malignant AUC {roc_auc(malignant[known], labels[known] == 2):.3f}", flush=True)


if __name__ == "__main__":
    main()
