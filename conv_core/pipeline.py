"""One convolution layer on a photo, stage by stage: convolution → bias → activation → pooling.

The Image Filter Lab shows what a CNN layer does to a real picture. :func:`run_pipeline`
runs the four stages the lecture draws and keeps the maps after each, with their shapes
``H×W×C`` and the output-size rule with its numbers; :func:`pixel_step` explains one
output pixel with the lecture's arithmetic, and :func:`pool_window` shows the window a
pooled pixel came from.

Three colour modes (``color_mode``):

=========  ======================  =============================================  ==========
mode       image                   each filter                                    C
=========  ======================  =============================================  ==========
'gray'     (H, W)                  one (KH, KW) kernel → one feature map          F
'cnn'      (H, W, 3)               one (3, KH, KW) filter (a kernel per colour    F
                                   channel): the three per-channel maps are
                                   summed and the bias added → one feature map
'photo'    (H, W, 3)               the same (KH, KW) kernel on each colour        3F
                                   channel (depthwise) → one colour image
=========  ======================  =============================================  ==========

Everything is float32 (a 12 MP photo as ``conv_core.image_io`` loads it costs 144 MB; in
float64 it would be twice that) and in the lecture's 0-255 units. The convolutions go
through ``conv_core``'s own engine (``conv_core._fastconv``: shifted slices, two 1D passes
for a separable kernel, im2col + matmul for several filters, FFT for large kernels), so a
12 MP photo with 8 filters takes about as long as one ``conv2d_hwc`` layer of the same
size. A stage that changes nothing (no bias, activation 'none', pool 'none') keeps the
previous stage's array object, not a copy.

References
----------
Lecture notes, "Convolution": the RGB example (three channel sums plus the bias).
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from . import _fastconv
from ._checks import Pair, as_array, check_array, check_choice
from .activations import leaky_relu, sigmoid, tanh
from .conv import CONV_PADDING_MODES, _check_bias, _geometry, _run
from .errors import ArgumentError
from .pooling import _check_pool_args, pool2d
from .shapes import ConvOutputSize, PaddingSpec, conv_output_size_detail
from .trace import Step, trace_conv2d

__all__ = [
    "ACTIVATIONS",
    "COLOR_MODES",
    "POOLS",
    "PipelineResult",
    "Stage",
    "pixel_step",
    "pool_window",
    "run_pipeline",
]

#: How a colour image meets the filters: one grey channel, the CNN way (one 3-channel
#: filter, channel sums added), or the photo-editing way (the kernel on each channel).
COLOR_MODES = ("gray", "cnn", "photo")
#: The activations the pipeline offers (``torch.nn.functional`` names; 'none' skips it).
ACTIVATIONS = ("none", "relu", "leaky_relu", "sigmoid", "tanh")
#: The pooling choices ('none' skips it).
POOLS = ("none", "max", "avg")

#: The stage names, in order.
STAGE_NAMES = ("conv", "bias", "activation", "pool")

# Elements per block when an activation is applied block by block (256 KB of float32:
# measured on 12 MP x 8 maps, 64 Ki-element blocks were as fast as or faster than
# 256 Ki-4 Mi for leaky_relu and sigmoid).
_ACTIVATION_BLOCK = 1 << 16


@dataclass(frozen=True)
class Stage:
    """The maps after one stage of the pipeline.

    Attributes
    ----------
    name : {'conv', 'bias', 'activation', 'pool'}
        'conv' is after the convolution, before the bias.
    maps : ndarray of shape (F, H, W), or (F, H, W, 3) for 'photo', dtype float32
        One map per filter ('photo': one colour image per filter). For 'photo' it is a
        view of a channels-first (F, 3, H, W) array: ``maps[f]`` is an (H, W, 3) image,
        not C-contiguous (``np.ascontiguousarray`` if a library needs that).
    shape : (H, W, C)
        As the lecture writes it: ``C = F`` ('gray', 'cnn') or ``3F`` ('photo').
    skipped : bool
        The stage changed nothing (no bias or an all-zero bias, activation 'none', pool
        'none'): ``maps`` is the previous stage's array object itself.
    """

    name: str
    maps: npt.NDArray[np.float32]
    shape: tuple[int, int, int]
    skipped: bool = False


@dataclass(frozen=True)
class PipelineResult:
    """Every stage of :func:`run_pipeline`, with the output sizes and their formulas.

    Attributes
    ----------
    stages : tuple of Stage
        Always four, in order: 'conv', 'bias', 'activation', 'pool'. A skipped stage
        repeats the previous maps (the same array object).
    channel_maps : ndarray of shape (F, 3, H, W) and dtype float32, or None
        'cnn' only (and only with ``channel_maps=True``): the partial map of each colour
        channel (R, G, B) of each filter; ``channel_maps.sum(axis=1) + bias`` is the
        feature map after the bias.
    conv_rows, conv_cols : ConvOutputSize
        The convolution's output size along rows and columns
        (:func:`conv_core.shapes.conv_output_size_detail`); ``.formula()`` writes it out.
    pool_rows, pool_cols : ConvOutputSize or None
        The pooling's, None when ``pool='none'``. With ``ceil_mode`` the size is the
        rounded-up one (the formula then ends ``= 5/2 → 3``).
    """

    stages: tuple[Stage, ...]
    channel_maps: npt.NDArray[np.float32] | None
    conv_rows: ConvOutputSize
    conv_cols: ConvOutputSize
    pool_rows: ConvOutputSize | None
    pool_cols: ConvOutputSize | None

    @property
    def result(self) -> Stage:
        """The last stage ('pool'; the activation's maps again when ``pool='none'``)."""
        return self.stages[-1]

    def stage(self, name: str) -> Stage:
        """The stage called ``name`` ('conv', 'bias', 'activation' or 'pool')."""
        check_choice(name, "name", STAGE_NAMES)
        return self.stages[STAGE_NAMES.index(name)]


# --------------------------------------------------------------------------- checks


class _Setup(NamedTuple):
    """The checked arguments of one convolution stage."""

    color_mode: str
    image: npt.NDArray[Any]  # (H, W) or (H, W, 3), as given (not converted)
    weight: npt.NDArray[np.float32]  # (F, Cw, KH, KW): Cw = 3 for 'cnn', else 1
    bias: npt.NDArray[np.float32] | None  # (F,), None when not given
    geo: _fastconv.Geometry
    padding_mode: str

    @property
    def n_filters(self) -> int:
        return int(self.weight.shape[0])


def _check_ndim(arr: npt.NDArray[Any], arg: str, ok: bool, expected: str) -> None:
    if not ok:
        raise ArgumentError("bad_ndim", arg=arg, expected=expected, shape=arr.shape)


def _check_image(image: Any, color_mode: str, *, finite: bool) -> npt.NDArray[Any]:
    arr = as_array(image, "image")
    arr = check_array(arr, "image", (arr.ndim,), finite=False)  # numeric and not empty
    if color_mode == "gray":
        _check_ndim(arr, "image", arr.ndim == 2, "2D (H, W)")
    else:
        _check_ndim(arr, "image", arr.ndim == 3 and arr.shape[2] == 3, "3D (H, W, 3)")
    if finite:
        check_array(arr, "image", (arr.ndim,))
    return arr


def _check_filters(filters: Any, color_mode: str, image_shape: tuple[int, ...]) -> Any:
    """Filters as a float32 (F, Cw, KH, KW) array (Cw = 3 for 'cnn', else 1)."""
    w = as_array(filters, "filters")
    w = check_array(w, "filters", (w.ndim,))
    if color_mode != "cnn":
        _check_ndim(w, "filters", w.ndim == 3, "3D (F, KH, KW)")
        return w.astype(np.float32)[:, None]
    _check_ndim(w, "filters", w.ndim in (3, 4), "3D (F, KH, KW) or 4D (F, 3, KH, KW)")
    if w.ndim == 3:  # the same kernel on all three channels
        return np.repeat(w.astype(np.float32)[:, None], 3, axis=1)
    if w.shape[1] != 3:
        raise ArgumentError(
            "conv_channel_mismatch", arg="image", got=3, per_group=w.shape[1], groups=1,
            expected=w.shape[1], x_shape=image_shape, w_shape=w.shape,
        )  # fmt: skip
    return w.astype(np.float32)


def _prepare(
    image: Any,
    filters: Any,
    bias: Any,
    color_mode: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    padding_mode: Any,
    *,
    finite: bool,
) -> _Setup:
    color_mode = check_choice(color_mode, "color_mode", COLOR_MODES)
    arr = _check_image(image, color_mode, finite=finite)
    weight = _check_filters(filters, color_mode, arr.shape)
    n_filters = weight.shape[0]
    b = _check_bias(bias, n_filters, scalar_ok=True)
    if b is not None:
        b = np.broadcast_to(b.astype(np.float32), (n_filters,)).copy()
    mode = check_choice(padding_mode, "padding_mode", CONV_PADDING_MODES)
    geo = _geometry(arr.shape[:2], weight.shape[2:], stride, padding, dilation, mode)
    return _Setup(color_mode, arr, weight, b, geo, mode)


def _check_index(value: Any, arg: str, n: int) -> int:
    """An int in ``0..n-1`` (the trace module's key and message)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < n:
        raise ArgumentError("trace_index_out_of_range", arg=arg, last=n - 1, value=value)
    return int(value)


def _size_details(geo: _fastconv.Geometry) -> tuple[ConvOutputSize, ConvOutputSize]:
    return tuple(
        conv_output_size_detail(n, k, s, p, d)
        for n, k, s, p, d in zip(
            geo.in_hw, geo.kernel_hw, geo.stride, geo.pads, geo.dilation, strict=True
        )
    )


# --------------------------------------------------------------------------- stages


def _convolve(
    setup: _Setup, keep_channel_maps: bool
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
    """The convolution stage: (F, H', W') maps, or (F, 3, H', W') for 'photo'.

    Each call of the engine sees one input channel (or all three for 'cnn' without
    channel maps) and all F filters at once, so it can pick im2col + one matmul for
    several filters, two 1D passes for one separable kernel, or FFT for a large one.
    """
    geo, mode = setup.geo, setup.padding_mode
    f32 = np.dtype(np.float32)
    n_filters = setup.n_filters
    ho, wo = geo.out_hw
    image = np.asarray(setup.image, dtype=np.float32)  # no copy for float32 photos
    if setup.color_mode == "gray":
        out = np.empty((n_filters, ho, wo), f32)
        _run(image[None], setup.weight, geo, mode, f32, out, "auto")
        return out, None
    # (3, H, W) view of the channels-last image; the engine copies strips as it reads.
    channels = image.transpose(2, 0, 1)
    if setup.color_mode == "cnn" and not keep_channel_maps:
        out = np.empty((n_filters, ho, wo), f32)
        _run(channels, setup.weight, geo, mode, f32, out, "auto")
        return out, None
    # One colour channel at a time, into [:, c] of an (F, 3, H', W') array: 'photo' (the
    # same kernel on each channel) or 'cnn' with its per-channel partial maps.
    per_channel = np.empty((n_filters, 3, ho, wo), f32)
    for c in range(3):
        weight = setup.weight[:, c : c + 1] if setup.color_mode == "cnn" else setup.weight
        _run(channels[c : c + 1], weight, geo, mode, f32, per_channel[:, c], "auto")
    if setup.color_mode == "photo":
        return per_channel, None
    out = np.add(per_channel[:, 0], per_channel[:, 1])
    out += per_channel[:, 2]  # (R + G) + B, in the lecture's order
    return out, per_channel


def _add_bias(maps: npt.NDArray[np.float32], bias: npt.NDArray[np.float32]) -> Any:
    shape = (-1,) + (1,) * (maps.ndim - 1)  # one value per filter, on every channel/pixel
    return np.add(maps, bias.reshape(shape))


def _activate(maps: npt.NDArray[np.float32], activation: str, negative_slope: float) -> Any:
    """The activation into one new array, without full-size temporaries."""
    if activation == "relu":
        # conv_core.relu's formula, max(x, 0), in one pass over the maps.
        return np.maximum(maps, maps.dtype.type(0))
    # conv_core's own functions block by block: each makes a few temporaries (a mask, a
    # product), which stay small (and in cache) on blocks while a 12 MP x 8 stack
    # (384 MB) is processed.
    funcs = {
        "leaky_relu": lambda x: leaky_relu(x, negative_slope),
        "sigmoid": sigmoid,
        "tanh": tanh,
    }
    func = funcs[activation]
    out = np.empty_like(maps)
    src, dst = maps.reshape(-1), out.reshape(-1)
    for start in range(0, src.size, _ACTIVATION_BLOCK):
        block = slice(start, start + _ACTIVATION_BLOCK)
        dst[block] = func(src[block])
    return out


def _pool_details(
    conv_hw: tuple[int, int], pool_args: Any
) -> tuple[ConvOutputSize, ConvOutputSize]:
    g = pool_args.geometry
    details = []
    for axis in (0, 1):
        floor = conv_output_size_detail(conv_hw[axis], g.k[axis], g.s[axis], 0, g.d[axis])
        size = g.out_hw[axis]
        if size != floor.size:  # ceil_mode kept a last, partial window
            floor = dataclasses.replace(floor, size=size, unvisited=0)
        details.append(floor)
    return details[0], details[1]


def _check_slope(activation: str, negative_slope: Any) -> None:
    if activation == "leaky_relu":
        # leaky_relu's own check of negative_slope (one rule, one message), on one number.
        leaky_relu(np.zeros(1, np.float32), negative_slope)


def run_pipeline(
    image: npt.ArrayLike,
    filters: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    *,
    color_mode: str = "gray",
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
    activation: str = "none",
    negative_slope: float = 0.01,
    pool: str = "none",
    pool_size: Pair = 2,
    pool_stride: Pair | None = None,
    ceil_mode: bool = False,
    channel_maps: bool = True,
) -> PipelineResult:
    """Convolution → bias → activation → pooling on an image, keeping every stage.

    Parameters
    ----------
    image : ndarray of shape (H, W) for 'gray', (H, W, 3) for 'cnn' and 'photo'
        0-255 values (float32 as ``conv_core.load_image`` returns; other dtypes are
        converted to float32 once).
    filters : ndarray of shape (F, KH, KW), or (F, 3, KH, KW) for 'cnn'
        F filters. For 'cnn' a (F, 3, KH, KW) array gives each output map its own kernel
        per colour channel; (F, KH, KW) uses the same kernel on all three.
    bias : float or ndarray of shape (F,), optional
        Added to every pixel of each filter's map ('photo': to each colour channel).
        Default None (no bias).
    color_mode : {'gray', 'cnn', 'photo'}, optional
        Default 'gray'; see the module's table.
    stride, dilation : int or (rows, cols), optional
        Default 1, as :func:`conv_core.conv.conv2d`.
    padding : int, (ph, pw), ((top, bottom), (left, right)), {'valid', 'same', 'full'}, optional
        Default 0, as :func:`conv_core.conv.conv2d`.
    padding_mode : {'zeros', 'replicate', 'reflect', 'symmetric', 'circular'}, optional
        What fills the padding (default 'zeros').
    activation : {'none', 'relu', 'leaky_relu', 'sigmoid', 'tanh'}, optional
        Default 'none'.
    negative_slope : float, optional
        The slope of 'leaky_relu' for negative values (default 0.01).
    pool : {'none', 'max', 'avg'}, optional
        Default 'none'.
    pool_size : int or (rows, cols), optional
        The pooling window (default 2).
    pool_stride : int or (rows, cols), optional
        Default ``pool_size`` (windows side by side).
    ceil_mode : bool, optional
        Keep a last, partial pooling window at the bottom/right (default False).
    channel_maps : bool, optional
        'cnn' only: also keep the per-channel partial maps (default True). They cost three
        times the feature maps' memory (12 MP with 8 filters: 1.15 GB); a full-resolution
        run that does not show them should pass False.

    Returns
    -------
    PipelineResult
        ``stages`` 'conv', 'bias', 'activation', 'pool' with their maps and (H, W, C)
        shapes, ``channel_maps`` ('cnn'), and the output sizes with their formulas.

    Raises
    ------
    ArgumentError
        Before any computing: an unknown ``color_mode``/``activation``/``pool``/
        ``padding_mode``; an image or filters of the wrong shape (a colour image needs 3
        channels; a 'cnn' filter 3 kernels, ``conv_channel_mismatch``); a bias that is
        not one number or one per filter; non-finite values; a bad stride, dilation or
        padding; a kernel larger than the padded image or a pooling window larger than
        the map (``output_empty``, with the numbers); a non-number ``negative_slope``.

    See Also
    --------
    pixel_step : the arithmetic of one output pixel.
    pool_window : the window behind one pooled pixel.
    conv_core.conv.conv2d, conv_core.pooling.pool2d, conv_core.activations

    Notes
    -----
    'gray': ``conv[f, r, c] = sum_ij x_pad[r*sh + i*dh, c*sw + j*dw] * k[f, i, j]``.
    'cnn': ``conv[f] = R[f] + G[f] + B[f]``, each channel map the same sum over that
    channel with ``k[f, channel]`` (``channel_maps[f]`` holds R, G, B).
    'photo': ``conv[f, ..., ch]`` is channel ``ch`` correlated with ``k[f]``.
    Then ``bias[f]`` is added, the activation applied element by element and the maps
    pooled (max or mean of each window). Sizes, per axis:
    ``out = floor((n + before + after - dilation*(kernel_size - 1) - 1) / stride) + 1``
    for the convolution and ``floor_or_ceil((n - pool_size) / pool_stride) + 1`` for the
    pooling (with ``ceil_mode`` a last window that starts inside the map is kept).

    Examples
    --------
    A 4x4 step edge, a vertical-edge kernel, bias -1, ReLU and 2x2 max pooling:

    >>> x = np.array([[0, 0, 9, 9]] * 4)
    >>> k = np.array([[[-1, 1]]])  # one filter, 1x2
    >>> res = run_pipeline(x, k, bias=[-1], activation="relu", pool="max")
    >>> [(s.name, s.shape) for s in res.stages]
    [('conv', (4, 3, 1)), ('bias', (4, 3, 1)), ('activation', (4, 3, 1)), ('pool', (2, 1, 1))]
    >>> res.stage("bias").maps[0]
    array([[-1.,  8., -1.],
           [-1.,  8., -1.],
           [-1.,  8., -1.],
           [-1.,  8., -1.]], dtype=float32)
    >>> res.result.maps[0]
    array([[8.],
           [8.]], dtype=float32)
    >>> res.conv_cols.formula(), res.pool_cols.formula()
    ('(4 + 0 + 0 - 2) / 1 + 1 = 3', '(3 + 0 + 0 - 2) / 2 + 1 = 3/2 → 1')

    The CNN way on a 1x1 RGB image: three channel maps, their sum plus the bias:

    >>> rgb = np.array([[[10, 20, 30]]])
    >>> res = run_pipeline(rgb, [[[[1]], [[2]], [[-1]]]], bias=5, color_mode="cnn")
    >>> res.channel_maps[0, :, 0, 0], res.stage("bias").maps[0, 0, 0]
    (array([ 10.,  40., -30.], dtype=float32), np.float32(25.0))
    """
    activation = check_choice(activation, "activation", ACTIVATIONS)
    pool = check_choice(pool, "pool", POOLS)
    _check_slope(activation, negative_slope)
    setup = _prepare(
        image, filters, bias, color_mode, stride, padding, dilation, padding_mode, finite=True
    )
    pool_args = None
    if pool != "none":
        # Checked (sizes included) before the convolution runs, not after.
        pool_args = _check_pool_args(
            setup.geo.out_hw, pool_size, pool_stride, 0, pool, ceil_mode, True, 1
        )
    photo = setup.color_mode == "photo"
    n_filters = setup.n_filters

    conv, per_channel = _convolve(setup, bool(channel_maps))
    stages: list[tuple[str, Any, bool]] = [("conv", conv, False)]
    maps = conv
    if setup.bias is not None and np.any(setup.bias):
        maps = _add_bias(maps, setup.bias)
        stages.append(("bias", maps, False))
    else:
        stages.append(("bias", maps, True))
    if activation != "none":
        maps = _activate(maps, activation, negative_slope)
        stages.append(("activation", maps, False))
    else:
        stages.append(("activation", maps, True))
    pool_rows = pool_cols = None
    if pool_args is not None:
        ho, wo = setup.geo.out_hw
        pooled = pool2d(
            maps.reshape(-1, ho, wo), pool_size, pool_stride, method=pool, ceil_mode=ceil_mode
        )
        maps = pooled.reshape(maps.shape[:-2] + pooled.shape[-2:])
        stages.append(("pool", maps, False))
        pool_rows, pool_cols = _pool_details(setup.geo.out_hw, pool_args)
    else:
        stages.append(("pool", maps, True))

    views: dict[int, Any] = {}  # one view per array, so a skipped stage shares its object

    def shown(arr: Any) -> Any:
        if not photo:
            return arr
        if id(arr) not in views:
            views[id(arr)] = arr.transpose(0, 2, 3, 1)  # (F, 3, H, W) -> (F, H, W, 3)
        return views[id(arr)]

    channels = 3 * n_filters if photo else n_filters
    conv_rows, conv_cols = _size_details(setup.geo)
    return PipelineResult(
        stages=tuple(
            Stage(name, shown(arr), (int(arr.shape[-2]), int(arr.shape[-1]), channels), skipped)
            for name, arr, skipped in stages
        ),
        channel_maps=per_channel,
        conv_rows=conv_rows,
        conv_cols=conv_cols,
        pool_rows=pool_rows,
        pool_cols=pool_cols,
    )


# --------------------------------------------------------------------------- one pixel


def pixel_step(
    image: npt.ArrayLike,
    filters: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    *,
    filter_index: int,
    row: int,
    col: int,
    channel: int | None = None,
    color_mode: str = "gray",
    stride: Pair = 1,
    padding: PaddingSpec = 0,
    dilation: Pair = 1,
    padding_mode: str = "zeros",
) -> Step:
    """The arithmetic of one output pixel of :func:`run_pipeline`'s convolution and bias.

    Only the pixel's window is read (its padding filled by ``padding_mode``) and traced
    with :func:`conv_core.trace.trace_conv2d`, so it is instant on a 12 MP photo.

    Parameters
    ----------
    image, filters, bias
        As :func:`run_pipeline` (only the window must be finite).
    filter_index : int
        Which filter, ``0..F-1``.
    row, col : int
        The pixel in the convolution's output (``0..H'-1``, ``0..W'-1``).
    channel : int, optional
        'photo' only, and required there: the colour channel 0, 1, 2 (R, G, B).
    color_mode, stride, padding, dilation, padding_mode
        As :func:`run_pipeline`.

    Returns
    -------
    Step
        In the image's coordinates: ``rows``/``cols`` are the padded-image rows and
        columns the taps read, ``rows_orig``/``cols_orig`` the image's (-1 in the
        padding), ``pad_mask`` the taps in the padding; ``patch`` the values under the
        window ((3, KH, KW) for 'cnn', else (KH, KW)), ``products``, ``channel_sums``,
        ``total``, ``bias`` (None without a bias) and ``value``: the 'bias' stage's map at
        (row, col) (up to float32 rounding where the engine sums in another order:
        separable, im2col and FFT paths; exactly for integer values and kernels).
        ``out_index`` is ``(filter_index, row, col)``, or
        ``(3*filter_index + channel, row, col)`` for 'photo'; ``in_channels`` the colour
        channels read. :func:`conv_core.trace.format_step` writes it the lecture's way
        (for 'cnn' one line per channel, ``channel_names=("R", "G", "B")``).

    Raises
    ------
    ArgumentError
        What :func:`run_pipeline` refuses, an index out of range
        (``trace_index_out_of_range``), or a ``channel`` outside 'photo'.

    See Also
    --------
    run_pipeline, conv_core.trace.format_step

    Notes
    -----
    The window of output ``(r, c)`` covers padded cells ``(r*sh + i*dh, c*sw + j*dw)``;
    each is an image cell, or the padding ``padding_mode`` puts there.

    Examples
    --------
    >>> x = np.array([[1, 2, 3],
    ...               [4, 5, 6],
    ...               [7, 8, 9]])
    >>> k = np.array([[[0, 1],
    ...                [2, 0]]])
    >>> step = pixel_step(x, k, bias=10, filter_index=0, row=3, col=3, padding=1)
    >>> step.patch
    array([[9., 0.],
           [0., 0.]], dtype=float32)
    >>> step.rows_orig.tolist(), step.cols_orig.tolist(), step.value
    ([2, -1], [2, -1], 10.0)
    >>> from conv_core.trace import format_step
    >>> print(format_step(step))
    (9×0) + (0×1) + (0×2) + (0×0) = 0; 0 + 10 = 10
    """
    setup = _prepare(
        image, filters, bias, color_mode, stride, padding, dilation, padding_mode, finite=False
    )
    geo, mode = setup.geo, setup.padding_mode
    f = _check_index(filter_index, "filter_index", setup.n_filters)
    r = _check_index(row, "row", geo.out_hw[0])
    q = _check_index(col, "col", geo.out_hw[1])
    photo = setup.color_mode == "photo"
    if photo:
        ch = _check_index(channel, "channel", 3)
    elif channel is not None:
        raise ArgumentError("bad_choice", arg="channel", value=channel, choices="None")
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    (top, bottom), (left, right) = geo.pads
    h, w = geo.in_hw
    kh, kw = geo.kernel_hw
    rows = r * sh + dh * np.arange(kh)
    cols = q * sw + dw * np.arange(kw)
    # The image cell each tap reads (-1: zero padding), as the engine pads.
    src_r = _fastconv._index_map(h, top, bottom, mode)[rows]
    src_c = _fastconv._index_map(w, left, right, mode)[cols]
    taps = np.ix_(np.maximum(src_r, 0), np.maximum(src_c, 0))
    window = np.asarray(setup.image)[taps].astype(np.float32)  # as run_pipeline converts
    window[(src_r < 0)[:, None] | (src_c < 0)[None, :]] = 0
    check_array(window, "image", (window.ndim,))  # only this window has to be finite
    b = None if setup.bias is None else setup.bias[f : f + 1]
    if setup.color_mode == "cnn":
        x, weight = window.transpose(2, 0, 1), setup.weight[f : f + 1]  # (3, KH, KW), (1, 3, ...)
    else:
        x = window[..., ch] if photo else window
        weight = setup.weight[f, 0]
        b = None if b is None else b[0]
    step = trace_conv2d(x, weight, b).step(0)
    rows_orig = np.where((rows >= top) & (rows < top + h), rows - top, -1)
    cols_orig = np.where((cols >= left) & (cols < left + w), cols - left, -1)
    out_channel = 3 * f + ch if photo else f
    return dataclasses.replace(
        step,
        index=(out_channel * geo.out_hw[0] + r) * geo.out_hw[1] + q,
        out_index=(out_channel, r, q),
        rows=rows,
        cols=cols,
        rows_orig=rows_orig,
        cols_orig=cols_orig,
        pad_mask=(rows_orig < 0)[:, None] | (cols_orig < 0)[None, :],
        in_channels=(ch,) if photo else step.in_channels,
    )


def pool_window(
    maps_before_pool: npt.ArrayLike,
    filter_index: int,
    row: int,
    col: int,
    *,
    pool: str,
    pool_size: Pair,
    pool_stride: Pair | None = None,
    ceil_mode: bool = False,
    channel: int | None = None,
) -> tuple[npt.NDArray[Any], tuple[int, int]]:
    """The window behind one pooled pixel of :func:`run_pipeline`, and where it is.

    Parameters
    ----------
    maps_before_pool : ndarray of shape (F, H, W), or (F, H, W, 3) for 'photo'
        The maps the pooling read (the 'activation' stage's maps).
    filter_index : int
        Which map, ``0..F-1``.
    row, col : int
        The pooled pixel.
    pool : {'max', 'avg'}
    pool_size : int or (rows, cols)
    pool_stride : int or (rows, cols), optional
        Default ``pool_size``.
    ceil_mode : bool, optional
        As :func:`run_pipeline` (default False).
    channel : int, optional
        For (F, H, W, 3) maps, and required there: the colour channel 0, 1, 2.

    Returns
    -------
    values : ndarray of shape (kh, kw)
        The map's values under the window (a last ``ceil_mode`` window is cut at the
        map's edge, so it may be smaller than ``pool_size``).
    position : (int, int)
        'max': the (row, col) in the map of the maximum (the first in row-major order on
        ties, as ``pool2d(..., return_indices=True)``); 'avg': the window's top-left.

    Raises
    ------
    ArgumentError
        ``pool`` not 'max'/'avg', bad sizes, a window larger than the map, an index out of
        range, a missing or unexpected ``channel``.

    See Also
    --------
    run_pipeline, conv_core.pooling.pool2d

    Notes
    -----
    Pooled pixel ``(r, c)`` covers rows ``r*sh .. r*sh + kh - 1`` and columns
    ``c*sw .. c*sw + kw - 1`` of the map.

    Examples
    --------
    >>> maps = np.array([[[3, -1, 12, -1],
    ...                   [-3, 1, 0, 1],
    ...                   [2, -3, 0, 1],
    ...                   [3, -2, 4, -1]]])
    >>> values, where = pool_window(maps, 0, 1, 1, pool="max", pool_size=2)
    >>> values, where
    (array([[ 0,  1],
           [ 4, -1]]), (3, 2))
    >>> pool_window(maps, 0, 0, 0, pool="avg", pool_size=2)[1]
    (0, 0)
    """
    method = check_choice(pool, "pool", ("max", "avg"))
    arr = np.asarray(maps_before_pool)
    if arr.ndim not in (3, 4) or (arr.ndim == 4 and arr.shape[3] != 3):
        raise ArgumentError(
            "bad_ndim", arg="maps_before_pool", expected="(F, H, W) or (F, H, W, 3)",
            shape=arr.shape,
        )  # fmt: skip
    f = _check_index(filter_index, "filter_index", arr.shape[0])
    if arr.ndim == 4:
        plane = arr[f, :, :, _check_index(channel, "channel", 3)]
    elif channel is not None:
        raise ArgumentError("bad_choice", arg="channel", value=channel, choices="None")
    else:
        plane = arr[f]
    g = _check_pool_args(plane.shape, pool_size, pool_stride, 0, method, ceil_mode, True, 1)
    geometry = g.geometry
    r = _check_index(row, "row", geometry.out_hw[0])
    q = _check_index(col, "col", geometry.out_hw[1])
    r0, c0 = r * geometry.s[0], q * geometry.s[1]
    values = plane[r0 : r0 + geometry.k[0], c0 : c0 + geometry.k[1]].copy()
    if method == "avg":
        return values, (r0, c0)
    i, j = np.unravel_index(int(np.argmax(values)), values.shape)
    return values, (r0 + int(i), c0 + int(j))
