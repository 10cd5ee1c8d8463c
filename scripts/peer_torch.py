"""The same AutoEncoder, batch, optimizer and thread count in PyTorch eager, against our two loops.

Needs torch (`pip install torch`); the package itself never does. Targets on a CPU: our python
loop >= 1.3x faster than PyTorch eager, our device loop >= 1.6x. The two alternate over --rounds
rounds, so drift of a shared machine's speed hits both alike; medians of the rounds are compared.
Usage: python scripts/peer_torch.py [--seconds 12] [--rounds 3]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

import _common
import torch

from benchmarks import PRESETS, Config, run

MIN_SAMPLE_SECONDS = 0.1


def torch_model(widths: list[int]) -> torch.nn.Module:
    layers: list[torch.nn.Module] = []
    encoder, decoder = widths, widths[::-1]
    for stack in (encoder, decoder):
        pairs = list(itertools.pairwise(stack))
        for i, (a, b) in enumerate(pairs):
            layers.append(torch.nn.Linear(a, b))
            if i < len(pairs) - 1:  # linear bottleneck and output, as in benchmarks/model.py
                layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_step_seconds(preset_name: str, batch: int, seconds: float) -> list[float]:
    preset = PRESETS[preset_name]
    torch.manual_seed(0)
    model = torch_model([preset.features, *preset.hidden, preset.latent])
    optimizer = torch.optim.Adam(model.parameters(), lr=preset.learning_rate)
    data = [torch.rand(batch, preset.features) for _ in range(preset.steps_per_dispatch)]
    loss_fn = torch.nn.MSELoss()

    def steps(count: int, offset: int = 0) -> float:
        start = time.perf_counter()
        for i in range(count):
            x = data[(offset + i) % len(data)]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), x)
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    calls = 1
    while steps(calls) < MIN_SAMPLE_SECONDS:  # calibration doubles as warm-up
        calls *= 2
    samples, started = [], time.perf_counter()
    while time.perf_counter() - started < seconds or len(samples) < 5:
        samples.append(steps(calls) / calls)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="medium", choices=[p for p, s in PRESETS.items() if s.kind == "dense"])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)  # XLA's CPU backend also uses every core

    pythons, devices, torches = [], [], []
    share = args.seconds / args.rounds
    for _ in range(args.rounds):
        ours = run(Config(preset=args.preset, budget_seconds=share, probe_ceiling=False))
        pythons.append(ours.python_loop.median)
        devices.append(ours.device_loop.median)
        torches.append(statistics.median(torch_step_seconds(args.preset, ours.batch_size, share)))
    python_ms, device_ms, torch_ms = (statistics.median(v) * 1e3 for v in (pythons, devices, torches))
    print(f"preset {args.preset}, batch {ours.batch_size}, Adam, {threads} threads, torch {torch.__version__}")
    print(f"{'':28}{'ms/step':>10}{'vs torch':>10}")
    print(f"{'PyTorch eager':28}{torch_ms:10.3f}{1.0:9.2f}x")
    print(f"{'colab-advisor python loop':28}{python_ms:10.3f}{torch_ms / python_ms:9.2f}x   "
          f"target >= 1.3x: {_common.verdict(torch_ms / python_ms >= 1.3)}")
    print(f"{'colab-advisor device loop':28}{device_ms:10.3f}{torch_ms / device_ms:9.2f}x   "
          f"target >= 1.6x: {_common.verdict(torch_ms / device_ms >= 1.6)}")


if __name__ == "__main__":
    main()
