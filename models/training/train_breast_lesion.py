"""Train the breast-lesion network (lesion mask + normal/benign/malignant) on BUSI. Seeded, resumable, time-boxed.

    nice -n 10 /usr/bin/python3 models/training/train_breast_lesion.py --data ../shared/data/busi --epochs 40 --minutes 75

Re-running the same command resumes from models/training/.work/breast-lesion/last.pt. A different --epochs on
resume re-lays the one-cycle schedule over the new total from the current step (for a machine slower than planned). best.pt keeps the epoch with the best validation malignant AUC +
lesion Dice; its validation logits are stored with it for temperature fitting.
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

from busi_data import IGNORE, build_cache  # noqa: E402
from lesion_net import CLASSES, LesionNet  # noqa: E402
from train_fetal_head import augment  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# 5×7 bitmap glyphs for burned-in "text": random patterns suffice, the point is bright thin strokes.
GLYPH_W, GLYPH_H = 5, 7


def draw_marks(img: torch.Tensor, mask: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Burn caliper crosses, dotted measurement lines and text-like glyph rows into a batch (in place on a copy).
    Calipers land near the lesion's edges half of the time and anywhere otherwise — on normal images too — so
    neither their presence nor their position tells the class or the mask."""
    img = img.clone()
    n, _, h, w = img.shape
    u = lambda: float(torch.rand(1, generator=gen))  # noqa: E731
    ri = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=gen))  # noqa: E731
    for k in range(n):
        plane = img[k, 0]
        if u() < 0.5:  # calipers
            ys, xs = torch.nonzero(mask[k, 0] > 0.5, as_tuple=True)
            pts = []
            for _ in range(ri(2, 4)):
                if len(ys) and u() < 0.5:
                    j = ri(0, len(ys) - 1)
                    pts.append((int(ys[j]) + ri(-6, 6), int(xs[j]) + ri(-6, 6)))
                else:
                    pts.append((ri(8, h - 9), ri(8, w - 9)))
            v = 0.65 + 0.35 * u()
            for (y, x) in pts:
                s = ri(2, 4)
                y, x = min(max(y, s), h - s - 1), min(max(x, s), w - s - 1)
                if u() < 0.5:  # plus
                    plane[y, x - s:x + s + 1] = v
                    plane[y - s:y + s + 1, x] = v
                else:  # x
                    for d in range(-s, s + 1):
                        plane[y + d, x + d] = v
                        plane[y + d, x - d] = v
            if len(pts) >= 2 and u() < 0.4:  # dotted line between two calipers
                (y0, x0), (y1, x1) = pts[0], pts[1]
                steps = max(abs(y1 - y0), abs(x1 - x0), 1)
                for t in range(0, steps, 4):
                    yy, xx = y0 + (y1 - y0) * t // steps, x0 + (x1 - x0) * t // steps
                    if 0 <= yy < h and 0 <= xx < w:
                        plane[yy, xx] = v
        if u() < 0.5:  # text rows
            for _ in range(ri(1, 3)):
                sc = ri(1, 2)
                glyphs = ri(2, 9)
                gw, gh = (GLYPH_W + 1) * sc, GLYPH_H * sc
                y = ri(0, h - gh - 1) if u() < 0.5 else (ri(0, h // 6) if u() < 0.5 else ri(h - h // 6 - gh, h - gh - 1))
                x = ri(0, max(0, w - glyphs * gw - 1))
                v = 0.6 + 0.4 * u()
                bits = torch.rand(glyphs, GLYPH_H, GLYPH_W, generator=gen) < 0.45
                for gi in range(glyphs):
                    g = bits[gi].float().repeat_interleave(sc, 0).repeat_interleave(sc, 1)
                    x0 = x + gi * gw
                    if x0 + g.shape[1] > w:
                        break
                    region = plane[y:y + g.shape[0], x0:x0 + g.shape[1]]
                    region.copy_(torch.where(g > 0, torch.full_like(region, v), region))
    return img


def seg_loss(logits: torch.Tensor, tgt: torch.Tensor, use: torch.Tensor) -> torch.Tensor:
    """BCE on every image whose mask is trustworthy (empty masks of normals included: they teach 'nothing
    here'); soft Dice only where there is a lesion, since Dice of an empty target is meaningless."""
    if use.sum() == 0:
        return logits.sum() * 0
    lg, tg = logits[use], tgt[use]
    bce = F.binary_cross_entropy_with_logits(lg, tg)
    has = tg.flatten(1).sum(1) > 4
    if has.any():
        p = torch.sigmoid(lg[has])
        t = tg[has]
        inter = (p * t).sum(dim=(1, 2, 3))
        dice = 1 - (2 * inter + 1) / (p.sum(dim=(1, 2, 3)) + t.sum(dim=(1, 2, 3)) + 1)
        return bce + dice.mean()
    return bce


class Targets:
    """What the loss needs besides the images: labels, which masks to trust, and the class weights."""

    def __init__(self, data: dict, train: np.ndarray):
        self.labels = data["label"]
        # A copy filed as normal AND as lesion: its empty "normal" mask is wrong, so it trains neither head.
        self.use_mask = ~((self.labels == IGNORE) & (data["folder"] == 0))
        counts = np.array([(self.labels[train] == c).sum() for c in range(3)], np.float64)
        self.counts = counts
        self.class_w = torch.tensor(counts.sum() / (3 * counts), dtype=torch.float32)

    def losses(self, model: torch.nn.Module, b: np.ndarray, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(segmentation loss, classification loss) of one batch `b` (indices), images x, masks y."""
        seg, logits = model(x)
        ls = seg_loss(seg, y, torch.from_numpy(self.use_mask[b]))
        lc = F.cross_entropy(logits, torch.from_numpy(self.labels[b]).long(), weight=self.class_w, ignore_index=IGNORE) \
            if (self.labels[b] != IGNORE).any() else logits.sum() * 0
        return ls, lc


def batches(data: dict, idx: np.ndarray, batch: int, gen: torch.Generator):
    """Shuffled, augmented training batches (indices, images channels-last, masks); all randomness from `gen`."""
    perm = idx[torch.randperm(len(idx), generator=gen).numpy()]
    for i0 in range(0, len(perm), batch):
        b = np.sort(perm[i0:i0 + batch])
        x = torch.from_numpy(data["images"][b]).float().unsqueeze(1) / 255.0
        y = torch.from_numpy(data["masks"][b]).float().unsqueeze(1) / 255.0
        x, y = augment(x, y, gen, max_angle=0.26, scale=(0.8, 1.25), vflip=0.0)
        x = draw_marks(x, y, gen)
        yield b, x.contiguous(memory_format=torch.channels_last), y


def roc_auc(score: np.ndarray, pos: np.ndarray) -> float:
    """Mann–Whitney AUC with ties counted half."""
    p, n = score[pos], score[~pos]
    if len(p) == 0 or len(n) == 0:
        return float("nan")
    gt = (p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()
    return float(gt / (len(p) * len(n)))


def sens_at_spec(score: np.ndarray, pos: np.ndarray, spec: float = 0.9) -> tuple[float, float]:
    """Sensitivity at the lowest threshold whose specificity is at least `spec`; returns (sensitivity, threshold)."""
    neg = np.sort(score[~pos])
    k = int(math.ceil(spec * len(neg))) - 1
    thr = neg[min(max(k, 0), len(neg) - 1)]
    return float((score[pos] > thr).mean()), float(thr)


def ece(prob: np.ndarray, y: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top-class confidence, equal-width bins."""
    conf, pred = prob.max(1), prob.argmax(1)
    edges = np.linspace(0, 1, bins + 1)
    e = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            e += m.mean() * abs((pred[m] == y[m]).mean() - conf[m].mean())
    return float(e)


def macro_f1(pred: np.ndarray, y: np.ndarray, k: int = 3) -> float:
    f = []
    for c in range(k):
        tp = ((pred == c) & (y == c)).sum()
        fp = ((pred == c) & (y != c)).sum()
        fn = ((pred != c) & (y == c)).sum()
        f.append(2 * tp / max(1, 2 * tp + fp + fn))
    return float(np.mean(f))


FALSE_LESION_MIN_FRACTION = 0.005  # a normal image "has a lesion" when ≥0.5% of the model input is ≥0.5


def metrics(prob: np.ndarray, y: np.ndarray, seg_prob: np.ndarray, masks: np.ndarray) -> dict:
    """Validation figures from class probabilities, labels, lesion probability maps and reference masks."""
    pos = y == 2
    pred = prob.argmax(1)
    sens, thr = sens_at_spec(prob[:, 2], pos)
    dices, ious, false_lesion = [], [], []
    for j in range(len(y)):
        m = seg_prob[j] >= 0.5
        t = masks[j] >= 128
        if y[j] == 0:
            false_lesion.append(m.mean() >= FALSE_LESION_MIN_FRACTION)
        elif t.any():
            inter, union = (m & t).sum(), (m | t).sum()
            dices.append(2 * inter / max(1, m.sum() + t.sum()))
            ious.append(inter / max(1, union))
    return {
        "n": int(len(y)), "perClass": {c: int((y == k).sum()) for k, c in enumerate(CLASSES)},
        "malignantAuc": roc_auc(prob[:, 2], pos),
        "lesionAuc": roc_auc(prob[:, 1] + prob[:, 2], y > 0),
        "accuracy": float((pred == y).mean()), "macroF1": macro_f1(pred, y),
        "sensitivityAt90Specificity": sens, "thresholdAt90Specificity": thr,
        "confusion": [[int(((y == a) & (pred == b)).sum()) for b in range(3)] for a in range(3)],
        "dice": float(np.mean(dices)), "iou": float(np.mean(ious)), "diceMedian": float(np.median(dices)),
        "falseLesionRateNormals": float(np.mean(false_lesion)) if false_lesion else float("nan"),
        "ece15": ece(prob, y),
    }


@torch.no_grad()
def predict(model: torch.nn.Module, images: np.ndarray, batch: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Class logits and lesion probability maps for uint8 images N×H×W."""
    model.eval()
    logits, segs = [], []
    for i0 in range(0, len(images), batch):
        x = torch.from_numpy(images[i0:i0 + batch]).float().unsqueeze(1) / 255.0
        s, lg = model(x.contiguous(memory_format=torch.channels_last))
        logits.append(lg.numpy())
        segs.append(torch.sigmoid(s)[:, 0].numpy())
    return np.concatenate(logits), np.concatenate(segs)


# The validation figures each epoch's log line carries, in this order.
LOGGED_FIGURES = ("malignantAuc", "accuracy", "macroF1", "dice", "falseLesionRateNormals", "ece15")


def validate(model: torch.nn.Module, data: dict, val: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The validation images' class logits, lesion probability maps, class probabilities and figures (`metrics`)."""
    val_logits, val_seg = predict(model, data["images"][val])
    prob = torch.softmax(torch.from_numpy(val_logits), 1).numpy()
    return val_logits, val_seg, prob, metrics(prob, labels[val], val_seg, data["masks"][val])


def seeded_run(seed: int, widths_arg: str, lr: float, epochs: int, steps_per_epoch: int):
    """Seeds every RNG, then builds in this order (the order the seeds are drawn in, so a run repeats) the
    LesionNet of `widths_arg` ("8,16,…"), its AdamW, the one-cycle schedule and the batch generator.
    Returns (widths, model, opt, sched, gen)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    widths = [int(v) for v in widths_arg.split(",")]
    model = LesionNet(widths).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1)
    gen = torch.Generator().manual_seed(seed)
    return widths, model, opt, sched, gen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/busi"))
    ap.add_argument("--width", type=int, default=288)
    ap.add_argument("--height", type=int, default=224)
    ap.add_argument("--widths", default="8,16,32,64,128")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--minutes", type=float, default=1e9, help="stop cleanly before this much time is used (re-run to resume)")
    ap.add_argument("--work", default=os.path.join(HERE, ".work", "breast-lesion"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    data = build_cache(args.data, os.path.join(args.work, f"busi_{args.width}x{args.height}.npz"), args.width, args.height)
    train = np.nonzero(~data["validation"])[0]
    val = np.nonzero(data["validation"] & data["representative"])[0]
    targets = Targets(data, train)
    labels, counts, class_w = targets.labels, targets.counts, targets.class_w
    print(f"train {len(train)} images ({counts.astype(int).tolist()} normal/benign/malignant, "
          f"{int((labels[train] == IGNORE).sum())} class-ignored), validation {len(val)} groups; class weights "
          f"{[round(float(v), 3) for v in class_w]}", flush=True)

    steps_per_epoch = math.ceil(len(train) / args.batch)
    widths, model, opt, sched, gen = seeded_run(args.seed, args.widths, args.lr, args.epochs, steps_per_epoch)
    start_epoch, best = 0, -float("inf")
    last = os.path.join(args.work, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        if ck["epochs"] == args.epochs:
            sched.load_state_dict(ck["sched"])
        else:
            # A shared machine can turn out slower than planned: re-lay the one-cycle schedule over the new total
            # from the current step (the LR continues from that fraction of the new schedule).
            done = (ck["epoch"] + 1) * steps_per_epoch
            if done >= args.epochs * steps_per_epoch:
                raise SystemExit(f"{last} already ran {ck['epoch'] + 1} epochs; --epochs must be larger")
            # The optimizer state just loaded carries the old run's one-cycle bounds: put this run's back.
            for g in opt.param_groups:
                g["max_lr"], g["initial_lr"] = args.lr, args.lr / 25
                g["min_lr"] = g["initial_lr"] / 1e4
            sched.last_epoch = done - 1
            sched.step()
            print(f"schedule re-laid from {ck['epochs']} to {args.epochs} epochs at step {done}; lr {sched.get_last_lr()[0]:.2e}", flush=True)
        gen.set_state(ck["gen"])
        torch.set_rng_state(ck["torch_rng"])
        start_epoch, best = ck["epoch"] + 1, ck["best"]
        print(f"resumed at epoch {start_epoch}, best score {best:.4f}", flush=True)

    t_start = time.time()
    log = open(os.path.join(args.work, "log.jsonl"), "a")
    epoch_s = 0.0
    for epoch in range(start_epoch, args.epochs):
        if epoch_s and (time.time() - t_start + epoch_s) / 60 > args.minutes:
            print("time budget reached; re-run the same command to resume", flush=True)
            break
        model.train()
        t0 = time.time()
        tot = {"seg": 0.0, "cls": 0.0}
        for b, x, y in batches(data, train, args.batch, gen):
            ls, lc = targets.losses(model, b, x, y)
            loss = ls + lc
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot["seg"] += float(ls) * len(b)
            tot["cls"] += float(lc) * len(b)
        epoch_s = time.time() - t0
        val_logits, _, _, m = validate(model, data, val, labels)
        score = m["malignantAuc"] + m["dice"]
        rec = {"epoch": epoch, "segLoss": tot["seg"] / len(train), "clsLoss": tot["cls"] / len(train),
               "seconds": round(epoch_s, 1), "score": score, **{k: m[k] for k in LOGGED_FIGURES}}
        if score > best:
            best = score
            torch.save({"model": model.state_dict(), "epoch": epoch, "epochs": args.epochs, "val": m, "widths": widths,
                        "input": [args.width, args.height], "val_logits": val_logits, "val_names": data["names"][val].tolist(),
                        "val_labels": labels[val]}, os.path.join(args.work, "best.pt"))
            rec["best"] = True
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "gen": gen.get_state(),
                    "torch_rng": torch.get_rng_state(), "epoch": epoch, "epochs": args.epochs, "best": best,
                    "widths": widths, "input": [args.width, args.height], "val": m,
                    "val_logits": val_logits, "val_names": data["names"][val].tolist(), "val_labels": labels[val]}, tmp)
        os.replace(tmp, last)


if __name__ == "__main__":
    main()
