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


if __name__ == "__main__":
    m = UNet()
    print(sum(p.numel() for p in m.parameters()), "parameters")
