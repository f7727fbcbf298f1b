"""Runnable code for the settings on screen: PyTorch, NumPy/SciPy and TensorFlow snippets.

Each generator takes a :class:`SnippetConfig` (input, kernel, bias, operation, padding,
padding mode, stride, dilation) and returns short, copy-pasteable Python that computes and
prints the same numbers as conv_core (:meth:`SnippetConfig.reference`). ``op='conv2d'``
takes one (C, KH, KW) filter or a layer's N filters, (N, C, KH, KW) with N biases: the
snippets then build all N output maps (``F.conv2d`` with that weight, ``nn.Conv2d(C, N)``,
TensorFlow filters of shape [KH, KW, C, N], ``Conv2D(N)``, a NumPy loop over the filters)
and print the output's shape and each map, labelled by filter number.

- :func:`numpy_snippet`: ``scipy.signal.correlate2d``/``convolve2d`` with ``boundary=``, or
  ``scipy.ndimage.correlate``/``convolve`` with ``mode=``, when the padding is the centred
  one those functions use; otherwise ``np.pad`` with NumPy's mode name and a ``'valid'``
  correlation. Stride is a slice; dilation a kernel with zeros between its taps.
- :func:`torch_snippet`: ``torch.nn.functional.conv2d`` (``F.pad`` first when the padding
  is one-sided or not zeros), then the same as an ``nn.Conv2d`` layer with the weights set.
- :func:`tensorflow_snippet`: ``tf.nn.conv2d`` ('VALID', 'SAME' or ``tf.pad`` first), and
  ``tf.keras.layers.Conv2D`` when Keras can express the padding; a one-line comment says so
  when TensorFlow has no equivalent (and pads with NumPy instead).

Names of padding modes come from :data:`conv_core.PADDING_MODES`. Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import conv_core as cc

__all__ = [
    "OPS",
    "SnippetConfig",
    "numpy_snippet",
    "snippets",
    "tensorflow_snippet",
    "torch_snippet",
]

#: 'correlate'/'convolve': (H, W) input and (KH, KW) kernel; 'conv2d': (C, H, W) input and
#: one (C, KH, KW) filter (a layer with one output channel) or N filters (N, C, KH, KW).
OPS = ("correlate", "convolve", "conv2d")
#: Top-left corner printed when the input comes from an image file (the output is large).
CORNER = 6


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


@dataclass(frozen=True)
class SnippetConfig:
    """What is on screen, in conv_core's argument names.

    Attributes
    ----------
    x : ndarray
        (H, W), or (C, H, W) for ``op='conv2d'``.
    kernel : ndarray
        (KH, KW), or for ``op='conv2d'`` one filter (C, KH, KW) or N filters (N, C, KH, KW):
        a layer with N output channels.
    bias : float, or ndarray of shape (N,) with an (N, C, KH, KW) kernel
        Added to every output (0: none); with N filters one bias per filter (a number is
        used for all of them).
    op : {'correlate', 'convolve', 'conv2d'}
    padding : int, (ph, pw), ((top, bottom), (left, right)), 'valid', 'same' or 'full'
    padding_mode : a ``conv_core.PADDING_MODES`` name
    stride, dilation : (rows, cols)
    value : float
        The fill of ``padding_mode='constant'``.
    image_file : str or None
        Load the input from this image file in the snippet instead of writing its numbers
        (grey for 'correlate'/'convolve', RGB as (3, H, W) for 'conv2d'); the snippet then
        prints the output's shape and its top-left corner.
    shape_only : bool
        Print only the output's shape (the input and kernel are zeros of their sizes).
    """

    x: Any
    kernel: Any
    bias: Any = 0.0
    op: str = "correlate"
    padding: Any = 0
    padding_mode: str = "zeros"
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)
    value: float = 0.0
    image_file: str | None = None
    shape_only: bool = False
    _arrays: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise ValueError(f"op must be one of {OPS}, not {self.op!r}")
        if self.padding_mode not in cc.PADDING_MODES:
            raise ValueError(f"unknown padding_mode {self.padding_mode!r}")
        x, k = np.asarray(self.x), np.asarray(self.kernel)
        ndim = 3 if self.op == "conv2d" else 2
        kdims = (3, 4) if self.op == "conv2d" else (2,)
        if x.ndim != ndim or k.ndim not in kdims or (ndim == 3 and x.shape[0] != k.shape[-3]):
            raise ValueError(
                f"op={self.op!r} needs a {ndim}D input and a kernel of its depth, but got "
                f"x of shape {x.shape} and kernel of shape {k.shape}"
            )
        bias = np.asarray(self.bias)
        if k.ndim == 4:
            if bias.ndim == 0:
                bias = np.full(k.shape[0], bias)
            if bias.shape != (k.shape[0],):
                raise ValueError(
                    f"bias must be a number or one per filter ({k.shape[0]}), but got "
                    f"bias of shape {bias.shape}"
                )
        elif bias.ndim != 0:
            raise ValueError(f"bias must be a number with this kernel, but got bias={self.bias!r}")
        self._arrays.update(x=x, kernel=k, bias=bias.reshape(-1))
        object.__setattr__(self, "stride", _pair(self.stride))
        object.__setattr__(self, "dilation", _pair(self.dilation))

    @property
    def xa(self) -> np.ndarray:
        return self._arrays["x"]

    @property
    def ka(self) -> np.ndarray:
        return self._arrays["kernel"]

    @property
    def multi(self) -> bool:
        """An (N, C, KH, KW) kernel: a layer of N filters (conv2d only)."""
        return self.ka.ndim == 4

    @property
    def n_filters(self) -> int:
        """N, the number of output maps (1 unless the kernel is (N, C, KH, KW))."""
        return int(self.ka.shape[0]) if self.multi else 1

    @property
    def biases(self) -> np.ndarray:
        """The bias of every filter, shape (N,) (one number for the other forms)."""
        return self._arrays["bias"]

    @property
    def has_bias(self) -> bool:
        """Some filter has a bias other than 0."""
        return bool(np.any(self.biases != 0))

    @property
    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The padding resolved to ``((top, bottom), (left, right))`` by conv_core."""
        return cc.resolve_padding(
            self.padding, self.xa.shape[-2:], self.ka.shape[-2:], self.stride, self.dilation
        )

    @property
    def spans(self) -> tuple[int, int]:
        """The kernel's reach along rows and columns, ``dilation*(k - 1) + 1``."""
        kh, kw = self.ka.shape[-2:]
        return (self.dilation[0] * (kh - 1) + 1, self.dilation[1] * (kw - 1) + 1)

    @property
    def is_int(self) -> bool:
        """Whole numbers everywhere (the snippets then keep integer arrays, exact)."""
        return all(
            np.all(np.asarray(v, dtype=float) == np.round(np.asarray(v, dtype=float)))
            for v in (self.xa, self.ka, self.biases, self.value)
        )

    def reference(self) -> np.ndarray:
        """conv_core's result for this configuration (what the page shows): (OH, OW), or
        (N, OH, OW) for an (N, C, KH, KW) kernel (also when N is 1, as conv_core.conv2d)."""
        x, k, mode, pads = self.xa, self.ka, self.padding_mode, self.padding
        if mode == "constant":  # the convolutions take no fill value: pad first
            if not float(self.value).is_integer():
                x = x.astype(float)  # pad2d keeps x's dtype: a fractional fill needs floats
            x = cc.pad2d(x, self.pads, "constant", self.value)
            mode, pads = "zeros", 0
        common = {"stride": self.stride, "padding": pads, "dilation": self.dilation}
        if self.multi:
            biases = [_plain_number(v) for v in self.biases] if self.has_bias else None
            return cc.conv2d(x, k, biases, padding_mode=mode, **common)
        bias = _plain_number(self.biases[0])
        if self.op == "conv2d":
            out = cc.conv2d(x, k[None], [bias] if bias else None, padding_mode=mode, **common)
            return out[0]
        fn = cc.correlate2d if self.op == "correlate" else cc.convolve2d
        out = fn(x, k, padding_mode=mode, **common)
        return out + bias if bias else out

    def output_shape(self) -> tuple[int, int]:
        """(OH, OW) from conv_core's size rule."""
        (t, b), (left, r) = self.pads
        h, w = self.xa.shape[-2:]
        return tuple(
            cc.conv_output_size(n, k, s, p, d)
            for n, k, s, p, d in zip(
                (h, w),
                self.ka.shape[-2:],
                self.stride,
                ((t, b), (left, r)),
                self.dilation,
                strict=True,
            )
        )


# --------------------------------------------------------------------------- formatting


def _plain_number(v: Any) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() else f


def _num(v: Any, as_int: bool) -> str:
    f = float(v)
    if as_int or f.is_integer():
        return str(int(f))
    return repr(f)


def _literal(arr: np.ndarray, as_int: bool, indent: str = "    ") -> str:
    """A nested list literal, one row per line for 2D and 3D arrays."""
    if arr.ndim == 1:
        return "[" + ", ".join(_num(v, as_int) for v in arr) + "]"
    if arr.ndim == 2:
        rows = [indent + _literal(row, as_int) + "," for row in arr]
        return "[\n" + "\n".join(rows) + "\n" + indent[:-4] + "]"
    parts = [indent + _literal(ch, as_int, indent + "    ") + "," for ch in arr]
    return "[\n" + "\n".join(parts) + "\n" + indent[:-4] + "]"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _input_lines(cfg: SnippetConfig, lib: str) -> list[str]:
    """``x = ...`` and ``k = ...`` as NumPy arrays (every snippet starts from NumPy)."""
    dtype = "" if cfg.is_int else ", dtype=float"
    conv2d = cfg.op == "conv2d"
    lines = []
    if cfg.shape_only:
        lines.append(f"x = np.zeros({_shape(cfg.xa.shape)})  # only the sizes matter here")
        lines.append(f"k = np.zeros({_shape(cfg.ka.shape)})")
        return lines
    if cfg.image_file is not None:
        if conv2d:
            lines.append(f'img = Image.open("{cfg.image_file}").convert("RGB")  # your image')
            lines.append("x = np.asarray(img, dtype=float).transpose(2, 0, 1)  # (3, H, W)")
        else:
            lines.append(f'img = Image.open("{cfg.image_file}").convert("L")  # your image, grey')
            lines.append("x = np.asarray(img, dtype=float)  # (H, W)")
    else:
        what = "(C, H, W) input" if conv2d else "(H, W) input"
        lines.append(f"x = np.array({_literal(cfg.xa, cfg.is_int)}{dtype})  # {what}")
    if cfg.multi:
        what = _filters_text(cfg)
    else:
        what = "(C, KH, KW): one filter" if conv2d else "(KH, KW) kernel"
    lines.append(f"k = np.array({_literal(cfg.ka, cfg.is_int)}{dtype})  # {what}")
    return lines


def _filters_text(cfg: SnippetConfig) -> str:
    """``(N, C, KH, KW) = (2, 3, 3, 3): 2 filters``."""
    n = cfg.n_filters
    return f"(N, C, KH, KW) = {_shape(cfg.ka.shape)}: {n} filter{'s' if n > 1 else ''}"


def _bias_list(cfg: SnippetConfig) -> str:
    """The N biases as a list literal, ``[1, -2]``."""
    return _literal(cfg.biases, cfg.is_int)


def _pad_comment(cfg: SnippetConfig) -> str:
    (t, b), (left, r) = cfg.pads
    names = cc.PADDING_MODES[cfg.padding_mode]
    where = f"top {t}, bottom {b}, left {left}, right {r}"
    return f"# padding {where}: '{cfg.padding_mode}' (np.pad's '{names.numpy}')"


def _print_lines(
    cfg: SnippetConfig,
    shape: str,
    corner: str,
    whole: str,
    set_threshold: str,
    layers: tuple[str, str] = ("", ""),
) -> list[str]:
    """Lines printing the output in one framework's layout: ``shape`` (rows, cols) of a map,
    ``corner`` / ``whole`` the top-left corner / the whole map of filter ``{i}`` (templates),
    ``set_threshold`` the print-options call that shows every value of a large map, and
    ``layers`` the whole output's shape and its axes' names (printed with N > 1 filters,
    then every map labelled "filter 1", "filter 2", ...)."""
    n = cfg.n_filters
    if cfg.shape_only:
        if n > 1:
            return [f"print(tuple({layers[0]}))  # {layers[1]} of the output"]
        return [f"print(tuple({shape}))  # (rows, cols) of the output"]
    oh, ow = cfg.output_shape()
    # The libraries shorten arrays of more than 1000 numbers with '...'.
    lines = [f"{set_threshold}(threshold={oh * ow})"] if oh * ow > 1000 else []
    if cfg.image_file is not None:
        lines = []
    if n == 1:
        if cfg.image_file is not None:
            return [f"print(tuple({shape}))", f"print({corner.format(i=0)})  # top-left corner"]
        return [*lines, f"print({whole.format(i=0)})"]
    lines.append(f"print(tuple({layers[0]}))  # {layers[1]}")
    lines.append(f"for i in range({n}):  # one map per filter")
    lines.append('    print(f"filter {i + 1}:")')
    if cfg.image_file is not None:
        lines.append(f"    print({corner.format(i='i')})  # top-left corner")
    else:
        lines.append(f"    print({whole.format(i='i')})")
    return lines


def _numpy_print(cfg: SnippetConfig, out: str) -> list[str]:
    if cfg.multi:
        return _print_lines(
            cfg, f"{out}.shape[1:]", f"{out}[{{i}}, :{CORNER}, :{CORNER}]", f"{out}[{{i}}]",
            "np.set_printoptions", (f"{out}.shape", "(filters, rows, cols)"),
        )  # fmt: skip
    return _print_lines(
        cfg, f"{out}.shape", f"{out}[:{CORNER}, :{CORNER}]", out, "np.set_printoptions"
    )


def _np_pad_call(cfg: SnippetConfig, name: str, array: str) -> str:
    (t, b), (left, r) = cfg.pads
    width = f"(({t}, {b}), ({left}, {r}))"
    if cfg.op == "conv2d":
        width = f"((0, 0), ({t}, {b}), ({left}, {r}))"
    extra = ""
    if cfg.padding_mode == "constant":
        extra = f", constant_values={_num(cfg.value, cfg.is_int)}"
    return f'np.pad({array}, {width}, mode="{name}"{extra})'


# --------------------------------------------------------------------------- NumPy / SciPy


def _centred(cfg: SnippetConfig) -> bool:
    """The padding scipy's 'same' output uses: half the (odd) kernel reach on every side."""
    (t, b), (left, r) = cfg.pads
    sh, sw = cfg.spans
    return sh % 2 == 1 and sw % 2 == 1 and t == b == sh // 2 and left == r == sw // 2


def numpy_snippet(cfg: SnippetConfig) -> str:
    """NumPy/SciPy code printing conv_core's output for ``cfg`` (see the module text)."""
    names = cc.PADDING_MODES[cfg.padding_mode]
    conv2d = cfg.op == "conv2d"
    flip = cfg.op == "convolve"
    sr, sc = cfg.stride
    dr, dc = cfg.dilation
    (t, b), (left, r) = cfg.pads
    use_signal = _centred(cfg) and names.signal is not None
    use_ndimage = _centred(cfg) and not use_signal
    lib = "ndimage" if use_ndimage else "signal"
    lines = ["import numpy as np", f"from scipy import {lib}"]
    if cfg.image_file is not None and not cfg.shape_only:
        lines.append("from PIL import Image")
    lines += ["", *_input_lines(cfg, "numpy")]
    if cfg.has_bias and cfg.multi:
        lines.append(f"b = np.array({_bias_list(cfg)})  # bias: one per filter")
    elif cfg.has_bias:
        lines.append(f"b = {_num(cfg.biases[0], cfg.is_int)}  # bias")
    kname = "k"
    if (dr, dc) != (1, 1):
        sh, sw = cfg.spans
        zeros = _shape((*cfg.ka.shape[:-2], sh, sw))
        lines.append(f"# dilation {(dr, dc)}: the kernel's taps spread out, zeros between them")
        lines.append(f"kd = np.zeros({zeros}, dtype=k.dtype)")
        lines.append(f"kd[{':, ' * (cfg.ka.ndim - 2)}::{dr}, ::{dc}] = k")
        kname = "kd"
    fn = "convolve" if flip else "correlate"
    if use_signal or use_ndimage:
        if use_signal:
            extra = ""
            if cfg.padding_mode == "constant":
                extra = f", fillvalue={_num(cfg.value, cfg.is_int)}"
            call = f'signal.{fn}2d({{x}}, {{k}}, mode="same", boundary="{names.signal}"{extra})'
            lines.append(
                f"# padding {t} on each side of the rows, {left} of the columns, "
                f"'{cfg.padding_mode}': scipy.signal's boundary=\"{names.signal}\" "
                f"(np.pad's '{names.numpy}')"
            )
        else:
            call = f'ndimage.{fn}({{x}}, {{k}}, mode="{names.ndimage}")'
            lines.append(
                f"# padding {t} on each side of the rows, {left} of the columns, "
                f"'{cfg.padding_mode}': scipy.ndimage's mode=\"{names.ndimage}\" "
                f"(np.pad's '{names.numpy}')"
            )
        source = "x"
    else:
        call = f'signal.{fn}2d({{x}}, {{k}}, mode="valid")'
        if (t, b, left, r) != (0, 0, 0, 0):
            lines.append(_pad_comment(cfg))
            lines.append(f"xp = {_np_pad_call(cfg, names.numpy, 'x')}")
            source = "xp"
        else:
            source = "x"
    tail = ""
    if cfg.has_bias:
        tail = " + b[:, None, None]" if cfg.multi else " + b"
    plain = (sr, sc) == (1, 1) and not cfg.has_bias
    target = "out" if plain else "full"
    if cfg.multi:
        n, channels = cfg.ka.shape[:2]
        summed = call.format(x=f"{source}[c]", k=f"{kname}[f, c]")
        lines.append("# conv2d: for each filter, one 2D correlation per channel, added up")
        lines.append(f"{target} = np.stack([")
        lines.append(f"    sum({summed} for c in range({channels}))")
        lines.append(f"    for f in range({n})")
        lines.append(f"])  # ({n}, rows, cols): one map per filter")
    elif conv2d:
        channels = cfg.ka.shape[0]
        summed = call.format(x=f"{source}[c]", k=f"{kname}[c]")
        lines.append("# conv2d: one 2D correlation per channel, added up")
        lines.append(f"{target} = sum({summed} for c in range({channels}))")
    else:
        lines.append(f"{target} = {call.format(x=source, k=kname)}")
    if (sr, sc) != (1, 1):
        maps = ":, " if cfg.multi else ""
        lines.append(
            f"out = full[{maps}::{sr}, ::{sc}]{tail}  # stride {(sr, sc)}: the window steps "
            f"{sr} row(s), {sc} column(s)"
        )
    elif not plain:
        lines.append(f"out = full{tail}")
    lines += _numpy_print(cfg, "out")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- PyTorch


def torch_snippet(cfg: SnippetConfig) -> str:
    """PyTorch code printing conv_core's output for ``cfg``: ``F.conv2d``, then ``nn.Conv2d``."""
    names = cc.PADDING_MODES[cfg.padding_mode]
    conv2d = cfg.op == "conv2d"
    (t, b), (left, r) = cfg.pads
    h, w = cfg.xa.shape[-2:]
    sym = t == b and left == r
    has_pad = (t, b, left, r) != (0, 0, 0, 0)
    lines = ["import numpy as np", "import torch", "import torch.nn.functional as F"]
    if cfg.image_file is not None and not cfg.shape_only:
        lines.append("from PIL import Image")
    lines += ["", *_input_lines(cfg, "torch")]
    shape = "(1, C, H, W)" if conv2d else "(1, 1, H, W)"
    add = "[None]" if conv2d else "[None, None]"
    lines.append(f"x = torch.tensor(x, dtype=torch.float64){add}  # {shape}: a batch of one")
    if cfg.multi:
        lines.append(f"w = torch.tensor(k, dtype=torch.float64)  # {_filters_text(cfg)}")
    else:
        wshape = "(1, C, KH, KW)" if conv2d else "(1, 1, KH, KW)"
        lines.append(f"w = torch.tensor(k, dtype=torch.float64){add}  # {wshape}: one filter")
    if cfg.op == "convolve":
        lines.append(
            "w = torch.flip(w, dims=[2, 3])  # convolution flips the kernel; F.conv2d does not"
        )
    bias_arg = "None"
    if cfg.has_bias and cfg.multi:
        lines.append(
            f"b = torch.tensor({_bias_list(cfg)}, dtype=torch.float64)  # bias: one per filter"
        )
        bias_arg = "b"
    elif cfg.has_bias:
        lines.append(
            f"b = torch.tensor([{_num(cfg.biases[0], cfg.is_int)}], dtype=torch.float64)  # bias"
        )
        bias_arg = "b"
    # F.conv2d pads zeros, the same on both sides: anything else is padded first.
    conv_padding = (0, 0)
    source = "x"
    numpy_padded = False
    if cfg.padding_mode == "zeros" and sym:
        conv_padding = (t, left)
    elif has_pad:
        source = "xp"
        wraps = cfg.padding_mode == "circular" and (max(t, b) > h or max(left, r) > w)
        if names.torch_pad is None or wraps:
            numpy_padded = True
            if names.torch_pad is None:
                why = f"PyTorch has no '{cfg.padding_mode}' padding"
            else:
                why = "F.pad's 'circular' cannot wrap more than once around"
            lines.append(f"# {why}: pad with NumPy's '{names.numpy}' first")
            width = f"((0, 0), (0, 0), ({t}, {b}), ({left}, {r}))"
            lines.append(f'xp = torch.from_numpy(np.pad(x.numpy(), {width}, mode="{names.numpy}"))')
        else:
            extra = ""
            if cfg.padding_mode == "constant":
                extra = f", value={_num(cfg.value, False)}"
            lines.append(
                f"# padding top {t}, bottom {b}, left {left}, right {r}, '{cfg.padding_mode}'"
            )
            lines.append("# (F.pad lists the last axis first: left, right, top, bottom)")
            lines.append(f'xp = F.pad(x, ({left}, {r}, {t}, {b}), mode="{names.torch_pad}"{extra})')
    stride, dilation = _tuple(cfg.stride), _tuple(cfg.dilation)
    lines.append(
        f"out = F.conv2d({source}, w, {bias_arg}, stride={stride}, "
        f"padding={_tuple(conv_padding)}, dilation={dilation})"
    )
    lines += _torch_print(cfg, "out")
    # The same as a layer.
    lines += ["", "# The same as a layer: nn.Conv2d with these weights"]
    layer_mode = names.torch if sym and cfg.padding_mode != "constant" else None
    if numpy_padded:
        layer_mode = None  # padded with NumPy above: the layer takes the padded input
    if layer_mode is not None:
        layer_padding, layer_input = (t, left), "x"
    else:
        layer_padding, layer_input = (0, 0), source
        lines.append("# nn.Conv2d cannot pad this way itself: it takes the input padded above")
        layer_mode = "zeros"
    channels = cfg.ka.shape[-3] if conv2d else 1
    kh, kw = cfg.ka.shape[-2:]
    lines.append(
        f"conv = torch.nn.Conv2d(\n    {channels}, {cfg.n_filters}, ({kh}, {kw}), stride={stride}, "
        f"padding={_tuple(layer_padding)}, dilation={dilation},\n"
        f'    padding_mode="{layer_mode}", bias={cfg.has_bias}, dtype=torch.float64,\n)'
    )
    lines.append("with torch.no_grad():")
    lines.append("    conv.weight.copy_(w)")
    if cfg.has_bias:
        lines.append("    conv.bias.copy_(b)")
    lines.append(f"layer_out = conv({layer_input})")
    lines += _torch_print(cfg, "layer_out")
    return "\n".join(lines) + "\n"


def _tuple(pair: tuple[int, int]) -> str:
    return f"({pair[0]}, {pair[1]})"


def _torch_print(cfg: SnippetConfig, out: str) -> list[str]:
    return _print_lines(
        cfg, f"{out}.shape[2:]", f"{out}[0, {{i}}, :{CORNER}, :{CORNER}]", f"{out}[0, {{i}}]",
        "torch.set_printoptions", (f"{out}.shape[1:]", "(filters, rows, cols)"),
    )  # fmt: skip


# --------------------------------------------------------------------------- TensorFlow


def tf_padding(cfg: SnippetConfig) -> str | None:
    """'VALID' or 'SAME' when tf.nn.conv2d's own padding is conv_core's (zeros), else None."""
    if cfg.padding_mode not in ("zeros", "constant") or (
        cfg.padding_mode == "constant" and cfg.value != 0
    ):
        return None
    (t, b), (left, r) = cfg.pads
    if (t, b, left, r) == (0, 0, 0, 0):
        return "VALID"
    same = cc.resolve_padding(
        "same", cfg.xa.shape[-2:], cfg.ka.shape[-2:], cfg.stride, cfg.dilation
    )
    return "SAME" if same == cfg.pads else None


def tensorflow_snippet(cfg: SnippetConfig) -> str:
    """TensorFlow code printing conv_core's output for ``cfg`` (or saying what it lacks)."""
    names = cc.PADDING_MODES[cfg.padding_mode]
    conv2d = cfg.op == "conv2d"
    (t, b), (left, r) = cfg.pads
    h, w = cfg.xa.shape[-2:]
    sr, sc = cfg.stride
    dr, dc = cfg.dilation
    lines = ["import numpy as np", "import tensorflow as tf"]
    if cfg.image_file is not None and not cfg.shape_only:
        lines.append("from PIL import Image")
    lines += ["", *_input_lines(cfg, "tf")]
    kh, kw = cfg.ka.shape[-2:]
    channels = cfg.ka.shape[-3] if conv2d else 1
    filters = f"[{kh}, {kw}, {channels}, {cfg.n_filters}]"
    if conv2d:
        lines.append(
            "x = tf.constant(x.transpose(1, 2, 0)[None].astype(np.float64))  # (1, H, W, C)"
        )
        what = "(N, C, KH, KW)" if cfg.multi else "(C, KH, KW)"
        lines.append(
            f"# filters: [height, width, in channels, out channels] = {filters} (k is {what})"
        )
        order = "k.transpose(2, 3, 1, 0)" if cfg.multi else "k.transpose(1, 2, 0)[..., None]"
        lines.append(f"w = tf.constant({order}.astype(np.float64))")
    else:
        lines.append("x = tf.constant(x[None, :, :, None].astype(np.float64))  # (1, H, W, 1)")
        lines.append(f"# filters: [height, width, in channels, out channels] = {filters}")
        lines.append("w = tf.constant(k[:, :, None, None].astype(np.float64))")
    if cfg.op == "convolve":
        lines.append("w = w[::-1, ::-1]  # convolution flips the kernel; tf.nn.conv2d does not")
    both = (sr, sc) != (1, 1) and (dr, dc) != (1, 1)
    padding = tf_padding(cfg)
    if both and padding == "SAME":
        padding = None  # 'SAME' depends on the stride: pad explicitly, then stride 1 + slice
    source = "x"
    if padding is None:
        padding = "VALID"
        source = "xp"
        width = f"[[0, 0], [{t}, {b}], [{left}, {r}], [0, 0]]"
        fits = {"REFLECT": max(t, b) < h and max(left, r) < w,
                "SYMMETRIC": max(t, b) <= h and max(left, r) <= w}  # fmt: skip
        if names.tf is not None and fits.get(names.tf, True):
            extra = ""
            if cfg.padding_mode == "constant":
                extra = f", constant_values={_num(cfg.value, False)}"
            lines.append(
                f"# padding top {t}, bottom {b}, left {left}, right {r}, '{cfg.padding_mode}'"
            )
            lines.append(f'xp = tf.pad(x, {width}, mode="{names.tf}"{extra})')
        else:
            if names.tf is None:
                why = (
                    f"TensorFlow has no '{cfg.padding_mode}' padding "
                    "(tf.pad: CONSTANT, REFLECT, SYMMETRIC)"
                )
            else:
                why = f"tf.pad's {names.tf} cannot pad more than the input's size"
            lines.append(f"# No direct equivalent: {why}; pad with NumPy's '{names.numpy}'")
            lines.append(f'xp = tf.constant(np.pad(x.numpy(), {width}, mode="{names.numpy}"))')
    strides = "(1, 1)" if both else _tuple(cfg.stride)
    lines.append(
        f'out = tf.nn.conv2d({source}, w, strides={strides}, padding="{padding}", '
        f"dilations={_tuple(cfg.dilation)})"
    )
    if both:
        lines.append(
            f"out = out[:, ::{sr}, ::{sc}, :]  # TensorFlow takes strides > 1 or dilations > 1, "
            "not both: stride 1, then every s-th"
        )
    bias = _num(cfg.biases[0], cfg.is_int)
    if cfg.has_bias and cfg.multi:
        bias = "b"
        lines.append(f"b = np.array({_bias_list(cfg)}, dtype=np.float64)  # bias: one per filter")
        lines.append("out = out + b  # added along the last axis: map i gets b[i]")
    elif cfg.has_bias:
        lines.append(f"out = out + {bias}  # bias")
    lines += _tf_print(cfg, "out")
    lines += [""]
    keras = source == "x" and not both
    if keras:
        lines.append("# The same as a Keras layer")
        lines.append(
            f"layer = tf.keras.layers.Conv2D(\n    {cfg.n_filters}, ({kh}, {kw}), "
            f'strides={_tuple(cfg.stride)}, padding="{padding.lower()}", '
            f"dilation_rate={_tuple(cfg.dilation)},\n"
            f'    use_bias={cfg.has_bias}, dtype="float64",\n)'
        )
        lines.append(f"layer.build((1, {h}, {w}, {channels}))")
        if cfg.multi:
            weights = "[w.numpy(), b]" if cfg.has_bias else "[w.numpy()]"
        else:
            weights = f"[w.numpy(), np.array([{bias}])]" if cfg.has_bias else "[w.numpy()]"
        lines.append(f"layer.set_weights({weights})")
        lines.append("layer_out = layer(x)")
        lines += _tf_print(cfg, "layer_out")
    else:
        why = "it pads only 'valid' or 'same' with zeros"
        if both:
            why = "it takes strides > 1 or dilation_rate > 1, not both"
        lines.append(f"# tf.keras.layers.Conv2D: no direct equivalent ({why}); use tf.nn.conv2d")
    return "\n".join(lines) + "\n"


def _tf_print(cfg: SnippetConfig, out: str) -> list[str]:
    return _print_lines(
        cfg, f"{out}.shape[1:3]", f"{out}[0, :{CORNER}, :{CORNER}, {{i}}].numpy()",
        f"{out}[0, :, :, {{i}}].numpy()", "np.set_printoptions",
        (f"{out}.shape[1:]", "(rows, cols, filters): TensorFlow keeps the channels last"),
    )  # fmt: skip


def snippets(cfg: SnippetConfig) -> dict[str, str]:
    """The three snippets, keyed ``'torch'``, ``'numpy'``, ``'tensorflow'``."""
    return {
        "torch": torch_snippet(cfg),
        "numpy": numpy_snippet(cfg),
        "tensorflow": tensorflow_snippet(cfg),
    }
