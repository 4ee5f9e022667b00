"""BUSI loading: near-duplicate grouping, a group-wise train/validation split, letterboxed tensors cached on disk.

BUSI holds ~19% near-duplicates (the same scan saved twice, with and without calipers or text, sometimes
filed under two classes; Pawłowska et al., Data in Brief 2023). A split by image would put copies of one
lesion on both sides and inflate validation. So: a 64-bit DCT perceptual hash per image, pairs within a
Hamming threshold that also correlate at low resolution are joined with union-find, and each group goes to
one side only. Groups whose members carry different labels have no trustworthy class: they train the
segmentation head only (class ignored) and never enter validation.

    /usr/bin/python3 models/training/busi_data.py ../shared/data/busi    # prints the de-dup report
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

CLASSES = ("normal", "benign", "malignant")
IGNORE = -1  # class label of groups filed under more than one class
# Two tiers, chosen by looking at pairs across the Hamming/correlation plane (every pair up to Hamming 8
# reaches correlation >= 0.92 and is a visible copy; 10–30 mixes other frames of the same lesion with
# unrelated look-alikes of the same scanner layout, which correlation separates above ~0.92–0.945):
COPY_RULE = (8, 0.90)  # (max pHash Hamming of 64, min 32×32 correlation): the same image saved twice
RELATED_RULES = ((16, 0.92), (30, 0.945))  # another frame of the same lesion: grouped for the split only
VAL_FRACTION = 0.2


@dataclass
class BusiItem:
    cls: str
    name: str  # e.g. benign_12.png
    path: str
    mask_path: str

    @property
    def key(self) -> str:
        return f"{self.cls}/{self.name}"


def read_items(root: str) -> list[BusiItem]:
    items = []
    for cls in CLASSES:
        d = os.path.join(root, cls)
        if not os.path.isdir(d):
            raise SystemExit(f"BUSI folder {d} is missing (expected {{benign,malignant,normal}}/NAME.png + NAME_mask.png)")
        for f in sorted(os.listdir(d)):
            if not f.endswith(".png") or f.endswith("_mask.png"):
                continue
            m = os.path.join(d, f[:-4] + "_mask.png")
            if not os.path.exists(m):
                raise SystemExit(f"{cls}/{f} has no mask {os.path.basename(m)}")
            items.append(BusiItem(cls, f, os.path.join(d, f), m))
    return items


def load_gray(path: str) -> np.ndarray:
    return np.array(Image.open(path).convert("L"))


# ---------------------------------------------------------------- perceptual hash and grouping

def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = np.cos(math.pi * (2 * i + 1) * k / (2 * n)) * math.sqrt(2 / n)
    c[0] /= math.sqrt(2)
    return c


_DCT32 = _dct_matrix(32)


def phash(img: np.ndarray) -> np.ndarray:
    """64-bit DCT hash as 64 booleans: 8×8 lowest frequencies of the 32×32 image above their median (DC excluded
    from the median)."""
    small = np.asarray(Image.fromarray(img).resize((32, 32), Image.LANCZOS), np.float64)
    d = (_DCT32 @ small @ _DCT32.T)[:8, :8].ravel()
    return d > np.median(d[1:])


def thumb(img: np.ndarray) -> np.ndarray:
    """32×32 zero-mean unit-norm thumbnail for the correlation check."""
    t = np.asarray(Image.fromarray(img).resize((32, 32), Image.BILINEAR), np.float64).ravel()
    t -= t.mean()
    return t / max(np.linalg.norm(t), 1e-9)


class UnionFind:
    def __init__(self, n: int):
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def near_duplicate_pairs(images: list[np.ndarray]) -> tuple[list[tuple[int, int, int, float, bool]], np.ndarray]:
    """(i, j, hamming, correlation, is_copy) for every pair within a rule; also all pairwise Hamming distances."""
    h = np.stack([phash(im) for im in images]).astype(np.uint8)
    t = np.stack([thumb(im) for im in images])
    ham = (h[:, None, :] != h[None, :, :]).sum(-1)
    corr = t @ t.T
    pairs = []
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            copy = ham[i, j] <= COPY_RULE[0] and corr[i, j] >= COPY_RULE[1]
            if copy or any(ham[i, j] <= hm and corr[i, j] >= cm for hm, cm in RELATED_RULES):
                pairs.append((i, j, int(ham[i, j]), float(corr[i, j]), copy))
    return pairs, ham


@dataclass
class Split:
    items: list[BusiItem]
    group: np.ndarray  # group index per item
    label: np.ndarray  # class index per item, IGNORE for conflicting groups
    validation: np.ndarray  # bool per item: its group is on the validation side
    representative: np.ndarray  # bool per item: the first member of its group (validation counts each group once)
    report: dict


def _unit_hash(s: str) -> float:
    return int(hashlib.sha256(("busi-split-v1:" + s).encode()).hexdigest()[:12], 16) / float(1 << 48)


def build_split(root: str) -> Split:
    items = read_items(root)
    images = [load_gray(it.path) for it in items]
    pairs, ham = near_duplicate_pairs(images)
    uf, copies = UnionFind(len(items)), UnionFind(len(items))
    for i, j, _, _, copy in pairs:
        uf.union(i, j)
        if copy:
            copies.union(i, j)
    roots = sorted({uf.find(i) for i in range(len(items))})
    gidx = {r: g for g, r in enumerate(roots)}
    group = np.array([gidx[uf.find(i)] for i in range(len(items))])
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group):
        members.setdefault(int(g), []).append(i)
    label = np.array([CLASSES.index(it.cls) for it in items])
    # A copy filed under two classes has no trustworthy class; its members keep their masks for training
    # but lose the class. Related frames of one lesion with different labels are reported, not relabelled.
    copy_sets: dict[int, list[int]] = {}
    for i in range(len(items)):
        copy_sets.setdefault(copies.find(i), []).append(i)
    conflicts = []
    for idx in copy_sets.values():
        classes = sorted({items[i].cls for i in idx})
        if len(classes) > 1:
            conflicts.append({"members": [items[i].key for i in idx], "classes": classes})
            label[idx] = IGNORE
    related_conflicts = []
    for idx in members.values():
        classes = sorted({items[i].cls for i in idx})
        if len(classes) > 1:
            related_conflicts.append([items[i].key for i in idx])
    # A group takes the label of its first member with a class; IGNORE only when none has one.
    glabel = {g: next((int(label[i]) for i in idx if label[i] != IGNORE), IGNORE) for g, idx in members.items()}
    # Split: within each class, groups ordered by a hash of their first member's name; the lowest-hash groups
    # fill ~20% of that class's images. Stratified, deterministic, and a group never straddles the split.
    validation = np.zeros(len(items), bool)
    for c in range(len(CLASSES)):
        gs = [g for g in members if glabel[g] == c]
        gs.sort(key=lambda g: _unit_hash(items[members[g][0]].key))
        target = VAL_FRACTION * sum(len(members[g]) for g in gs)
        taken = 0
        for g in gs:
            if taken >= target:
                break
            validation[members[g]] = True
            taken += len(members[g])
    representative = np.zeros(len(items), bool)
    for idx in members.values():
        representative[idx[0]] = True
    multi = [idx for idx in members.values() if len(idx) > 1]
    min_ham = np.where(np.eye(len(items), dtype=bool), 99, ham).min(1)
    report = {
        "images": len(items),
        "perClass": {c: sum(it.cls == c for it in items) for c in CLASSES},
        "method": f"64-bit DCT pHash + 32x32 correlation; copies: Hamming <= {COPY_RULE[0]} and corr >= {COPY_RULE[1]}; "
                  f"related frames: " + ", ".join(f"Hamming <= {h} and corr >= {c}" for h, c in RELATED_RULES) + "; union-find",
        "copyPairs": sum(1 for p in pairs if p[4]),
        "relatedPairs": sum(1 for p in pairs if not p[4]),
        "identicalHashPairs": sum(1 for p in pairs if p[2] == 0),
        "groupsWithDuplicates": len(multi),
        "imagesInDuplicateGroups": sum(len(g) for g in multi),
        "imagesBeyondFirstOfGroup": sum(len(g) - 1 for g in multi),
        "largestGroup": max((len(g) for g in multi), default=1),
        "groups": len(members),
        "conflictingGroups": conflicts,
        "conflictingImages": int((label == IGNORE).sum()),
        "relatedGroupsWithMixedFolders": related_conflicts,
        "nearestHammingHistogram": {str(k): int((min_ham == k).sum()) for k in range(0, 17)},
        "train": {"images": int((~validation).sum()),
                  "perClass": {c: int(((~validation) & (label == k)).sum()) for k, c in enumerate(CLASSES)},
                  "ignoredClass": int(((~validation) & (label == IGNORE)).sum())},
        "validation": {"groups": int((validation & representative).sum()),
                       "imagesInGroups": int(validation.sum()),
                       "perClass": {c: int((validation & representative & (label == k)).sum()) for k, c in enumerate(CLASSES)}},
    }
    return Split(items, group, label, validation, representative, report)


# ---------------------------------------------------------------- letterboxed tensors

def js_round(v: float) -> int:
    """Math.round as the runtime does it (halves up), not Python's banker's rounding."""
    return int(math.floor(v + 0.5))


def letterbox(img: np.ndarray, w: int, h: int, resample=Image.BILINEAR) -> np.ndarray:
    """Centred letterbox exactly as src/inference/preprocess.ts: PIL bilinear (its filter widens when
    downscaling, like the runtime's resampler), padding value 0."""
    sh, sw = img.shape
    s = min(w / sw, h / sh)
    nw, nh = max(1, js_round(sw * s)), max(1, js_round(sh * s))
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out = np.zeros((h, w), np.uint8)
    out[y0:y0 + nh, x0:x0 + nw] = np.asarray(Image.fromarray(img).resize((nw, nh), resample))
    return out


def build_cache(root: str, cache: str, w: int, h: int) -> dict:
    """Images and soft masks (uint8, 255 = lesion) at model size, labels, split flags and names."""
    if os.path.exists(cache):
        d = np.load(cache, allow_pickle=False)
        return {k: d[k] for k in d.files}
    sp = build_split(root)
    n = len(sp.items)
    imgs = np.zeros((n, h, w), np.uint8)
    masks = np.zeros((n, h, w), np.uint8)
    for i, it in enumerate(sp.items):
        imgs[i] = letterbox(load_gray(it.path), w, h)
        m = (load_gray(it.mask_path) > 127).astype(np.uint8) * 255
        masks[i] = letterbox(m, w, h)  # bilinear: area-weighted edge at model resolution
    out = {"images": imgs, "masks": masks, "label": sp.label, "group": sp.group, "validation": sp.validation,
           "representative": sp.representative, "folder": np.array([CLASSES.index(it.cls) for it in sp.items]),
           "names": np.array([it.key for it in sp.items]), "report": np.array(json.dumps(sp.report))}
    tmp = cache + ".tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, cache)
    return out


def validation_names(d: dict) -> list[str]:
    """One image per validation group: the list shipped as validation.txt."""
    return [str(n) for n, v, r in zip(d["names"], d["validation"], d["representative"]) if v and r]


if __name__ == "__main__":
    import sys
    sp = build_split(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data/busi"))
    print(json.dumps(sp.report, indent=1))
