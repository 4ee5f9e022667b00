"""Stochastic weight averaging (Izmailov et al., 2018) on top of a finished breast-lesion training run.

    nice -n 10 /usr/bin/python3 models/training/swa_breast_lesion.py --from models/training/.work/breast-lesion/last.pt \
        --epochs 24 --lr 3e-4 --threads 2

Continues from the END of the one-cycle run (last.pt, not the validation-picked best.pt) at a constant learning
rate, averages the weights after every epoch, then recomputes the BatchNorm statistics of the averaged network
on one pass of augmented training batches. The average is a flatter minimum than any single epoch's weights,
and nothing in it is picked on the validation split, so its validation figures are not flattered by a choice.
Resumable: re-running the same command continues from <work>/swa-last.pt. Writes <work>/swa.pt in best.pt's
format (package_breast_lesion.py --checkpoint …/swa.pt).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import time

from check_deps import require

require()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from busi_data import build_cache  # noqa: E402
from lesion_net import LesionNet  # noqa: E402
from train_breast_lesion import Targets, batches, metrics, predict  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


@torch.no_grad()
def recompute_bn(model: torch.nn.Module, data: dict, idx: np.ndarray, batch: int, gen: torch.Generator) -> None:
    """BatchNorm running statistics of the averaged weights (the averaged statistics belong to no network)."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the pass
    model.train()
    for _, x, _ in batches(data, idx, batch, gen):
        model(x)
    model.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="start", default=os.path.join(HERE, ".work", "breast-lesion", "last.pt"))
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/busi"))
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=4321)
    ap.add_argument("--minutes", type=float, default=1e9, help="stop cleanly before this much time is used (re-run to resume)")
    ap.add_argument("--work", default=os.path.join(HERE, ".work", "breast-lesion"))
    ap.add_argument("--size", help="WxH to train and export at instead of the checkpoint's (the network is fully convolutional)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    ck0 = torch.load(args.start)
    w, h = [int(v) for v in args.size.split("x")] if args.size else ck0["input"]
    data = build_cache(args.data, os.path.join(args.work, f"busi_{w}x{h}.npz"), w, h)
    train = np.nonzero(~data["validation"])[0]
    val = np.nonzero(data["validation"] & data["representative"])[0]
    targets = Targets(data, train)
    labels = targets.labels

    model = LesionNet(ck0["widths"]).to(memory_format=torch.channels_last)
    model.load_state_dict(ck0["model"])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    if "opt" in ck0:
        opt.load_state_dict(ck0["opt"])
    for g in opt.param_groups:
        g["lr"] = args.lr
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    avg = {k: torch.zeros_like(v, dtype=torch.float64) for k, v in model.state_dict().items() if v.is_floating_point()}
    n_avg, start = 0, 0
    state = os.path.join(args.work, "swa-last.pt")
    if os.path.exists(state):
        st = torch.load(state)
        if st["from"] != os.path.abspath(args.start) or st["epochs"] != args.epochs or st["lr"] != args.lr or st.get("input", [w, h]) != [w, h]:
            raise SystemExit(f"{state} belongs to another run ({st['from']}, {st['epochs']} epochs, lr {st['lr']}): remove it to start over")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        gen.set_state(st["gen"])
        torch.set_rng_state(st["torch_rng"])
        avg, n_avg, start = st["avg"], st["n_avg"], st["epoch"] + 1
        print(f"resumed SWA at epoch {start}, {n_avg} weights averaged", flush=True)

    log = open(os.path.join(args.work, "swa-log.jsonl"), "a")
    t_start, epoch_s = time.time(), 0.0
    for epoch in range(start, args.epochs):
        if epoch_s and (time.time() - t_start + epoch_s) / 60 > args.minutes:
            print("time budget reached; re-run the same command to resume", flush=True)
            return
        model.train()
        t0 = time.time()
        for b, x, y in batches(data, train, args.batch, gen):
            ls, lc = targets.losses(model, b, x, y)
            opt.zero_grad()
            (ls + lc).backward()
            opt.step()
        epoch_s = time.time() - t0
        n_avg += 1
        for k, v in model.state_dict().items():
            if k in avg:
                avg[k] += (v.double() - avg[k]) / n_avg
        rec = {"epoch": epoch, "seconds": round(epoch_s, 1), "averaged": n_avg}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()
        tmp = state + ".tmp"
        torch.save({"from": os.path.abspath(args.start), "epochs": args.epochs, "lr": args.lr, "epoch": epoch, "input": [w, h],
                    "model": model.state_dict(), "opt": opt.state_dict(), "gen": gen.get_state(),
                    "torch_rng": torch.get_rng_state(), "avg": avg, "n_avg": n_avg}, tmp)
        os.replace(tmp, state)

    swa = copy.deepcopy(model)
    sd = swa.state_dict()
    for k in avg:
        sd[k].copy_(avg[k].to(sd[k].dtype))
    recompute_bn(swa, data, train, args.batch, gen)
    val_logits, val_seg = predict(swa, data["images"][val])
    m = metrics(torch.softmax(torch.from_numpy(val_logits), 1).numpy(), labels[val], val_seg, data["masks"][val])
    print(json.dumps({"swa": {k: m[k] for k in ("malignantAuc", "accuracy", "macroF1", "dice", "diceMedian", "falseLesionRateNormals", "ece15")}}), flush=True)
    torch.save({"model": swa.state_dict(), "epoch": ck0["epoch"] + args.epochs, "epochs": ck0["epoch"] + 1 + args.epochs,
                "swa": {"from": os.path.abspath(args.start), "epochs": args.epochs, "lr": args.lr, "averaged": n_avg, "input": [w, h]},
                "val": m, "widths": ck0["widths"], "input": [w, h], "val_logits": val_logits,
                "val_names": data["names"][val].tolist(), "val_labels": labels[val]}, os.path.join(args.work, "swa.pt"))


if __name__ == "__main__":
    main()
