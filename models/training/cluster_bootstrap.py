"""Subject-clustered bootstrap: one resampling loop for every interval the training scripts report.

Whole subjects (or lesion groups) are drawn with replacement, never single images, because two images of one
subject are not independent evidence. numpy only; nothing runs on import.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np


def cluster_bootstrap(stat: Callable[[np.ndarray], Optional[float]], subjects: np.ndarray, rounds: int = 2000,
                      seed: int = 22) -> tuple[float, float]:
    """95% interval of `stat(indices)` over `rounds` resamples of whole subjects; a round whose stat is None
    (e.g. an AUROC with one class absent) is left out."""
    rng = np.random.default_rng(seed)
    groups = [np.nonzero(subjects == s)[0] for s in np.unique(subjects)]
    vals = []
    for _ in range(rounds):
        idx = np.concatenate([groups[k] for k in rng.integers(0, len(groups), len(groups))])
        v = stat(idx)
        if v is not None:
            vals.append(v)
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))
