"""Training pairs for the enhancer: (image, non-local-means output) on real HC18 and BUSI images and on
simulated-probe frames, written one file per image so the (slow, single-thread) teacher is resumable and
training can start on the pairs already made.

    /usr/bin/python3 models/training/enhance_data.py --limit 260 [--max-minutes 30]

The shipped model (1.1.0) was trained on the first 260 pairs of the interleaved list (48 simulated, 106
HC18 crops, 106 BUSI images): the teacher takes ~4 s per pair on one busy core, and more pairs did not
fit the time box. (1.0.0 had the first 271.)

Splits: HC18 keeps the fetal-head split (validation subjects never used); BUSI is split by a hash of the
file name (25% held out for `npm run eval:enhance`, bench/enhance/busi.ts uses the same rule); simulated
frames come from seeds 101–112 (bench/enhance/dump-sim-frames.ts), never the evaluation's seed 7.
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import os
import time

import numpy as np
from PIL import Image

from hc18_data import is_validation_subject, subject_of

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work", "enhance")


def is_busi_eval(name: str, fraction: float = 0.25) -> bool:
    h = int(hashlib.sha256(("busi-split-v1:" + os.path.basename(name)).encode()).hexdigest()[:8], 16)
    return (h / 0xFFFFFFFF) < fraction


def sources(data: str, work: str = WORK) -> list[tuple[str, str, int]]:
    """(key, path, crop side or 0 for the whole image), interleaved so every source is represented early."""
    hc = sorted(glob.glob(os.path.join(data, "hc18", "training_set", "*_HC.png")))
    hc = [p for p in hc if not is_validation_subject(subject_of(os.path.basename(p)))]
    busi = sorted(p for p in glob.glob(os.path.join(data, "busi", "*", "*.png")) if not p.endswith("_mask.png"))
    busi = [p for p in busi if not is_busi_eval(p)]
    sim = sorted(glob.glob(os.path.join(work, "sim", "*.png")))
    lists = [[("hc18_" + os.path.basename(p)[:-4], p, 256) for p in hc],
             [("busi_" + os.path.basename(p)[:-4], p, 0) for p in busi],
             [("sim_" + os.path.basename(p)[4:-4], p, 256) for p in sim]]
    out = []
    for i in range(max(len(x) for x in lists)):
        for x in lists:
            if i < len(x):
                out.append(x[i])
    return out


def crop_of(key: str, img: np.ndarray, side: int) -> np.ndarray:
    if side == 0:
        return img
    h, w = img.shape
    r = np.random.default_rng(int(hashlib.sha256(key.encode()).hexdigest()[:8], 16))
    y = int(r.integers(0, max(1, h - side + 1)))
    x = int(r.integers(0, max(1, w - side + 1)))
    return img[y:y + side, x:x + side]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "data"))
    ap.add_argument("--max-minutes", type=float, default=1e9)
    ap.add_argument("--limit", type=int, default=0, help="make only the first N pairs of the interleaved list")
    ap.add_argument("--work", default=WORK, help="scratch folder (sim/ in, pairs/ out), outside the repo")
    a = ap.parse_args()
    import torch
    from nlm import nlm
    torch.set_num_threads(1)
    out_dir = os.path.join(a.work, "pairs")
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    todo = sources(a.data, a.work)
    if a.limit:
        todo = todo[:a.limit]
    done = 0
    for key, path, side in todo:
        dst = os.path.join(out_dir, key + ".npz")
        if os.path.exists(dst):
            done += 1
            continue
        img = crop_of(key, np.array(Image.open(path).convert("L")), side)
        tgt = nlm(img.astype(np.float32))
        tmp = dst + ".tmp.npz"
        np.savez(tmp, image=img, target=tgt.astype(np.float16))
        os.replace(tmp, dst)
        done += 1
        if done % 20 == 0:
            print(f"{done}/{len(todo)} pairs, {(time.time() - t0) / 60:.1f} min", flush=True)
        if (time.time() - t0) / 60 > a.max_minutes:
            print("time budget reached; re-run to continue", flush=True)
            break
    print(f"{done}/{len(todo)} pairs", flush=True)


if __name__ == "__main__":
    main()
