"""Train the fetal-head segmentation U-Net on HC18. Seeded, resumable (checkpoint every epoch).

    /usr/bin/python3 models/training/train_fetal_head.py --data ../shared/data/hc18 --epochs 80

Re-running the same command resumes from models/training/.work/fetal-head/last.pt.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from geometry import ellipse_from_prob, hadlock_ga_weeks  # noqa: E402
from hc18_data import build_cache  # noqa: E402
from unet import UNet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def augment(img: torch.Tensor, tgt: torch.Tensor, gen: torch.Generator, max_angle: float = 0.45,
            scale: tuple[float, float] = (0.8, 1.25), vflip: float = 0.3) -> tuple[torch.Tensor, torch.Tensor]:
    """Geometric (same for image and target) and intensity augmentation on a batch, on the fly.
    The defaults are the fetal head's; other tasks narrow them (breast: skin line stays at the top)."""
    n = img.shape[0]
    r = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=gen)  # noqa: E731
    ang = r(-max_angle, max_angle)
    sc = r(*scale)
    tx, ty = r(-0.1, 0.1), r(-0.1, 0.1)
    fx = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    fy = torch.where(torch.rand(n, generator=gen) < vflip, -1.0, 1.0)
    h, w = img.shape[-2:]
    asp = w / h
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.zeros(n, 2, 3)
    # rotation in pixel space expressed in normalised coords (aspect-corrected)
    theta[:, 0, 0] = cos * fx
    theta[:, 0, 1] = -sin / asp * fy
    theta[:, 1, 0] = sin * asp * fx
    theta[:, 1, 1] = cos * fy
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, list(img.shape), align_corners=False)
    img = F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    tgt = F.grid_sample(tgt, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    gamma = r(0.6, 1.6).view(n, 1, 1, 1)
    gain = r(0.7, 1.3).view(n, 1, 1, 1)
    bias = r(-0.08, 0.08).view(n, 1, 1, 1)
    img = (img.clamp(0, 1) ** gamma) * gain + bias
    noise = r(0.0, 0.06).view(n, 1, 1, 1)
    img = img + noise * torch.randn(img.shape, generator=gen)
    return img.clamp(0, 1), tgt


def loss_fn(logits: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, tgt)
    p = torch.sigmoid(logits)
    inter = (p * tgt).sum(dim=(1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + tgt.sum(dim=(1, 2, 3)) + 1)
    return bce + dice.mean()


@torch.no_grad()
def evaluate(model: torch.nn.Module, data: dict, idx: np.ndarray) -> dict:
    model.eval()
    errs, dices, tri = [], [], []
    for i0 in range(0, len(idx), 16):
        b = idx[i0:i0 + 16]
        x = torch.from_numpy(data["images"][b]).float().unsqueeze(1) / 255.0
        prob = torch.sigmoid(model(x)).squeeze(1).numpy()
        for j, k in enumerate(b):
            scale, _, _, px, hc = data["meta"][k][:5]
            t = data["targets"][k] >= 0.5
            m = prob[j] >= 0.5
            dices.append(2 * (m & t).sum() / max(1, m.sum() + t.sum()))
            e = ellipse_from_prob(prob[j])
            pred = e.perimeter() / scale * px if e else 0.0
            errs.append(pred - hc)
            ga = hadlock_ga_weeks(hc)
            tri.append(0 if ga < 14 else 1 if ga < 28 else 2)
    errs, tri = np.array(errs), np.array(tri)
    out = {"hc_mae_mm": float(np.abs(errs).mean()), "hc_bias_mm": float(errs.mean()), "dice": float(np.mean(dices))}
    for t, name in enumerate(["T1", "T2", "T3"]):
        if (tri == t).any():
            out[f"hc_mae_{name}"] = float(np.abs(errs[tri == t]).mean())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/hc18"))
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=224)
    ap.add_argument("--widths", default="8,16,32,64,96", help="U-Net channel widths per level, comma-separated")
    ap.add_argument("--epochs", type=int, default=80)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop cleanly after this long (resume later)")
    ap.add_argument("--work", default=os.path.join(HERE, ".work", "fetal-head"))
    args = ap.parse_args()
    widths = [int(v) for v in args.widths.split(",")]

    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    data = build_cache(args.data, os.path.join(args.work, f"hc18_{args.width}x{args.height}.npz"), args.width, args.height)
    val = np.nonzero(data["meta"][:, 5] == 1)[0]
    train = np.nonzero(data["meta"][:, 5] == 0)[0]
    print(f"train {len(train)} images, validation {len(val)} images (split by subject)", flush=True)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    model = UNet(widths).to(memory_format=torch.channels_last)  # oneDNN is ~3x faster channels-last here
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.1)
    gen = torch.Generator().manual_seed(args.seed)
    start_epoch, best = 0, float("inf")
    last = os.path.join(args.work, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        if ck.get("widths", widths) != widths or ck.get("input", [args.width, args.height]) != [args.width, args.height]:
            raise SystemExit(f"{last} is widths {ck.get('widths')} at {ck.get('input')}; use another --work for a new configuration")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        gen.set_state(ck["gen"])
        start_epoch, best = ck["epoch"] + 1, ck["best"]
        print(f"resumed at epoch {start_epoch}, best validation HC MAE {best:.3f} mm", flush=True)

    t_start = time.time()
    log = open(os.path.join(args.work, "log.jsonl"), "a")
    for epoch in range(start_epoch, args.epochs):
        model.train()
        t0 = time.time()
        perm = train[torch.randperm(len(train), generator=gen).numpy()]
        total = 0.0
        for i0 in range(0, len(perm), args.batch):
            b = np.sort(perm[i0:i0 + args.batch])
            x = torch.from_numpy(data["images"][b]).float().unsqueeze(1) / 255.0
            y = torch.from_numpy(data["targets"][b]).unsqueeze(1)
            x, y = augment(x, y, gen)
            x = x.contiguous(memory_format=torch.channels_last)
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(b)
        rec = {"epoch": epoch, "loss": total / len(perm), "seconds": time.time() - t0}
        if epoch % 4 == 3 or epoch == args.epochs - 1:
            rec.update(evaluate(model, data, val))
            if rec["hc_mae_mm"] < best:
                best = rec["hc_mae_mm"]
                torch.save({"model": model.state_dict(), "epoch": epoch, "val": rec, "widths": model.widths,
                            "input": [args.width, args.height]}, os.path.join(args.work, "best.pt"))
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "gen": gen.get_state(), "epoch": epoch, "best": best, "widths": model.widths,
                    "input": [args.width, args.height]}, tmp)
        os.replace(tmp, last)
        if (time.time() - t_start) / 60 > args.max_minutes:
            print("time budget reached; re-run the same command to resume", flush=True)
            break


if __name__ == "__main__":
    main()
