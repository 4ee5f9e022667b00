"""One-pass breast-lesion student distilled from the shipped four-pass ensemble (issue #22). Seeded, resumable,
time-boxed; nothing here writes into the repository.

    nice -n 19 /usr/bin/python3 models/training/distil_breast_lesion.py --minutes 45

1. The teacher's outputs are computed once, through the shipped fp32 ONNX graph itself (`onnx_eval.run_graph`,
   the torch evaluator of its ops), for every image of the BUSI cache: its lesion probability map (the mean of
   its four passes) and its class probabilities (softmax(mean logits / T), T baked in). Cached in
   WORK/teacher.npz, saved every 25 images, so an interrupted run resumes where it stopped.
2. One LesionNet (the recipe of run A/B: widths 8-16-32-64-128, 288×224) trains on the training split with
   (1 − alpha) × the ground-truth losses of train_breast_lesion.py + alpha × (BCE to the teacher's map + KL
   to the teacher's class probabilities). The teacher map is warped with the image by the same augmentation
   (it is a second target channel); the class-ignored copies get the teacher's class (their own is untrusted).
3. WORK/last.pt every epoch (optimizer, schedule, RNG: re-run the same command to resume); WORK/log.jsonl has
   each epoch's validation figures and the student's agreement with the teacher. best.pt is NOT kept: the
   validation groups should stop choosing epochs (issue #22); the last epoch is the candidate.
4. Fine-tuning (the v2 run): `--init` starts from another run's weights (read only; v2 used init.pt, a copy
   of breast-student/last.pt) with a fresh optimiser and one-cycle schedule; `--kd-map-normals gt` replaces the
   teacher's map by the empty ground truth on normal-class images (the teacher outlines about half of them);
   `--empty-weight` adds, on normal-class images, the mean of the top `--empty-topk` fraction of lesion
   probabilities (a soft "no outline here"); `--holdout-frac` keeps a stratified share of the TRAINING groups
   out of training, so the temperature and any threshold can be fitted there instead of on validation
   (`--holdout-frac` 0 = the old behaviour). `--empty-teacher-normal P` (session 10, v3 run b) gates that penalty
   to the normal images on which the teacher's p(normal) is at least P (0, the default, = every normal image, as
   v2 ran).
5. `--freeze-bn` (session 11, v4): fine-tune with every BatchNorm in eval mode (running statistics fixed; its
   affine weight and bias still train). Needed with `--init` from lesion_from_onnx.py's recovered 1.2.0 runs:
   their BatchNorms are folded into the convs (identity + bias), so batch statistics would undo the fold.
   `--init` reads any checkpoint dict with a "model" state dict (those runs' run0.pt / run1.pt included).

        nice -n 19 /usr/bin/python3 models/training/distil_breast_lesion.py --work /work/train-work/breast-student-v2 \
            --init /work/train-work/breast-student-v2/init.pt --epochs 20 --lr 5e-4 --alpha 0.3 \
            --kd-map-normals gt --empty-weight 1 --holdout-frac 0.15
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from busi_data import IGNORE, build_cache  # noqa: E402
from onnx_eval import run_graph  # noqa: E402
from train_breast_lesion import LOGGED_FIGURES, Targets, draw_marks, seeded_run, seg_loss, validate  # noqa: E402
from train_fetal_head import augment  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def teacher_cache(onnx_path: str, images: np.ndarray, path: str) -> dict:
    """Teacher lesion maps (uint8, 255 = 1.0) and class probabilities for every image; resumable."""
    n = len(images)
    if os.path.exists(path):
        d = dict(np.load(path))
        if int(d["done"]) >= n:
            return d
    else:
        d = {"maps": np.zeros(images.shape, np.uint8), "probs": np.zeros((n, 3), np.float32), "done": np.array(0)}
    model = onnx.load(onnx_path)
    inp = model.graph.input[0].name
    t0 = time.time()
    with torch.no_grad():
        for i in range(int(d["done"]), n):
            out = run_graph(model, {inp: images[i][None, None].astype(np.float32) / 255.0})
            d["maps"][i] = np.clip(np.rint(out["lesion_prob"].numpy()[0, 0] * 255), 0, 255).astype(np.uint8)
            d["probs"][i] = out["class_prob"].numpy()[0]
            d["done"] = np.array(i + 1)
            if (i + 1) % 25 == 0 or i + 1 == n:
                tmp = path + ".tmp.npz"
                np.savez(tmp, **d)
                os.replace(tmp, path)
                print(f"teacher {i + 1}/{n} ({(time.time() - t0) / (i + 1 - 0):.1f} s/image this run)", flush=True)
    return d


def holdout_split(data: dict, train: np.ndarray, frac: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, holdout): whole training groups, a `frac` share of each class's groups (seeded), held out."""
    if frac <= 0:
        return train, train[:0]
    rng = np.random.default_rng(seed)
    groups = np.unique(data["group"][train])
    glabel = {g: int(data["label"][train][data["group"][train] == g][0]) for g in groups}
    held = set()
    for c in sorted(set(glabel.values())):
        gs = np.array([g for g in groups if glabel[g] == c])
        rng.shuffle(gs)
        held.update(gs[:int(round(frac * len(gs)))].tolist())
    out = np.isin(data["group"][train], list(held))
    return train[~out], train[out]


def empty_penalty(seg: torch.Tensor, normal: torch.Tensor, topk: float) -> torch.Tensor:
    """Mean of the top `topk` fraction of lesion probabilities on the normal-class images of the batch."""
    if not normal.any():
        return seg.sum() * 0
    p = torch.sigmoid(seg[normal]).flatten(1)
    k = max(1, int(round(topk * p.shape[1])))
    return p.topk(k, dim=1).values.mean()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/busi"))
    ap.add_argument("--teacher", default=os.path.join(HERE, "..", "breast-lesion", "breast-lesion.fp32.onnx"))
    ap.add_argument("--work", default="/work/train-work/breast-student")
    ap.add_argument("--widths", default="8,16,32,64,128")
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the teacher's targets against the ground truth")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2207)
    ap.add_argument("--init", default="", help="start from this checkpoint's weights (read only), fresh optimiser and schedule")
    ap.add_argument("--kd-map-normals", choices=("teacher", "gt"), default="teacher",
                    help="distillation map target on normal-class images: the teacher's map or the empty ground truth")
    ap.add_argument("--empty-weight", type=float, default=0.0, help="weight of the top-k lesion probability penalty on normal images")
    ap.add_argument("--empty-topk", type=float, default=0.002, help="fraction of pixels in that penalty (0.002 = the runtime's outline size)")
    ap.add_argument("--empty-teacher-normal", type=float, default=0.0,
                    help="class-gated penalty: only normal images whose teacher p(normal) is at least this (0 = every normal image)")
    ap.add_argument("--holdout-frac", type=float, default=0.0, help="share of training groups kept out (temperature fitting)")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="keep every BatchNorm in eval mode (running statistics fixed): for --init from lesion_from_onnx.py's "
                         "runs, whose BatchNorms are folded (identity + bias), so batch statistics would undo the fold")
    ap.add_argument("--minutes", type=float, default=1e9, help="stop cleanly before this much time is used (re-run to resume)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    t_start = time.time()
    data = build_cache(args.data, os.path.join(args.work, "busi_288x224.npz"), 288, 224)
    teacher = teacher_cache(args.teacher, data["images"], os.path.join(args.work, "teacher.npz"))
    if int(teacher["done"]) < len(data["images"]):
        raise SystemExit("teacher cache incomplete; re-run to resume it")
    train, holdout = holdout_split(data, np.nonzero(~data["validation"])[0], args.holdout_frac, args.seed)
    np.save(os.path.join(args.work, "holdout.npy"), holdout)
    val = np.nonzero(data["validation"] & data["representative"])[0]
    targets = Targets(data, train)

    widths, model, opt, sched, gen = seeded_run(args.seed, args.widths, args.lr, args.epochs, math.ceil(len(train) / args.batch))
    start = 0
    last = os.path.join(args.work, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last)
        if ck["epochs"] != args.epochs:
            raise SystemExit(f"{last} was scheduled for {ck['epochs']} epochs; resume with --epochs {ck['epochs']}")
        # a resume without --freeze-bn would quietly train BatchNorms that were folded (or freeze ones that trained)
        was_frozen = bool(ck.get("options", {}).get("freeze_bn", False))
        if was_frozen != bool(args.freeze_bn):
            raise SystemExit(f"{last} was trained {'with' if was_frozen else 'without'} --freeze-bn; resume the same way")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        gen.set_state(ck["gen"])
        torch.set_rng_state(ck["torch_rng"])
        start = ck["epoch"] + 1
        print(f"resumed at epoch {start}", flush=True)
    elif args.init:
        model.load_state_dict(torch.load(args.init)["model"])
        print(f"initialised from {args.init}", flush=True)

    t_probs = torch.from_numpy(teacher["probs"])
    log = open(os.path.join(args.work, "log.jsonl"), "a")
    epoch_s = 0.0
    for epoch in range(start, args.epochs):
        if epoch_s and (time.time() - t_start + epoch_s) / 60 > args.minutes:
            print("time budget reached; re-run the same command to resume", flush=True)
            break
        model.train()
        if args.freeze_bn:
            for mod in model.modules():
                if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm):
                    mod.eval()
        t0 = time.time()
        tot = {"gt": 0.0, "kd": 0.0, "empty": 0.0}
        perm = train[torch.randperm(len(train), generator=gen).numpy()]
        for i0 in range(0, len(perm), args.batch):
            b = np.sort(perm[i0:i0 + args.batch])
            x = torch.from_numpy(data["images"][b]).float().unsqueeze(1) / 255.0
            y = torch.from_numpy(data["masks"][b]).float().unsqueeze(1) / 255.0
            tm = torch.from_numpy(teacher["maps"][b]).float().unsqueeze(1) / 255.0
            x, yt = augment(x, torch.cat([y, tm], 1), gen, max_angle=0.26, scale=(0.8, 1.25), vflip=0.0)
            y, tm = yt[:, :1], yt[:, 1:]
            normal = torch.from_numpy((targets.labels[b] == 0) & targets.use_mask[b])
            if args.kd_map_normals == "gt":
                tm = torch.where(normal[:, None, None, None], y, tm)
            x = draw_marks(x, y, gen).contiguous(memory_format=torch.channels_last)
            seg, logits = model(x)
            ls = seg_loss(seg, y, torch.from_numpy(targets.use_mask[b]))
            lab = torch.from_numpy(targets.labels[b]).long()
            lc = F.cross_entropy(logits, lab, weight=targets.class_w, ignore_index=IGNORE) if (targets.labels[b] != IGNORE).any() else logits.sum() * 0
            kd = F.binary_cross_entropy_with_logits(seg, tm) + F.kl_div(F.log_softmax(logits, 1), t_probs[b], reduction="batchmean")
            gated = normal & (t_probs[b][:, 0] >= args.empty_teacher_normal) if args.empty_teacher_normal > 0 else normal
            le = empty_penalty(seg, gated, args.empty_topk) if args.empty_weight else seg.sum() * 0
            loss = (1 - args.alpha) * (ls + lc) + args.alpha * kd + args.empty_weight * le
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot["gt"] += float(ls + lc) * len(b)
            tot["kd"] += float(kd) * len(b)
            tot["empty"] += float(le) * len(b)
        epoch_s = time.time() - t0
        val_logits, val_seg, prob, m = validate(model, data, val, targets.labels)
        agree = float((prob.argmax(1) == teacher["probs"][val].argmax(1)).mean())
        tmap = teacher["maps"][val] >= 128
        smap = val_seg >= 0.5
        map_dice = float(np.mean([2 * (a & t).sum() / max(1, a.sum() + t.sum()) if (a.any() or t.any()) else 1.0 for a, t in zip(smap, tmap)]))
        rec = {"epoch": epoch, "gtLoss": tot["gt"] / len(train), "kdLoss": tot["kd"] / len(train), "seconds": round(epoch_s, 1),
               **({"emptyLoss": tot["empty"] / len(train)} if args.empty_weight else {}),
               "teacherClassAgreement": agree, "teacherMapDice": map_dice,
               **{k: m[k] for k in LOGGED_FIGURES}}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        tmp = last + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "gen": gen.get_state(),
                    "torch_rng": torch.get_rng_state(), "epoch": epoch, "epochs": args.epochs, "widths": widths,
                    "input": [288, 224], "val": m, "val_logits": val_logits, "val_names": data["names"][val].tolist(),
                    "val_labels": targets.labels[val], "alpha": args.alpha, "seed": args.seed,
                    "options": {k: getattr(args, k) for k in ("init", "kd_map_normals", "empty_weight", "empty_topk",
                                                                    "empty_teacher_normal", "holdout_frac", "lr",
                                                                    "freeze_bn", "epochs")},
                    "holdout": holdout}, tmp)
        os.replace(tmp, last)


if __name__ == "__main__":
    main()
