"""The lecture's worked examples, kept as data the app loads as presets.

Each example is a :class:`Preset`: which operation it shows (``kind``), its
inputs and configuration under the argument names of the conv_core function
that computes it, and the ``expected`` result exactly as the lecture gives it.
The studio and concept pages list them with :func:`preset_names`; the tests
recompute every one with conv_core and with a brute-force loop.

* ``'correlate2d'``: ``conv.correlate2d``; inputs ``x``, ``kernel``; config ``stride``,
  ``padding``.
* ``'conv2d'``: ``conv.conv2d``, a CNN layer with a bias; inputs ``x`` of shape (C, H, W)
  or (H, W), ``weight`` of shape (C_out, C_in, KH, KW) or (KH, KW); config ``bias``,
  ``stride``, ``padding``.
* ``'pool2d'``: ``pooling.pool2d``; input ``x``; config ``kernel_size``, ``stride``, ``method``.
* ``'correlate1d'``: ``conv.correlate1d``; inputs ``x``, ``kernel``; config ``stride``, ``padding``.
* ``'output_size'``: ``shapes.conv_output_size``; inputs ``n``, ``kernel_size``; config
  ``stride``, ``padding``.
* ``'param_count'``: ``shapes.conv_param_count``; inputs ``kernel_size``, ``in_channels``,
  ``out_channels``; config ``bias``.
* ``'flatten_size'``: ``shapes.flatten_size``; input ``shape``.
* ``'conv_output_shape'``: ``shapes.conv_output_shape``; inputs ``input_shape`` (C, H, W),
  ``out_channels``, ``kernel_size``; config ``stride``, ``padding``.
* ``'weight_shape'``: ``shapes.conv_weight_shape``; inputs ``kernel_size``, ``in_channels``,
  ``out_channels``; config ``layout``.

So ``function(**preset.arguments)`` reproduces ``preset.expected``.

Notes
-----
The convolution examples are cross-correlations, as CNN layers compute them: the
filter is laid on the input as written, not flipped. The lecture's first example::

    input (6x6)            filter (3x3)     output (4x4)
    1 0 0 0 0 1            1 0 1            3 1 1 3
    0 1 0 0 1 0            0 1 0            1 2 3 0
    0 0 1 1 0 0            1 0 1            1 2 2 2
    1 0 0 0 1 0                             3 0 3 1
    0 1 0 0 1 0
    0 0 1 0 1 0

References
----------
Lecture notes, "Convolution": the worked examples, in the order they appear.
TensorFlow API documentation, ``tf.nn``, "Notes on padding": the 'SAME' rule; the
13-cell, 6-tap, stride-5 picture is from Stack Overflow question 37674306.

Examples
--------
>>> p = PRESETS["feature_map_6x6"]
>>> p.kind, p.expected[0].tolist()
('correlate2d', [3, 1, 1, 3])
>>> p.expected_first_step
'(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3'
>>> preset_names("pool2d")
['max_pool_2x2', 'avg_pool_2x2', 'max_pool_stride_3']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import check_choice

__all__ = ["PRESETS", "PRESET_KINDS", "Preset", "preset_names"]

#: What a preset can show, each computed by one conv_core function (see the module table).
PRESET_KINDS = (
    "correlate2d",
    "conv2d",
    "pool2d",
    "correlate1d",
    "output_size",
    "param_count",
    "flatten_size",
    "conv_output_shape",
    "weight_shape",
)


def _frozen_value(value: Any) -> Any:
    """Nested tuples/lists become read-only arrays (int64 when whole numbers); the rest stays."""
    if isinstance(value, (tuple, list, np.ndarray)):
        arr = np.array(value)
        if np.issubdtype(arr.dtype, np.integer):
            arr = arr.astype(np.int64)
        elif np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
        arr.setflags(write=False)
        return arr
    return value


@dataclass(frozen=True, eq=False)
class Preset:
    """One worked example of the lecture: inputs, configuration and the expected result.

    Attributes
    ----------
    name : str
        Stable id, such as ``'feature_map_6x6'``.
    kind : str
        One of :data:`PRESET_KINDS` ('correlate2d', 'conv2d', 'pool2d', 'correlate1d',
        'output_size', 'param_count', 'flatten_size', 'conv_output_shape', 'weight_shape').
        Which operation the example shows.
    title, description : str
        English display name and one-line description.
    inputs : mapping
        The data, under the computing function's argument names (``x``, ``kernel``,
        ``weight``; ``n``, ``kernel_size`` ...). Arrays are read-only, ``int64`` where
        the lecture's numbers are whole.
    config : mapping
        The settings (``stride``, ``padding``, ``bias``, ``method`` ...), same naming,
        as given (numbers, words and tuples).
    expected : ndarray or int
        The result as the lecture gives it, in the shape the function returns.
    expected_first_step : str or None
        The lecture's arithmetic for the first output cell, where it writes one out.
    expected_details : mapping
        Further numbers the lecture states (per-channel partial sums, the pooling
        windows, the 'SAME' padding, the weight count ...).
    title_key, description_key : str
        Translation keys: ``'presets.<name>.title'``, ``'presets.<name>.description'``.

    Examples
    --------
    >>> p = PRESETS["bias_diagonal"]
    >>> p.kind, p.inputs["weight"]
    ('conv2d', array([[10,  0],
           [ 0, 10]]))
    >>> dict(p.config), p.expected.tolist()
    ({'stride': 1, 'padding': 0, 'bias': 20}, [[220, 20], [20, 220]])
    >>> sorted(p.arguments)
    ['bias', 'padding', 'stride', 'weight', 'x']
    """

    name: str
    kind: str
    title: str
    description: str
    inputs: Mapping[str, Any]
    config: Mapping[str, Any]
    expected: Any
    expected_first_step: str | None = None
    expected_details: Mapping[str, Any] = field(default_factory=dict)
    title_key: str = field(init=False)
    description_key: str = field(init=False)

    def __post_init__(self) -> None:
        check_choice(self.kind, "kind", PRESET_KINDS)
        derived = {
            "inputs": MappingProxyType({k: _frozen_value(v) for k, v in self.inputs.items()}),
            # Settings stay as given: shapes.resolve_padding takes a tuple, not an array.
            "config": MappingProxyType(dict(self.config)),
            "expected": _frozen_value(self.expected),
            "expected_details": MappingProxyType(dict(self.expected_details)),
            "title_key": f"presets.{self.name}.title",
            "description_key": f"presets.{self.name}.description",
        }
        for attr, value in derived.items():
            object.__setattr__(self, attr, value)

    @property
    def arguments(self) -> dict[str, Any]:
        """``inputs`` and ``config`` together: the keyword arguments of the computing function."""
        return {**self.inputs, **self.config}

    def __repr__(self) -> str:
        return f"Preset({self.name!r}, kind={self.kind!r})"


def _pool_grid(windows: tuple[tuple[int, int, int, int], ...]) -> npt.NDArray[np.int64]:
    """The 4x4 grid whose 2x2 windows, in row-major order, hold these values (row-major)."""
    blocks = np.array(windows).reshape(2, 2, 2, 2)  # (window row, window col, row, col)
    return blocks.transpose(0, 2, 1, 3).reshape(4, 4)


_X6 = (
    (1, 0, 0, 0, 0, 1),
    (0, 1, 0, 0, 1, 0),
    (0, 0, 1, 1, 0, 0),
    (1, 0, 0, 0, 1, 0),
    (0, 1, 0, 0, 1, 0),
    (0, 0, 1, 0, 1, 0),
)
_DIAG10 = ((10, 0, 0), (0, 10, 0), (0, 0, 10))
# The same scribble with a border of zeros: the 5x5 grid the stride-3 examples slide over.
_DIAG10_PADDED = tuple(
    tuple(10 if (r == c and 0 < r < 4) else 0 for c in range(5)) for r in range(5)
)
_X5 = (
    (1, 1, 1, 0, 0),
    (0, 1, 1, 1, 0),
    (0, 0, 1, 1, 1),
    (0, 0, 1, 1, 0),
    (0, 1, 1, 0, 0),
)
_CROSS = ((1, 0, 1), (0, 1, 0), (1, 0, 1))
_POOL_WINDOWS = ((3, -1, -3, 1), (12, -1, 0, 1), (2, -3, 3, -2), (0, 1, 4, -1))
_RGB_PATCHES = (
    ((0, 0, 0), (0, 156, 155), (0, 153, 154)),
    ((0, 0, 0), (0, 167, 166), (0, 164, 165)),
    ((0, 0, 0), (0, 163, 162), (0, 160, 161)),
)
_RGB_FILTERS = (
    ((-1, -1, 1), (0, 1, -1), (0, 1, 1)),
    ((1, 0, 0), (1, -1, -1), (1, 0, -1)),
    ((0, 1, 1), (0, 1, 0), (1, -1, 1)),
)

_PRESET_LIST = (
    Preset(
        name="feature_map_6x6",
        kind="correlate2d",
        title="6×6 input, 3×3 filter",
        description=(
            "Slide a 3×3 filter over a 6×6 grid one cell at a time and add up the products: "
            "a 4×4 feature map."
        ),
        inputs={"x": _X6, "kernel": _CROSS},
        config={"stride": 1, "padding": 0},
        expected=((3, 1, 1, 3), (1, 2, 3, 0), (1, 2, 2, 2), (3, 0, 3, 1)),
        expected_first_step=(
            "(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3"
        ),
    ),
    Preset(
        name="feature_map_5x5",
        kind="correlate2d",
        title="5×5 input, 3×3 filter",
        description=(
            "The same X-shaped filter on a 5×5 image of ones and zeros: the first output is 4, "
            "a 3×3 feature map."
        ),
        inputs={"x": _X5, "kernel": _CROSS},
        config={"stride": 1, "padding": 0},
        expected=((4, 3, 4), (2, 4, 3), (2, 3, 4)),
        expected_first_step=(
            "(1×1) + (1×0) + (1×1) + (0×0) + (1×1) + (1×0) + (0×1) + (0×0) + (1×1) = 4"
        ),
    ),
    Preset(
        name="detector_diagonal",
        kind="correlate2d",
        title="Pattern detector: down-right diagonal (detected)",
        description=(
            "A diagonal scribble under a filter of the same diagonal, no bias: 200 where the "
            "window matches the filter, 0 elsewhere. The pattern is detected."
        ),
        inputs={"x": _DIAG10, "kernel": ((10, 0), (0, 10))},
        config={"stride": 1, "padding": 0},
        expected=((200, 0), (0, 200)),
        expected_details={"detected": True},
    ),
    Preset(
        name="detector_up_right",
        kind="correlate2d",
        title="Pattern detector: up-right diagonal (not detected)",
        description=(
            "The same scribble under the up-right filter [[0, 5], [3, 0]]: at most 50, never "
            "the strong match of the diagonal filter. Not detected."
        ),
        inputs={"x": _DIAG10, "kernel": ((0, 5), (3, 0))},
        config={"stride": 1, "padding": 0},
        expected=((0, 30), (50, 0)),
        expected_details={"detected": False},
    ),
    Preset(
        name="detector_horizontal",
        kind="correlate2d",
        title="Pattern detector: horizontal (not detected)",
        description=(
            "The same scribble under the horizontal filter [[2, 6], [0, 0]]: at most 60. "
            "Not detected."
        ),
        inputs={"x": _DIAG10, "kernel": ((2, 6), (0, 0))},
        config={"stride": 1, "padding": 0},
        expected=((20, 0), (60, 20)),
        expected_details={"detected": False},
    ),
    Preset(
        name="stride_3_skips_diagonal",
        kind="correlate2d",
        title="Stride 3 jumps over the diagonal",
        description=(
            "The scribble zero-padded to 5×5, the up-right filter [[0, 1], [1, 0]], stride 3 "
            "(x_stride = 3, y_stride = 3): (5 − 2)/3 + 1 = 2, a 2×2 output of zeros. The "
            "windows skip row and column 1 of the scribble, the diagonal's centre."
        ),
        inputs={"x": _DIAG10_PADDED, "kernel": ((0, 1), (1, 0))},
        config={"stride": (3, 3), "padding": 0},
        expected=((0, 0), (0, 0)),
        expected_details={
            "x_stride": 3,
            "y_stride": 3,
            "formula": "(5 − 2)/3 + 1 = 2",
            # rows/columns of the 5x5 grid no window covers: row 2 is the scribble's row 1
            "skipped_rows": (2,),
            "skipped_cols": (2,),
        },
    ),
    Preset(
        name="bias_diagonal",
        kind="conv2d",
        title="Filter and bias: diagonal",
        description=(
            "A 2×2 diagonal filter on a 3×3 diagonal input, then a bias of 20 added to "
            "every output."
        ),
        inputs={"x": _DIAG10, "weight": ((10, 0), (0, 10))},
        config={"stride": 1, "padding": 0, "bias": 20},
        expected=((220, 20), (20, 220)),
    ),
    Preset(
        name="bias_antidiagonal",
        kind="conv2d",
        title="Filter and bias: anti-diagonal",
        description=(
            "The same 3×3 input with the filter [[0, 5], [3, 0]] and a bias of 10: "
            "the filter is not flipped."
        ),
        inputs={"x": _DIAG10, "weight": ((0, 5), (3, 0))},
        config={"stride": 1, "padding": 0, "bias": 10},
        expected=((10, 40), (60, 10)),
    ),
    Preset(
        name="zero_padding_bias",
        kind="conv2d",
        title="Zero padding and bias",
        description=(
            "The 3×3 input with a border of zeros (padding 1), the filter [[0, 1], [1, 0]] "
            "and a bias of 10: a 4×4 output."
        ),
        inputs={"x": _DIAG10, "weight": ((0, 1), (1, 0))},
        config={"stride": 1, "padding": 1, "bias": 10},
        expected=(
            (10, 20, 10, 10),
            (20, 10, 20, 10),
            (10, 20, 10, 20),
            (10, 10, 20, 10),
        ),
    ),
    Preset(
        name="rgb_one_position",
        kind="conv2d",
        title="RGB input, one position",
        description=(
            "One 3×3 filter per colour channel; the three channel sums and the bias add up "
            "to a single output value."
        ),
        inputs={
            # The top-left window of a 1-padded image: row 0 and column 0 are padding.
            "x": _RGB_PATCHES,
            "weight": (_RGB_FILTERS,),
        },
        config={"bias": (1,), "stride": 1, "padding": 0},
        expected=(((-25,),),),
        expected_details={
            "channels": ("red", "green", "blue"),
            "channel_sums": (308, -498, 164),
            "total": -26,
            "bias": 1,
        },
    ),
    Preset(
        name="max_pool_2x2",
        kind="pool2d",
        title="2×2 max pooling, stride 2",
        description="Keep the largest value of each non-overlapping 2×2 window.",
        inputs={"x": _pool_grid(_POOL_WINDOWS)},
        config={"kernel_size": 2, "stride": 2, "method": "max"},
        expected=((3, 12), (3, 4)),
        expected_details={"windows": _POOL_WINDOWS},
    ),
    Preset(
        name="avg_pool_2x2",
        kind="pool2d",
        title="2×2 average pooling, stride 2",
        description="Keep the mean of each non-overlapping 2×2 window.",
        inputs={"x": _pool_grid(_POOL_WINDOWS)},
        config={"kernel_size": 2, "stride": 2, "method": "avg"},
        expected=((0.0, 3.0), (0.0, 1.0)),
        expected_details={"windows": _POOL_WINDOWS},
    ),
    Preset(
        name="max_pool_stride_3",
        kind="pool2d",
        title="2×2 max pooling, stride 3",
        description=(
            "The zero-padded 5×5 scribble, 2×2 windows three cells apart: (5 − 2)/3 + 1 = 2, "
            "and each window keeps its largest value."
        ),
        inputs={"x": _DIAG10_PADDED},
        config={"kernel_size": 2, "stride": 3, "method": "max"},
        expected=((10, 0), (0, 10)),
        expected_details={"formula": "(5 − 2)/3 + 1 = 2"},
    ),
    Preset(
        name="smoothing_1d",
        kind="correlate1d",
        title="1D smoothing",
        description=(
            "A 3-tap smoothing filter [0.25, 0.5, 0.25] over a constant signal leaves it "
            "unchanged: the weights sum to 1."
        ),
        inputs={"x": (1, 1, 1, 1, 1), "kernel": (0.25, 0.5, 0.25)},
        config={"stride": 1, "padding": 0},
        expected=(1.0, 1.0, 1.0),
    ),
    Preset(
        name="output_size_padding",
        kind="output_size",
        title="Output size with padding",
        description="A 4×4 input, a 3×3 filter, padding 1 and stride 1 keep the size: 4×4.",
        inputs={"n": 4, "kernel_size": 3},
        config={"stride": 1, "padding": 1},
        expected=4,
        expected_details={"formula": "(4 + 2·1 - 3)/1 + 1 = 4"},
    ),
    Preset(
        name="output_size_tf_same",
        kind="output_size",
        title="TensorFlow 'SAME' padding with stride",
        description=(
            "13 cells, a 6-tap kernel, stride 5, 'SAME': ceil(13 / 5) = 3 outputs, with 1 "
            "cell of padding before and 2 after."
        ),
        inputs={"n": 13, "kernel_size": 6},
        config={"stride": 5, "padding": "same"},
        expected=3,
        expected_details={"padding": (1, 2), "formula": "ceil(13 / 5) = 3"},
    ),
    Preset(
        name="param_count_3x3_3_to_128",
        kind="param_count",
        title="Parameters of a 3×3 convolution",
        description=(
            "A 3×3 convolution from 3 to 128 channels: 3·3·3·128 = 3456 weights, plus 128 "
            "biases = 3584 parameters."
        ),
        inputs={"kernel_size": 3, "in_channels": 3, "out_channels": 128},
        config={"bias": True},
        expected=3584,
        expected_details={"weights": 3456, "biases": 128},
    ),
    Preset(
        name="flatten_48x48_rgb",
        kind="flatten_size",
        title="A 48×48 RGB image, flattened",
        description=(
            "Laid out as one vector for a dense layer, a 48×48×3 image is 48·48·3 = 6,912 "
            "inputs, and neighbouring pixels end up far apart."
        ),
        inputs={"shape": (48, 48, 3)},
        config={},
        expected=6912,
        expected_details={"formula": "48 · 48 · 3 = 6,912"},
    ),
    Preset(
        name="depth_10_filters",
        kind="conv_output_shape",
        title="10 filters give depth 10",
        description=(
            "A 32×32×3 image through 10 filters of 5×5×3: each filter spans all three "
            "channels and makes one map, so the output is 28×28×10."
        ),
        inputs={"input_shape": (3, 32, 32), "out_channels": 10, "kernel_size": 5},
        config={"stride": 1, "padding": 0},
        expected=(10, 28, 28),
        expected_details={"depth": 10, "hwc": (28, 28, 10)},
    ),
    Preset(
        name="tf_filter_3x3x1x32",
        kind="weight_shape",
        title="A TensorFlow filter of shape [3, 3, 1, 32]",
        description=(
            "tf.nn.conv2d stores filters as [height, width, in channels, out channels]: "
            "32 filters of 3×3 on a 1-channel image, 288 weights (PyTorch: 32×1×3×3)."
        ),
        inputs={"kernel_size": 3, "in_channels": 1, "out_channels": 32},
        config={"layout": "tensorflow"},
        expected=(3, 3, 1, 32),
        expected_details={"pytorch": (32, 1, 3, 3), "weights": 288},
    ),
)

#: Every preset by name, in the lecture's order.
PRESETS: dict[str, Preset] = {p.name: p for p in _PRESET_LIST}


def preset_names(kind: str | None = None) -> list[str]:
    """The preset names in the lecture's order, optionally only those of one ``kind``.

    Parameters
    ----------
    kind : str, optional
        One of :data:`PRESET_KINDS` (``'correlate2d'``, ``'conv2d'``, ``'pool2d'``, ...): only
        presets of this kind. Default: all.

    Returns
    -------
    list of str

    Raises
    ------
    ArgumentError
        An unknown ``kind`` (the message lists the kinds).

    Notes
    -----
    The conv2d preset's filters, one per channel (red, green, blue)::

        -1 -1  1     1  0  0     0  1  1
         0  1 -1     1 -1 -1     0  1  0
         0  1  1     1  0 -1     1 -1  1

    Examples
    --------
    >>> preset_names("conv2d")
    ['bias_diagonal', 'bias_antidiagonal', 'zero_padding_bias', 'rgb_one_position']
    >>> len(preset_names())
    20
    """
    if kind is None:
        return list(PRESETS)
    kind = check_choice(kind, "kind", PRESET_KINDS)
    return [name for name, p in PRESETS.items() if p.kind == kind]
