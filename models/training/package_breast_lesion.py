"""Build models/breast-lesion from a trained checkpoint: temperature fitted on the validation logits and baked
into the graph, fp32 ONNX, u8 and s8 QDQ from one calibration, validation figures measured here (fp32 and the
simulated int8 graphs), validation.txt, manifest.json with SHA-256 of every file, and MODEL_CARD.md.

    /usr/bin/python3 models/training/package_breast_lesion.py --checkpoint models/training/.work/breast-lesion/best.pt \
        --version 1.0.0

--mirror also runs each on the horizontally mirrored image and averages those passes too.
Several --checkpoint paths (runs of the same recipe from different seeds) make one graph whose outputs are the
mean of the runs' lesion probabilities and the softmax of their mean class logits (lesion_net.Calibrated); the
temperature is fitted on the mean of their validation logits.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

from busi_data import IGNORE, validation_names  # noqa: E402
from export_onnx import export_module  # noqa: E402
from lesion_net import CLASSES, Calibrated, load_all, run_passes  # noqa: E402
from onnx_eval import run_graph  # noqa: E402
from quantize_qdq import activation_tensors, calibrate, quantize  # noqa: E402
from train_breast_lesion import FALSE_LESION_MIN_FRACTION, ece, metrics, roc_auc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_ID = "breast-lesion"
ECE_BINS = 15


def sha256(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    p = softmax(logits / t)
    return float(-np.log(np.maximum(p[np.arange(len(y)), y], 1e-12)).mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    r = minimize_scalar(lambda lt: nll(logits, y, math.exp(lt)), bounds=(math.log(0.05), math.log(20.0)), method="bounded")
    return float(math.exp(r.x))


def cross_fitted_ece(logits: np.ndarray, y: np.ndarray, folds: int = 2) -> float:
    """ECE where each half's temperature is fitted on the other half: what fitting on this validation set
    itself would hide."""
    idx = np.arange(len(y))
    probs = np.zeros((len(y), logits.shape[1]))
    for f in range(folds):
        test = idx % folds == f
        t = fit_temperature(logits[~test], y[~test])
        probs[test] = softmax(logits[test] / t)
    return ece(probs, y, ECE_BINS)


def bootstrap_auc(score: np.ndarray, pos: np.ndarray, n: int = 2000, seed: int = 7) -> list[float]:
    """95% percentile interval of the AUC over validation groups resampled with replacement."""
    rng = np.random.default_rng(seed)
    v = [roc_auc(score[i], pos[i]) for i in (rng.integers(0, len(score), len(score)) for _ in range(n))]
    return [float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5))]


def pass_logits(nets: list[torch.nn.Module], images: np.ndarray, mirror: bool) -> np.ndarray:
    """Mean class logits over the passes Calibrated makes (each net, and each on the mirrored image if asked)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(images), 16):
            x = torch.from_numpy(images[i:i + 16]).float().unsqueeze(1) / 255.0
            out.append(torch.stack([lg for _, lg in run_passes(nets, x, mirror)]).mean(0).double().numpy())
    return np.concatenate(out)


def run_all(model: onnx.ModelProto, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    segs, probs = [], []
    for img in images:
        env = run_graph(model, {"image": (img.astype(np.float32) / 255.0)[None, None]})
        segs.append(env["lesion_prob"][0, 0].numpy())
        probs.append(env["class_prob"][0].numpy())
    return np.stack(probs).astype(np.float64), np.stack(segs)


def agreement(ref: tuple[np.ndarray, np.ndarray], got: tuple[np.ndarray, np.ndarray]) -> dict:
    (p0, s0), (p1, s1) = ref, got
    m0, m1 = s0 >= 0.5, s1 >= 0.5
    dice = [2 * (a & b).sum() / max(1, a.sum() + b.sum()) for a, b in zip(m0, m1) if a.any() or b.any()]
    return {"classArgmaxAgreement": float((p0.argmax(1) == p1.argmax(1)).mean()),
            "maxAbsClassProbDiff": float(np.abs(p0 - p1).max()),
            "meanAbsMalignantProbDiff": float(np.abs(p0[:, 2] - p1[:, 2]).mean()),
            "maskDiceVsFp32Mean": float(np.mean(dice)) if dice else 1.0,
            "maxAbsLesionProbDiff": float(np.abs(s0 - s1).max())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", nargs="+", default=[os.path.join(HERE, ".work", MODEL_ID, "best.pt")],
                    help="one checkpoint, or several of the same recipe and input to average in one graph")
    ap.add_argument("--version", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "..", MODEL_ID))
    ap.add_argument("--cache", help="busi_WxH.npz written by the training (default: next to the checkpoint)")
    ap.add_argument("--mirror", action="store_true", help="also run every checkpoint on the mirrored image and average (test-time augmentation in the graph)")
    ap.add_argument("--seeds", default="1234", help="the training seed of each checkpoint, comma-separated, for the card")
    ap.add_argument("--calibration-images", type=int, default=48)
    ap.add_argument("--training-minutes", type=float, help="wall time the training took, for the card")
    ap.add_argument("--training-note", help="how the run went (epoch times, schedule changes), for the card")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    cks = [torch.load(p, map_location="cpu") for p in a.checkpoint]
    ck = cks[0]
    w, h = ck["input"]
    if any(c["input"] != ck["input"] or c["widths"] != ck["widths"] or list(c["val_names"]) != list(ck["val_names"]) for c in cks):
        raise SystemExit("the checkpoints differ in input size, widths or validation set: they cannot be averaged")
    cache = a.cache or os.path.join(os.path.dirname(a.checkpoint[0]), f"busi_{w}x{h}.npz")
    d = np.load(cache)
    d = {k: d[k] for k in d.files}
    split = json.loads(str(d["report"]))
    val = np.nonzero(d["validation"] & d["representative"])[0]
    y = d["label"][val]
    if list(ck["val_names"]) != d["names"][val].tolist():
        raise SystemExit("the checkpoint's validation set is not this cache's")

    # 1. temperature on the validation logits of every pass the graph averages (the checkpoints' own stored
    #    logits are one unmirrored pass each), computed here the way the graph computes them
    logits = pass_logits(load_all(cks), d["images"][val], a.mirror)
    t = fit_temperature(logits, y)
    temp = {"temperature": t, "ece15Before": ece(softmax(logits), y, ECE_BINS), "ece15After": ece(softmax(logits / t), y, ECE_BINS),
            "nllBefore": nll(logits, y, 1.0), "nllAfter": nll(logits, y, t), "ece15CrossFitted2Fold": cross_fitted_ece(logits, y)}
    print("temperature", json.dumps(temp))

    # 2. fp32 export with sigmoid and calibrated softmax in the graph
    fp32 = os.path.join(a.out, f"{MODEL_ID}.fp32.onnx")
    export_module(Calibrated(load_all(cks), t, mirror=a.mirror), torch.rand(1, 1, h, w), fp32, ["lesion_prob", "class_prob"])
    model = onnx.load(fp32)

    # 3. int8 from one calibration on training images only (never validation), spread over the classes
    train = np.nonzero(~d["validation"])[0]
    per = a.calibration_images // 3
    pick = np.concatenate([c[np.linspace(0, len(c) - 1, per).astype(int)] for c in
                           (train[d["folder"][train] == k] for k in range(3))])
    names = activation_tensors(model)
    ranges = calibrate(model, d["images"][pick].astype(np.float32) / 255.0, names)
    files = [{"precision": "fp32", "providers": ["tensorrt", "cuda", "cpu"], "path": os.path.basename(fp32)}]
    quantized = {}
    for mode, prec, providers in (("u8", "int8-qdq-u8", ["cpu"]), ("s8", "int8-qdq-s8", ["tensorrt"])):
        path = os.path.join(a.out, f"{MODEL_ID}.int8-{mode}.onnx")
        quantized[mode] = quantize(model, ranges, mode)
        onnx.save(quantized[mode], path)
        files.append({"precision": prec, "providers": providers, "path": os.path.basename(path)})
    for f in files:
        f["sha256"] = sha256(os.path.join(a.out, f["path"]))
        f_size = os.path.getsize(os.path.join(a.out, f["path"]))
        print(f"{f['path']}: {f_size} bytes")

    # 4. validation through the exported graphs (int8 simulated with exact Q/DQ arithmetic in onnx_eval)
    imgs, masks = d["images"][val], d["masks"][val]
    ref = run_all(model, imgs)
    results = {"fp32": metrics(ref[0], y, ref[1], masks)}
    results["fp32"]["malignantAucBootstrap95"] = bootstrap_auc(ref[0][:, 2], y == 2)
    for mode in ("u8", "s8"):
        got = run_all(quantized[mode], imgs)
        results[f"int8-{mode}Simulated"] = {**metrics(got[0], y, got[1], masks), "vsFp32": agreement(ref, got)}
    print(json.dumps(results, indent=1))

    # 5. files
    with open(os.path.join(a.out, "validation.txt"), "w") as f:
        f.write("\n".join(validation_names(d)) + "\n")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    n_params = sum(v.numel() for c in cks for k, v in c["model"].items() if "num_batches" not in k and "running" not in k)
    unet = f"U-Net widths {ck['widths']} (nearest upsampling + conv) with a pooled linear classifier on the bottleneck"
    architecture = f"{unet}, {n_params} parameters" if len(cks) == 1 else \
        f"mean of {len(cks)} runs (different seeds) of a {unet}, averaged in one graph (lesion probabilities and class logits), {n_params} parameters in all"
    if a.mirror:
        architecture += f"; each also run on the horizontally mirrored image (its map mirrored back) and averaged: {2 * len(cks)} passes per frame"
    dedup = {k: split[k] for k in ("images", "perClass", "method", "copyPairs", "relatedPairs", "identicalHashPairs",
                                   "groupsWithDuplicates", "imagesInDuplicateGroups", "imagesBeyondFirstOfGroup",
                                   "largestGroup", "groups", "conflictingImages")}
    dedup["conflictingCopies"] = [g["members"] for g in split["conflictingGroups"]]
    manifest = {
        "apiVersion": 1,
        "id": MODEL_ID,
        "version": a.version,
        "task": MODEL_ID,
        "description": "Breast lesion segmentation and normal/benign/malignant classification on 2D B-mode breast ultrasound (decision support)",
        "input": {"name": "image", "shape": [1, 1, h, w], "layout": "NCHW",
                  "normalize": {"scale": 1 / 255, "mean": 0, "std": 1}, "resize": "letterbox", "cropToRegion": True},
        "outputs": [
            {"name": "lesion_prob", "meaning": "per-pixel probability that the pixel lies inside a breast lesion (sigmoid applied)", "shape": [1, 1, h, w]},
            {"name": "class_prob", "meaning": "temperature-calibrated softmax probabilities of the image's class, in the order of classes (normal, benign, malignant)", "shape": [1, 3]},
        ],
        "classes": list(CLASSES),
        "files": files,
        "provenance": {
            "data": "BUSI (Al-Dhabyani et al., Data in Brief 2020; Baheya Hospital, Cairo, 2018), 662-image subset; near-duplicate groups kept on one side; ~20% of each class's groups for validation by a hash of the group's first name",
            "architecture": architecture,
            "trainedEpochs": [int(c.get("epoch", -1)) + 1 for c in cks] if len(cks) > 1 else int(ck.get("epoch", -1)) + 1,
            "scheduledEpochs": [c.get("epochs") for c in cks] if len(cks) > 1 else ck.get("epochs"),
            "seeds": a.seeds,
            "trainingCommit": commit,
            "temperature": temp,
            "calibration": f"{len(pick)} training images ({per} per class folder), min/max per tensor, one pass for u8 and s8",
            "deduplication": dedup,
            "split": {"trainImages": split["train"]["images"], "trainPerClass": split["train"]["perClass"],
                      "trainClassIgnored": split["train"]["ignoredClass"], "validationGroups": split["validation"]["groups"],
                      "validationImagesInGroups": split["validation"]["imagesInGroups"], "validationPerClass": split["validation"]["perClass"]},
            "checkpointValidation": [{k: c["val"][k] for k in ("malignantAuc", "dice", "accuracy", "macroF1")} for c in cks]
            if len(cks) > 1 else {k: ck["val"][k] for k in ("malignantAuc", "dice", "accuracy", "macroF1")},
        },
        "evaluation": {
            "source": "python, models/training/package_breast_lesion.py, through the exported graphs (int8 = exact Q/DQ simulation, not onnxruntime)",
            "split": "validation (validation.txt: one image per near-duplicate group)",
            "falseLesionDefinition": f"normal image with >= {FALSE_LESION_MIN_FRACTION:.1%} of the model input at lesion_prob >= 0.5",
            "temperature": temp,
            **results,
            "runtime": "to be filled from npm run eval:busi",
        },
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(os.path.join(a.out, "MODEL_CARD.md"), "w") as f:
        f.write(model_card(manifest, results, temp, split, ck, a.training_minutes, a.training_note))
    print("wrote", a.out)


def pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def model_card(man: dict, res: dict, temp: dict, split: dict, ck: dict, minutes: float | None, note: str | None) -> str:
    f = res["fp32"]
    u8, s8 = res["int8-u8Simulated"], res["int8-s8Simulated"]
    h, w = man["input"]["shape"][2:]
    prov = man["provenance"]
    dd = prov["deduplication"]
    reached = lambda ok: "**reached**" if ok else "**not reached**"  # noqa: E731
    conf = f["confusion"]
    conflicts = "; ".join(" = ".join(g) for g in dd["conflictingCopies"])
    return f"""# Model card — breast-lesion {man['version']}

Breast lesion segmentation and normal / benign / malignant classification on 2D B-mode breast ultrasound.
It is **decision support**: it outlines what it takes for a lesion and says how suspicious the image looks;
a clinician reads the image and decides. It never gives a diagnosis.

## Intended use and limits
- **Use:** a clinician (or a trained sonographer under one) scanning a breast lump that is already known
  (palpable or referred), 2D grayscale B-mode, wanting a second look: outline, lesion size, and a calibrated
  probability of malignant-looking vs benign-looking vs no lesion, to help decide on referral or biopsy.
- **Not for:** diagnosis; screening of women without symptoms (never trained or validated for it; the
  prevalence there is far lower and false positives would dominate); colour or power Doppler frames;
  elastography; axilla / lymph nodes; male breast; implants; 3D; images where measurement calipers or text
  are the only sign of a lesion (calipers were burned in at random during training so that they are not a cue,
  but the model has never been shown to ignore them); any image not of the breast. Outside BUSI's population
  and scanner the probabilities are not known to be calibrated.
- A "normal" output is not a negative result: a lesion the model does not outline still needs the clinician's
  own look. The malignant probability is a ranking aid, not a BI-RADS category.

## Data
- BUSI (Al-Dhabyani W, Gomaa M, Khaled H, Fahmy A. Dataset of breast ultrasound images. Data in Brief 28
  (2020) 104863): Baheya Hospital for Early Detection & Treatment of Women's Cancer, Cairo, 2018, women
  25–75 years. This copy: {dd['images']} images ({dd['perClass']['normal']} normal, {dd['perClass']['benign']} benign,
  {dd['perClass']['malignant']} malignant), long side ≤ 384 px, lesion masks drawn by the dataset's radiologists; the
  rest of BUSI is kept apart as an independent test set. Upstream licence is unclear: research use.
- **De-duplication before splitting** ({dd['method']}): {dd['copyPairs']} copy pairs ({dd['identicalHashPairs']} with an
  identical hash) and {dd['relatedPairs']} further pairs that are other frames of the same lesion; union-find makes
  {dd['groupsWithDuplicates']} groups holding {dd['imagesInDuplicateGroups']} images ({dd['imagesBeyondFirstOfGroup']} images beyond the first of their group;
  largest group {dd['largestGroup']}); {dd['groups']} groups in all. Thresholds chosen by looking at pairs across the
  Hamming/correlation plane: every pair up to Hamming 8 is a visible copy; between 10 and 30 only the
  high-correlation pairs are the same lesion.
- **Conflicting labels:** {len(dd['conflictingCopies'])} copies are filed under two classes ({dd['conflictingImages']} images): {conflicts}.
  They have no trustworthy class: they stay in training for the segmentation head only (class loss ignored;
  a copy filed as *normal* of an image with a lesion also skips the mask loss, since its empty mask is wrong)
  and are never in validation.
- **Split:** by group, never by image. Within each class, groups are ordered by a hash of their first member's
  name and the first ~20% of the class's images go to validation. Training: {split['train']['images']} images
  ({split['train']['perClass']['normal']} normal, {split['train']['perClass']['benign']} benign, {split['train']['perClass']['malignant']} malignant, {split['train']['ignoredClass']} class-ignored). Validation:
  {split['validation']['groups']} groups ({split['validation']['imagesInGroups']} images); every figure below counts each group once
  ({split['validation']['perClass']['normal']} normal, {split['validation']['perClass']['benign']} benign, {split['validation']['perClass']['malignant']} malignant), the list is `validation.txt`.
- Near-duplicates that are crops or zooms of each other are not found by a whole-image hash; some may remain
  across the split and make the validation figures slightly optimistic.

## Model
- {prov['architecture']}. Input {w}×{h} (W×H), letterboxed (centred, PIL-bilinear,
  padding 0), gray /255. 288×224 rather than 256×256: BUSI's median aspect is 1.2 (W/H), so 288×224 fills
  90% of the input with image against 81% for 256×256, with 2% fewer input pixels. Measured on this CPU (1
  thread, channels-last, a loaded shared machine, so only roughly): training step of 12 images 1.8 s vs 1.4 s,
  inference 15.5 ms vs 16.2 ms — the same cost within the noise, so the better-filled input won.
- Outputs: `lesion_prob` [1,1,{h},{w}] (sigmoid in the graph) and `class_prob` [1,3] = softmax(logits / T) with the
  temperature T = {temp['temperature']:.3f} baked into the graph (the classifier head and the final sigmoid/softmax stay
  in float in the int8 files).
- Training: BCE on every trustworthy mask + soft Dice on lesion images, + class-weighted cross-entropy
  (weights inverse to training class frequency); AdamW, one-cycle LR, batch 12, seed{"s" if "," in prov['seeds'] else ""} {prov['seeds']},
  {prov['trainedEpochs']} epochs of a {prov['scheduledEpochs']}-epoch schedule{f", {minutes:.0f} minutes" if minutes else ""} on a 2-core CPU machine{f" ({note})" if note else ""}.
  Augmentation: rotation ±15°, scale 0.8–1.25, shift ±10%, horizontal flip (no vertical flip: the skin line
  stays on top), gamma/gain/offset, noise, and burned-in caliper crosses, dotted measurement lines and
  text-like glyph rows placed near the lesion or anywhere, on every class. Checkpoint kept: the epoch with
  the best validation malignant AUC + lesion Dice (validation picked it: another reason the figures below are
  optimistic).

## Validation figures (python, through the exported fp32 graph; {f['n']} groups)
| figure | value | target |
|---|---|---|
| malignant-vs-rest AUC | {f['malignantAuc']:.3f} | ≥ 0.90: {reached(f['malignantAuc'] >= 0.90)} |
| lesion (benign+malignant) vs normal AUC | {f['lesionAuc']:.3f} | |
| sensitivity for malignant at 90% specificity | {pct(f['sensitivityAt90Specificity'])} (threshold {f['thresholdAt90Specificity']:.3f}) | |
| 3-class accuracy | {pct(f['accuracy'])} | |
| macro-F1 | {f['macroF1']:.3f} | |
| lesion Dice (mean / median, benign+malignant images; every pixel ≥ 0.5, not the runtime's one region) | {f['dice']:.3f} / {f['diceMedian']:.3f} | ≥ 0.75, judged on the runtime's figure (below) |
| lesion IoU (mean) | {f['iou']:.3f} | |
| false-lesion rate on normal images | {pct(f['falseLesionRateNormals'])} ({f['perClass']['normal']} images) | |
| ECE (15 bins), before → after temperature | {temp['ece15Before']:.3f} → {temp['ece15After']:.3f} | |
| ECE with T fitted on the other half (2-fold) | {temp['ece15CrossFitted2Fold']:.3f} | |

Confusion (rows true normal/benign/malignant, columns predicted): {conf}. Dice and IoU at lesion_prob ≥ 0.5
in model-input pixels against the mask letterboxed the same way. A normal image counts as a false lesion when
≥ 0.5% of the model input is at lesion_prob ≥ 0.5. The temperature was fitted on these same validation images
(NLL {temp['nllBefore']:.3f} → {temp['nllAfter']:.3f}), so the after-temperature ECE is optimistic; the 2-fold figure is the
honest one. With {f['perClass']['malignant']} malignant validation groups the malignant AUC's 95% bootstrap interval is
{f['malignantAucBootstrap95'][0]:.3f}–{f['malignantAucBootstrap95'][1]:.3f}.

## int8 vs fp32 (python simulation of the QDQ graphs)
Exact Quantize/DequantizeLinear arithmetic in `onnx_eval.py`, on the same validation images (onnxruntime's
fused QLinearConv rounds intermediate requantization slightly differently; the runtime measures that below):

| file | malignant AUC | accuracy | Dice | argmax agreement with fp32 | max abs class-prob diff | mean mask Dice vs fp32 |
|---|---|---|---|---|---|---|
| int8-u8 (CPU) | {u8['malignantAuc']:.3f} | {pct(u8['accuracy'])} | {u8['dice']:.3f} | {pct(u8['vsFp32']['classArgmaxAgreement'])} | {u8['vsFp32']['maxAbsClassProbDiff']:.3f} | {u8['vsFp32']['maskDiceVsFp32Mean']:.3f} |
| int8-s8 (TensorRT) | {s8['malignantAuc']:.3f} | {pct(s8['accuracy'])} | {s8['dice']:.3f} | {pct(s8['vsFp32']['classArgmaxAgreement'])} | {s8['vsFp32']['maxAbsClassProbDiff']:.3f} | {s8['vsFp32']['maskDiceVsFp32Mean']:.3f} |

Calibration for quantization: {prov['calibration']}.

## Through the runtime (onnxruntime-node) — to be filled from `npm run eval:busi`
_Placeholder: not measured by the training side. The runtime engineer fills in fp32 and int8 figures,
int8-vs-fp32 agreement and latency from `npm run eval:busi` on the images of `validation.txt`._

## Bias and limits
- One hospital (Baheya, Cairo), one scanner family (LOGIQ E9 / E9 Agile), one population of Egyptian
  women aged 25–75, one year (2018), one group of annotators. Other scanners, presets, probes, populations and
  breast densities are untested; the held-out figures here are from the same source and overstate how it
  will do elsewhere.
- BUSI images are pre-cropped, often carry calipers, annotations and text, and normal images are few
  ({dd['perClass']['normal']}); image class is the folder's label, not biopsy-confirmed per image in this copy.
- No pixel size: lesion size is in pixels unless the runtime knows the frame's calibration.
- Small validation set ({f['n']} groups): every figure has wide confidence intervals; the model was selected and
  temperature-scaled on it.
- Must not be used: as a screening test, as a replacement for biopsy, for a BI-RADS category, on Doppler or
  elastography frames, or without a clinician reviewing the image.
"""


if __name__ == "__main__":
    main()
