"""Edge-aware teacher for the enhancer: non-local means, then an iterated joint bilateral filter, then a
mild unsharp mask, computed from the NLM pairs that enhance_data.py wrote.

    /usr/bin/python3 models/training/enhance_teacher.py --work W                      # session 9's teacher (B)
    /usr/bin/python3 models/training/enhance_teacher.py --work W --domain log --iterations 2 --usm-amount 0.6 \
        --out pairs_log2u6 [--shard 0/2]                                               # session 10's

Why (measured on BUSI training lesions, models/enhance/MODEL_CARD.md "Tried"): NLM h 20 keeps the lesion edge
but leaves the tissue around it grainy at scales its 7×7 patches cannot tell from structure; a stronger NLM
(h 30) or a Gaussian/guided filter smooths that only by mixing across the lesion border. A joint bilateral filter
whose range weights are taken on a lightly blurred copy (σ 1) does not average across a step of more than ~2
range σ, and iterating it flattens tissue while the border stays (it tends to piecewise-smooth regions); the
unsharp mask (σ 2, amount 0.3) then gives back the edge step the remaining mixing took.
Session 10: every bilateral pass also shrinks the fetal-head HC the head model measures on the output (the
flattening, not the unsharp mask, moves it), so the passes run in the log domain (--domain log), where speckle
is additive and one range σ smooths the bright tissue around a lesion more and the faint tissue less: the same
look (ENL) with fewer passes and less HC movement (table in the card).
Writes OUT/KEY.npz with image (uint8) and target (float16 gray) for train_enhance.py --pairs.
"""
from __future__ import annotations

import argparse
import glob
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter


@torch.no_grad()
def joint_bilateral(src: np.ndarray, guide: np.ndarray, ss: float, sr: float) -> np.ndarray:
    """Σ w·src / Σ w over a (2·⌈2ss⌉+1)² window, w = exp(−d²/2ss²)·exp(−(guide(q) − guide(p))²/2sr²); reflect borders."""
    r = int(np.ceil(2 * ss))
    x = torch.from_numpy(np.ascontiguousarray(src, np.float32))[None, None]
    g = torch.from_numpy(np.ascontiguousarray(guide, np.float32))[None, None]
    H, W = src.shape
    xp = F.pad(x, (r, r, r, r), mode="reflect")
    gp = F.pad(g, (r, r, r, r), mode="reflect")
    acc = torch.zeros_like(x)
    ws = torch.zeros_like(x)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            sw = float(np.exp(-(dy * dy + dx * dx) / (2 * ss * ss)))
            if sw < 0.01:
                continue
            w = sw * torch.exp(-((gp[..., r + dy:r + dy + H, r + dx:r + dx + W] - g) ** 2) / (2 * sr * sr))
            acc += w * xp[..., r + dy:r + dy + H, r + dx:r + dx + W]
            ws += w
    return (acc / ws)[0, 0].numpy()


# Intensity domains the bilateral passes can run in (forward, inverse), each with slope 1 at gray 100 so the
# range σ means the same there. Speckle is multiplicative (its spread grows with the echo level): in the sqrt
# and log domains a fixed range σ smooths bright tissue more and faint tissue less than in the linear one.
DOMAINS = {
    "linear": (lambda i: i, lambda u: u),
    "sqrt": (lambda i: 20 * np.sqrt(np.maximum(i, 0)), lambda u: (u / 20) ** 2),
    "log": (lambda i: 101 * np.log1p(np.maximum(i, 0)), lambda u: np.expm1(u / 101)),
}


def edge_teacher(nlm_out: np.ndarray, iterations: int = 5, ss: float = 5.0, sr: float = 14.0, usm_sigma: float = 2.0,
                 usm_amount: float = 0.3, domain: str = "linear", nlm_blend: float = 1.0) -> np.ndarray:
    """nlm_blend: the share of the bilateral+unsharp result; the rest is the NLM output itself."""
    fwd, inv = DOMAINS[domain]
    n = nlm_out.astype(np.float32)
    a = fwd(n)
    for _ in range(iterations):
        a = joint_bilateral(a, gaussian_filter(a, 1.0, mode="reflect"), ss, sr)
    a = inv(a).astype(np.float32)
    if usm_amount:
        a = a + usm_amount * (a - gaussian_filter(a, usm_sigma, mode="reflect"))
    return n + nlm_blend * (a - n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--ss", type=float, default=5.0)
    ap.add_argument("--sr", type=float, default=14.0)
    ap.add_argument("--usm-sigma", type=float, default=2.0)
    ap.add_argument("--usm-amount", type=float, default=0.3)
    ap.add_argument("--domain", choices=sorted(DOMAINS), default="linear")
    ap.add_argument("--nlm-blend", type=float, default=1.0, help="share of the filtered result (the rest: NLM output)")
    ap.add_argument("--shard", default="0/1", help="K/N: make only every N-th target from the K-th (run N at once)")
    ap.add_argument("--pairs", default="pairs", help="the NLM pairs folder under --work (enhance_data.py's output)")
    ap.add_argument("--out", default="pairs_edge")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out_dir = os.path.join(a.work, a.out)
    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    k0, n_shards = (int(v) for v in a.shard.split("/"))
    files = sorted(glob.glob(os.path.join(a.work, a.pairs, "*.npz")))[k0::n_shards]
    for k, p in enumerate(files):
        dst = os.path.join(out_dir, os.path.basename(p))
        if os.path.exists(dst) or ".tmp" in p:
            continue
        d = np.load(p)
        tgt = edge_teacher(d["target"].astype(np.float32), a.iterations, a.ss, a.sr, a.usm_sigma, a.usm_amount,
                           a.domain, a.nlm_blend)
        tmp = dst + ".tmp.npz"
        np.savez(tmp, image=d["image"], target=np.clip(tgt, 0, 255).astype(np.float16))
        os.replace(tmp, dst)
        if (k + 1) % 20 == 0:
            print(f"{k + 1}/{len(files)} targets, {(time.time() - t0) / 60:.1f} min", flush=True)
    print(f"{len(files)} targets", flush=True)


if __name__ == "__main__":
    main()
