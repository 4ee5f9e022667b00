"""Second stage for the fetal-head HC (experiment, not shipped; issue #22): refine the first ellipse's
boundary on a full-resolution polar crop.

A tiny U-Net (circular along the angle) reads R x K polar samples of the source image (and of the first
stage's probability map) around the first ellipse and predicts, per angle, where the ray meets the
annotation's centre-line ellipse (soft-argmax over R radial bins); an ellipse is fitted to those K points.

Training: the training subjects of the shipped split only (hash of the subject id, `hc18_data`), each
image's real first-stage ellipse (the shipped fp32 graph) OR the annotation ellipse, jittered (centre,
axes, angle) so that the refiner learns to correct errors of the size the first stage makes. The number
of epochs is fixed before training (`--epochs`, default 30); nothing is chosen on the validation subjects.
`--inner-fold F/N` trains on the other training subjects and measures on fold F (a grouped split of the
training subjects; the validation subjects are not touched).

    nice -n 19 /usr/bin/python3 models/training/hc_refine.py --work /work/train-work/hc-refine/final   # resumable
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from cluster_bootstrap import cluster_bootstrap  # noqa: E402
from geometry import fit_ellipse, hadlock_ga_weeks  # noqa: E402
from hc18_data import build_cache, subject_of  # noqa: E402
from hc_refine_data import (K_ANGLES, R_SAMPLES, SPAN, ell_arr, first_stage_ellipses, load_full_images,  # noqa: E402
                            perimeter, points_from_s, polar_sample, radial_grid, ray_hits)

HERE = os.path.dirname(os.path.abspath(__file__))


class CConv(nn.Module):
    """3x3 conv + BN + ReLU; circular padding along the angle axis (W), zeros along the radius (H)."""
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=(1, 0), bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        # = F.pad(x, (1, 1, 0, 0), mode="circular"), written out: torch 1.13 exports that pad with a wrong
        # left slice (x[..., -2:-1] instead of x[..., -1:])
        return F.relu(self.bn(self.conv(torch.cat([x[..., -1:], x, x[..., :1]], dim=3))))


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(CConv(cin, cout), CConv(cout, cout))


class Refiner(nn.Module):
    def __init__(self, cin: int = 2, widths=(16, 32, 48)):
        super().__init__()
        w0, w1, w2 = widths
        self.e0, self.e1, self.e2 = block(cin, w0), block(w0, w1), block(w1, w2)
        self.d1, self.d0 = block(w2 + w1, w1), block(w1 + w0, w0)
        self.head = nn.Conv2d(w0, 1, 1)

    def forward(self, x):  # x: (N, C, R, K) -> radial logits (N, R, K)
        return self.logits4d(x)[:, 0]

    def logits4d(self, x):  # (N, 1, R, K): the exported graph's form (no Gather)
        a = self.e0(x)
        b = self.e1(F.max_pool2d(a, 2))
        c = self.e2(F.max_pool2d(b, 2))
        b = self.d1(torch.cat([F.interpolate(c, scale_factor=2.0, mode="nearest"), b], 1))
        a = self.d0(torch.cat([F.interpolate(b, scale_factor=2.0, mode="nearest"), a], 1))
        return self.head(a)


def soft_s(logits: torch.Tensor) -> torch.Tensor:
    """Expected radial bin index per angle (N, K)."""
    p = torch.softmax(logits, dim=1)
    return (p * torch.arange(logits.shape[1], dtype=p.dtype).view(1, -1, 1)).sum(1)


def conv_cost(model: nn.Module, cin: int) -> tuple[int, int]:
    total = 0

    def hook(m, _i, out):
        nonlocal total
        total += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, cin, R_SAMPLES, K_ANGLES))
    for h in hs:
        h.remove()
    return sum(p.numel() for p in model.parameters()), total


class Data:
    """Everything per image: reference and first-stage ellipses (source px), full-res image, 320x224 map."""
    def __init__(self, a):
        cache = build_cache(a.data, a.cache, 320, 224)
        self.meta, self.gt = cache["meta"], cache["ellipses"]
        self.names = [str(n) for n in cache["names"]]
        self.subjects = np.array([subject_of(n) for n in self.names])
        if os.path.exists(a.maps):
            self.maps = np.load(a.maps)["maps"]
        else:
            from quality_probe import maps_cache  # runs the shipped fp32 graph on all 853 images (~15 min)
            self.maps = maps_cache(a.model, cache["images"], a.maps)
        self.first = first_stage_ellipses(self.maps, self.meta)
        rad = np.where(np.isnan(self.first[:, 2]), self.gt[:, 2], (self.first[:, 2] + self.first[:, 3]) / 2)
        self.images = load_full_images(a.data, self.names, rad)
        self.val = self.meta[:, 5] > 0.5

    def inputs(self, i: int, e: np.ndarray, use_map: bool, gamma: float = 1.0, noise: float = 0.0,
               rng: np.random.Generator | None = None) -> np.ndarray:
        img = polar_sample(self.images[i], e)
        if gamma != 1.0:
            img = np.clip(img, 0, 1) ** gamma
        if noise > 0 and rng is not None:
            img = img + rng.normal(0, noise, img.shape)
        img = (img - img.mean()) / (img.std() + 1e-3)
        if not use_map:
            return img[None].astype(np.float32)
        s, x0, y0 = self.meta[i, 0], self.meta[i, 1], self.meta[i, 2]
        em = np.array([(e[0] + 0.5) * s - 0.5 + x0, (e[1] + 0.5) * s - 0.5 + y0, e[2] * s, e[3] * s, e[4]])
        pm = polar_sample(self.maps[i].astype(np.float32) / 255.0, em) - 0.5
        return np.stack([img, pm]).astype(np.float32)


def jitter(e: np.ndarray, rng: np.random.Generator, c: float, ax: float, ang_deg: float) -> np.ndarray:
    r = (e[2] + e[3]) / 2
    return np.array([e[0] + rng.normal(0, c * r), e[1] + rng.normal(0, c * r), e[2] * math.exp(rng.normal(0, ax)),
                     e[3] * math.exp(rng.normal(0, ax)), e[4] + math.radians(rng.normal(0, ang_deg))])


def bin_of(s: np.ndarray) -> np.ndarray:
    return (s - (1 - SPAN)) / (2 * SPAN) * (R_SAMPLES - 1)


def make_batch(d: Data, idx: np.ndarray, rng: np.random.Generator, use_map: bool):
    xs, ts = [], []
    for i in idx:
        base_first = not np.isnan(d.first[i, 0]) and rng.random() < 0.5
        e = jitter(d.first[i], rng, 0.01, 0.015, 2.0) if base_first else jitter(d.gt[i], rng, 0.02, 0.03, 4.0)
        xs.append(d.inputs(i, e, use_map, gamma=math.exp(rng.uniform(-0.4, 0.4)), noise=rng.uniform(0, 0.04), rng=rng))
        ts.append(np.clip(bin_of(ray_hits(e, d.gt[i])), 0, R_SAMPLES - 1))
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ts).astype(np.float32))


def loss_fn(logits: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    bins = torch.arange(R_SAMPLES, dtype=torch.float32).view(1, -1, 1)
    soft_t = torch.softmax(-0.5 * (bins - t[:, None, :]) ** 2, dim=1)  # Gaussian target, sigma 1 bin
    ce = -(soft_t * torch.log_softmax(logits, dim=1)).sum(1).mean()
    return F.smooth_l1_loss(soft_s(logits), t) + 0.2 * ce


def refine(model: nn.Module, d: Data, i: int, e: np.ndarray, use_map: bool, iters: int = 1) -> np.ndarray | None:
    grid = radial_grid()
    for _ in range(iters):
        with torch.no_grad():
            b = soft_s(model(torch.from_numpy(d.inputs(i, e, use_map)[None])))[0].numpy()
        s = np.interp(b, np.arange(R_SAMPLES), grid)
        x, y = points_from_s(e, s)
        f = fit_ellipse(x, y)
        if f is None:
            return None
        e = ell_arr(f)
    return e


def fold_of(subject: str, n: int) -> int:
    return int(hashlib.sha256(("hc-refine-fold:" + subject).encode()).hexdigest()[:8], 16) % n


def boot_ci(err: np.ndarray, subj: np.ndarray, rounds: int = 2000, seed: int = 22) -> tuple[float, float]:
    return cluster_bootstrap(lambda k: float(np.abs(err[k]).mean()), subj, rounds, seed)


def paired_ci(e1: np.ndarray, e2: np.ndarray, subj: np.ndarray, rounds: int = 2000, seed: int = 23) -> tuple[float, float]:
    return cluster_bootstrap(lambda k: float(np.abs(e2[k]).mean() - np.abs(e1[k]).mean()), subj, rounds, seed)


def evaluate(model: nn.Module, d: Data, idx: np.ndarray, use_map: bool, iters: int) -> dict:
    model.eval()
    ref, hc1, hc2, hc3 = [], [], [], []
    for i in idx:
        px, ref_hc = d.meta[i, 3], d.meta[i, 4]
        e1 = d.first[i]
        if np.isnan(e1[0]):
            hc1.append(np.nan), hc2.append(np.nan), hc3.append(np.nan), ref.append(ref_hc)
            continue
        ea = refine(model, d, i, e1, use_map, 1)
        eb = refine(model, d, i, e1, use_map, iters) if iters > 1 else ea
        ref.append(ref_hc)
        hc1.append(perimeter(e1) * px)
        hc2.append(perimeter(ea) * px if ea is not None else perimeter(e1) * px)
        hc3.append(perimeter(eb) * px if eb is not None else perimeter(e1) * px)
    ref = np.array(ref)
    subj = d.subjects[idx]
    ga = np.array([hadlock_ga_weeks(h) for h in ref])
    groups = {"all": np.ones(len(idx), bool), "T1": ga < 14, "T2": (ga >= 14) & (ga < 28), "T3": ga >= 28}
    out = {"n": int(len(idx)), "subjects": int(len(np.unique(subj))), "groups": {}, "per_image": []}
    errs = {"first": np.array(hc1) - ref, "refined": np.array(hc2) - ref, f"refined x{iters}": np.array(hc3) - ref}
    for g, m in groups.items():
        row = {"n": int(m.sum()), "subjects": int(len(np.unique(subj[m])))}
        for k, e in errs.items():
            e_ = np.nan_to_num(e[m], nan=1e3)  # no head found counts as a large error (none happen here)
            lo, hi = boot_ci(e_, subj[m])
            row[k] = {"mae": float(np.abs(e_).mean()), "signed": float(e_.mean()), "lo": lo, "hi": hi}
        for k in list(errs)[1:]:
            lo, hi = paired_ci(np.nan_to_num(errs["first"][m], nan=1e3), np.nan_to_num(errs[k][m], nan=1e3), subj[m])
            row[k]["paired_vs_first"] = {"diff": row[k]["mae"] - row["first"]["mae"], "lo": lo, "hi": hi}
        out["groups"][g] = row
    for j, i in enumerate(idx):
        out["per_image"].append({"file": d.names[i], "ref": float(ref[j]), **{k: float(e[j]) for k, e in errs.items()}})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/hc18"))
    ap.add_argument("--cache", default="/work/train-work/quality/hc18_320x224.npz")
    ap.add_argument("--maps", default="/work/train-work/quality/maps.npz")
    ap.add_argument("--model", default=os.path.join(HERE, "..", "fetal-head", "fetal-head.fp32.onnx"))
    ap.add_argument("--work", default="/work/train-work/hc-refine/final")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-map", action="store_true", help="image samples only (no first-stage probability channel)")
    ap.add_argument("--inner-fold", default="", help="F/N: hold out fold F of N grouped folds of the training subjects")
    ap.add_argument("--iters", type=int, default=2, help="also report this many refinement passes (primary: 1)")
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.work, exist_ok=True)
    use_map = not a.no_map
    t0 = time.time()
    d = Data(a)
    print(f"data ready ({time.time() - t0:.0f} s); first stage found a head in {int((~np.isnan(d.first[:, 0])).sum())}/{len(d.names)}", flush=True)
    train = np.nonzero(~d.val)[0]
    if a.inner_fold:
        f, n = (int(v) for v in a.inner_fold.split("/"))
        folds = np.array([fold_of(s, n) for s in d.subjects[train]])
        test, train = train[folds == f], train[folds != f]
    else:
        test = np.nonzero(d.val)[0]
    model = Refiner(2 if use_map else 1)
    params, macs = conv_cost(model, 2 if use_map else 1)
    print(f"refiner: {params} parameters, {macs / 1e6:.1f} M conv MACs at {R_SAMPLES}x{K_ANGLES}; train {len(train)}, test {len(test)}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    steps = a.epochs * math.ceil(len(train) / a.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.15)
    start, last = 0, os.path.join(a.work, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"]), opt.load_state_dict(ck["opt"]), sched.load_state_dict(ck["sched"])
        start = ck["epoch"] + 1
        print(f"resumed after epoch {ck['epoch']}", flush=True)
    for epoch in range(start, a.epochs):
        rng = np.random.default_rng(a.seed * 1000 + epoch)
        model.train()
        perm, tot, nb, te = rng.permutation(train), 0.0, 0, time.time()
        for k in range(0, len(perm), a.batch):
            x, t = make_batch(d, perm[k:k + a.batch], rng, use_map)
            loss = loss_fn(model(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot, nb = tot + float(loss), nb + 1
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch,
                    "use_map": use_map}, last + ".tmp")
        os.replace(last + ".tmp", last)
        print(f"epoch {epoch + 1}/{a.epochs} train loss {tot / nb:.4f} ({time.time() - te:.0f} s)", flush=True)
    res = evaluate(model, d, test, use_map, a.iters)
    res.update({"params": params, "conv_macs": macs, "epochs": a.epochs, "use_map": use_map, "inner_fold": a.inner_fold,
                "split": "inner fold of training subjects" if a.inner_fold else "validation subjects (chose nothing)"})
    json.dump(res, open(os.path.join(a.work, "eval.json"), "w"), indent=1)
    for g, r in res["groups"].items():
        print(f"{g:4s} n {r['n']:3d} ({r['subjects']:3d} subj) " + "  ".join(
            f"{k}: {v['mae']:.2f} ({v['lo']:.2f}-{v['hi']:.2f}) signed {v['signed']:+.2f}"
            + (f" [paired {v['paired_vs_first']['diff']:+.2f}, {v['paired_vs_first']['lo']:+.2f}..{v['paired_vs_first']['hi']:+.2f}]"
               if "paired_vs_first" in v else "") for k, v in r.items() if isinstance(v, dict)), flush=True)


if __name__ == "__main__":
    main()
