"""Train the enhancer by distilling non-local means (see MODEL_CARD.md in models/enhance for why).

    /usr/bin/python3 models/training/train_enhance.py [--epochs 24] [--max-minutes 45]
    /usr/bin/python3 models/training/train_enhance.py --method n2s --work models/training/.work/enhance-n2s

--hc-weight W (with --init CKPT to fine-tune a trained student) adds a term that holds the fetal-head model's output
fixed: a whole HC18 training-subject image is enhanced (out = x + strength·r, mean set back to the input's, as the
runtime does), letterboxed exactly as the runtime feeds the fetal-head model, and the mean squared difference of its
probability map on the enhanced vs the raw image is added, times W (fetal_head_from_onnx.py recovers the frozen
model from the shipped fp32 graph). Validation subjects and the subjects of --hc-exclude are never read.

--method n2s trains the same network self-supervised instead (Noise2Self, Batson & Royer 2019: a random
1/16 of the pixels, one per 4×4 block, replaced by the mean of their 8 neighbours; the loss is the error
on those pixels against their own noisy value, so no clean or teacher target is used). It is the measured
alternative in the model card.

Seeded; checkpoints every epoch to .work/enhance/last.pt; re-running the same command resumes. Each epoch
re-reads .work/enhance/pairs/, so it can start while enhance_data.py is still making pairs.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from enhance_net import Enhancer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, ".work", "enhance")


class Pairs:
    """Image/teacher pairs in memory, refreshed from disk at each epoch."""

    def __init__(self, folder: str, target_usm: float = 0.0, usm_gate: float = 0.0):
        self.folder = folder
        self.target_usm = target_usm
        self.usm_gate = usm_gate
        self.items: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def refresh(self) -> None:
        for p in sorted(glob.glob(os.path.join(self.folder, "*.npz"))):
            k = os.path.basename(p)
            if k in self.items or ".tmp" in k:
                continue
            d = np.load(p)
            t = d["target"].astype(np.float32)
            if self.target_usm:  # more edge back: t + a·(t − G_σ2(t)), see enhance_teacher.py
                from scipy.ndimage import gaussian_filter
                blur = gaussian_filter(t, 2.0, mode="reflect")
                gate = 1.0
                if self.usm_gate:  # only at edges: gradient g of the blurred target (gray/px), weight g²/(g² + gate²)
                    gy, gx = np.gradient(blur)
                    g2 = gx * gx + gy * gy
                    gate = g2 / (g2 + self.usm_gate ** 2)
                t = t + self.target_usm * gate * (t - blur)
            self.items[k] = (d["image"].astype(np.float32) / 255.0, t / 255.0)

    def batch(self, n: int, side: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        keys = sorted(self.items)
        xs, ys = [], []
        for _ in range(n):
            img, tgt = self.items[keys[int(rng.integers(len(keys)))]]
            h, w = img.shape
            s = min(side, h - h % 4, w - w % 4)
            y = int(rng.integers(0, h - s + 1))
            x = int(rng.integers(0, w - s + 1))
            a, b = img[y:y + s, x:x + s], tgt[y:y + s, x:x + s]
            if rng.random() < 0.5:  # NLM is mirror-equivariant; speckle is not rotation-invariant, so no rotations
                a, b = a[:, ::-1], b[:, ::-1]
            if s < side:
                a = np.pad(a, ((0, side - s), (0, side - s)), mode="reflect")
                b = np.pad(b, ((0, side - s), (0, side - s)), mode="reflect")
            xs.append(a.copy())
            ys.append(b.copy())
        return torch.from_numpy(np.stack(xs))[:, None], torch.from_numpy(np.stack(ys))[:, None]


def n2s_mask(shape: torch.Size, rng: np.random.Generator) -> torch.Tensor:
    """One pixel per 4×4 block, at a random position per block (J-invariant masking)."""
    n, _, h, w = shape
    m = np.zeros((n, 1, h, w), bool)
    oy = rng.integers(0, 4, size=(n, h // 4, w // 4))
    ox = rng.integers(0, 4, size=(n, h // 4, w // 4))
    bi, by, bx = np.meshgrid(np.arange(n), np.arange(h // 4), np.arange(w // 4), indexing="ij")
    m[bi, 0, by * 4 + oy, bx * 4 + ox] = True
    return torch.from_numpy(m)


class HeadConsistency:
    """Fetal-head probability on the enhanced vs the raw HC18 image (raw maps computed once)."""

    def __init__(self, graph: str, limit: int, exclude: str, strength: float):
        import csv

        from PIL import Image

        from fetal_head_from_onnx import Letterbox, frozen
        from hc18_data import is_validation_subject, subject_of

        root = "/work/shared/data/hc18"
        skip = set()
        if exclude:
            skip = {subject_of(r["filename"]) for r in csv.DictReader(open(exclude))}
        rows = [r["filename"] for r in csv.DictReader(open(os.path.join(root, "training_set_pixel_size_and_HC.csv")))]
        rows = [n for n in rows if not is_validation_subject(subject_of(n)) and subject_of(n) not in skip]
        step = max(1, len(rows) // limit)
        self.names = rows[::step][:limit]
        self.net = frozen(graph)
        self.strength = strength
        self.images, self.boxes = [], {}
        self.raw: dict[tuple[int, bool], torch.Tensor] = {}
        for n in self.names:
            g = np.array(Image.open(os.path.join(root, "training_set", n)).convert("L"))
            self.images.append(g)
            if g.shape not in self.boxes:
                self.boxes[g.shape] = Letterbox(*g.shape)
        print(f"hc consistency: {len(self.names)} HC18 training-subject images (of {len(rows)}), {len(skip)} subjects excluded", flush=True)

    def prob(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(self.boxes[tuple(x.shape[-2:])](x)))

    def raw_prob(self, i: int, flip: bool) -> torch.Tensor:
        key = (i, flip)
        if key not in self.raw:
            with torch.no_grad():
                self.raw[key] = self.prob(self.tensor(i, flip))
        return self.raw[key]

    def tensor(self, i: int, flip: bool) -> torch.Tensor:
        g = self.images[i][:, ::-1] if flip else self.images[i]
        return torch.from_numpy(g.astype(np.float32) / 255.0)[None, None]

    def loss(self, model: torch.nn.Module, rng: np.random.Generator) -> torch.Tensor:
        i, flip = int(rng.integers(len(self.images))), bool(rng.random() < 0.5)
        x = self.tensor(i, flip)
        h, w = x.shape[-2:]
        m = 48  # ≥ the student's receptive half-width, mirrored as tiles.ts does at image borders
        ph, pw = (-(h + 2 * m)) % 4, (-(w + 2 * m)) % 4
        xp = torch.nn.functional.pad(x, (m, m + pw, m, m + ph), mode="reflect")
        r = (model(xp) - xp)[..., m:m + h, m:m + w]
        out = x + self.strength * r
        out = (out - (out.mean() - x.mean())).clamp(0, 1)
        return ((self.prob(out) - self.raw_prob(i, flip)) ** 2).mean()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--steps", type=int, default=250, help="steps per epoch")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--side", type=int, default=96)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--channels", type=int, default=32)
    ap.add_argument("--dilations", default="1,2,2,1")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-minutes", type=float, default=1e9)
    ap.add_argument("--work", default=WORK)
    ap.add_argument("--method", choices=["distil", "n2s"], default="distil")
    ap.add_argument("--target-usm", type=float, default=0.0, help="unsharp-mask amount (σ 2) added to the targets at load")
    ap.add_argument("--usm-gate", type=float, default=0.0, help="with --target-usm: sharpen only where the gradient is well above this (gray/px)")
    ap.add_argument("--pairs", default="pairs", help="pairs folder under --work (pairs_edge: enhance_teacher.py's targets)")
    ap.add_argument("--init", default="", help="start from this checkpoint's weights (fresh optimizer), unless --work has last.pt")
    ap.add_argument("--hc-weight", type=float, default=0.0, help="weight of the fetal-head consistency term (0: off)")
    ap.add_argument("--hc-graph", default=os.path.join(HERE, "..", "fetal-head", "fetal-head.fp32.onnx"))
    ap.add_argument("--hc-images", type=int, default=200, help="HC18 training-subject images for the consistency term")
    ap.add_argument("--hc-exclude", default="", help="CSV (filename column) whose subjects the consistency term never reads")
    ap.add_argument("--hc-strength", type=float, default=1.1, help="export strength the consistency term enhances with")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    model = Enhancer(a.channels, tuple(int(d) for d in a.dilations.split(",")))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=a.epochs * a.steps, pct_start=0.05, div_factor=5)
    start, rng_state = 0, None
    last = os.path.join(a.work, "last.pt")
    if a.init and not os.path.exists(last):
        init = torch.load(a.init, map_location="cpu")
        if init["config"] != model.config:
            raise SystemExit(f"--init {a.init} has config {init['config']}, not {model.config}: pass its --channels/--dilations")
        model.load_state_dict(init["model"])
        print(f"initialised from {a.init}", flush=True)
    head = HeadConsistency(a.hc_graph, a.hc_images, a.hc_exclude, a.hc_strength) if a.hc_weight else None
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        start, rng_state = ck["epoch"] + 1, ck["rng"]
        print(f"resumed at epoch {start}", flush=True)
    rng = np.random.default_rng(a.seed)
    if rng_state is not None:
        rng.bit_generator.state = rng_state
    pairs = Pairs(os.path.join(a.work, a.pairs), a.target_usm, a.usm_gate)
    t_start = time.time()
    log = open(os.path.join(a.work, "log.jsonl"), "a")
    for epoch in range(start, a.epochs):
        pairs.refresh()
        model.train()
        t0 = time.time()
        total, shift, hc_total = 0.0, 0.0, 0.0
        for _ in range(a.steps):
            x, y = pairs.batch(a.batch, a.side, rng)
            if a.method == "n2s":
                # blind spot: masked pixels replaced by their neighbours' mean, the loss only on them
                mask = n2s_mask(x.shape, rng)
                neighbours = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"), 3, 1) * 9 / 8 - x / 8
                out = model(torch.where(mask, neighbours, x))
                loss = (((out - x) ** 2) * mask).sum() / mask.sum()
            else:
                out = model(x)
                # mean squared error to the teacher (a deterministic filter: its conditional mean is itself). An L1
                # loss with a patch-mean term stalled at the identity in a first run (measured: no gain in 600 steps).
                loss = ((out - y) ** 2).mean()
            opt.zero_grad()
            if head is not None:
                hc = head.loss(model, rng)
                hc_total += float(hc)
                (loss + a.hc_weight * hc).backward()
            else:
                loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
            shift += float((out - x).mean()) * 255
        rec = {"epoch": epoch, "pairs": len(pairs.items), "rmse_gray": math.sqrt(total / a.steps) * 255, "mean_shift_gray": shift / a.steps,
               **({"hc_mse": hc_total / a.steps} if head is not None else {}),
               "seconds": round(time.time() - t0, 1)}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch,
                    "rng": rng.bit_generator.state, "config": model.config, "pairs": len(pairs.items)}, tmp)
        os.replace(tmp, last)
        if (time.time() - t_start) / 60 > a.max_minutes:
            print("time budget reached; re-run the same command to resume", flush=True)
            break


if __name__ == "__main__":
    main()
