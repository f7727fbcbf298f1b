"""Run the "Show code" PyTorch and TensorFlow snippets in the real libraries.

CI runs every NumPy/SciPy snippet (tests/ui/test_code_snippets.py) but cannot run these two:
PyTorch and TensorFlow are gigabytes. This script is for a maintainer's machine that has
them (any venv with torch and/or tensorflow, plus numpy, scipy and pillow for conv_core)::

    python scripts/check_framework_snippets.py            # 120 seeded random configurations
    python scripts/check_framework_snippets.py --cases 400 --seed 3

For each configuration (the three ops, every padding mode conv_core's convolutions take,
int/pair/per-side/'same'/'valid' padding, strides, dilations, bias; conv2d with one
(C, KH, KW) filter or a layer of N = 1, 2 or 4 filters with N biases) it builds the snippet
the page would show, runs it with ``print`` captured, and compares every tensor it prints
with conv_core's own result (with N filters: the maps it prints, in turn, with conv_core's
N maps). The pooling page's snippets (ui/teaching/pool_snippets.py) are
checked the same way, over every setting of its controls up to kernel size 4 (max/avg,
stride 1-3, padding 0-2, ceil_mode, count_include_pad) on a few grids: ``--pool-grids``
of them, seeded. It exits 1 on any mismatch or error. Libraries that are not installed
are skipped (and said so).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import conv_core as cc
from ui.teaching.code_snippets import SnippetConfig, tensorflow_snippet, torch_snippet
from ui.teaching.pool_snippets import PoolConfig, tensorflow_pool_snippet, torch_pool_snippet

MODES = ("zeros", "replicate", "reflect", "symmetric", "circular")
PADDINGS: tuple[Any, ...] = (0, 1, (1, 2), ((0, 1), (2, 0)), "same", "valid")
#: conv2d's number of filters, in turn: 0 is the one-filter form (C, KH, KW), else (N, C, KH, KW).
N_FILTERS = (0, 1, 2, 4)


def configurations(n: int, seed: int) -> list[tuple[SnippetConfig, np.ndarray]]:
    """``n`` seeded configurations that conv_core accepts, with conv_core's output."""
    rng = np.random.default_rng(seed)
    found = []
    i = 0
    while len(found) < n:
        i += 1
        op = ("correlate", "convolve", "conv2d")[i % 3]
        h, w = (int(v) for v in rng.integers(4, 8, 2))
        kh, kw = (int(v) for v in rng.integers(1, 4, 2))
        c = int(rng.integers(1, 4))
        n_filters = N_FILTERS[(i // 3) % len(N_FILTERS)] if op == "conv2d" else 0
        x = rng.integers(-5, 10, (c, h, w) if op == "conv2d" else (h, w))
        k = rng.integers(-2, 3, (c, kh, kw) if op == "conv2d" else (kh, kw))
        bias: Any = float(rng.choice([0, 1, -2.5]))
        if n_filters:
            k = rng.integers(-2, 3, (n_filters, c, kh, kw))
            bias = rng.choice([0, 1, -2.5], n_filters)
        mode = MODES[i % len(MODES)]
        padding = PADDINGS[i % len(PADDINGS)]
        stride = tuple(int(s) for s in rng.integers(1, 3, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        try:
            if n_filters:
                out = cc.conv2d(x, k, bias, stride, padding, dilation, 1, mode)
            elif op == "conv2d":
                out = cc.conv2d(
                    x, k[None], [bias] if bias else None, stride, padding, dilation, 1, mode
                )[0]
            else:
                fn = cc.correlate2d if op == "correlate" else cc.convolve2d
                out = fn(x, k, stride, padding, dilation, mode) + bias
        except cc.ArgumentError:
            continue  # a setting the page would refuse too
        cfg = SnippetConfig(
            x=x,
            kernel=k,
            bias=bias,
            op=op,
            padding=padding,
            padding_mode=mode,
            stride=stride,
            dilation=dilation,
        )
        found.append((cfg, np.asarray(out, dtype=np.float64)))
    return found


def pool_configurations(n_grids: int, seed: int) -> list[tuple[PoolConfig, np.ndarray]]:
    """Every pooling-page setting up to kernel size 4 that conv_core accepts, on ``n_grids``
    seeded grids (the lecture's 4x4 first), with conv_core.pool2d's output."""
    rng = np.random.default_rng(seed)
    grids = [np.asarray(cc.PRESETS["max_pool_2x2"].inputs["x"])]
    while len(grids) < n_grids:
        h, w = (int(v) for v in rng.integers(3, 9, 2))
        grids.append(rng.integers(-9, 10, (h, w)))
    found = []
    for x in grids:
        for m, k, s, p, c, i in itertools.product(
            ("max", "avg"), (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (False, True), (True, False)
        ):
            cfg = PoolConfig(x, k, s, p, m, c, i)
            try:
                out = cfg.reference()
            except cc.ArgumentError:
                continue  # the page shows an error and no code
            found.append((cfg, np.asarray(out, dtype=np.float64)))
    return found


def describe(cfg: Any) -> str:
    """One configuration in a line, for a failure message."""
    if isinstance(cfg, PoolConfig):
        return (
            f"pool {cfg.method} {cfg.x.shape} k={cfg.kernel_size} s={cfg.stride} "
            f"p={cfg.padding} ceil={cfg.ceil_mode} count_pad={cfg.count_include_pad}"
        )
    filters = f" {cfg.n_filters} filters" if cfg.multi else ""
    return f"{cfg.op}{filters} {cfg.padding_mode} {cfg.padding} {cfg.stride} {cfg.dilation}"


def printed_arrays(snippet: str) -> list[np.ndarray]:
    """Run ``snippet``; every array or tensor it prints, as a float64 NumPy array."""
    printed: list[Any] = []

    def capture(*args: Any, **_: Any) -> None:
        printed.extend(a for a in args if hasattr(a, "shape") and hasattr(a, "dtype"))

    # Our own generated code, run on purpose (this is a maintainer script, not the app).
    exec(snippet, {"print": capture})
    arrays = []
    for p in printed:
        if hasattr(p, "detach"):
            p = p.detach().numpy()
        elif hasattr(p, "numpy"):
            p = p.numpy()
        arrays.append(np.asarray(p, dtype=np.float64))
    return arrays


def check(name: str, make: Any, cases: list[tuple[Any, np.ndarray]]) -> int:
    """Run ``make(cfg)`` for every case; the number of failures (printed as they happen)."""
    failures = compared = skipped = 0
    for cfg, expected in cases:
        snippet = make(cfg)
        if "no direct equivalent" in snippet.lower() and "print(" not in snippet:
            skipped += 1
            continue
        try:
            arrays = printed_arrays(snippet)
        except Exception as err:
            failures += 1
            print(f"{name} ERROR {describe(cfg)}: {err!r}"[:300])
            continue
        if not arrays:
            failures += 1
            print(f"{name} printed nothing: {describe(cfg)}")
        # N filters: (N, OH, OW) from conv_core, printed one map after another (twice when
        # a layer prints them again); N = 1 prints that one map.
        maps = list(expected) if getattr(cfg, "multi", False) else [expected]
        if len(arrays) % len(maps):
            failures += 1
            print(f"{name} printed {len(arrays)} maps, not a multiple of {len(maps)}: "
                  f"{describe(cfg)}")  # fmt: skip
            continue
        for j, got in enumerate(arrays):
            compared += 1
            want = maps[j % len(maps)]
            if got.shape != want.shape or not np.allclose(got, want, atol=1e-4):
                failures += 1
                print(f"{name} MISMATCH {describe(cfg)}")
                break
    print(
        f"{name}: {len(cases)} configurations, {compared} printed results compared, "
        f"{skipped} without an equivalent, {failures} failures"
    )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pool-grids", type=int, default=4)
    args = parser.parse_args()
    cases = configurations(args.cases, args.seed)
    pool_cases = pool_configurations(args.pool_grids, args.seed)
    failures = 0
    ran = False
    for name, module, make, make_pool in (
        ("PyTorch", "torch", torch_snippet, torch_pool_snippet),
        ("TensorFlow", "tensorflow", tensorflow_snippet, tensorflow_pool_snippet),
    ):
        if importlib.util.find_spec(module) is None:
            print(f"{name}: not installed, skipped")
            continue
        ran = True
        failures += check(name, make, cases)
        failures += check(f"{name} pooling", make_pool, pool_cases)
    if not ran:
        print("neither torch nor tensorflow is installed: nothing was checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
