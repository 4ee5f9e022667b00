"""Test-time disagreement as a fetal-head measurement-error predictor (issue #22, decision support).

Reads the JSON lines of `bench/eval-hc18-quality.ts` (the shipped int8 model run through the runtime's own
code on every HC18 image and on its mirror, a shifted and a zoomed view) and asks which per-image score
predicts |HC error| > 3 mm (or no detection):
  1. single predictors, AUROC on the 736 training images (subject-clustered bootstrap CI);
  2. tiny logistic models over a few predictors, chosen by grouped (per-subject) 5-fold cross-validation on
     the training images only (mean and spread over folds and repeats);
  3. ONE figure on the 117 held-out images for the predictor and the model the training images chose, with
     its ROC table; the held-out images choose nothing.

    python3 models/training/quality_tta.py --features /work/train-work/quality2/feat7.jsonl --out /work/train-work/quality2/tta7.json \
        [--images ../shared/data/hc18/training_set]   (the skull-echo measures; needs Pillow, e.g. /usr/bin/python3)
"""
from __future__ import annotations

import argparse
import json
import math

import numpy as np

from cluster_bootstrap import cluster_bootstrap

BAD_MM = 3.0
MODEL_W, MODEL_H = 320, 224


def load(path: str) -> list[dict]:
    return [json.loads(line) for line in open(path) if line.strip()]


def hc(v: dict) -> float:
    return float("nan") if v["hcMm"] is None else float(v["hcMm"])


def table(rows: list[dict]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per-image predictors (higher = more likely a bad measurement), the bad label and the subject."""
    base = np.array([hc(r["base"]) for r in rows])
    ref = np.array([r["refMm"] for r in rows])
    bad = ~np.isfinite(base) | (np.abs(base - ref) > BAD_MM)
    subj = np.array([r["subject"] for r in rows])
    big = 1e3  # a view that found no head disagrees as much as can be

    def dis(k: str) -> np.ndarray:
        o = np.array([hc(r[k]) for r in rows])
        d = np.abs(o - base)
        return np.where(np.isfinite(d), d, big)

    mir, sh, zo = dis("mirror"), dis("shift"), dis("zoom")
    hcs = np.stack([base] + [np.array([hc(r[k]) for r in rows]) for k in ("mirror", "shift", "zoom")])
    spread = np.where(np.isfinite(hcs).all(0), np.nanstd(hcs, 0), big)
    views7 = [k for k in ("mirror", "shift", "zoom", "mirrorShift", "mirrorZoom", "shiftY") if k in rows[0]]
    hcs7 = np.stack([base] + [np.array([hc(r[k]) for r in rows]) for k in views7])
    spread7 = np.where(np.isfinite(hcs7).all(0), np.nanstd(hcs7, 0), big)
    safe7 = np.where(np.isfinite(hcs7).all(0), np.nanmean(hcs7, 0), 1.0)
    safe_base = np.where(np.isfinite(base), base, 1.0)
    mm_per_model_px = np.array([r["pixelMm"] * max(r["width"] / MODEL_W, r["height"] / MODEL_H) for r in rows])
    band_mm = np.array([r["band"] for r in rows]) * mm_per_model_px**2 / np.maximum(safe_base, 1.0)
    f = {
        "mirror_mm": mir,
        "shift_mm": sh,
        "zoom_mm": zo,
        "mirror_rel": mir / safe_base,
        "max3_mm": np.maximum(np.maximum(mir, sh), zo),
        "spread4_mm": spread,
        "spread4_rel": spread / safe_base,
        "mirror+shift_mm": np.minimum(mir, big) + np.minimum(sh, big),
        "spread7_mm": spread7,
        "spread7_rel": spread7 / safe7,
        "1-fitResidual": np.array([1 - r["base"]["components"]["fitResidual"] for r in rows]),
        "1-modelConfidence": np.array([1 - r["base"]["components"]["modelConfidence"] for r in rows]),
        "hc_mm": np.where(np.isfinite(base), base, big),
        "1-quality": np.array([1 - r["base"]["quality"] for r in rows]),
        "1-quality_mean4": np.array([1 - np.mean([r[k]["quality"] for k in ("base", "mirror", "shift", "zoom")]) for r in rows]),
        "band_mm": band_mm,
        "-contrast": -np.array([r["contrast"] for r in rows]),
        "outside": np.array([r["outside"] for r in rows]),
        "1-certainty": 1 - np.array([r["certainty"] for r in rows]),
    }
    return f, bad, subj


def echo_features(rows: list[dict], images: str) -> dict[str, np.ndarray]:
    """Skull echo along the base ellipse: at 180 points, the brightest pixel within ±5% of the radius.

    weak_frac  share of points whose echo is below half the image's 95th percentile (a missing skull wall),
    echo_cv    coefficient of variation of the echo around the outline.
    """
    from PIL import Image  # only for this optional measure

    out: dict[str, list[float]] = {"weak_frac": [], "echo_cv": []}
    t = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    ks = np.linspace(-0.05, 0.05, 11)
    for r in rows:
        im = np.asarray(Image.open(f"{images}/{r['file']}").convert("L"), dtype=np.float32)
        e = r["base"]["ellipse"]
        if e is None:
            out["weak_frac"].append(1.0)
            out["echo_cv"].append(1.0)
            continue
        h, w = im.shape
        ang = math.radians(e["angleDeg"])
        c, s = math.cos(ang), math.sin(ang)
        u, v = e["semiMajor"] * np.cos(t), e["semiMinor"] * np.sin(t)
        x, y = e["cx"] + u * c - v * s, e["cy"] + u * s + v * c
        dx, dy = x - e["cx"], y - e["cy"]
        xs = np.rint(x[:, None] + dx[:, None] * ks[None, :]).astype(int)
        ys = np.rint(y[:, None] + dy[:, None] * ks[None, :]).astype(int)
        ok = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        val = np.where(ok, im[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)], -1).max(1)
        vals = val[val >= 0] if (val >= 0).any() else np.zeros(1)
        out["weak_frac"].append(float((vals < 0.5 * (np.percentile(im, 95) + 1)).mean()))
        out["echo_cv"].append(float(vals.std() / (vals.mean() + 1)))
    return {k: np.array(v) for k, v in out.items()}


def auc(score: np.ndarray, pos: np.ndarray) -> float:
    score = np.nan_to_num(score, nan=np.inf)
    p, n = score[pos], score[~pos]
    return float(((p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()) / (len(p) * len(n)))


def auc_ci(score: np.ndarray, pos: np.ndarray, subjects: np.ndarray, rounds: int = 2000, seed: int = 22) -> tuple[float, float]:
    both = lambda idx: auc(score[idx], pos[idx]) if pos[idx].any() and (~pos[idx]).any() else None  # noqa: E731
    return cluster_bootstrap(both, subjects, rounds, seed)


def design(f: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    # disagreements and sizes are heavy-tailed: log1p keeps one wild view from owning the fit
    cols = [np.log1p(np.minimum(f[n], 1e3)) if n.endswith("_mm") or n.endswith("_rel") else f[n] for n in names]
    return np.stack(cols, 1)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge logistic regression by Newton steps on standardised columns; returns (mean, std, weights)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    reg = np.eye(z.shape[1]) * l2
    reg[0, 0] = 0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        g = z.T @ (p - y) + reg @ w
        h = z.T @ (z * (p * (1 - p))[:, None]) + reg
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mu, sd, w


def predict(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    mu, sd, w = model
    return np.hstack([np.ones((len(x), 1)), (x - mu) / sd]) @ w


def grouped_cv(f: dict[str, np.ndarray], y: np.ndarray, subj: np.ndarray, names: list[str], k: int = 5, repeats: int = 5) -> tuple[float, float]:
    """Mean and SD over folds × repeats of the held-in-fold AUROC, folds drawn by subject."""
    x = design(f, names)
    us = np.unique(subj)
    vals = []
    for rep in range(repeats):
        rng = np.random.default_rng(100 + rep)
        fold_of = dict(zip(us, rng.permutation(len(us)) % k))
        fold = np.array([fold_of[s] for s in subj])
        for j in range(k):
            te = fold == j
            if y[te].all() or not y[te].any():
                continue
            m = fit_logistic(x[~te], y[~te].astype(float))
            vals.append(auc(predict(m, x[te]), y[te]))
    return float(np.mean(vals)), float(np.std(vals))


def ceiling(rows: list[dict], bad: np.ndarray, reps: int = 200) -> dict:
    """How well could ANY score do, if it knew each image's true error spread exactly?

    Errors are simulated as N(0, sigma_i) with sigma_i the observed error SD of the image's head-size band
    (training images), optionally varied image by image (lognormal, factor f); the score is sigma_i itself.
    Also the share of "bad" labels that reference noise alone makes: an annotator SD of 1.8 mm (two experts
    differ by about 2 mm on HC18) puts P(|noise| > 3 mm) at about 10% with a perfect model.
    """
    ref = np.array([r["refMm"] for r in rows])
    base = np.array([hc(r["base"]) for r in rows])
    err = np.where(np.isfinite(base), base - ref, 0.0)
    edges = np.array([0, 100, 150, 200, 250, 300, 1e9])
    band = np.digitize(ref, edges) - 1
    sd = np.array([np.std(err[band == b]) if (band == b).any() else 0 for b in range(len(edges) - 1)])
    sigma = sd[band]
    rng = np.random.default_rng(7)
    out = {"band_sd_mm": sd.round(2).tolist(), "observed_bad": float(bad.mean())}
    for f in (0.0, 0.25, 0.5, 0.75):
        vals = []
        for _ in range(reps):
            si = sigma * np.exp(rng.normal(0, f, len(sigma))) if f else sigma
            e = rng.normal(0, si)
            vals.append(auc(si, np.abs(e) > BAD_MM))
        out[f"oracle_auroc_lognormal_{f}"] = float(np.mean(vals))
    out["bad_from_reference_noise_alone_sd1.8"] = float(2 * (1 - 0.5 * (1 + math.erf(BAD_MM / 1.8 / math.sqrt(2)))))
    return out


def roc_table(score: np.ndarray, pos: np.ndarray, thresholds: list[float]) -> list[dict]:
    out = []
    for t in thresholds:
        flag = score >= t
        out.append({"threshold": t, "sensitivity": float(flag[pos].mean()), "specificity": float((~flag[~pos]).mean()), "flagged": float(flag.mean())})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", help="HC18 training_set folder: adds the skull-echo measures (needs Pillow)")
    a = ap.parse_args()
    rows = load(a.features)
    tr = [r for r in rows if not r["heldOut"]]
    ho = [r for r in rows if r["heldOut"]]
    ftr, ytr, str_ = table(tr)
    fho, yho, sho = table(ho)
    if a.images:
        ftr.update(echo_features(tr, a.images))
        fho.update(echo_features(ho, a.images))
    out: dict = {"training": {"n": len(tr), "bad": int(ytr.sum())}, "held-out": {"n": len(ho), "bad": int(yho.sum())}}
    print(f"training n {len(tr)} bad {int(ytr.sum())}; held-out n {len(ho)} bad {int(yho.sum())}")
    single = {}
    for name, v in ftr.items():
        lo, hi = auc_ci(v, ytr, str_)
        single[name] = {"auroc": auc(v, ytr), "lo": lo, "hi": hi}
        print(f"  train  {name:18s} {single[name]['auroc']:.3f} ({lo:.3f}-{hi:.3f})")
    out["training"]["single"] = single
    sets = [
        ["mirror_mm"],
        ["spread4_mm"],
        ["max3_mm"],
        ["spread4_mm", "hc_mm"],
        ["mirror_mm", "shift_mm", "zoom_mm"],
        ["mirror_mm", "shift_mm", "zoom_mm", "hc_mm"],
        ["spread4_mm", "hc_mm", "band_mm"],
        ["spread4_mm", "hc_mm", "band_mm", "1-quality"],
        ["mirror_mm", "shift_mm", "zoom_mm", "hc_mm", "band_mm", "1-quality"],
        ["mirror_mm", "shift_mm", "zoom_mm", "hc_mm", "band_mm", "1-quality", "-contrast", "outside", "1-certainty"],
        ["band_mm", "hc_mm"],
        ["1-quality", "hc_mm"],
        ["spread7_mm"],
        ["spread7_mm", "hc_mm"],
        ["spread7_mm", "hc_mm", "band_mm"],
        ["spread7_mm", "hc_mm", "band_mm", "1-fitResidual", "1-modelConfidence"],
    ]
    if a.images:
        sets += [["band_mm", "hc_mm", "echo_cv"], ["band_mm", "hc_mm", "echo_cv", "weak_frac", "mirror_mm", "spread7_mm"]]
    cv = {}
    for s in sets:
        m, sd = grouped_cv(ftr, ytr, str_, s)
        cv[" + ".join(s)] = {"mean": m, "sd": sd}
        print(f"  cv     {' + '.join(s):70s} {m:.3f} ± {sd:.3f}")
    out["training"]["cv"] = cv
    best = max(sets, key=lambda s: cv[" + ".join(s)]["mean"])
    best_single = max(single, key=lambda k: single[k]["auroc"])
    model = fit_logistic(design(ftr, best), ytr.astype(float))
    s_ho = predict(model, design(fho, best))
    lo, hi = auc_ci(s_ho, yho, sho)
    out["chosen"] = {"features": best, "mean": model[0].tolist(), "sd": model[1].tolist(), "weights": model[2].tolist()}
    out["held-out"]["chosen_model"] = {"auroc": auc(s_ho, yho), "lo": lo, "hi": hi}
    lo2, hi2 = auc_ci(fho[best_single], yho, sho)
    out["held-out"]["best_single"] = {"name": best_single, "auroc": auc(fho[best_single], yho), "lo": lo2, "hi": hi2}
    lo3, hi3 = auc_ci(fho["1-quality"], yho, sho)
    out["held-out"]["runtime_quality"] = {"auroc": auc(fho["1-quality"], yho), "lo": lo3, "hi": hi3}
    print(f"chosen by CV: {' + '.join(best)}; held-out AUROC {auc(s_ho, yho):.3f} ({lo:.3f}-{hi:.3f})")
    print(f"best single on training: {best_single}; held-out {out['held-out']['best_single']['auroc']:.3f} ({lo2:.3f}-{hi2:.3f})")
    print(f"runtime quality held-out {out['held-out']['runtime_quality']['auroc']:.3f} ({lo3:.3f}-{hi3:.3f})")
    # reported for every predictor and set so that nothing is hidden; none of these chose anything
    report = {}
    for name, v in fho.items():
        lo4, hi4 = auc_ci(v, yho, sho)
        report[name] = {"auroc": auc(v, yho), "lo": lo4, "hi": hi4}
    for st in sets:
        m = fit_logistic(design(ftr, st), ytr.astype(float))
        v = predict(m, design(fho, st))
        lo4, hi4 = auc_ci(v, yho, sho)
        report[" + ".join(st)] = {"auroc": auc(v, yho), "lo": lo4, "hi": hi4}
    out["held-out"]["all_reported"] = report
    for name, r in report.items():
        print(f"  held-out (reported only) {name:70s} {r['auroc']:.3f} ({r['lo']:.3f}-{r['hi']:.3f})")
    out["ceiling"] = ceiling(tr, ytr)
    print(f"ceiling: {out['ceiling']}")
    p_tr = 1 / (1 + np.exp(-predict(model, design(ftr, best))))
    qs = sorted(set(np.round(np.quantile(p_tr, [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9]), 3).tolist()))
    p_ho = 1 / (1 + np.exp(-s_ho))
    out["held-out"]["roc_table"] = roc_table(p_ho, yho, qs)
    out["training"]["roc_table"] = roc_table(p_tr, ytr, qs)
    for t_tr, t_ho in zip(out["training"]["roc_table"], out["held-out"]["roc_table"]):
        print(f"  p>={t_tr['threshold']:.3f}  train sens {t_tr['sensitivity']:.2f} spec {t_tr['specificity']:.2f} | held-out sens {t_ho['sensitivity']:.2f} spec {t_ho['specificity']:.2f} flagged {t_ho['flagged']:.2f}")
    json.dump(out, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
