"""Build models/enhance from a trained checkpoint: fp32 ONNX at 480×640, u8 and s8 QDQ from one
calibration (quantize_qdq.py), manifest.json with SHA-256 of every file.

    /usr/bin/python3 models/training/package_enhance.py --checkpoint models/training/.work/enhance/last.pt \
        --version 1.0.0 [--strength 1.0] [--precisions fp32,int8] [--evaluation eval.json]

--strength scales the predicted correction (out = x + s·r; folded into the last convolution's weights).
--precisions: the files shipped; without int8 the runtime runs fp32 on every provider (a manifest-declared
choice: chooseModelFile falls back to the fp32 file when a package has no int8 file).
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import subprocess

from check_deps import require

require()

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402

from enhance_net import Enhancer  # noqa: E402
from onnx_eval import run_graph  # noqa: E402
from quantize_qdq import activation_tensors, calibrate, quantize  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH, HEIGHT = 640, 480


def sha256(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def load(checkpoint: str, strength: float) -> Enhancer:
    ck = torch.load(checkpoint, map_location="cpu")
    c = ck["config"]
    net = Enhancer(c["channels"], tuple(c["dilations"]), c["down"])
    net.load_state_dict(ck["model"])
    with torch.no_grad():
        net.tail.weight.mul_(strength)
        net.tail.bias.mul_(strength)
    return net.eval()


@torch.no_grad()
def recentre(net: Enhancer, images: list[np.ndarray]) -> float:
    """Removes the net's mean brightness change (measured on training images) from its last bias: the
    teacher itself darkens by ~0.4 gray (NLM pulls bright speckle peaks down), a display filter should not."""
    shifts = [float((net(torch.from_numpy(img)[None, None]) - torch.from_numpy(img)).mean()) for img in images]
    shift = float(np.mean(shifts))
    net.tail.bias.sub_(shift)
    return shift * 255


def export(net: Enhancer, out: str) -> None:
    x = torch.rand(1, 1, HEIGHT, WIDTH)
    torch.onnx.export(net, x, out, input_names=["image"], output_names=["enhanced"], opset_version=13, do_constant_folding=True)
    m = onnx.load(out)
    onnx.checker.check_model(m)
    with torch.no_grad():
        ref = net(x).numpy()
    err = float(np.abs(ref - run_graph(m, {"image": x.numpy()})["enhanced"].numpy()).max())
    if err > 1e-4:
        raise SystemExit(f"exported graph disagrees with torch (max |Δ| {err})")
    print(f"exported {out}: ops {sorted({n.op_type for n in m.graph.node})}, max |torch - graph| {err:.2e}")


def calibration_images(n: int, work: str) -> list[np.ndarray]:
    """Training-side images (never the evaluation's), cropped to multiples of 4, spread over the sources."""
    files = sorted(glob.glob(os.path.join(work, "pairs", "*.npz")))
    pick = [files[i] for i in np.linspace(0, len(files) - 1, n).astype(int)]
    out = []
    for f in pick:
        img = np.load(f)["image"].astype(np.float32) / 255.0
        h, w = img.shape
        out.append(img[: h - h % 4, : w - w % 4])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--strength", type=float, default=1.0)
    ap.add_argument("--precisions", default="fp32,int8")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "enhance"))
    ap.add_argument("--calibration-images", type=int, default=32)
    ap.add_argument("--evaluation", help="JSON of measured figures to record in the manifest")
    ap.add_argument("--work", default=os.path.join(HERE, ".work", "enhance"), help="the training scratch folder (its pairs/ calibrate)")
    ap.add_argument("--teacher", default="distillation of non-local means (OpenCV fastNlMeansDenoising weighting, h 20, template 7, search 21)",
                    help="the provenance method recorded in the manifest")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    net = load(a.checkpoint, a.strength)
    shift = recentre(net, calibration_images(64, a.work))
    print(f"mean brightness change on training images {shift:+.3f} gray, removed from the last bias")
    fp32 = os.path.join(a.out, "enhance.fp32.onnx")
    export(net, fp32)
    files = [{"precision": "fp32", "providers": ["tensorrt", "cuda", "cpu"], "path": os.path.basename(fp32)}]
    if "int8" in a.precisions.split(","):
        model = onnx.load(fp32)
        imgs = calibration_images(a.calibration_images, a.work)
        names = activation_tensors(model)
        ranges = {}
        for img in imgs:  # images differ in size: calibrate one at a time, keep the overall min/max
            for k, (lo, hi) in calibrate(model, img[None], names).items():
                plo, phi = ranges.get(k, (np.inf, -np.inf))
                ranges[k] = (min(plo, lo), max(phi, hi))
        for mode, prec, providers in (("u8", "int8-qdq-u8", ["cpu"]), ("s8", "int8-qdq-s8", ["tensorrt"])):
            path = os.path.join(a.out, f"enhance.int8-{mode}.onnx")
            onnx.save(quantize(model, ranges, mode), path)
            files.append({"precision": prec, "providers": providers, "path": os.path.basename(path)})
    else:
        for mode in ("u8", "s8"):
            stale = os.path.join(a.out, f"enhance.int8-{mode}.onnx")
            if os.path.exists(stale):
                os.remove(stale)
    for f in files:
        f["sha256"] = sha256(os.path.join(a.out, f["path"]))
    ck = torch.load(a.checkpoint, map_location="cpu")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    evaluation = json.load(open(a.evaluation)) if a.evaluation else {"note": "measured with npm run eval:enhance; see MODEL_CARD.md"}
    manifest = {
        "apiVersion": 1,
        "id": "enhance",
        "version": a.version,
        "task": "enhance",
        "description": "Speckle reduction for display (B-mode, 8-bit gray); measurements keep running on the raw frame",
        "input": {"name": "image", "shape": [1, 1, HEIGHT, WIDTH], "layout": "NCHW",
                  "normalize": {"scale": 1 / 255, "mean": 0, "std": 1}, "resize": "letterbox", "cropToRegion": False},
        "outputs": [{"name": "enhanced", "meaning": "the enhanced image on the input's grid, gray/255 (not clipped)", "shape": [1, 1, HEIGHT, WIDTH]}],
        "classes": [],
        "files": files,
        "provenance": {
            "method": a.teacher,
            "data": "HC18 training subjects (256-px crops), BUSI (75% by file-name hash), simulated-probe frames (seeds 101-112)",
            "architecture": f"Enhancer {ck['config']}, {sum(p.numel() for p in net.parameters())} parameters, receptive field ±{net.receptive_field()} px",
            "strength": a.strength,
            "meanShiftRemovedGray": round(shift, 4),
            "trainedEpochs": int(ck.get("epoch", -1)) + 1,
            "trainingPairs": ck.get("pairs"),
            "trainingCommit": commit,
            "calibration": f"{a.calibration_images} training images, min/max per tensor" if len(files) > 1 else None,
        },
        "evaluation": evaluation,
    }
    json.dump(manifest, open(os.path.join(a.out, "manifest.json"), "w"), indent=2)
    print(json.dumps({f["path"]: os.path.getsize(os.path.join(a.out, f["path"])) for f in files}))


if __name__ == "__main__":
    main()
