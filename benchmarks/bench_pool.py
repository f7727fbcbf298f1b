"""Benchmark: 2x2 stride-2 pooling of a 12 MP float32 image.

Run ``.venv/bin/python benchmarks/bench_pool.py``; it prints a Markdown table of
medians over repeats. The goal (DESIGN.md): ``pool2d`` within 1.5x of plain NumPy,
``np.maximum`` (or ``+``) over the four strided slices.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conv_core.pooling import pool2d

H, W = 4000, 3000
REPEATS = 15
GOAL = 1.5


def median_ms(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm up (page faults, allocator)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def plain_max(x: np.ndarray) -> np.ndarray:
    return np.maximum(
        np.maximum(x[0::2, 0::2], x[1::2, 0::2]), np.maximum(x[0::2, 1::2], x[1::2, 1::2])
    )


def plain_avg(x: np.ndarray) -> np.ndarray:
    return (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2]) * np.float32(0.25)


def ndimage_max(x: np.ndarray) -> np.ndarray:
    # maximum_filter centres a 2x2 window at origin -1 so that output (i, j) covers
    # rows i..i+1 and cols j..j+1; keep every second one.
    return ndimage.maximum_filter(x, size=2, origin=-1, mode="nearest")[0::2, 0::2]


def ndimage_avg(x: np.ndarray) -> np.ndarray:
    return ndimage.uniform_filter(x, size=2, origin=-1, mode="nearest")[0::2, 0::2]


def main() -> None:
    x = np.random.default_rng(0).random((H, W), dtype=np.float32) * 255
    rows = []
    for method, plain, scipy_fn in (
        ("max", plain_max, ndimage_max),
        ("avg", plain_avg, ndimage_avg),
    ):
        ours = pool2d(x, 2, method=method)
        assert np.allclose(ours, plain(x), rtol=1e-6), method
        assert np.allclose(ours, scipy_fn(x), rtol=1e-5), method
        t_ours = median_ms(lambda m=method: pool2d(x, 2, method=m))
        t_plain = median_ms(lambda p=plain: p(x))
        t_scipy = median_ms(lambda f=scipy_fn: f(x))
        ratio = t_ours / t_plain
        rows.append((method, t_ours, t_plain, t_scipy, ratio, "yes" if ratio <= GOAL else "no"))
    print(f"2x2 stride-2 pooling of a {H}x{W} float32 image, median of {REPEATS} runs (ms)\n")
    print(
        "| method | pool2d | plain NumPy (four strided slices) | scipy.ndimage filter + subsample "
        "| pool2d / plain | meets goal (<=1.5x plain NumPy) |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for method, t_ours, t_plain, t_scipy, ratio, ok in rows:
        print(f"| {method} | {t_ours:.1f} | {t_plain:.1f} | {t_scipy:.1f} | {ratio:.2f}x | {ok} |")


if __name__ == "__main__":
    main()
