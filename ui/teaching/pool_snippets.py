"""Runnable code for the pooling page's settings: NumPy, PyTorch and TensorFlow/Keras snippets.

Each builder takes a :class:`PoolConfig` (the input grid, method, kernel size, stride,
padding, ceil_mode, count_include_pad: what the pooling page shows) and returns short,
copy-pasteable Python that prints the same numbers as ``conv_core.pool2d``
(:meth:`PoolConfig.reference`):

- :func:`numpy_pool_snippet`: plain NumPy, ``np.pad`` (-inf for max, zeros for avg) and
  ``sliding_window_view``; ceil_mode's last, partial window is padding added after the
  input, and the average divides by the cells it counts (a 0/1 mask pooled the same way).
- :func:`torch_pool_snippet`: ``F.max_pool2d`` / ``F.avg_pool2d`` (NCHW), which take every
  setting of the page as it is, then the same as an ``nn.MaxPool2d`` / ``nn.AvgPool2d`` layer.
- :func:`tensorflow_pool_snippet`: ``tf.nn.max_pool`` / ``tf.nn.avg_pool2d`` (NHWC) with
  ``padding='VALID'`` or ``'SAME'`` when one of them gives the page's windows (and divisor),
  else ``tf.pad`` first and 'VALID', with a comment saying why; then the Keras layer
  (``keras.layers.MaxPooling2D`` / ``AveragePooling2D``) where it can express it.

Kernel size, stride and padding are one number for rows and columns (the page's controls);
the page has no dilation. Pure: no Streamlit.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np

import conv_core as cc

__all__ = [
    "PoolConfig",
    "numpy_pool_snippet",
    "pool_snippets",
    "tensorflow_pool_snippet",
    "torch_pool_snippet",
]


@dataclass(frozen=True)
class PoolConfig:
    """The pooling page's settings, in ``conv_core.pool2d``'s argument names.

    Attributes
    ----------
    x : ndarray of shape (H, W)
        The input grid (whole numbers on the page; floats work too).
    kernel_size, stride, padding : int
        The same along rows and columns.
    method : {'max', 'avg'}
    ceil_mode, count_include_pad : bool
        As in ``conv_core.pool2d`` (and PyTorch).
    """

    x: Any
    kernel_size: int
    stride: int
    padding: int = 0
    method: str = "max"
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        if self.method not in cc.POOL_METHODS:
            raise ValueError(f"method must be one of {cc.POOL_METHODS}, but got {self.method!r}")
        x = np.asarray(self.x)
        if x.ndim != 2:
            raise ValueError(f"x must be an (H, W) grid, but got shape {x.shape}")
        object.__setattr__(self, "x", x)
        for name in ("kernel_size", "stride", "padding"):
            object.__setattr__(self, name, int(getattr(self, name)))

    def reference(self) -> np.ndarray:
        """``conv_core.pool2d`` of these settings, (OH, OW): what the page shows."""
        return np.asarray(
            cc.pool2d(
                self.x, self.kernel_size, self.stride, self.padding, method=self.method,
                ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad,
            )
        )  # fmt: skip

    def output_shape(self) -> tuple[int, int]:
        """(OH, OW) from ``conv_core.pool_output_size``."""
        k, s, p = self.kernel_size, self.stride, self.padding
        h, w = self.x.shape
        return (
            cc.pool_output_size(h, k, s, p, ceil_mode=self.ceil_mode),
            cc.pool_output_size(w, k, s, p, ceil_mode=self.ceil_mode),
        )

    @property
    def extra(self) -> tuple[int, int]:
        """Cells ceil_mode's last, partial window reaches past the bottom / right padding."""
        k, s, p = self.kernel_size, self.stride, self.padding
        return tuple(
            max((out - 1) * s + k - (n + 2 * p), 0)
            for out, n in zip(self.output_shape(), self.x.shape, strict=True)
        )

    @property
    def is_int(self) -> bool:
        return bool(np.all(self.x == np.round(self.x)))

    @property
    def full_windows(self) -> bool:
        """Every window divides by kernel_size² on the page (avg: a plain mean of the
        window padded with zeros): no partial ceil_mode window, and the padding counted."""
        return self.extra == (0, 0) and (self.count_include_pad or self.padding == 0)

    def tf_padding(self) -> str | None:
        """'VALID' or 'SAME' when TensorFlow's own padding gives the page's numbers, else None.

        'VALID': no padding, no partial window. 'SAME' (``out = ceil(n / stride)``, the
        odd pad cell after the input) when it places the windows where the page does;
        TensorFlow's average then divides by the input cells only, so for 'avg' the page
        must not count padding (count_include_pad=False, or no padding).
        """
        if self.padding == 0 and self.extra == (0, 0):
            # The lecture writes padding='SAME'; where it pads nothing it is 'VALID' too.
            return "SAME" if _same_windows(self) else "VALID"
        if not _same_windows(self):
            return None
        if self.method == "avg" and self.count_include_pad and self.padding > 0:
            return None
        return "SAME"


def _same_windows(cfg: PoolConfig) -> bool:
    """TensorFlow's 'SAME' (``out = ceil(n / stride)``, ``total // 2`` cells of padding
    before the input) places the windows where ``cfg`` does, along both axes."""
    k, s, p = cfg.kernel_size, cfg.stride, cfg.padding
    for out, n in zip(cfg.output_shape(), cfg.x.shape, strict=True):
        same_out = -(-n // s)
        before = max((same_out - 1) * s + k - n, 0) // 2
        if (same_out, before) != (out, p):
            return False
    return True


# --------------------------------------------------------------------------- formatting


def _num(v: Any, as_int: bool) -> str:
    f = float(v)
    return str(int(f)) if as_int or f.is_integer() else repr(f)


def _grid(x: np.ndarray, as_int: bool) -> str:
    rows = ["    [" + ", ".join(_num(v, as_int) for v in row) + "]," for row in x]
    return "[\n" + "\n".join(rows) + "\n]"


def _input_line(cfg: PoolConfig) -> str:
    dtype = "" if cfg.is_int else ", dtype=float"
    return f"x = np.array({_grid(cfg.x, cfg.is_int)}{dtype})  # (H, W) input"


#: Longest line of a snippet: it fits the code box without scrolling.
WIDTH = 88


def _call(target: str, fn: str, args: str) -> str:
    """``target = fn(args)`` on one line, or with the arguments on a line of their own."""
    line = f"{target} = {fn}({args})"
    return line if len(line) <= WIDTH else f"{target} = {fn}(\n    {args}\n)"


def _join(lines: list[str]) -> str:
    """The snippet's text: comment lines longer than :data:`WIDTH` wrapped."""
    out = []
    for line in lines:
        if line.startswith("# ") and len(line) > WIDTH:
            out += textwrap.wrap(line, WIDTH, subsequent_indent="# ", break_long_words=False)
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _settings_comment(cfg: PoolConfig) -> str:
    name = {"max": "max pooling", "avg": "average pooling"}[cfg.method]
    extra = f", count_include_pad={cfg.count_include_pad}" if cfg.method == "avg" else ""
    return (
        f"# {name}: kernel_size={cfg.kernel_size}, stride={cfg.stride}, "
        f"padding={cfg.padding}, ceil_mode={cfg.ceil_mode}{extra}"
    )


def _threshold(cfg: PoolConfig, call: str) -> list[str]:
    """The print-options line for an output of more than 1000 numbers (else '...')."""
    oh, ow = cfg.output_shape()
    return [f"{call}(threshold={oh * ow})"] if oh * ow > 1000 else []


def _pad_lines(cfg: PoolConfig, lib: str) -> list[str]:
    """Comments on where the padding goes: ``p`` on every side, plus ceil_mode's cells."""
    p, (eh, ew) = cfg.padding, cfg.extra
    lines = []
    if p:
        fill = "-inf (a pad never wins)" if cfg.method == "max" else "zeros"
        lines.append(f"# padding {p} on every side, filled with {fill}")
    if (eh, ew) != (0, 0):
        lines.append(
            f"# ceil_mode=True: the last, partial window is kept; {lib} pads {eh} more row(s) "
            f"at the bottom and {ew} more column(s) at the right so it fits"
        )
        if cfg.method == "avg":
            lines.append("# (those cells are never counted in the average)")
    return lines


def _counted(cfg: PoolConfig) -> str:
    """What the average's 0/1 mask marks as counted."""
    if cfg.count_include_pad and cfg.padding:
        return "1 on the input and its padding (count_include_pad=True), 0 past it"
    if cfg.padding:
        return "1 on the input cells only (count_include_pad=False)"
    return "1 on the input cells, 0 where the partial window runs past the input"


# --------------------------------------------------------------------------- NumPy


def numpy_pool_snippet(cfg: PoolConfig) -> str:
    """Plain-NumPy code printing ``conv_core.pool2d``'s output for ``cfg`` (sliding windows)."""
    k, s, p = cfg.kernel_size, cfg.stride, cfg.padding
    (eh, ew) = cfg.extra
    width = f"(({p}, {p + eh}), ({p}, {p + ew}))"
    padded = (p, eh, ew) != (0, 0, 0)
    view = f"sliding_window_view({{a}}, ({k}, {k}))[::{s}, ::{s}]"
    lines = [
        "import numpy as np",
        "from numpy.lib.stride_tricks import sliding_window_view",
        "",
        _input_line(cfg),
        _settings_comment(cfg),
        *_pad_lines(cfg, "NumPy"),
    ]
    if cfg.method == "max":
        if padded:
            lines.append(f"xp = np.pad(x.astype(float), {width}, constant_values=-np.inf)")
        source = "xp" if padded else "x"
        lines.append(f"windows = {view.format(a=source)}  # (OH, OW, {k}, {k})")
        back = ".astype(x.dtype)  # whole numbers again" if padded and cfg.is_int else ""
        lines.append(f"out = windows.max(axis=(2, 3)){back}")
    else:
        if padded:
            lines.append(f"xp = np.pad(x.astype(float), {width})  # zeros")
        source = "xp" if padded else "x"
        lines.append(f"windows = {view.format(a=source)}  # (OH, OW, {k}, {k})")
        if cfg.full_windows:
            lines.append(f"out = windows.mean(axis=(2, 3))  # sum / {k * k}")
        else:
            lines.append(f"# divide by the cells each window counts: {_counted(cfg)}")
            if cfg.count_include_pad and p:
                ones = f"np.pad(np.ones(x.shape), {p}, constant_values=1)"
                lines.append(f"counted = np.pad({ones}, ((0, {eh}), (0, {ew})))")
            else:
                lines.append(f"counted = np.pad(np.ones(x.shape), {width})")
            lines.append(f"counts = {view.format(a='counted')}.sum(axis=(2, 3))")
            lines.append("out = windows.sum(axis=(2, 3)) / counts")
    lines += _threshold(cfg, "np.set_printoptions")
    lines.append("print(out)")
    return _join(lines)


# --------------------------------------------------------------------------- PyTorch


def torch_pool_snippet(cfg: PoolConfig) -> str:
    """PyTorch code printing ``conv_core.pool2d``'s output: ``F.max_pool2d`` / ``F.avg_pool2d``
    (they take every setting of the page as it is), then the same as a layer."""
    k, s, p = cfg.kernel_size, cfg.stride, cfg.padding
    args = f"kernel_size={k}, stride={s}, padding={p}, ceil_mode={cfg.ceil_mode}"
    if cfg.method == "avg":
        args += f", count_include_pad={cfg.count_include_pad}"
    fn, layer = ("max_pool2d", "MaxPool2d") if cfg.method == "max" else ("avg_pool2d", "AvgPool2d")
    lines = [
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "",
        _input_line(cfg),
        "x = torch.tensor(x, dtype=torch.float64)[None, None]  # (1, 1, H, W): NCHW",
    ]
    if cfg.method == "max" and p:
        lines.append("# F.max_pool2d pads with -inf (a pad never wins)")
    elif p:
        lines.append("# F.avg_pool2d pads with zeros; count_include_pad: whether they count")
    lines += [
        _call("out", f"F.{fn}", f"x, {args}"),
        *_threshold(cfg, "torch.set_printoptions"),
        "print(out[0, 0])",
        "",
        f"# The same as a layer: torch.nn.{layer}",
        _call("pool", f"torch.nn.{layer}", args),
        "print(pool(x)[0, 0])",
    ]
    return _join(lines)


# --------------------------------------------------------------------------- TensorFlow


def _tf_call(cfg: PoolConfig, source: str, padding: str) -> str:
    k, s = cfg.kernel_size, cfg.stride
    fn = "tf.nn.max_pool" if cfg.method == "max" else "tf.nn.avg_pool2d"
    return f"{fn}({source}, ksize=[1,{k},{k},1], strides=[1,{s},{s},1], padding='{padding}')"


def _tf_why(cfg: PoolConfig) -> list[str]:
    """Why neither 'VALID' nor 'SAME' gives the page's numbers (comment lines)."""
    k, s = cfg.kernel_size, cfg.stride
    sides = []
    for n in cfg.x.shape:
        total = max((-(-n // s) - 1) * s + k - n, 0)
        sides.append(f"{total // 2} before, {total - total // 2} after")
    same = sides[0] if sides[0] == sides[1] else f"rows {sides[0]}; columns {sides[1]}"
    if cfg.method == "avg" and cfg.tf_padding() is None and _same_windows(cfg):
        return [
            "# 'SAME' places these windows, but its average divides by the input cells only",
            "# (count_include_pad=False): pad with tf.pad first, then 'VALID'",
        ]
    return [
        "# No direct equivalent: TensorFlow pads only 'VALID' (nothing) or 'SAME'",
        f"# (here {same}); neither gives these windows: pad with tf.pad first, then 'VALID'",
    ]


def tensorflow_pool_snippet(cfg: PoolConfig) -> str:
    """TensorFlow code printing ``conv_core.pool2d``'s output for ``cfg``: 'VALID' or 'SAME'
    where they give the page's numbers, else ``tf.pad`` first (a comment says why)."""
    k, s, p = cfg.kernel_size, cfg.stride, cfg.padding
    (eh, ew) = cfg.extra
    padding = cfg.tf_padding()
    lines = [
        "import numpy as np",
        "import tensorflow as tf",
        "from tensorflow import keras",
        "",
        _input_line(cfg),
        "x = tf.constant(x[None, :, :, None].astype(np.float64))  # (1, H, W, 1): NHWC",
        _settings_comment(cfg),
    ]
    source, layer_padding = "x", None
    if padding == "SAME" and p == 0 and not cfg.ceil_mode:
        lines.append("# padding='SAME' as the lecture writes it: here it pads nothing ('VALID')")
        lines.append(f"out = {_tf_call(cfg, 'x', 'SAME')}")
        layer_padding = "same"
    elif padding == "SAME":
        lines.append(
            f"# padding='SAME' puts the windows where padding={p}"
            + (" and ceil_mode=True" if cfg.ceil_mode else "")
            + " does here"
        )
        if cfg.method == "avg" and p:
            lines.append("# (its average divides by the input cells only: count_include_pad=False)")
        lines.append(f"out = {_tf_call(cfg, 'x', 'SAME')}")
        layer_padding = "same"
    elif padding == "VALID":
        lines.append(f"out = {_tf_call(cfg, 'x', 'VALID')}")
        layer_padding = "valid"
    else:
        lines += _tf_why(cfg)
        lines += _pad_lines(cfg, "tf.pad")
        width = f"[[0, 0], [{p}, {p + eh}], [{p}, {p + ew}], [0, 0]]"
        source = "xp"
        if cfg.method == "max":
            lines.append(f"xp = tf.pad(x, {width}, constant_values=-np.inf)")
            lines.append(f"out = {_tf_call(cfg, 'xp', 'VALID')}")
            layer_padding = "valid"
        elif cfg.full_windows:
            lines.append(f"xp = tf.pad(x, {width})  # zeros, counted")
            lines.append(f"out = {_tf_call(cfg, 'xp', 'VALID')}")
            layer_padding = "valid"
        else:
            lines.append(f"xp = tf.pad(x, {width})  # zeros")
            lines.append(f"# divide by the cells each window counts: {_counted(cfg)}")
            if cfg.count_include_pad and p:
                inner = f"[[0, 0], [{p}, {p}], [{p}, {p}], [0, 0]]"
                lines.append(f"ones = tf.pad(tf.ones_like(x), {inner}, constant_values=1)")
                outer = f"[[0, 0], [0, {eh}], [0, {ew}], [0, 0]]"
                lines.append(f"counted = tf.pad(ones, {outer})")
            else:
                lines.append(f"counted = tf.pad(tf.ones_like(x), {width})")
            lines.append(
                f"# avg_pool2d of both divides by {k * k}; the ratio is sum / counted cells"
            )
            lines.append(f"sums = {_tf_call(cfg, 'xp', 'VALID')}")
            lines.append(f"counts = {_tf_call(cfg, 'counted', 'VALID')}")
            lines.append("out = sums / counts")
    lines += _threshold(cfg, "np.set_printoptions")
    lines.append("print(out[0, :, :, 0].numpy())")
    lines.append("")
    layer = "MaxPooling2D" if cfg.method == "max" else "AveragePooling2D"
    if layer_padding is None:
        lines.append(
            f"# keras.layers.{layer}: no direct equivalent (it pads only 'valid' or 'same' "
            "and divides by k*k or by the input cells); use the tf.nn code above"
        )
    else:
        on = " on the padded input" if source == "xp" else ""
        lines.append(f"# The same as a Keras layer{on}")
        keras_args = (
            f"pool_size=({k}, {k}), strides=({s}, {s}), padding='{layer_padding}', dtype='float64'"
        )
        lines.append(_call("pool", f"keras.layers.{layer}", keras_args))
        lines.append(f"print(pool({source})[0, :, :, 0].numpy())")
    return _join(lines)


def pool_snippets(cfg: PoolConfig) -> dict[str, str]:
    """The three snippets, keyed ``'torch'``, ``'numpy'``, ``'tensorflow'``."""
    return {
        "torch": torch_pool_snippet(cfg),
        "numpy": numpy_pool_snippet(cfg),
        "tensorflow": tensorflow_pool_snippet(cfg),
    }
