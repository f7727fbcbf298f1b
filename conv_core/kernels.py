r"""The kernel library: named filters with their meaning, and the kernel editor's parser.

Every kernel is a :class:`Kernel` record: its matrix, an English title and a
one-line explanation (with translation keys for both), and flags the display
needs (``signed``: outputs can be negative; ``separable``; ``normalised``: the
weights sum to 1). :data:`KERNELS` lists them for the UI; :func:`get_kernel`
builds one by name, with parameters for the blurs.

Kernels are applied by **cross-correlation**, as CNN layers and
``scipy.ndimage.correlate`` do: the output at a position is the sum of the
kernel times the window under it, with no flip (``conv_core.conv.correlate2d``).
A true convolution (flipped kernel) turns every sign convention below around.

Notes
-----
Rows go down and columns go right, as the image is displayed. The edge kernels
take the difference "right minus left" and "bottom minus top", so on an image
that gets brighter to the right, ``sobel_x`` is positive, as ``scipy.ndimage.sobel``
with ``axis=1`` and scikit-image's ``sobel_v`` are (scikit-image draws the kernel as
``1 0 -1`` because it applies it by true convolution, which flips it)::

    sobel_x            sobel_y
    -1   0   1         -1  -2  -1
    -2   0   2          0   0   0
    -1   0   1          1   2   1

Prewitt and Scharr follow the same convention with smoothing weights
``1 1 1`` and ``3 10 3`` instead of Sobel's ``1 2 1``.

The Laplacians are the discrete :math:`\nabla^2` (neighbours minus the centre,
as ``scipy.ndimage.laplace``): negative on a bright dot. The lecture's edge
kernel is their negative, available as ``'outline'``::

    laplacian_4        laplacian_8        outline
     0   1   0          1   1   1         -1  -1  -1
     1  -4   1          1  -8   1         -1   8  -1
     0   1   0          1   1   1         -1  -1  -1

The same slide blurs with a 7x7 kernel of whole numbers divided by their sum,
``'lecture_blur_7x7'`` (:data:`LECTURE_BLUR_7X7_WEIGHTS` / 1068)::

     0   0   0   5   0   0   0
     0   5  18  32  18   5   0
     0  18  64 100  64  18   0
     5  32 100 100 100  32   5
     0  18  64 100  64  18   0
     0   5  18  32  18   5   0
     0   0   0   5   0   0   0

Angles (motion blur, diagonal lines) are measured counter-clockwise from the
horizontal as the image is displayed: 45 degrees is ``/``, 135 degrees is ``\``::

    line_diagonal_45   line_diagonal_135  motion_blur(3, angle=45) * 3
    -1  -1   2          2  -1  -1          0   0   1
    -1   2  -1         -1   2  -1          0   1   0
     2  -1  -1         -1  -1   2          1   0   0

A kernel is ``signed`` when it has a negative weight: on 0-255 images an output
can then be negative (every zero-sum kernel has one). Unsigned kernels keep the
output in ``0 .. 255 * sum``.

References
----------
.. [1] R. C. Gonzalez and R. E. Woods, "Digital Image Processing", ch. 3 and 10.
.. [2] V. Powell, "Image Kernels Explained Visually", https://setosa.io/ev/image-kernels/

Examples
--------
>>> k = get_kernel("sobel_x")
>>> k.matrix
array([[-1,  0,  1],
       [-2,  0,  2],
       [-1,  0,  1]])
>>> k.signed, k.separable, k.normalised
(True, True, False)
>>> k.explain_key
'kernels.sobel_x.explain'
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ._checks import Pair, check_array, check_choice, check_int, check_pair
from ._separable import is_separable
from .errors import ArgumentError, register_messages

__all__ = [
    "CENTRE",
    "EDGE_DIFF",
    "EMBOSS",
    "IDENTITY",
    "KERNELS",
    "LAPLACIAN_4",
    "LAPLACIAN_8",
    "LECTURE_BLUR_7X7",
    "LECTURE_BLUR_7X7_WEIGHTS",
    "LINE_DIAGONAL_45",
    "LINE_DIAGONAL_135",
    "LINE_HORIZONTAL",
    "LINE_VERTICAL",
    "MAX_EDITOR_SIZE",
    "MAX_KERNEL_VALUE",
    "OUTLINE",
    "PREWITT_SMOOTH",
    "PREWITT_X",
    "PREWITT_Y",
    "SCHARR_SMOOTH",
    "SCHARR_X",
    "SCHARR_Y",
    "SECOND_DIFF",
    "SHARPEN",
    "SOBEL_SMOOTH",
    "SOBEL_X",
    "SOBEL_Y",
    "Kernel",
    "NormalisedKernel",
    "box_blur",
    "gaussian_blur",
    "get_kernel",
    "kernel_names",
    "motion_blur",
    "normalise_kernel",
    "parse_kernel",
    "parse_kernel_cell",
    "random_kernel",
    "unsharp_mask",
]

#: The kernel editor's largest kernel, per side (1x1 up to 7x7).
MAX_EDITOR_SIZE = 7
#: The largest magnitude a kernel editor cell may hold: with 0-255 inputs and up to
#: 49 taps the sums stay far inside int64 and float32, and no lesson needs more.
MAX_KERNEL_VALUE = 1_000_000
# Blur factories accept sizes up to this: enough for photos (a 15x15 Gaussian) while
# a size typed into a URL cannot allocate gigabytes.
_MAX_FACTORY_SIZE = 63

# The editor's error texts, in two families: with the cell's position (from
# parse_kernel) and without (parse_kernel_cell on its own).
_CELL_PROBLEMS = {
    "empty": "must not be empty: type a number such as 0, -1, 0.5 or 1/9",
    "not_number": "must be a number or a fraction such as 1/9, but got {text!r}",
    "not_finite": "must be a finite number, but got {text!r}",
    "zero_division": "must not divide by zero, but got {text!r}",
    "too_large": "must be between -{limit} and {limit}, but got {text!r}",
}
register_messages(
    {
        **{
            f"kernel_cell_{reason}": "kernel cell (row {row}, column {col}) " + tail
            for reason, tail in _CELL_PROBLEMS.items()
        },
        **{
            f"kernel_value_{reason}": "kernel value " + tail
            for reason, tail in _CELL_PROBLEMS.items()
        },
        "kernel_ragged": (
            "every kernel row must have the same number of cells, but row 1 has {first} "
            "and row {row} has {length}"
        ),
        "kernel_size_limits": (
            "a kernel must be between 1x1 and {limit}x{limit}, but got {rows}x{cols}"
        ),
        "kernel_not_grid": "{arg} must be a list of rows of cells, but got {value!r}",
        "kernel_size_not_odd": (
            "{arg} must be odd so that the kernel has a centre cell, but got {arg}={value!r}"
        ),
        "kernel_size_too_large": "{arg} must be at most {limit}, but got {arg}={value!r}",
        "kernel_param_not_number": "{arg} must be a finite number, but got {arg}={value!r}",
        "kernel_param_not_positive": "{arg} must be a positive number, but got {arg}={value!r}",
        "kernel_bad_param": (
            "kernel {name!r} has no parameter {param!r}; its parameters are: {allowed}"
        ),
        "kernel_bad_range": "low must be less than high, but got low={low!r} and high={high!r}",
    }
)


def _frozen(values: npt.ArrayLike, dtype: Any = None) -> npt.NDArray[Any]:
    """A read-only copy, so a shared constant or record cannot be changed by accident."""
    arr = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


# Parts the edge kernels are built from, as scikit-image builds its own:
# a difference across the edge times a smoothing along it.
#: Difference "right minus left" (or "bottom minus top" as a column).
EDGE_DIFF = _frozen([-1, 0, 1])
#: Sobel's smoothing along the edge: the middle row counts twice.
SOBEL_SMOOTH = _frozen([1, 2, 1])
#: Prewitt's smoothing: every row counts the same.
PREWITT_SMOOTH = _frozen([1, 1, 1])
#: Scharr's smoothing, chosen so that edge directions are more accurate.
SCHARR_SMOOTH = _frozen([3, 10, 3])
#: The second difference ``f[i-1] - 2 f[i] + f[i+1]``: a 1D Laplacian.
SECOND_DIFF = _frozen([1, -2, 1])
#: Only the middle tap.
CENTRE = _frozen([0, 1, 0])

#: Identity: ``[[0, 0, 0], [0, 1, 0], [0, 0, 0]]``.
IDENTITY = _frozen(np.outer(CENTRE, CENTRE))
#: Sobel x, right minus left: ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``.
SOBEL_X = _frozen(np.outer(SOBEL_SMOOTH, EDGE_DIFF))
#: Sobel y, bottom minus top: the transpose of Sobel x.
SOBEL_Y = _frozen(SOBEL_X.T)
#: Prewitt x: ``[[-1, 0, 1]] * 3`` rows.
PREWITT_X = _frozen(np.outer(PREWITT_SMOOTH, EDGE_DIFF))
#: Prewitt y: the transpose of Prewitt x.
PREWITT_Y = _frozen(PREWITT_X.T)
#: Scharr x: ``[[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]``.
SCHARR_X = _frozen(np.outer(SCHARR_SMOOTH, EDGE_DIFF))
#: Scharr y: the transpose of Scharr x.
SCHARR_Y = _frozen(SCHARR_X.T)
#: The 4-neighbour Laplacian ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` (neighbours minus centre).
#: It is the second difference across the rows plus the one down the columns.
LAPLACIAN_4 = _frozen(np.outer(CENTRE, SECOND_DIFF) + np.outer(SECOND_DIFF, CENTRE))
#: The 8-neighbour Laplacian ``[[1, 1, 1], [1, -8, 1], [1, 1, 1]]``.
LAPLACIAN_8 = _frozen(np.ones((3, 3), dtype=np.int64) - 9 * IDENTITY)
#: The lecture's edge kernel ``[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]``: minus ``LAPLACIAN_8``.
OUTLINE = _frozen(-LAPLACIAN_8)
#: The 7x7 blur of the lecture's slide (the one beside ``OUTLINE``), in whole numbers: a
#: rounded bell, 100 in the middle, falling to 5 at the edge of a disc. They sum to 1,068.
LECTURE_BLUR_7X7_WEIGHTS = _frozen(
    [
        [0, 0, 0, 5, 0, 0, 0],
        [0, 5, 18, 32, 18, 5, 0],
        [0, 18, 64, 100, 64, 18, 0],
        [5, 32, 100, 100, 100, 32, 5],
        [0, 18, 64, 100, 64, 18, 0],
        [0, 5, 18, 32, 18, 5, 0],
        [0, 0, 0, 5, 0, 0, 0],
    ],
    dtype=np.int64,
)
#: The slide's blur as applied: the weights divided by their sum (1,068), so they sum to 1.
LECTURE_BLUR_7X7 = _frozen(LECTURE_BLUR_7X7_WEIGHTS / LECTURE_BLUR_7X7_WEIGHTS.sum())
#: Sharpen ``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``: the identity minus ``LAPLACIAN_4``.
SHARPEN = _frozen(IDENTITY - LAPLACIAN_4)
#: Emboss ``[[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]``.
EMBOSS = _frozen([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
#: Horizontal line detector ``[[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]``.
#: A thin bright line is where the second difference across it is most negative.
LINE_HORIZONTAL = _frozen(np.outer(-SECOND_DIFF, PREWITT_SMOOTH))
#: Vertical line detector: the transpose of the horizontal one.
LINE_VERTICAL = _frozen(LINE_HORIZONTAL.T)
#: Line detector for ``\`` (135 degrees): ``[[2, -1, -1], [-1, 2, -1], [-1, -1, 2]]``.
LINE_DIAGONAL_135 = _frozen(3 * np.eye(3, dtype=np.int64) - 1)
#: Line detector for ``/`` (45 degrees): ``LINE_DIAGONAL_135`` mirrored left-right.
LINE_DIAGONAL_45 = _frozen(LINE_DIAGONAL_135[:, ::-1])


@dataclass(frozen=True, eq=False)
class Kernel:
    """A named kernel with its matrix, its meaning and the flags the display needs.

    Only ``name``, ``title``, ``explanation``, ``matrix`` and ``params`` are given;
    the translation keys and the flags are derived from them, so they cannot disagree.

    Attributes
    ----------
    name : str
        Stable id, such as ``'sobel_x'``.
    title : str
        English display name.
    explanation : str
        English one-liner: what the kernel finds and why.
    matrix : ndarray of shape (KH, KW)
        Read-only. ``int64`` for integer kernels (so integer grids give exact
        integer results), ``float64`` for blurs.
    params : mapping
        The parameters a parametrised kernel was built with (``size``, ``sigma``, ...);
        empty for fixed kernels. Read-only.
    title_key, explain_key : str
        Translation keys: ``'kernels.<name>.title'``, ``'kernels.<name>.explain'``.
    signed : bool
        True when the matrix has a negative weight: outputs on 0-255 images can be
        negative (edge detectors, sharpen, emboss), so the display centres on 0.
    separable : bool
        True when the matrix is the outer product of a column and a row
        (:func:`conv_core._separable.is_separable`).
    normalised : bool
        True when the weights sum to 1 (within 1e-9): flat areas keep their value.

    Notes
    -----
    Two kernels are equal when their names, parameters and matrices are equal.

    Examples
    --------
    >>> k = Kernel("my_blur", "My blur", "Averages a pixel and its right neighbour.", [[1, 1]])
    >>> k.matrix
    array([[1, 1]])
    >>> k.title_key, k.signed, k.separable, k.normalised
    ('kernels.my_blur.title', False, True, False)
    """

    name: str
    title: str
    explanation: str
    matrix: npt.NDArray[Any]
    params: Mapping[str, Any] = field(default_factory=dict)
    title_key: str = field(init=False)
    explain_key: str = field(init=False)
    signed: bool = field(init=False)
    separable: bool = field(init=False)
    normalised: bool = field(init=False)

    def __post_init__(self) -> None:
        matrix = check_array(self.matrix, "matrix", (2,))
        if np.issubdtype(matrix.dtype, np.integer):
            matrix = matrix.astype(np.int64)
        else:
            matrix = matrix.astype(np.float64)
        derived = {
            "matrix": _frozen(matrix),
            "params": MappingProxyType(dict(self.params)),
            "title_key": f"kernels.{self.name}.title",
            "explain_key": f"kernels.{self.name}.explain",
            "signed": bool(matrix.min() < 0),
            "separable": is_separable(matrix),
            "normalised": bool(abs(float(matrix.sum()) - 1.0) <= 1e-9),
        }
        for attr, value in derived.items():
            object.__setattr__(self, attr, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Kernel):
            return NotImplemented
        return (
            self.name == other.name
            and dict(self.params) == dict(other.params)
            and self.matrix.shape == other.matrix.shape
            and bool(np.array_equal(self.matrix, other.matrix))
        )

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items())), self.matrix.tobytes()))

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        rows, cols = self.matrix.shape
        return f"Kernel({self.name!r}{params}, {rows}x{cols} {self.matrix.dtype})"


# Titles and explanations, one place for every kernel (the Korean texts live in
# assets/i18n under the same names).
_TEXTS: dict[str, tuple[str, str]] = {
    "identity": (
        "Identity",
        "Copies the input unchanged: only the centre weight is 1, so each output is the "
        "pixel under it.",
    ),
    "box_blur": (
        "Box blur",
        "Replaces each pixel by the plain average of its neighbourhood, smoothing noise "
        "and edges alike.",
    ),
    "gaussian_blur": (
        "Gaussian blur",
        "Averages the neighbourhood with bell-shaped weights, so near pixels count more "
        "and the blur looks smooth.",
    ),
    "motion_blur": (
        "Motion blur",
        "Averages along a line at the chosen angle, like a camera moving during the exposure.",
    ),
    "sharpen": (
        "Sharpen",
        "Five times the pixel minus its four neighbours: differences are boosted so edges "
        "look crisper, while flat areas stay the same because the weights sum to 1.",
    ),
    "unsharp_mask": (
        "Unsharp mask",
        "Adds back the difference between the image and its Gaussian blur, amplifying fine "
        "detail; the weights sum to 1, so flat areas stay the same.",
    ),
    "laplacian_4": (
        "Laplacian (4 neighbours)",
        "Second derivative: the four neighbours minus four times the centre, zero on flat "
        "areas and smooth ramps, strong at edges and dots.",
    ),
    "laplacian_8": (
        "Laplacian (8 neighbours)",
        "Second derivative with the diagonals too: the eight neighbours minus eight times "
        "the centre, zero on flat areas, strong at edges and dots.",
    ),
    "outline": (
        "Outline",
        "Eight times the pixel minus its eight neighbours: zero on flat areas and bright "
        "where a pixel differs from its surroundings, so outlines stand out.",
    ),
    "lecture_blur_7x7": (
        "Lecture blur (7×7)",
        "The slide's 7×7 blur: whole-number weights, 100 in the middle falling to 5 at the "
        "rim of a disc, divided by their sum 1,068 so flat areas keep their brightness.",
    ),
    "sobel_x": (
        "Sobel x (vertical edges)",
        "Responds to vertical edges: right minus left, with the middle row weighted twice; "
        "positive where the image gets brighter to the right.",
    ),
    "sobel_y": (
        "Sobel y (horizontal edges)",
        "Responds to horizontal edges: bottom minus top, with the middle column weighted "
        "twice; positive where the image gets brighter downward.",
    ),
    "prewitt_x": (
        "Prewitt x (vertical edges)",
        "Responds to vertical edges: right minus left, every row weighted the same; "
        "positive where the image gets brighter to the right.",
    ),
    "prewitt_y": (
        "Prewitt y (horizontal edges)",
        "Responds to horizontal edges: bottom minus top, every column weighted the same; "
        "positive where the image gets brighter downward.",
    ),
    "scharr_x": (
        "Scharr x (vertical edges)",
        "Like Sobel x with weights 3, 10, 3 along the edge, which measures the direction "
        "of slanted edges more accurately.",
    ),
    "scharr_y": (
        "Scharr y (horizontal edges)",
        "Like Sobel y with weights 3, 10, 3 along the edge, which measures the direction "
        "of slanted edges more accurately.",
    ),
    "emboss": (
        "Emboss",
        "Bottom-right minus top-left on top of the pixel itself: edges facing one way turn "
        "light and the other way dark, so the image looks stamped in relief.",
    ),
    "line_horizontal": (
        "Horizontal lines",
        "Finds thin horizontal lines: twice the middle row minus the rows above and below, "
        "zero on flat areas.",
    ),
    "line_vertical": (
        "Vertical lines",
        "Finds thin vertical lines: twice the middle column minus the columns left and "
        "right, zero on flat areas.",
    ),
    "line_diagonal_45": (
        "Diagonal lines (45°, /)",
        "Finds thin lines rising to the right: twice the / diagonal minus the other cells, "
        "zero on flat areas.",
    ),
    "line_diagonal_135": (
        "Diagonal lines (135°, \\)",
        "Finds thin lines falling to the right: twice the \\ diagonal minus the other cells, "
        "zero on flat areas.",
    ),
}


def _kernel(name: str, matrix: npt.ArrayLike, **params: Any) -> Kernel:
    title, explanation = _TEXTS[name]
    return Kernel(name, title, explanation, np.asarray(matrix), params)


def _check_size(size: Any, *, odd: bool) -> int:
    size = check_int(size, "size", minimum=1)
    if size > _MAX_FACTORY_SIZE:
        raise ArgumentError(
            "kernel_size_too_large", arg="size", value=size, limit=_MAX_FACTORY_SIZE
        )
    if odd and size % 2 == 0:
        raise ArgumentError("kernel_size_not_odd", arg="size", value=size)
    return size


def _check_number(value: Any, arg_name: str, *, positive: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
    ):
        raise ArgumentError("kernel_param_not_number", arg=arg_name, value=value)
    if positive and value <= 0:
        raise ArgumentError("kernel_param_not_positive", arg=arg_name, value=value)
    return float(value)


def box_blur(size: int = 3) -> Kernel:
    """The box blur: every weight ``1 / size**2``.

    Parameters
    ----------
    size : int, optional
        Kernel height and width, 1 to 63 (default 3).

    Returns
    -------
    Kernel
        ``name='box_blur'``, a float64 matrix summing to 1.

    Raises
    ------
    ArgumentError
        ``size`` not an integer in 1..63.

    Notes
    -----
    For ``size=3``::

        1/9  1/9  1/9
        1/9  1/9  1/9
        1/9  1/9  1/9

    Examples
    --------
    >>> k = box_blur(3)
    >>> k.matrix * 9
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    >>> k.normalised, k.separable, dict(k.params)
    (True, True, {'size': 3})
    """
    size = _check_size(size, odd=False)
    return _kernel("box_blur", np.full((size, size), 1.0 / size**2), size=size)


def _gaussian_1d(size: int, sigma: float) -> npt.NDArray[np.float64]:
    x = np.arange(size) - (size - 1) / 2
    # exp(-x**2 / (2 sigma**2)) written so that no intermediate overflows: a huge sigma
    # gives the box (sigma**2 overflowed to OverflowError before), a tiny one the delta.
    with np.errstate(over="ignore", under="ignore"):
        g = np.exp(-0.5 * (x / sigma) ** 2)
    return g / g.sum()


def gaussian_blur(size: int = 5, sigma: float = 1.0) -> Kernel:
    """The Gaussian blur: bell-shaped weights, normalised to sum 1.

    Parameters
    ----------
    size : int, optional
        Kernel height and width, odd, 1 to 63 (default 5).
    sigma : float, optional
        Standard deviation in pixels, positive (default 1.0).

    Returns
    -------
    Kernel
        ``name='gaussian_blur'``, a symmetric float64 matrix peaked at the centre, sum 1.

    Raises
    ------
    ArgumentError
        ``size`` not odd or out of range; ``sigma`` not a positive finite number.

    Notes
    -----
    The outer product of ``g`` with itself, where
    ``g[i] = exp(-(i - c)**2 / (2 * sigma**2))`` for ``c = (size - 1) / 2``, and the
    result divided by its sum. For ``size=3, sigma=1`` (rounded)::

        0.075  0.124  0.075
        0.124  0.204  0.124
        0.075  0.124  0.075

    Examples
    --------
    >>> k = gaussian_blur(3, sigma=1.0)
    >>> k.matrix.round(3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    >>> k.normalised, k.separable
    (True, True)
    """
    size = _check_size(size, odd=True)
    sigma = _check_number(sigma, "sigma", positive=True)
    g = _gaussian_1d(size, sigma)
    matrix = np.outer(g, g)
    return _kernel("gaussian_blur", matrix / matrix.sum(), size=size, sigma=sigma)


def motion_blur(size: int = 5, angle: float = 0) -> Kernel:
    r"""The motion blur: the average along a line through the centre at ``angle`` degrees.

    Parameters
    ----------
    size : int, optional
        Kernel height and width, odd, 1 to 63 (default 5).
    angle : float, optional
        Direction of the motion, counter-clockwise from the horizontal as displayed
        (default 0: horizontal; 45 is ``/``, 90 vertical, 135 is ``\``). Angles 180
        apart give the same kernel.

    Returns
    -------
    Kernel
        ``name='motion_blur'``, a float64 matrix summing to 1.

    Raises
    ------
    ArgumentError
        ``size`` not odd or out of range; ``angle`` not a finite number.

    Notes
    -----
    Each cell's weight is ``max(0, 1 - sqrt(2) * d)``, with ``d`` its distance from the
    line, times ``clip(L + 1 - t, 0, 1)``, with ``t`` its distance along the line from
    the centre and ``L`` the half-length that reaches the kernel's edge; then the
    weights are divided by their sum. At 0, 45, 90 and 135 degrees this is exactly
    ``1/size`` on the middle row, the ``/`` diagonal, the middle column or the ``\``
    diagonal. For ``size=3``, times 3::

        angle=0      angle=45     angle=90     angle=135
        0  0  0      0  0  1      0  1  0      1  0  0
        1  1  1      0  1  0      0  1  0      0  1  0
        0  0  0      1  0  0      0  1  0      0  0  1

    Examples
    --------
    >>> motion_blur(3, angle=45).matrix * 3
    array([[0., 0., 1.],
           [0., 1., 0.],
           [1., 0., 0.]])
    >>> motion_blur(5).matrix[2]
    array([0.2, 0.2, 0.2, 0.2, 0.2])
    """
    size = _check_size(size, odd=True)
    angle = _check_number(angle, "angle")
    theta = math.radians(angle % 180.0)
    # Direction of the line in (col, row) steps; rows go down, so "up" is -row.
    dc, dr = math.cos(theta), -math.sin(theta)
    rows, cols = np.mgrid[0:size, 0:size] - (size - 1) / 2
    along = cols * dc + rows * dr
    across = np.abs(rows * dc - cols * dr)
    # The line runs from edge to edge of the square (corner to corner at 45 degrees).
    half_length = (size - 1) / 2 / max(abs(dc), abs(dr))
    # A line about one cell wide (zero at 1/sqrt(2), so 0 and 45 degrees stay one cell
    # thick), fading out over one cell past its ends.
    weights = np.clip(1.0 - math.sqrt(2.0) * across, 0.0, None)
    weights *= np.clip(half_length + 1.0 - np.abs(along), 0.0, 1.0)
    # Round away the 1e-16s of cos/sin so the exact angles give exactly 1/size.
    weights = np.round(weights, 12)
    return _kernel("motion_blur", weights / weights.sum(), size=size, angle=angle)


def unsharp_mask(size: int = 5, sigma: float = 1.0, amount: float = 1.0) -> Kernel:
    """The unsharp mask: the identity plus ``amount`` times (identity - Gaussian blur).

    Parameters
    ----------
    size : int, optional
        Kernel height and width, odd, 1 to 63 (default 5).
    sigma : float, optional
        The Gaussian's standard deviation, positive (default 1.0).
    amount : float, optional
        How much detail to add back (default 1.0; 0 gives the identity).

    Returns
    -------
    Kernel
        ``name='unsharp_mask'``, a float64 matrix summing to 1.

    Raises
    ------
    ArgumentError
        ``size`` not odd or out of range; ``sigma`` or ``amount`` not finite,
        ``sigma`` not positive.

    See Also
    --------
    gaussian_blur : the blur that is subtracted.

    Notes
    -----
    ``I + amount * (I - G) = (1 + amount) * I - amount * G``, with ``I`` the identity
    and ``G`` the Gaussian blur; its weights sum to ``1 + amount - amount = 1``. For
    ``size=3, sigma=1, amount=1`` (rounded)::

        -0.075  -0.124  -0.075
        -0.124   1.796  -0.124
        -0.075  -0.124  -0.075

    Examples
    --------
    >>> k = unsharp_mask(3, sigma=1.0, amount=1.0)
    >>> k.matrix.round(3)
    array([[-0.075, -0.124, -0.075],
           [-0.124,  1.796, -0.124],
           [-0.075, -0.124, -0.075]])
    >>> k.normalised, k.signed
    (True, True)
    """
    size = _check_size(size, odd=True)
    sigma = _check_number(sigma, "sigma", positive=True)
    amount = _check_number(amount, "amount")
    identity = np.zeros((size, size))
    identity[size // 2, size // 2] = 1.0
    blur = gaussian_blur(size, sigma).matrix
    matrix = identity + amount * (identity - blur)
    return _kernel("unsharp_mask", matrix, size=size, sigma=sigma, amount=amount)


_FIXED: dict[str, npt.NDArray[Any]] = {
    "identity": IDENTITY,
    "sharpen": SHARPEN,
    "laplacian_4": LAPLACIAN_4,
    "laplacian_8": LAPLACIAN_8,
    "outline": OUTLINE,
    "lecture_blur_7x7": LECTURE_BLUR_7X7,
    "sobel_x": SOBEL_X,
    "sobel_y": SOBEL_Y,
    "prewitt_x": PREWITT_X,
    "prewitt_y": PREWITT_Y,
    "scharr_x": SCHARR_X,
    "scharr_y": SCHARR_Y,
    "emboss": EMBOSS,
    "line_horizontal": LINE_HORIZONTAL,
    "line_vertical": LINE_VERTICAL,
    "line_diagonal_45": LINE_DIAGONAL_45,
    "line_diagonal_135": LINE_DIAGONAL_135,
}
_FACTORIES: dict[str, tuple[Callable[..., Kernel], tuple[str, ...]]] = {
    "box_blur": (box_blur, ("size",)),
    "gaussian_blur": (gaussian_blur, ("size", "sigma")),
    "motion_blur": (motion_blur, ("size", "angle")),
    "unsharp_mask": (unsharp_mask, ("size", "sigma", "amount")),
}

#: Every kernel by name, in the order the UI lists them (the blurs with default parameters).
KERNELS: dict[str, Kernel] = {
    name: (_FACTORIES[name][0]() if name in _FACTORIES else _kernel(name, _FIXED[name]))
    for name in _TEXTS
}


def kernel_names() -> list[str]:
    """The kernel names, in the order the UI lists them.

    Returns
    -------
    list of str

    Examples
    --------
    >>> kernel_names()[:4]
    ['identity', 'box_blur', 'gaussian_blur', 'motion_blur']
    >>> "outline" in kernel_names() and "laplacian_8" in kernel_names()
    True
    """
    return list(KERNELS)


def get_kernel(name: str, **params: Any) -> Kernel:
    """The kernel called ``name``, built with ``params`` for the parametrised ones.

    Parameters
    ----------
    name : str
        One of :func:`kernel_names`.
    **params
        For ``'box_blur'``: ``size``; ``'gaussian_blur'``: ``size``, ``sigma``;
        ``'motion_blur'``: ``size``, ``angle``; ``'unsharp_mask'``: ``size``, ``sigma``,
        ``amount``. Other kernels take none.

    Returns
    -------
    Kernel

    Raises
    ------
    ArgumentError
        An unknown name (the message lists every name), a parameter the kernel does
        not have, or a bad parameter value.

    See Also
    --------
    box_blur, gaussian_blur, motion_blur, unsharp_mask : the parametrised kernels.

    Notes
    -----
    The lecture's edge kernel is ``'outline'``::

        -1  -1  -1
        -1   8  -1
        -1  -1  -1

    Examples
    --------
    >>> get_kernel("outline").matrix
    array([[-1, -1, -1],
           [-1,  8, -1],
           [-1, -1, -1]])
    >>> get_kernel("box_blur", size=2).matrix
    array([[0.25, 0.25],
           [0.25, 0.25]])
    >>> try:
    ...     get_kernel("sobel_x", size=5)
    ... except ArgumentError as err:
    ...     print(err)
    kernel 'sobel_x' has no parameter 'size'; its parameters are: none
    """
    name = check_choice(name, "name", KERNELS)
    factory, allowed = _FACTORIES.get(name, (None, ()))
    for param in params:
        if param not in allowed:
            raise ArgumentError(
                "kernel_bad_param", name=name, param=param, allowed=", ".join(allowed) or "none"
            )
    if factory is None or not params:
        return KERNELS[name]
    return factory(**params)


def random_kernel(
    size: Pair,
    rng: int | np.random.Generator | None = None,
    low: float = -1,
    high: float = 1,
    integer: bool = False,
    *,
    decimals: int | None = 2,
) -> npt.NDArray[Any]:
    """A random kernel for the editor's "random kernel" button (seedable).

    Parameters
    ----------
    size : int or (rows, cols)
        Kernel shape, 1 to 7 per side.
    rng : int, numpy.random.Generator or None, optional
        A seed or a generator; None draws a fresh seed.
    low, high : float, optional
        The range of the weights (default -1 to 1): ``[low, high)`` for floats,
        ``low..high`` inclusive for integers.
    integer : bool, optional
        Draw integers (``int64``) instead of floats (default False).
    decimals : int or None, optional
        Round float weights to this many decimals so the editor shows short numbers
        (default 2; None keeps full precision).

    Returns
    -------
    ndarray of shape (rows, cols)
        ``int64`` when ``integer``, else ``float64``.

    Raises
    ------
    ArgumentError
        A size outside 1..7, ``low >= high``, non-integer bounds with ``integer=True``.

    Notes
    -----
    The same seed gives the same kernel::

        random_kernel(3, rng=0, integer=True)  ->  always the same 3x3 integers

    Examples
    --------
    >>> k = random_kernel((2, 3), rng=0, low=-2, high=2, integer=True)
    >>> k.shape, k.dtype, bool((k >= -2).all() and (k <= 2).all())
    ((2, 3), dtype('int64'), True)
    >>> np.array_equal(random_kernel(3, rng=7), random_kernel(3, rng=7))
    True
    """
    rows, cols = check_pair(size, "size")
    _check_editor_size(rows, cols)
    generator = np.random.default_rng(rng)
    if integer:
        low_i, high_i = check_int(low, "low"), check_int(high, "high")
        if low_i >= high_i:
            raise ArgumentError("kernel_bad_range", low=low, high=high)
        return generator.integers(low_i, high_i, size=(rows, cols), endpoint=True, dtype=np.int64)
    low_f, high_f = _check_number(low, "low"), _check_number(high, "high")
    if low_f >= high_f:
        raise ArgumentError("kernel_bad_range", low=low, high=high)
    values = generator.uniform(low_f, high_f, size=(rows, cols))
    if decimals is not None:
        values = np.round(values, check_int(decimals, "decimals", minimum=0))
    return values


# A number as people type it: 2, -0.5, .5, 3., 1e-3; a fraction is two of them with a slash.
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_CELL = re.compile(rf"\s*({_NUMBER})\s*(?:/\s*({_NUMBER})\s*)?")
_NON_FINITE_WORDS = {"nan", "inf", "infinity"}
# Longer text is not a number anyone typed; it is also cut short in the message.
_MAX_CELL_CHARS = 40


def _cell_error(reason: str, text: Any, row: int | None, col: int | None) -> ArgumentError:
    if isinstance(text, str) and len(text) > _MAX_CELL_CHARS:
        text = text[:_MAX_CELL_CHARS] + "…"
    params: dict[str, Any] = {"text": text, "limit": MAX_KERNEL_VALUE}
    if row is None or col is None:
        return ArgumentError(f"kernel_value_{reason}", **params)
    return ArgumentError(
        f"kernel_cell_{reason}", row=row + 1, col=col + 1, index=(row, col), **params
    )


def parse_kernel_cell(text: Any, *, row: int | None = None, col: int | None = None) -> float:
    """Read one kernel editor cell: a number or a fraction, never evaluated as code.

    Parameters
    ----------
    text : str, int or float
        What the cell holds: ``'2'``, ``' -0.5 '``, ``'1e-3'``, ``'1/9'``, ``'-2/16'``
        (spaces allowed, ``−`` accepted as a minus), or a number. None counts as empty.
    row, col : int, optional
        The cell's 0-based position, for the message (shown counting from 1).

    Returns
    -------
    float

    Raises
    ------
    ArgumentError
        Keys ``kernel_cell_<reason>`` with a position, ``kernel_value_<reason>``
        without, where reason is ``empty``, ``not_number`` (text, code, ``'1/2/3'``),
        ``not_finite`` (``'nan'``, ``'inf'``, ``'1e309'``), ``zero_division``
        (``'1/0'``) or ``too_large`` (beyond ``MAX_KERNEL_VALUE``). ``params`` holds
        ``row``/``col`` (from 1), ``index`` (0-based) and ``text``.

    Notes
    -----
    The grammar, checked with a regular expression before ``float`` sees the text::

        cell   = number [ "/" number ]
        number = [+-] digits [ "." digits ] [ ("e" | "E") [+-] digits ]

    Examples
    --------
    >>> parse_kernel_cell("1/9") == 1 / 9, parse_kernel_cell(" -2/16 "), parse_kernel_cell("1e-3")
    (True, -0.125, 0.001)
    >>> try:
    ...     parse_kernel_cell("abc", row=1, col=2)
    ... except ArgumentError as err:
    ...     print(err.key, err.params["index"])
    ...     print(err)
    kernel_cell_not_number (1, 2)
    kernel cell (row 2, column 3) must be a number or a fraction such as 1/9,
    but got 'abc'
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        raise _cell_error("empty", "" if text is None else text, row, col)
    if isinstance(text, numbers.Real) and not isinstance(text, bool):
        value = float(text)
    elif isinstance(text, str) and len(text) <= _MAX_CELL_CHARS:
        match = _CELL.fullmatch(text.replace("\u2212", "-"))
        if match is None:
            bare = text.strip().lower().lstrip("+-")
            reason = "not_finite" if bare in _NON_FINITE_WORDS else "not_number"
            raise _cell_error(reason, text, row, col)
        numerator, denominator = match.groups()
        value = float(numerator)
        if denominator is not None:
            divisor = float(denominator)
            if divisor == 0.0:
                raise _cell_error("zero_division", text, row, col)
            value = value / divisor if math.isfinite(value) else value
    else:
        raise _cell_error("not_number", text, row, col)
    if not math.isfinite(value):
        raise _cell_error("not_finite", text, row, col)
    if abs(value) > MAX_KERNEL_VALUE:
        raise _cell_error("too_large", text, row, col)
    return value


def _check_editor_size(rows: int, cols: int) -> None:
    if not (1 <= rows <= MAX_EDITOR_SIZE and 1 <= cols <= MAX_EDITOR_SIZE):
        raise ArgumentError("kernel_size_limits", limit=MAX_EDITOR_SIZE, rows=rows, cols=cols)


def parse_kernel(rows: Sequence[Sequence[Any]]) -> npt.NDArray[Any]:
    """Read the kernel editor's grid of cells into a kernel.

    Parameters
    ----------
    rows : list of list of str
        The cells row by row, each as :func:`parse_kernel_cell` accepts; 1x1 to 7x7,
        every row the same length.

    Returns
    -------
    ndarray of shape (rows, cols)
        ``int64`` when every value is a whole number (so integer grids give exact
        integer results), else ``float64``.

    Raises
    ------
    ArgumentError
        The first bad cell (``kernel_cell_*``, with its row, column and text), rows
        of different lengths (``kernel_ragged``), or a size outside 1x1..7x7
        (``kernel_size_limits``).

    See Also
    --------
    parse_kernel_cell : one cell.
    normalise_kernel : the editor's "divide by the sum" button.

    Notes
    -----
    The box blur typed as fractions::

        1/9  1/9  1/9
        1/9  1/9  1/9
        1/9  1/9  1/9

    Examples
    --------
    >>> parse_kernel([["-1", "0", "1"], ["-2", "0", " 2 "], ["-1", "0", "1"]])
    array([[-1,  0,  1],
           [-2,  0,  2],
           [-1,  0,  1]])
    >>> parse_kernel([["1/4", "1/4"], ["0.25", "1/4"]])
    array([[0.25, 0.25],
           [0.25, 0.25]])
    >>> try:
    ...     parse_kernel([["1", "2"], ["3"]])
    ... except ArgumentError as err:
    ...     print(err)
    every kernel row must have the same number of cells, but row 1 has 2 and row 2 has 1
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (Sequence, np.ndarray)):
        raise ArgumentError("kernel_not_grid", arg="rows", value=rows)
    grid = list(rows)
    for row in grid:
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise ArgumentError("kernel_not_grid", arg="rows", value=rows)
    n_rows = len(grid)
    n_cols = len(grid[0]) if grid else 0
    for r, row in enumerate(grid[1:], start=2):
        if len(row) != n_cols:
            raise ArgumentError("kernel_ragged", first=n_cols, row=r, length=len(row))
    _check_editor_size(n_rows, n_cols)
    values = np.array(
        [
            [parse_kernel_cell(cell, row=r, col=c) for c, cell in enumerate(row)]
            for r, row in enumerate(grid)
        ],
        dtype=np.float64,
    )
    # |values| <= MAX_KERNEL_VALUE, so whole numbers convert to int64 exactly.
    if np.array_equal(values, np.round(values)):
        return values.astype(np.int64)
    return values


class NormalisedKernel(NamedTuple):
    """What :func:`normalise_kernel` returns: the kernel and whether it was divided."""

    #: The kernel divided by its sum (float64), or the kernel unchanged.
    kernel: npt.NDArray[Any]
    #: False when the sum is 0 (edge detectors): nothing to divide by.
    divided: bool


def normalise_kernel(kernel: npt.ArrayLike | Kernel) -> NormalisedKernel:
    """Divide a kernel by the sum of its weights, unless that sum is 0.

    Parameters
    ----------
    kernel : ndarray of shape (KH, KW) or Kernel
        Finite weights.

    Returns
    -------
    NormalisedKernel
        ``(kernel, divided)``: the float64 kernel divided by its sum and True, or,
        when the sum is 0 (within ``1e-12`` of the sum of magnitudes), the kernel
        unchanged and False, so the UI can say "the sum is 0, not normalised"
        instead of showing NaN.

    Raises
    ------
    ArgumentError
        Not a 2D, non-empty, finite numeric array.

    Notes
    -----
    ``kernel / kernel.sum()``: afterwards the weights sum to 1, so a flat area keeps
    its value. A negative sum flips every sign. Sobel x sums to 0 and is returned as is::

        -1  0  1
        -2  0  2
        -1  0  1

    Examples
    --------
    >>> normalise_kernel([[1, 2, 1]])
    NormalisedKernel(kernel=array([[0.25, 0.5 , 0.25]]), divided=True)
    >>> k, divided = normalise_kernel(SOBEL_X)
    >>> divided, bool((k == SOBEL_X).all())
    (False, True)
    """
    matrix = kernel.matrix if isinstance(kernel, Kernel) else kernel
    arr = check_array(matrix, "kernel", (2,))
    total = float(arr.sum())
    if abs(total) <= 1e-12 * float(np.abs(arr).sum()):
        return NormalisedKernel(arr, False)
    return NormalisedKernel(arr.astype(np.float64) / total, True)
