"""Grouped cross-validation summary of the second-stage refiner (experiment): pools the per-image errors of
`hc_refine.py --inner-fold F/5` runs (each training subject is in exactly one fold's test part) and prints
first stage vs first + second stage per fold and pooled, overall and by trimester (Hadlock GA from the
reference HC), with subject-bootstrap 95% intervals. The validation subjects are in none of these folds.

    /usr/bin/python3 models/training/hc_refine_cv.py /work/train-work/hc-refine/inner-map /work/train-work/hc-refine/inner-map-f1 …
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

from geometry import hadlock_ga_weeks
from hc18_data import subject_of
from hc_refine import boot_ci, paired_ci


def main() -> None:
    rows, per_fold = [], []
    for d in sys.argv[1:]:
        r = json.load(open(os.path.join(d, "eval.json")))
        g = r["groups"]["all"]
        per_fold.append((r["inner_fold"], g["n"], g["first"]["mae"], g["refined"]["mae"], g["refined"]["paired_vs_first"]["diff"]))
        rows += r["per_image"]
    for f, n, a, b, dd in per_fold:
        print(f"fold {f}: n {n}, first {a:.2f}, refined {b:.2f}, paired {dd:+.2f}")
    diffs = np.array([p[4] for p in per_fold])
    print(f"paired difference over {len(diffs)} folds: mean {diffs.mean():+.3f}, SD {diffs.std(ddof=1) if len(diffs) > 1 else 0:.3f}")
    first = np.array([r["first"] for r in rows])
    ref = np.array([r["refined"] for r in rows])
    subj = np.array([subject_of(r["file"]) for r in rows])
    ga = np.array([hadlock_ga_weeks(r["ref"]) for r in rows])
    for name, m in (("all", ga > 0), ("T1", ga < 14), ("T2", (ga >= 14) & (ga < 28)), ("T3", ga >= 28)):
        lo1, hi1 = boot_ci(first[m], subj[m])
        lo2, hi2 = boot_ci(ref[m], subj[m])
        plo, phi = paired_ci(first[m], ref[m], subj[m])
        print(f"pooled {name:3s} n {int(m.sum()):3d} ({len(np.unique(subj[m]))} subj): first {np.abs(first[m]).mean():.2f} ({lo1:.2f}-{hi1:.2f}) "
              f"refined {np.abs(ref[m]).mean():.2f} ({lo2:.2f}-{hi2:.2f}) paired {np.abs(ref[m]).mean() - np.abs(first[m]).mean():+.2f} ({plo:+.2f} to {phi:+.2f})")


if __name__ == "__main__":
    main()
