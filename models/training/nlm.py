"""Non-local means with OpenCV's `fastNlMeansDenoising` semantics, in torch (the distillation teacher).

For each pixel p and each offset q in a `search`×`search` window: d = mean over a `template`×`template`
patch of (I(p+t) − I(q+t))², weight = exp(−d / h²), weights below 0.001 of the largest (the centre's, 1)
dropped, output = Σ w·I(q) / Σ w. Borders reflect (OpenCV's BORDER_REFLECT_101 = torch's 'reflect').
Gray levels 0–255. OpenCV rounds its weights to fixed point; this keeps them in float.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


@torch.no_grad()
def nlm(img: np.ndarray, h: float = 20.0, template: int = 7, search: int = 21) -> np.ndarray:
    x = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32))[None, None]
    H, W = img.shape
    rs, rt = search // 2, template // 2
    pad = rs + rt
    xp = F.pad(x, (pad, pad, pad, pad), mode="reflect")
    centre = xp[..., rs:rs + H + 2 * rt, rs:rs + W + 2 * rt]
    acc = torch.zeros(1, 1, H, W)
    wsum = torch.zeros(1, 1, H, W)
    inv_h2 = 1.0 / (h * h)
    for dy in range(-rs, rs + 1):
        for dx in range(-rs, rs + 1):
            shifted = xp[..., rs + dy:rs + dy + H + 2 * rt, rs + dx:rs + dx + W + 2 * rt]
            d2 = (centre - shifted) ** 2
            d2 = F.avg_pool2d(d2, (template, 1), stride=1)
            d2 = F.avg_pool2d(d2, (1, template), stride=1)
            w = torch.exp(-d2 * inv_h2)
            w = torch.where(w < 0.001, torch.zeros_like(w), w)
            acc += w * shifted[..., rt:rt + H, rt:rt + W]
            wsum += w
    return (acc / wsum)[0, 0].numpy()


if __name__ == "__main__":
    import sys
    import time
    from PIL import Image
    torch.set_num_threads(1)
    a = np.array(Image.open(sys.argv[1]).convert("L"), np.float32)
    t = time.time()
    b = nlm(a)
    print(f"{a.shape} in {time.time() - t:.2f} s; mean {a.mean():.2f} → {b.mean():.2f}")
