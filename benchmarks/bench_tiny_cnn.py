"""Speed of the Tiny CNN (conv_core.nn) on the digits, printed as Markdown tables.

Run from the repository root::

    .venv/bin/python benchmarks/bench_tiny_cnn.py           # about half a minute
    .venv/bin/python benchmarks/bench_tiny_cnn.py --quick   # smoke run, a few seconds

Goal (from the issue): a few epochs train in a few seconds on this 2-core machine.

1. Training with 4, 8 and 16 filters (``init_tiny_cnn(F, seed=0)``, ``train(..., lr=0.03,
   batch_size=32)``): seconds per epoch (the median of the epochs of one 5-epoch run,
   accuracy evaluation at each epoch end included), the 5 epochs in total, and the test
   accuracy reached after 5 epochs.
2. Inference: ``forward`` of one image (all intermediates, public functions) and
   ``predict_proba`` of the 359 test images (one batch).
3. How a batch of 32 goes through ``conv2d``, three ways (medians of many calls):
   the tall-image layout nn.py uses, a Python loop over the images, and the batch as
   channels with ``groups=32``; and the weight gradient as one call (batch as channels)
   against a loop over the images.

Peak RSS (``resource.getrusage``) of the whole run closes it. Times are medians; this
is a shared 2-core machine, so single runs can be noisy.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.markdown_table import print_table
from conv_core import conv2d
from conv_core.digits import load_digits
from conv_core.nn import (
    _conv_forward,
    forward,
    init_tiny_cnn,
    load_pretrained,
    predict_proba,
    train_steps,
)


def median_time(func: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_rows(filters: list[int], epochs: int) -> list[list[str]]:
    digits = load_digits()
    rows = []
    for f in filters:
        stamps = [time.perf_counter()]
        last = None
        for p in train_steps(init_tiny_cnn(f, seed=0), digits, epochs=epochs, lr=0.03):
            if p.epoch_end:
                stamps.append(time.perf_counter())
                last = p
        assert last is not None
        per_epoch = statistics.median(np.diff(stamps))
        rows.append(
            [
                str(f),
                f"{per_epoch:.2f}",
                f"{stamps[-1] - stamps[0]:.2f}",
                f"{last.test_accuracy:.3f}",
            ]
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def batching_rows(repeats: int) -> list[list[str]]:
    rng = np.random.default_rng(0)
    n, f = 32, 8
    x = rng.integers(0, 17, (n, 1, 8, 8)).astype(np.float64)
    w = rng.normal(size=(f, 1, 3, 3))
    b = rng.normal(size=f)
    g = rng.normal(size=(n, f, 8, 8))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    pads = ((1, 1), (1, 1))

    def tall() -> Any:
        return _conv_forward(x, w, b, pads, (1, 1))

    def loop() -> Any:
        return np.stack([conv2d(x[i], w, b, padding=1) for i in range(n)])

    def groups() -> Any:
        return conv2d(x[:, 0], np.tile(w, (n, 1, 1, 1)), np.tile(b, n), padding=1, groups=n)

    ref = loop()
    assert np.allclose(tall(), ref) and np.allclose(groups().reshape(n, f, 8, 8), ref)

    g_as_kernels = np.ascontiguousarray(g.transpose(1, 0, 2, 3))

    def grad_w_channels() -> Any:
        return conv2d(xp[:, 0], g_as_kernels)

    def grad_w_loop() -> Any:
        return sum(conv2d(xp[i], g[i][:, None]) for i in range(n))

    assert np.allclose(grad_w_channels(), grad_w_loop())
    cases = [
        ("forward conv", "tall image, one call (used)", tall),
        ("forward conv", "loop over the 32 images", loop),
        ("forward conv", "batch as channels, groups=32", groups),
        ("weight gradient", "batch as channels, one call (used)", grad_w_channels),
        ("weight gradient", "loop over the 32 images", grad_w_loop),
    ]
    return [[what, how, f"{median_time(fn, repeats) * 1e3:.2f}"] for what, how, fn in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one epoch, few repeats")
    args = parser.parse_args()
    started = time.perf_counter()
    epochs = 1 if args.quick else 5
    repeats = 5 if args.quick else 50
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}\n"
    )
    print(f"Training, lr=0.03, batch_size=32, {epochs} epoch(s), 1438 training images:\n")
    print_table(
        ["filters", "s / epoch", f"{epochs} epochs (s)", f"test accuracy after {epochs}"],
        training_rows([4, 8, 16], epochs),
    )
    trained, _ = load_pretrained()
    digits = load_digits()
    image = digits.test_images[0]
    print("\nInference with the shipped 8-filter model:\n")
    print_table(
        ["what", "ms"],
        [
            ["forward of one image (every intermediate)", f"{median_time(lambda: forward(trained, image), repeats) * 1e3:.2f}"],  # noqa: E501
            ["predict_proba of the 359 test images", f"{median_time(lambda: predict_proba(trained, digits.test_images), repeats) * 1e3:.2f}"],  # noqa: E501
        ],
    )  # fmt: skip
    print("\nA batch of 32 images, 8 filters, through conv2d:\n")
    print_table(["step", "how", "ms per batch"], batching_rows(repeats))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = time.perf_counter() - started
    print(f"\nPeak RSS: {peak_mib:.0f} MiB. Total benchmark time: {total:.0f} s.")


if __name__ == "__main__":
    main()
