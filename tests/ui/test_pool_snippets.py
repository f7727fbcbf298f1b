"""The pooling page's code snippets (ui/teaching/pool_snippets.py).

- The NumPy snippets are executed and what they print is compared with conv_core.pool2d,
  for every method, kernel size 1-4, stride 1-3, padding 0-2, ceil_mode and
  count_include_pad that conv_core accepts, on square and non-square grids (and a few in a
  fresh interpreter that cannot import ConvLab).
- PyTorch is not installed: its snippets are parsed back and the arguments they pass to
  F.max_pool2d / F.avg_pool2d and the nn layer must be the page's settings.
- TensorFlow is not installed either: its snippets are checked for the lecture's calls
  ('VALID', 'SAME', tf.pad with -inf or zeros) and run against a small stand-in of tf.pad,
  tf.nn.max_pool, tf.nn.avg_pool2d and the two Keras pooling layers, written with NumPy
  loops from TensorFlow's documented 'VALID'/'SAME' rules (the 'SAME' average divides by
  the input cells under the window), and compared with conv_core.pool2d.
"""

from __future__ import annotations

import ast
import itertools
import types
from typing import Any

import numpy as np
import pytest

import conv_core as cc
from tests.snippet_run import numbers, run_fresh, run_snippet
from ui.teaching.pool_snippets import (
    PoolConfig,
    numpy_pool_snippet,
    pool_snippets,
    tensorflow_pool_snippet,
    torch_pool_snippet,
)

LECTURE = np.asarray(cc.PRESETS["max_pool_2x2"].inputs["x"])
GRIDS = {
    "lecture 4x4": LECTURE,
    "5x5": np.random.default_rng(1).integers(-9, 10, (5, 5)),
    "6x7": np.random.default_rng(2).integers(-9, 10, (6, 7)),
    "7x5 floats": np.random.default_rng(3).uniform(-5, 5, (7, 5)).round(2),
}


def _configs() -> list[PoolConfig]:
    """Every setting of the page's controls (up to kernel 4) conv_core accepts."""
    found = []
    for grid, (m, k, s, p, c, i) in itertools.product(
        GRIDS.values(),
        itertools.product(("max", "avg"), (1, 2, 3, 4), (1, 2, 3), (0, 1, 2), (False, True),
                          (True, False)),
    ):  # fmt: skip
        cfg = PoolConfig(grid, k, s, p, m, c, i)
        try:
            cfg.reference()
        except cc.ArgumentError:
            continue  # the page shows an error and no panel
        found.append(cfg)
    return found


CONFIGS = _configs()


def _id(cfg: PoolConfig) -> str:
    h, w = cfg.x.shape
    return (
        f"{h}x{w}-{cfg.method}-k{cfg.kernel_size}-s{cfg.stride}-p{cfg.padding}"
        f"{'-ceil' if cfg.ceil_mode else ''}{'-nocount' if not cfg.count_include_pad else ''}"
    )


def assert_prints(text: str, expected: np.ndarray, times: int = 1) -> None:
    got = numbers(text)
    want = np.tile(np.asarray(expected, dtype=float).ravel(), times)
    assert got.size == want.size, (text, expected)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7)


def test_the_settings_cover_every_case() -> None:
    """The parametrization reaches 'VALID', 'SAME' and explicit padding, for both methods."""
    kinds = {(c.method, c.tf_padding()) for c in CONFIGS}
    assert kinds == {(m, p) for m in ("max", "avg") for p in ("VALID", "SAME", None)}
    assert any(c.extra != (0, 0) for c in CONFIGS)  # ceil_mode's partial windows
    assert len(CONFIGS) > 600


# --------------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("cfg", CONFIGS, ids=_id)
def test_numpy_snippet_prints_pool2d(cfg: PoolConfig) -> None:
    code = numpy_pool_snippet(cfg)
    assert "conv_core" not in code and "scipy" not in code
    assert_prints(run_snippet(code), cfg.reference())


def test_numpy_snippet_lecture_example() -> None:
    """The lecture's 2x2 max pooling: whole numbers printed, the lecture's answer."""
    text = run_snippet(numpy_pool_snippet(PoolConfig(LECTURE, 2, 2)))
    assert text.strip() == "[[ 3 12]\n [ 3  4]]"
    text = run_snippet(numpy_pool_snippet(PoolConfig(LECTURE, 2, 2, method="avg")))
    assert_prints(text, [[0, 3], [0, 1]])


def test_numpy_max_with_padding_pads_minus_infinity() -> None:
    code = numpy_pool_snippet(PoolConfig(-np.ones((4, 4), dtype=int), 3, 2, 1))
    assert "constant_values=-np.inf" in code
    assert run_snippet(code).strip() == "[[-1 -1]\n [-1 -1]]"  # a pad (0 or -inf) never wins


def test_numpy_snippet_runs_alone_in_a_fresh_interpreter(tmp_path: Any) -> None:
    """Copy-paste: a clean Python (-I: no ConvLab on the path) with only NumPy."""
    for cfg in (
        PoolConfig(GRIDS["5x5"], 2, 2, 1, "avg", True, True),
        PoolConfig(GRIDS["6x7"], 3, 2, 1, "max", True),
        PoolConfig(GRIDS["7x5 floats"], 2, 3, 1, "avg", False, False),
    ):
        stdout = run_fresh(numpy_pool_snippet(cfg), tmp_path)
        assert_prints(stdout, cfg.reference())


def test_large_output_is_printed_whole() -> None:
    cfg = PoolConfig(np.arange(40 * 40).reshape(40, 40) % 7, 1, 1)
    text = run_snippet(numpy_pool_snippet(cfg))
    assert "..." not in text
    assert_prints(text, cfg.reference())


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError, match="method"):
        PoolConfig(LECTURE, 2, 2, method="min")
    with pytest.raises(ValueError, match="x must be"):
        PoolConfig(LECTURE[None], 2, 2)


# --------------------------------------------------------------------------- PyTorch


def _calls(code: str) -> dict[str, list[ast.Call]]:
    """Every call in ``code``, by its dotted name (``F.max_pool2d``, ``torch.nn.MaxPool2d``)."""
    found: dict[str, list[ast.Call]] = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            found.setdefault(ast.unparse(node.func), []).append(node)
    return found


def _keywords(call: ast.Call) -> dict[str, Any]:
    return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}


@pytest.mark.parametrize("cfg", CONFIGS[::7], ids=_id)
def test_torch_snippet_passes_the_page_settings(cfg: PoolConfig) -> None:
    code = torch_pool_snippet(cfg)
    calls = _calls(code)
    fn, layer = {"max": ("max_pool2d", "MaxPool2d"), "avg": ("avg_pool2d", "AvgPool2d")}[cfg.method]
    expected = {
        "kernel_size": cfg.kernel_size,
        "stride": cfg.stride,
        "padding": cfg.padding,
        "ceil_mode": cfg.ceil_mode,
    }
    if cfg.method == "avg":
        expected["count_include_pad"] = cfg.count_include_pad
    (functional,) = calls[f"F.{fn}"]
    (module,) = calls[f"torch.nn.{layer}"]
    assert _keywords(functional) == _keywords(module) == expected
    assert ast.unparse(functional.args[0]) == "x"
    assert "[None, None]" in code  # NCHW: a batch of one, one channel
    assert code.count("print(") == 2
    assert "F.pad" not in code  # PyTorch takes every page setting itself


# --------------------------------------------------------------------------- TensorFlow


class _Tensor(np.ndarray):
    def numpy(self) -> np.ndarray:
        return np.asarray(self)


def _t(a: Any) -> _Tensor:
    return np.array(a, dtype=np.float64).view(_Tensor)


def _tf_pad(x: Any, paddings: Any, mode: str = "CONSTANT", constant_values: float = 0) -> _Tensor:
    """tf.pad, CONSTANT mode: ``paddings[d] = [before, after]`` for every axis d."""
    assert mode == "CONSTANT" and np.shape(paddings) == (np.ndim(x), 2)
    return _t(np.pad(np.asarray(x), [tuple(p) for p in paddings], constant_values=constant_values))


def _tf_pool(x: Any, ksize: Any, strides: Any, padding: str, kind: str) -> _Tensor:
    """tf.nn.max_pool / avg_pool2d on NHWC from the documented rules: 'VALID' has
    ``ceil((n - k + 1) / s)`` outputs; 'SAME' ``ceil(n / s)`` with ``max((out - 1)*s + k - n, 0)``
    padding, half before (the odd cell after), padded cells ignored (the average divides
    by the input cells in the window)."""
    assert padding in ("VALID", "SAME")
    ksize, strides = list(ksize), list(strides)
    assert ksize[0] == ksize[3] == strides[0] == strides[3] == 1, "NHWC: 1 for batch and channel"
    a = np.asarray(x)
    n_, h, w, c_ = a.shape
    geo = []
    for n, k, s in ((h, ksize[1], strides[1]), (w, ksize[2], strides[2])):
        if padding == "VALID":
            geo.append(((n - k) // s + 1, 0))
        else:
            out = -(-n // s)
            geo.append((out, max((out - 1) * s + k - n, 0) // 2))
    (oh, top), (ow, left) = geo
    assert oh > 0 and ow > 0
    out = np.zeros((n_, oh, ow, c_))
    for b, i, j, ch in np.ndindex(n_, oh, ow, c_):
        cells = [
            a[b, r, q, ch]
            for r in range(i * strides[1] - top, i * strides[1] - top + ksize[1])
            for q in range(j * strides[2] - left, j * strides[2] - left + ksize[2])
            if 0 <= r < h and 0 <= q < w
        ]
        out[b, i, j, ch] = max(cells) if kind == "max" else sum(cells) / len(cells)
    return _t(out)


class _KerasPool:
    kind = ""

    def __init__(self, pool_size: Any, strides: Any, padding: str, dtype: str) -> None:
        assert padding in ("valid", "same") and dtype == "float64"
        self.pool_size, self.strides, self.padding = tuple(pool_size), tuple(strides), padding

    def __call__(self, x: Any) -> _Tensor:
        ksize = [1, *self.pool_size, 1]
        return _tf_pool(x, ksize, [1, *self.strides, 1], self.padding.upper(), self.kind)


class _MaxPooling2D(_KerasPool):
    kind = "max"


class _AveragePooling2D(_KerasPool):
    kind = "avg"


def _fake_tf() -> dict[str, types.ModuleType]:
    keras = types.ModuleType("keras")
    keras.layers = types.SimpleNamespace(  # type: ignore[attr-defined]
        MaxPooling2D=_MaxPooling2D, AveragePooling2D=_AveragePooling2D
    )
    tf = types.ModuleType("tensorflow")
    tf.constant = _t  # type: ignore[attr-defined]
    tf.pad = _tf_pad  # type: ignore[attr-defined]
    tf.ones_like = lambda x: _t(np.ones_like(np.asarray(x)))  # type: ignore[attr-defined]
    tf.nn = types.SimpleNamespace(  # type: ignore[attr-defined]
        max_pool=lambda x, ksize, strides, padding: _tf_pool(x, ksize, strides, padding, "max"),
        avg_pool2d=lambda x, ksize, strides, padding: _tf_pool(x, ksize, strides, padding, "avg"),
    )
    tf.keras = keras  # type: ignore[attr-defined]
    return {"tensorflow": tf}


def test_tf_stand_in_on_the_documented_same_example() -> None:
    """TensorFlow's guide: 'SAME' with stride 2 on 5 cells gives ceil(5 / 2) = 3 outputs,
    the odd pad cell after the input; max ignores the padding."""
    x = _t(np.arange(1, 6)[None, None, :, None])
    out = _tf_pool(x, [1, 1, 2, 1], [1, 1, 2, 1], "SAME", "max")
    assert out[0, 0, :, 0].tolist() == [2, 4, 5]
    out = _tf_pool(x, [1, 1, 2, 1], [1, 1, 2, 1], "SAME", "avg")
    assert out[0, 0, :, 0].tolist() == [1.5, 3.5, 5]  # the last window: one input cell


@pytest.mark.parametrize("cfg", CONFIGS, ids=_id)
def test_tensorflow_snippet_prints_pool2d(cfg: PoolConfig) -> None:
    code = tensorflow_pool_snippet(cfg)
    expected = cfg.reference()
    text = run_snippet(code, _fake_tf())
    keras = "keras.layers." in code and "no direct equivalent" not in code.split("\n\n")[-1]
    assert_prints(text, expected, times=2 if keras else 1)


def test_tensorflow_snippet_writes_the_lecture_call() -> None:
    """The lecture's 'SAME' form, NHWC, and the Keras layer with padding='same'."""
    five = GRIDS["5x5"]
    code = tensorflow_pool_snippet(PoolConfig(five, 2, 2, 0, "max", ceil_mode=True))
    assert "out = tf.nn.max_pool(x, ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')" in code
    assert "x[None, :, :, None]" in code  # (1, H, W, 1)
    assert (
        "keras.layers.MaxPooling2D(\n    pool_size=(2, 2), strides=(2, 2), padding='same'" in code
    )
    # the lecture's 4x4 example: 'SAME' as the notes write it (it pads nothing here)
    code = tensorflow_pool_snippet(PoolConfig(LECTURE, 2, 2, method="avg"))
    assert "tf.nn.avg_pool2d(x, ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')" in code
    assert "AveragePooling2D(\n    pool_size=(2, 2), strides=(2, 2), padding='same'" in code
    code = tensorflow_pool_snippet(PoolConfig(LECTURE, 2, 2))
    assert "tf.nn.max_pool(x, ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')" in code
    # 2x2 windows, stride 2 on 5 cells: 'SAME' would add a window, so 'VALID'
    code = tensorflow_pool_snippet(PoolConfig(five, 2, 2, 0, "max"))
    assert "padding='VALID'" in code and "padding='SAME'" not in code
    # 3x3 windows, stride 1, padding 1 on a 4x4 grid: exactly 'SAME'
    code = tensorflow_pool_snippet(PoolConfig(LECTURE, 3, 1, 1))
    assert "padding='SAME'" in code and "tf.pad" not in code


@pytest.mark.parametrize(
    ("cfg", "needles"),
    [
        # padding 1 with a 2x2 window: neither 'VALID' nor 'SAME'; max pads -inf
        (PoolConfig(LECTURE, 2, 2, 1), ["tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], "
                                        "constant_values=-np.inf)", "No direct equivalent"]),
        # ceil_mode with padding (6 rows: 4 windows, "SAME" has 3): more padding after
        (PoolConfig(GRIDS["6x7"], 3, 2, 1, "max", ceil_mode=True),
         ["ceil_mode=True: the last, partial window", "padding='VALID'"]),
        # avg, count_include_pad=True: zeros, counted, a plain 'VALID' mean
        # ('SAME' has these windows but would not count the padding)
        (PoolConfig(LECTURE, 3, 1, 1, "avg"),
         ["# zeros, counted", "its average divides by the input"]),
        # avg with ceil_mode: divide by the counted cells (one more row only)
        (PoolConfig(GRIDS["6x7"], 3, 2, 1, "avg", ceil_mode=True, count_include_pad=True),
         ["counted = tf.pad(ones, [[0, 0], [0, 1], [0, 0], [0, 0]])", "out = sums / counts",
          "keras.layers.AveragePooling2D: no direct equivalent"]),
        # avg, count_include_pad=False on 'SAME''s windows: TensorFlow's own divisor
        (PoolConfig(LECTURE, 3, 1, 1, "avg", count_include_pad=False),
         ["padding='SAME'", "count_include_pad=False)"]),
    ],
)  # fmt: skip
def test_tensorflow_snippet_says_what_it_pads(cfg: PoolConfig, needles: list[str]) -> None:
    code = tensorflow_pool_snippet(cfg)
    for needle in needles:
        assert needle in code, (needle, code)
    assert_prints(run_snippet(code, _fake_tf()), cfg.reference(), times=code.count("print("))


@pytest.mark.parametrize("cfg", CONFIGS[::5], ids=_id)
def test_snippet_lines_fit_the_code_box(cfg: PoolConfig) -> None:
    """No line longer than 88 characters: the page's code box shows it without scrolling."""
    for lib, code in pool_snippets(cfg).items():
        long = [line for line in code.splitlines() if len(line) > 88]
        assert not long, (lib, long)


def test_snippets_has_the_three_libraries() -> None:
    cfg = PoolConfig(LECTURE, 2, 2)
    codes = pool_snippets(cfg)
    assert set(codes) == {"torch", "numpy", "tensorflow"}
    assert codes["numpy"] == numpy_pool_snippet(cfg)
    assert "import torch\n" in codes["torch"] and "import tensorflow as tf\n" in codes["tensorflow"]
