"""Wide-ResNet and ResNet-18 training throughput (images per second of SGD steps) and the speed-up of caching
a frozen prefix, on this machine's CPU (or the GPU when there is one).

For each network: the full training step, then, for each transfer depth k, training only units k+1.. on
the cached output of units 1..k (what gerace2023's defrosting does with frozen batch norms and no
augmentation), and the speed-up over the full step.

    PYTHONPATH=src python benchmarks/bench_wrn.py --nets 16-1@16 28-4@32 r18@50 --steps 10 --threads 1

``r18@<side>``: torchvision's ResNet-18 cut into its 10 units (gerace2023's ImageNet -> IDC panels, 2 classes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tlrepro.devices import pick_device  # noqa: E402
from tlrepro.gerace2023.train import train_network  # noqa: E402
from tlrepro.gerace2023.resnet import ResNet18Units  # noqa: E402
from tlrepro.gerace2023.wrn import WideResNet, count_parameters  # noqa: E402


def rate(net, x, y, start, steps, device) -> float:
    cfg = dict(lr=0.05, momentum=0.9, weight_decay=5e-4, batch_size=len(x) // steps, epochs=1)
    train_network(net, x[: cfg["batch_size"]], y[: cfg["batch_size"]], cfg, seed=0, start=start,
                  device=device)  # warm-up
    t0 = time.perf_counter()
    train_network(net, x, y, cfg, seed=0, start=start, device=device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return len(x) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nets", nargs="+", default=["16-1@16", "28-4@32", "r18@50"],
                    help="depth-widen@image side, or r18@image side")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    device = str(pick_device(args.device))
    print(f"device {device}, {args.threads} thread(s), batch {args.batch}, {args.steps} steps per measurement")
    for spec in args.nets:
        arch, side = spec.split("@")
        net = (ResNet18Units(2) if arch == "r18" else WideResNet(*map(int, arch.split("-")))).to(device)
        n = args.batch * args.steps
        x, y = torch.randn(n, 3, int(side), int(side)), torch.randint(0, 2, (n,))
        full = rate(net, x, y, 0, args.steps, device)
        print(f"{net.name} at {side}px ({count_parameters(net):,} parameters, {net.n_units} units): "
              f"{full:,.0f} images/s, the full network")
        for k in range(1, net.n_units):
            with torch.no_grad():
                feats = torch.cat([net(x[i:i + 512].to(device), 0, k).cpu() for i in range(0, n, 512)])
            r = rate(net, feats, y, k, args.steps, device)
            print(f"  k = {k:2d} cached: {r:>10,.0f} images/s, x{r / full:.1f}")


if __name__ == "__main__":
    main()
