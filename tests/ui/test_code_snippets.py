"""The code snippets (ui/teaching/code_snippets.py) and the padding-name table.

- NumPy/SciPy snippets are executed (a fresh namespace; a few in a fresh interpreter that
  cannot import ConvLab) and what they print is compared with conv_core's output, over many
  configurations drawn by hypothesis: every padding mode, both ops and conv2d (one filter,
  or a layer of N = 1, 2 or 4 filters with a bias each), strides, dilations, one-sided
  padding, the padding words, bias, a constant fill.
- PyTorch is not installed (and never will be here): the PyTorch snippets are parsed back
  (the arguments they pass to F.pad / F.conv2d / nn.Conv2d give conv_core's padding, stride
  and dilation) and run against a small stand-in for the few torch calls they use, written
  with plain NumPy loops from PyTorch's documented semantics (checked on the docs' examples).
- TensorFlow is not installed either: its snippets are parsed back, their structure checked,
  and they are run against a stand-in of tf.pad / tf.nn.conv2d / keras Conv2D written the
  same way from TensorFlow's documentation (checked on tf.pad's doc examples).
- Every NumPy and SciPy name in the padding table pads a real array as conv_core.pad2d does.
"""

from __future__ import annotations

import ast
import contextlib
import math
import re
import types
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image
from scipy import ndimage, signal

import conv_core as cc
from conv_core import PADDING_LIBRARIES as LIBRARIES
from conv_core import PADDING_MODES as PADDING_NAMES
from tests.snippet_run import numbers, run_fresh, run_snippet
from ui.teaching.code_snippets import (
    SnippetConfig,
    numpy_snippet,
    snippets,
    tensorflow_snippet,
    tf_padding,
    torch_snippet,
)

#: Lines a snippet prints around the maps of N > 1 filters: the shape, "filter 2:".
SHAPE_LINE = re.compile(r"^\((?:\d+, )*\d*,?\)$")
LABEL_LINE = re.compile(r"^filter (\d+):$")
MODES = tuple(cc.PADDING_MODES)


# --------------------------------------------------------------------------- helpers


def map_lines(text: str) -> tuple[list[str], list[int], str]:
    """The printed shapes, the filter labels' numbers, and the rest (the maps' numbers)."""
    shapes, labels, rest = [], [], []
    for line in text.splitlines():
        if SHAPE_LINE.match(line.strip()):
            shapes.append(line.strip())
        elif m := LABEL_LINE.match(line.strip()):
            labels.append(int(m.group(1)))
        else:
            rest.append(line)
    return shapes, labels, "\n".join(rest)


def assert_prints(text: str, expected: np.ndarray) -> None:
    """``text`` prints ``expected``'s numbers in order (shape lines and labels aside)."""
    got = numbers(map_lines(text)[2])
    assert got.size == expected.size, (text, expected)
    np.testing.assert_allclose(got, expected.ravel().astype(float), rtol=1e-7, atol=1e-7)


@st.composite
def configs(draw: Any, op: str | None = None) -> SnippetConfig:
    op = draw(st.sampled_from(("correlate", "convolve", "conv2d"))) if op is None else op
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    channels = draw(st.integers(1, 3))
    # conv2d: 0 is the one-filter form (C, KH, KW), else N filters (N, C, KH, KW).
    n_filters = draw(st.sampled_from((0, 1, 2, 4))) if op == "conv2d" else 0
    whole = draw(st.booleans())
    values = st.integers(-9, 9) if whole else st.floats(-5, 5, allow_nan=False, width=32)
    xshape = (channels, h, w) if op == "conv2d" else (h, w)
    kshape = (channels, kh, kw) if op == "conv2d" else (kh, kw)
    if n_filters:
        kshape = (n_filters, *kshape)
    x = np.array(draw(st.lists(values, min_size=math.prod(xshape), max_size=math.prod(xshape))))
    k = np.array(draw(st.lists(values, min_size=math.prod(kshape), max_size=math.prod(kshape))))
    pad = st.integers(0, 3)
    padding = draw(
        st.one_of(
            pad,
            st.tuples(pad, pad),
            st.tuples(st.tuples(pad, pad), st.tuples(pad, pad)),
            st.sampled_from(("valid", "same", "full")),
        )
    )
    biases = st.sampled_from((0, 0, 3, -2, 0.5))
    bias: Any = draw(biases)
    if n_filters:
        bias = draw(st.lists(biases, min_size=n_filters, max_size=n_filters))
    return SnippetConfig(
        x.reshape(xshape),
        k.reshape(kshape),
        bias=bias,
        op=op,
        padding=padding,
        padding_mode=draw(st.sampled_from(MODES)),
        stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        dilation=(draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        value=draw(st.sampled_from((0, 7, -1.5))),
    )


def reference_or_skip(cfg: SnippetConfig) -> np.ndarray:
    try:
        return cfg.reference()
    except cc.ArgumentError:
        assume(False)  # an impossible setting: the page shows an error, no snippet
        raise AssertionError from None


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- NumPy / SciPy


@SETTINGS
@given(configs())
def test_numpy_snippet_prints_conv_core_output(cfg: SnippetConfig) -> None:
    expected = reference_or_skip(cfg)
    code = numpy_snippet(cfg)
    assert "conv_core" not in code
    assert_prints(run_snippet(code), expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", ["correlate", "convolve", "conv2d"])
def test_every_mode_and_op_centred_and_one_sided(mode: str, op: str) -> None:
    """The centred padding (scipy's boundary/mode names) and one-sided padding (np.pad)."""
    rng = np.random.default_rng(7)
    shape = (2, 5, 6) if op == "conv2d" else (5, 6)
    kshape = (2, 3, 3) if op == "conv2d" else (3, 3)
    x, k = rng.integers(-9, 10, shape), rng.integers(-3, 4, kshape)
    for padding, stride, dilation in (
        (1, (1, 1), (1, 1)),
        ((2, 2), (2, 1), (2, 2)),
        (((1, 0), (2, 1)), (1, 2), (1, 1)),
        ("same", (2, 2), (1, 2)),
    ):
        cfg = SnippetConfig(x, k, 1, op, padding, mode, stride, dilation, value=4)
        code = numpy_snippet(cfg)
        names = PADDING_NAMES[mode]
        if padding in (1, (2, 2)):  # centred: scipy's own boundary handling, by name
            if names.signal is not None:
                assert f'boundary="{names.signal}"' in code
            else:
                assert f'mode="{names.ndimage}"' in code
            assert "np.pad(" not in code
        else:
            assert f'mode="{names.numpy}"' in code and "np.pad(" in code
        assert_prints(run_snippet(code), cfg.reference())


def test_snippet_runs_alone_in_a_fresh_interpreter(tmp_path: Any) -> None:
    """Copy-paste: a clean Python (-I: no ConvLab on the path) with NumPy/SciPy/Pillow."""
    rng = np.random.default_rng(3)
    grey = rng.integers(0, 256, (9, 11)).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "image.png")
    rgb = rng.integers(0, 256, (7, 8, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    cases = [
        SnippetConfig(rng.integers(0, 9, (6, 6)), [[1, 0, -1]] * 3, 0, "correlate", 1),
        SnippetConfig(
            rng.integers(0, 9, (5, 7)),
            np.ones((2, 2)) / 4,
            0.5,
            "convolve",
            ((0, 1), (1, 0)),
            "reflect",
            (2, 1),
            (1, 2),
        ),
        SnippetConfig(
            grey.astype(float),
            [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
            1.5,
            padding="same",
            padding_mode="replicate",
            image_file="image.png",
        ),
        SnippetConfig(
            rgb.transpose(2, 0, 1).astype(float),
            np.ones((3, 2, 2)),
            -3,
            "conv2d",
            1,
            "symmetric",
            (2, 2),
            image_file="photo.png",
        ),
        SnippetConfig(
            np.zeros((13, 9)),
            np.zeros((3, 5)),
            op="correlate",
            padding="same",
            stride=(5, 2),
            shape_only=True,
        ),
    ]
    for cfg in cases:
        stdout = run_fresh(numpy_snippet(cfg), tmp_path)
        ref = cfg.reference()
        if cfg.shape_only:
            assert stdout.strip() == str(ref.shape)
        elif cfg.image_file:
            first, rest = stdout.split("\n", 1)
            assert first == str(ref.shape)
            assert_prints(rest, ref[:6, :6])
        else:
            assert_prints(stdout, ref)


def test_large_output_is_printed_whole() -> None:
    x = np.arange(40 * 40).reshape(40, 40) % 7
    cfg = SnippetConfig(x, [[1]], padding="same")
    text = run_snippet(numpy_snippet(cfg))
    assert "..." not in text
    assert_prints(text, cfg.reference())


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError):
        SnippetConfig([[1]], [[1]], op="pool")
    with pytest.raises(ValueError):
        SnippetConfig([[1]], [[1]], padding_mode="mirror")
    with pytest.raises(ValueError):
        SnippetConfig([[1]], [[[1]]], op="conv2d")


# --------------------------------------------------------------------------- PyTorch


class _Tensor(np.ndarray):
    def numpy(self) -> np.ndarray:
        return np.asarray(self)

    def copy_(self, src: Any) -> _Tensor:
        assert self.shape == np.shape(src), (self.shape, np.shape(src))
        self[...] = src
        return self


def _t(a: Any) -> _Tensor:
    return np.array(a, dtype=np.float64).view(_Tensor)


def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _f_pad(x: Any, pad: tuple[int, ...], mode: str = "constant", value: float = 0.0) -> _Tensor:
    """torch.nn.functional.pad for the last two axes: pad = (left, right, top, bottom)."""
    assert len(pad) == 4 and all(isinstance(p, int) and p >= 0 for p in pad)
    left, right, top, bottom = pad
    h, w = x.shape[-2:]
    if mode != "constant":
        assert x.ndim in (3, 4), "non-constant F.pad of 2D padding needs a 3D or 4D input"
    if mode == "reflect":  # "Padding size should be less than the corresponding input dimension"
        assert max(top, bottom) < h and max(left, right) < w
    if mode == "circular":  # "...less than or equal to the corresponding input dimension"
        assert max(top, bottom) <= h and max(left, right) <= w
    width = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    a = np.asarray(x)
    if mode == "constant":
        out = np.full([n + sum(p) for n, p in zip(a.shape, width, strict=True)], float(value))
        out[tuple(slice(p[0], p[0] + n) for n, p in zip(a.shape, width, strict=True))] = a
    else:
        out = _loop_pad(a, width, mode)
    return out.view(_Tensor)


def _loop_pad(a: np.ndarray, width: list[tuple[int, int]], mode: str) -> np.ndarray:
    """Index arithmetic from PyTorch's ReflectionPad/ReplicationPad/CircularPad docs."""
    h, w = a.shape[-2:]
    (top, _), (left, _) = width[-2:]
    out_h, out_w = h + sum(width[-2]), w + sum(width[-1])

    def src(i: int, n: int) -> int:
        if mode == "replicate":
            return min(max(i, 0), n - 1)
        if mode == "circular":
            return i % n
        period = 2 * (n - 1)  # reflect: mirrored about the edge cell
        i = abs(i) % period if period else 0
        return period - i if i >= n else i

    rows = [src(i - top, h) for i in range(out_h)]
    cols = [src(j - left, w) for j in range(out_w)]
    return a[..., rows, :][..., cols]


def _conv2d(x: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
            dilation: Any = 1, groups: int = 1) -> _Tensor:  # fmt: skip
    """torch.nn.functional.conv2d as documented: cross-correlation, zero padding both sides."""
    assert groups == 1 and np.ndim(x) == 4 and np.ndim(weight) == 4
    n, c, h, w = x.shape
    o, ci, kh, kw = weight.shape
    assert ci == c and (bias is None or np.shape(bias) == (o,))
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + w] = x
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    assert oh > 0 and ow > 0
    out = np.zeros((n, o, oh, ow))
    for b_, f, r, q in np.ndindex(n, o, oh, ow):
        total = 0.0
        for ch, i, j in np.ndindex(c, kh, kw):
            total += xp[b_, ch, r * sh + i * dh, q * sw + j * dw] * weight[f, ch, i, j]
        out[b_, f, r, q] = total + (0 if bias is None else bias[f])
    return out.view(_Tensor)


class _Conv2d:
    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
        padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
        padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
    ) -> None:  # fmt: skip
        assert padding_mode in ("zeros", "reflect", "replicate", "circular")
        kh, kw = _pair(kernel_size)
        self.weight = _t(np.zeros((out_channels, in_channels, kh, kw)))
        self.bias = _t(np.zeros(out_channels)) if bias else None
        self.args = (_pair(stride), _pair(padding), _pair(dilation), padding_mode)

    def __call__(self, x: Any) -> _Tensor:
        stride, (ph, pw), dilation, mode = self.args
        if mode != "zeros":
            x, (ph, pw) = _f_pad(x, (pw, pw, ph, ph), mode), (0, 0)
        return _conv2d(x, self.weight, self.bias, stride, (ph, pw), dilation)


def torch_standin() -> dict[str, types.ModuleType]:
    torch = types.ModuleType("torch")
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    functional.pad, functional.conv2d = _f_pad, _conv2d
    nn.functional, nn.Conv2d = functional, _Conv2d
    torch.nn, torch.float64 = nn, np.float64
    torch.tensor = lambda data, dtype=None: _t(data)
    torch.from_numpy = lambda a: np.asarray(a).view(_Tensor)
    torch.flip = lambda a, dims: np.flip(a, axis=tuple(dims)).copy().view(_Tensor)
    torch.no_grad = contextlib.nullcontext
    torch.set_printoptions = lambda threshold: np.set_printoptions(threshold=threshold)
    return {"torch": torch, "torch.nn": nn, "torch.nn.functional": functional}


def test_torch_standin_matches_pytorch_docs() -> None:
    """The stand-in pads as the examples in PyTorch's ReflectionPad2d/ReplicationPad2d/
    CircularPad2d docs and convolves as F.conv2d's definition (a hand-made case)."""
    x = np.arange(9, dtype=float).reshape(1, 1, 3, 3)
    assert _f_pad(x, (2, 2, 2, 2), "reflect")[0, 0, 0].tolist() == [8, 7, 6, 7, 8, 7, 6]
    assert _f_pad(x, (2, 2, 2, 2), "replicate")[0, 0, 0].tolist() == [0, 0, 0, 1, 2, 2, 2]
    assert _f_pad(x, (1, 1, 1, 1), "circular")[0, 0, 0].tolist() == [8, 6, 7, 8, 6]
    out = _conv2d(x, np.ones((1, 1, 2, 2)), np.array([1.0]), stride=1, padding=0)
    assert out[0, 0].tolist() == [[9, 13], [21, 25]]


def _calls(code: str, name: str) -> list[ast.Call]:
    """Every call of ``name`` (``'F.conv2d'``) in the code."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == name:
            found.append(node)
    return found


def _kw(call: ast.Call, name: str) -> Any:
    return next(ast.literal_eval(k.value) for k in call.keywords if k.arg == name)


def check_torch_arguments(cfg: SnippetConfig, code: str) -> None:
    """The arguments the snippet passes add up to conv_core's padding, stride and dilation."""
    (conv,) = _calls(code, "F.conv2d")
    assert _kw(conv, "stride") == cfg.stride and _kw(conv, "dilation") == cfg.dilation
    ph, pw = _kw(conv, "padding")
    (t, b), (left, r) = cfg.pads
    pads = _calls(code, "F.pad")
    if pads:
        (pad,) = pads
        assert ast.literal_eval(pad.args[1]) == (left, r, t, b)
        mode = _kw(pad, "mode")
        assert mode == PADDING_NAMES[cfg.padding_mode].torch_pad
        assert (ph, pw) == (0, 0)
    elif "np.pad" in code:
        assert "PyTorch has no" in code or "wrap more than once" in code
        assert f'mode="{PADDING_NAMES[cfg.padding_mode].numpy}"' in code
        assert (ph, pw) == (0, 0)
    else:
        assert cfg.padding_mode == "zeros" or (t, b, left, r) == (0, 0, 0, 0)
        assert (t, b, left, r) == (ph, ph, pw, pw)
    if cfg.op == "convolve":
        assert "torch.flip(w, dims=[2, 3])" in code
    else:
        assert "torch.flip" not in code
    (layer,) = _calls(code, "torch.nn.Conv2d")
    assert _kw(layer, "stride") == cfg.stride and _kw(layer, "dilation") == cfg.dilation
    assert _kw(layer, "bias") == cfg.has_bias
    assert _kw(layer, "padding_mode") in ("zeros", "reflect", "replicate", "circular")
    # nn.Conv2d(in_channels, out_channels, kernel_size): C in, N out.
    c_in = cfg.ka.shape[-3] if cfg.op == "conv2d" else 1
    in_channels, out_channels, size = (ast.literal_eval(a) for a in layer.args)
    assert (in_channels, out_channels, size) == (c_in, cfg.n_filters, cfg.ka.shape[-2:])
    if cfg.multi:  # the weight is (N, C, KH, KW) as it is, no batch axis added
        assert f"# (N, C, KH, KW) = {cfg.ka.shape}:" in code
        assert "w = torch.tensor(k, dtype=torch.float64)  #" in code


@SETTINGS
@given(configs())
def test_torch_snippet_arguments_and_numbers(cfg: SnippetConfig) -> None:
    expected = reference_or_skip(cfg)
    code = torch_snippet(cfg)
    check_torch_arguments(cfg, code)
    text = run_snippet(code, torch_standin())
    assert_prints(text, np.concatenate([expected.ravel(), expected.ravel()]))


@pytest.mark.parametrize("mode", MODES)
def test_torch_modes(mode: str) -> None:
    """PyTorch's own names where it has them; NumPy's padding where it does not."""
    cfg = SnippetConfig(np.arange(20).reshape(4, 5), np.ones((3, 3)), 0, "correlate", 1, mode)
    code = torch_snippet(cfg)
    names = PADDING_NAMES[mode]
    if mode == "zeros":
        assert "padding=(1, 1)" in code and "F.pad" not in code
    elif names.torch is not None:  # one padding on every side: the layer pads itself
        assert f'padding_mode="{names.torch}"' in code
        assert f'F.pad(x, (1, 1, 1, 1), mode="{names.torch_pad}"' in code
    elif mode == "symmetric":
        assert "PyTorch has no 'symmetric' padding" in code
    text = run_snippet(code, torch_standin())
    assert_prints(text, np.concatenate([cfg.reference().ravel()] * 2))


def test_torch_circular_wrapping_more_than_once_pads_with_numpy() -> None:
    cfg = SnippetConfig([[1, 2]], [[1, 1, 1, 1, 1]], padding=(0, 3), padding_mode="circular")
    code = torch_snippet(cfg)
    assert "cannot wrap more than once" in code and 'mode="wrap"' in code
    assert_prints(run_snippet(code, torch_standin()), np.tile(cfg.reference().ravel(), 2))


# --------------------------------------------------------------------------- TensorFlow


def _tf_pad(x: Any, paddings: Any, mode: str = "CONSTANT", constant_values: float = 0) -> _Tensor:
    """tf.pad as documented: REFLECT needs paddings < size, SYMMETRIC <= size."""
    a = np.asarray(x)
    width = [tuple(p) for p in paddings]
    assert len(width) == a.ndim
    for n, (before, after) in zip(a.shape, width, strict=True):
        if mode == "REFLECT":
            assert max(before, after) <= n - 1
        if mode == "SYMMETRIC":
            assert max(before, after) <= n
    if mode == "CONSTANT":
        return np.pad(a, width, constant_values=constant_values).view(_Tensor)
    out = a
    for axis, (before, after) in enumerate(width):
        n = a.shape[axis]
        if mode == "REFLECT":  # tf.pad's doc example [[6, 5, 4, 5, 6, 5, 4], ...]: no edge repeat
            idx = [-i if i < 0 else (2 * (n - 1) - i if i >= n else i)
                   for i in range(-before, n + after)]  # fmt: skip
        else:  # SYMMETRIC: mirrored including the edge: -1 -> 0, n -> n - 1
            assert mode == "SYMMETRIC"
            idx = [(-i - 1) if i < 0 else (2 * n - 1 - i if i >= n else i)
                   for i in range(-before, n + after)]  # fmt: skip
        out = np.take(out, idx, axis=axis)
    return out.view(_Tensor)


def _tf_conv2d(x: Any, w: Any, strides: Any, padding: str, dilations: Any = 1) -> _Tensor:
    """tf.nn.conv2d as documented (NHWC input, HWIO filters, 'VALID' or 'SAME')."""
    (sh, sw), (dh, dw) = _pair(strides), _pair(dilations)
    # tf.nn.convolution: "If any value of dilation_rate is > 1, all strides must be 1".
    assert (sh, sw) == (1, 1) or (dh, dw) == (1, 1)
    x = np.asarray(x)
    kh, kw = np.shape(w)[:2]
    assert x.ndim == 4 and np.ndim(w) == 4 and x.shape[3] == np.shape(w)[2]
    if padding == "SAME":  # out = ceil(n / s); the odd cell after
        pads = []
        for n, k, st_, d in ((x.shape[1], kh, sh, dh), (x.shape[2], kw, sw, dw)):
            total = max((-(-n // st_) - 1) * st_ + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        x = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    else:
        assert padding == "VALID"
    nchw = x.transpose(0, 3, 1, 2)
    oihw = np.asarray(w).transpose(3, 2, 0, 1)
    out = _conv2d(nchw, oihw, None, (sh, sw), 0, (dh, dw))
    return np.asarray(out).transpose(0, 2, 3, 1).view(_Tensor)


class _KerasConv2D:
    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", dilation_rate: Any = (1, 1), use_bias: bool = True,
                 dtype: Any = None) -> None:  # fmt: skip
        # Keras: "strides > 1 not supported in conjunction with dilation_rate > 1".
        assert _pair(strides) == (1, 1) or _pair(dilation_rate) == (1, 1)
        assert padding in ("valid", "same")
        self.args = (filters, _pair(kernel_size), strides, padding.upper(), dilation_rate)
        self.use_bias, self.weights = use_bias, None

    def build(self, shape: Any) -> None:
        filters, (kh, kw) = self.args[:2]
        self.shape = (kh, kw, shape[-1], filters)

    def set_weights(self, weights: list[Any]) -> None:
        assert np.shape(weights[0]) == self.shape
        assert len(weights) == (2 if self.use_bias else 1)
        self.weights = weights

    def __call__(self, x: Any) -> _Tensor:
        _, _, strides, padding, dilation = self.args
        out = _tf_conv2d(x, self.weights[0], strides, padding, dilation)
        return (out + self.weights[1] if self.use_bias else out).view(_Tensor)


def tf_standin() -> dict[str, types.ModuleType]:
    tf = types.ModuleType("tensorflow")
    tf.float64 = np.float64
    tf.constant = lambda value, dtype=None: np.array(value).view(_Tensor)
    tf.pad = _tf_pad
    tf.nn = types.SimpleNamespace(conv2d=_tf_conv2d)
    tf.keras = types.SimpleNamespace(layers=types.SimpleNamespace(Conv2D=_KerasConv2D))
    return {"tensorflow": tf}


def test_tf_standin_matches_tensorflow_docs() -> None:
    """tf.pad's doc examples (REFLECT, SYMMETRIC) and SAME's split."""
    t = [[1, 2, 3], [4, 5, 6]]
    assert _tf_pad(t, [[1, 1], [2, 2]], "REFLECT").tolist()[0] == [6, 5, 4, 5, 6, 5, 4]
    assert _tf_pad(t, [[1, 1], [2, 2]], "SYMMETRIC").tolist()[0] == [2, 1, 1, 2, 3, 3, 2]
    x = np.ones((1, 13, 4, 1))
    out = _tf_conv2d(x, np.ones((6, 2, 1, 1)), (5, 1), "SAME")
    assert out.shape == (1, 3, 4, 1)


@SETTINGS
@given(configs())
def test_tensorflow_snippet_numbers(cfg: SnippetConfig) -> None:
    """Run on the stand-in: tf.nn.conv2d's output, then the Keras layer's when there is one."""
    expected = reference_or_skip(cfg)
    code = tensorflow_snippet(cfg)
    text = run_snippet(code, tf_standin())
    copies = 2 if _calls(code, "tf.keras.layers.Conv2D") else 1
    assert_prints(text, np.tile(expected.ravel(), copies))


@SETTINGS
@given(configs())
def test_tensorflow_snippet_structure(cfg: SnippetConfig) -> None:
    reference_or_skip(cfg)
    code = tensorflow_snippet(cfg)
    tree = ast.parse(code)
    assert tree is not None
    (conv,) = _calls(code, "tf.nn.conv2d")
    (t, b), (left, r) = cfg.pads
    both = cfg.stride != (1, 1) and cfg.dilation != (1, 1)
    assert _kw(conv, "dilations") == cfg.dilation
    if both:
        assert _kw(conv, "strides") == (1, 1)
        assert f"out = out[:, ::{cfg.stride[0]}, ::{cfg.stride[1]}, :]" in code
    else:
        assert _kw(conv, "strides") == cfg.stride
    padding = _kw(conv, "padding")
    names = PADDING_NAMES[cfg.padding_mode]
    if padding == "SAME":
        same = cc.resolve_padding("same", cfg.xa.shape[-2:], cfg.ka.shape[-2:], cfg.stride,
                                  cfg.dilation)  # fmt: skip
        assert same == cfg.pads and cfg.padding_mode in ("zeros", "constant")
    else:
        assert padding == "VALID"
        if (t, b, left, r) != (0, 0, 0, 0) or cfg.padding_mode not in ("zeros", "constant"):
            width = [[0, 0], [t, b], [left, r], [0, 0]]
            pads = _calls(code, "tf.pad")
            if pads:
                assert ast.literal_eval(pads[0].args[1]) == width
                assert _kw(pads[0], "mode") == names.tf
            else:
                assert "No direct equivalent" in code and f'mode="{names.numpy}"' in code
                assert str(width) in code
    no_tf_mode = names.tf is None
    if no_tf_mode and (t, b, left, r) != (0, 0, 0, 0):
        assert f"TensorFlow has no '{cfg.padding_mode}' padding" in code
    c_in = cfg.ka.shape[-3] if cfg.op == "conv2d" else 1
    kh, kw = cfg.ka.shape[-2:]
    filters = f"[{kh}, {kw}, {c_in}, {cfg.n_filters}]"
    assert f"# filters: [height, width, in channels, out channels] = {filters}" in code
    keras = _calls(code, "tf.keras.layers.Conv2D")
    if keras:
        assert _kw(keras[0], "padding") == padding.lower()
        assert _kw(keras[0], "strides") == cfg.stride
        assert ast.literal_eval(keras[0].args[0]) == cfg.n_filters  # Conv2D(N, ...)
    else:
        assert "tf.keras.layers.Conv2D: no direct equivalent" in code
    if cfg.op == "convolve":
        assert "w = w[::-1, ::-1]" in code


def test_tensorflow_same_and_keras() -> None:
    cfg = SnippetConfig(np.ones((13, 4)), np.ones((6, 2)), 1, padding="same", stride=(5, 1))
    assert tf_padding(cfg) == "SAME"
    code = tensorflow_snippet(cfg)
    assert 'padding="SAME"' in code and 'padding="same"' in code and "set_weights" in code
    one_sided = SnippetConfig(np.ones((5, 5)), np.ones((3, 3)), padding=((1, 0), (1, 0)))
    assert tf_padding(one_sided) is None
    assert "Conv2D: no direct equivalent" in tensorflow_snippet(one_sided)
    circ = SnippetConfig(np.ones((5, 5)), np.ones((3, 3)), padding=1, padding_mode="circular")
    assert "No direct equivalent: TensorFlow has no 'circular' padding" in tensorflow_snippet(circ)


def test_snippets_has_the_three() -> None:
    cfg = SnippetConfig([[1, 2], [3, 4]], [[1]])
    assert set(snippets(cfg)) == {"torch", "numpy", "tensorflow"}
    for code in snippets(cfg).values():
        ast.parse(code)


def test_shape_only_snippets_print_the_shape() -> None:
    cfg = SnippetConfig(np.zeros((28, 28)), np.zeros((5, 5)), padding=2, stride=(2, 3),
                        dilation=(1, 2), shape_only=True)  # fmt: skip
    shape = cfg.output_shape()
    assert shape == cfg.reference().shape
    assert run_snippet(numpy_snippet(cfg)).strip() == str(shape)
    text = run_snippet(torch_snippet(cfg), torch_standin())
    assert [ln.strip() for ln in text.strip().splitlines()] == [str(shape)] * 2
    assert "print(tuple(out.shape[1:3]))" in tensorflow_snippet(cfg)


# --------------------------------------------------------------------------- the name table


def _ndimage_pad_1d(a: np.ndarray, before: int, after: int, mode: str, cval: float) -> np.ndarray:
    """Pad the last axis the way scipy.ndimage's filters extend it: a one-hot correlation
    picks input index m (possibly outside) for every padded position."""
    n = a.shape[-1]
    p = max(before, after)
    cols = []
    for m in range(-before, n + after):
        i = min(max(m, 0), n - 1)
        weights = np.zeros(2 * p + 1)
        weights[m - i + p] = 1
        cols.append(ndimage.correlate1d(a, weights, axis=-1, mode=mode, cval=cval)[..., i])
    return np.stack(cols, axis=-1)


def _signal_pad_1d(
    a: np.ndarray, before: int, after: int, boundary: str, fill: float
) -> np.ndarray:
    """Pad the last axis the way scipy.signal.correlate2d extends it ('full' + one-hot)."""
    n, p = a.shape[-1], max(before, after)
    k = np.zeros((1, p + 1))
    k[0, 0] = 1  # full[i] = x_ext[i - p]
    left = signal.correlate2d(a, k, "full", boundary, fill)[:, : n + p]
    k = np.zeros((1, p + 1))
    k[0, p] = 1  # full[i] = x_ext[i]
    right = signal.correlate2d(a, k, "full", boundary, fill)[:, : n + p]
    ext = np.concatenate([left[:, :p], right], axis=1)  # x_ext[-p .. n + p - 1]
    return ext[:, p - before : p + n + after]


@pytest.mark.parametrize("mode", MODES)
def test_every_numpy_and_scipy_name_pads_like_conv_core(mode: str) -> None:
    names = PADDING_NAMES[mode]
    rng = np.random.default_rng(11)
    value = 7.0 if mode == "constant" else 0.0
    for h, w, pads in (
        (4, 5, ((1, 2), (3, 0))),
        (3, 3, ((2, 2), (2, 1))),
        (6, 2, ((0, 1), (1, 1))),
        (1, 4, ((0, 0), (3, 2))),
    ):
        if mode == "reflect" and (max(pads[0]) >= h or max(pads[1]) >= w):
            continue
        x = rng.integers(-9, 10, (h, w)).astype(float)
        expected = cc.pad2d(x, pads, mode, value)
        extra = {"constant_values": value} if names.numpy == "constant" else {}
        np.testing.assert_array_equal(np.pad(x, pads, mode=names.numpy, **extra), expected)
        (t, b), (left, r) = pads
        by_nd = _ndimage_pad_1d(x, left, r, names.ndimage, value)
        by_nd = _ndimage_pad_1d(by_nd.T, t, b, names.ndimage, value).T
        np.testing.assert_array_equal(by_nd, expected)
        if names.signal is not None:
            by_sig = _signal_pad_1d(x, left, r, names.signal, value)
            by_sig = _signal_pad_1d(by_sig.T, t, b, names.signal, value).T
            np.testing.assert_array_equal(by_sig, expected)


def test_torch_names_are_the_standins() -> None:
    """PyTorch's names in the table pad as PyTorch's documented F.pad does (the stand-in)."""
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    for mode, names in PADDING_NAMES.items():
        if names.torch_pad is None:
            continue
        value = 7.0 if mode == "constant" else 0.0
        got = _f_pad(x, (1, 2, 2, 1), names.torch_pad, value)[0, 0]
        np.testing.assert_array_equal(got, cc.pad2d(x[0, 0], ((2, 1), (1, 2)), mode, value))


def test_table_traps_and_columns() -> None:
    assert PADDING_NAMES["symmetric"].ndimage == "reflect"
    assert PADDING_NAMES["reflect"].ndimage == "mirror"
    assert PADDING_NAMES["reflect"].numpy == PADDING_NAMES["reflect"].torch == "reflect"
    assert tuple(PADDING_NAMES) == MODES
    assert {attr for attr, _ in LIBRARIES} <= set(PADDING_NAMES["zeros"].__dataclass_fields__)
    # conv_core's own table agrees where it has a column.
    for mode, names in PADDING_NAMES.items():
        assert cc.PADDING_MODES[mode].numpy == names.numpy
        assert cc.PADDING_MODES[mode].ndimage == names.ndimage
        assert cc.PADDING_MODES[mode].torch == names.torch


# --------------------------------------------------------------------------- several filters


def _layer(n: int, c: int = 3, h: int = 6, w: int = 7, k: int = 3, seed: int = 0) -> tuple[
    np.ndarray, np.ndarray, np.ndarray
]:  # fmt: skip
    """An integer (C, H, W) input, N (C, K, K) filters and N biases."""
    rng = np.random.default_rng(seed + n)
    return (
        rng.integers(-9, 10, (c, h, w)),
        rng.integers(-2, 3, (n, c, k, k)),
        rng.integers(-3, 4, n),
    )


@pytest.mark.parametrize("n", [1, 2, 4])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("padding", "stride", "dilation"),
    [
        (0, (1, 1), (1, 1)),
        (1, (2, 1), (1, 1)),
        ("same", (1, 2), (2, 1)),
        (((1, 0), (2, 1)), (2, 2), (2, 2)),
        ("full", (1, 1), (1, 1)),
    ],
)
def test_numpy_snippet_of_n_filters_prints_conv2d(
    n: int, mode: str, padding: Any, stride: tuple[int, int], dilation: tuple[int, int]
) -> None:
    """N filters with a bias each: the snippet prints conv_core.conv2d's N maps, labelled."""
    x, weight, bias = _layer(n)
    cfg = SnippetConfig(x, weight, bias, "conv2d", padding, mode, stride, dilation, value=4)
    if mode == "constant":
        expected = cc.conv2d(cc.pad2d(x, cfg.pads, "constant", 4), weight, bias, stride, 0,
                             dilation)  # fmt: skip
    else:
        expected = cc.conv2d(x, weight, bias, stride, padding, dilation, 1, mode)
    np.testing.assert_array_equal(cfg.reference(), expected)
    assert cfg.reference().shape == (n, *cfg.output_shape())
    code = numpy_snippet(cfg)
    assert f"# (N, C, KH, KW) = {weight.shape}: {n} filter" in code
    assert "for f in range(" in code  # NumPy loops over the filters
    text = run_snippet(code)
    shapes, labels, _ = map_lines(text)
    if n > 1:
        assert shapes == [str(expected.shape)] and labels == list(range(1, n + 1))
    else:
        assert shapes == [] and labels == []
    assert_prints(text, expected)


def test_issue_example_32_filters_of_one_channel() -> None:
    """The issue's TensorFlow filter [3, 3, 1, 32]: 32 output maps, in all three snippets."""
    x, weight, bias = _layer(32, c=1, h=5, w=5)
    cfg = SnippetConfig(x, weight, bias, "conv2d", padding="same")
    expected = cc.conv2d(x, weight, bias, padding="same")
    tf_code = tensorflow_snippet(cfg)
    assert "# filters: [height, width, in channels, out channels] = [3, 3, 1, 32]" in tf_code
    assert "k.transpose(2, 3, 1, 0)" in tf_code
    assert "tf.keras.layers.Conv2D(\n    32, (3, 3)," in tf_code
    torch_code = torch_snippet(cfg)
    assert "# (N, C, KH, KW) = (32, 1, 3, 3): 32 filters" in torch_code
    assert "torch.nn.Conv2d(\n    1, 32, (3, 3)," in torch_code
    assert "b = torch.tensor([" in torch_code and "F.conv2d(x, w, b," in torch_code
    for code, modules, copies in (
        (numpy_snippet(cfg), None, 1),
        (torch_code, torch_standin(), 2),
        (tf_code, tf_standin(), 2),
    ):
        text = run_snippet(code, modules)
        shapes, labels, _ = map_lines(text)
        assert labels == list(range(1, 33)) * copies
        shape = "(5, 5, 32)" if code is tf_code else "(32, 5, 5)"  # TF: channels last
        assert shapes == [shape] * copies
        assert_prints(text, np.tile(expected.ravel(), copies))


def test_n_filters_without_bias_and_a_number_for_every_filter() -> None:
    x, weight, _ = _layer(2)
    none = SnippetConfig(x, weight, 0, "conv2d")
    assert not none.has_bias
    codes = snippets(none)
    assert "F.conv2d(x, w, None," in codes["torch"] and "bias=False" in codes["torch"]
    assert "use_bias=False" in codes["tensorflow"] and "b = " not in codes["numpy"]
    assert_prints(run_snippet(codes["numpy"]), cc.conv2d(x, weight))
    same = SnippetConfig(x, weight, 2, "conv2d")  # one number: every filter's bias
    np.testing.assert_array_equal(same.biases, [2, 2])
    assert_prints(run_snippet(numpy_snippet(same)), cc.conv2d(x, weight, [2, 2]))


def test_n_filters_shape_only_and_image_file(tmp_path: Any) -> None:
    """shape_only prints the whole shape; with an image file each map's corner, labelled."""
    x, weight, bias = _layer(3, h=9, w=10)
    cfg = SnippetConfig(x, weight, bias, "conv2d", padding=1, shape_only=True)
    assert run_snippet(numpy_snippet(cfg)).strip() == "(3, 9, 10)"
    text = run_snippet(torch_snippet(cfg), torch_standin())
    assert [ln.strip() for ln in text.strip().splitlines()] == ["(3, 9, 10)"] * 2
    rgb = np.random.default_rng(4).integers(0, 256, (9, 10, 3)).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    image = rgb.transpose(2, 0, 1).astype(float)
    cfg = SnippetConfig(image, weight, bias, "conv2d", 1, "replicate", (1, 2),
                        image_file="photo.png")  # fmt: skip
    stdout = run_fresh(numpy_snippet(cfg), tmp_path)
    ref = cfg.reference()
    shapes, labels, _ = map_lines(stdout)
    assert shapes == [str(ref.shape)] and labels == [1, 2, 3]
    assert_prints(stdout, ref[:, :6, :6])
    photo = repr(str(tmp_path / "photo.png"))
    for code, modules in ((torch_snippet(cfg), torch_standin()),
                          (tensorflow_snippet(cfg), tf_standin())):  # fmt: skip
        copies = 1 if "Conv2D: no direct equivalent" in code else 2
        text = run_snippet(code.replace('"photo.png"', photo), modules)
        assert map_lines(text)[1] == [1, 2, 3] * copies
        assert_prints(text, np.tile(ref[:, :6, :6].ravel(), copies))


def test_bad_biases_are_refused() -> None:
    x, weight, _ = _layer(2)
    with pytest.raises(ValueError, match="one per filter"):
        SnippetConfig(x, weight, [1, 2, 3], "conv2d")
    with pytest.raises(ValueError, match="bias must be a number"):
        SnippetConfig(x, weight[0], [1, 2], "conv2d")
    with pytest.raises(ValueError, match="depth"):
        SnippetConfig(x, weight[:, :2], [1, 2], "conv2d")
