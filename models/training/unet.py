"""A small U-Net for one-class segmentation, built from ops that onnxruntime's CPU provider runs in int8.

Decoder upsamples with nearest Resize + 3x3 Conv rather than ConvTranspose: the CPU provider fuses
DequantizeLinear→Conv→QuantizeLinear into QLinearConv but leaves ConvTranspose in fp32.
"""
import torch
from torch import nn


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64, 96), out_channels: int = 1):
        super().__init__()
        self.widths = list(widths)
        self.enc = nn.ModuleList()
        cin = 1
        for w in widths:
            self.enc.append(block(cin, w))
            cin = w
        self.pool = nn.MaxPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec = nn.ModuleList()
        for i in range(len(widths) - 1, 0, -1):
            self.dec.append(block(widths[i] + widths[i - 1], widths[i - 1]))
        self.head = nn.Conv2d(widths[0], out_channels, 1)

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x)
            if i < len(self.enc) - 1:
                skips.append(x)
                x = self.pool(x)
        for d in self.dec:
            x = d(torch.cat([self.up(x), skips.pop()], dim=1))
        return self.head(x)


class WithSigmoid(nn.Module):
    """Export wrapper: the shipped graph outputs a probability map, so the runtime never re-implements it."""
    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def conv_macs(model: nn.Module, height: int, width: int) -> int:
    """Multiply-accumulates of every Conv2d for one 1×1×height×width input (what the int8 CPU path spends)."""
    total = 0

    def hook(m: nn.Conv2d, _inp, out) -> None:
        nonlocal total
        total += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, height, width))
    for h in handles:
        h.remove()
    return total


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="parameters and conv MACs of a U-Net configuration")
    ap.add_argument("--widths", default="8,16,32,64,96")
    ap.add_argument("--width", type=int, default=320)
    ap.add_argument("--height", type=int, default=224)
    a = ap.parse_args()
    m = UNet([int(v) for v in a.widths.split(",")])
    print(f"widths {a.widths} at {a.width}x{a.height}: {sum(p.numel() for p in m.parameters())} parameters, "
          f"{conv_macs(m, a.height, a.width) / 1e6:.1f} M conv MACs")
