"""Fuzz of every numeric input path: only conv_core's own errors or a correct result.

* kernel cells (``parse_kernel_cell`` / ``parse_kernel``): random text, NaN/inf/huge
  numbers, empty cells, the unicode minus, commas, code;
* the operations (``conv2d``, ``correlate2d``, ``convolve2d``, ``pool2d``,
  ``conv_transpose2d``, ``run_pipeline``, ``trace_*``) with random shapes (empty ones
  too), NaN/inf, huge values, and bad ``stride``/``padding``/``dilation`` (0, negative,
  bool, float, str, tuples of the wrong length, huge): the call either raises a
  :class:`conv_core.ConvLabError` or returns the right thing (``correlate2d`` is checked
  against the brute-force reference of tests/core/reference.py);
* ``conv_core.nn.forward`` and ``image_to_digit`` with random arrays.

Numbers that are large but allowed are kept modest here (padding up to 12, stride up to
9): what happens with absurd ones (padding 10**9) is its own test, below.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import conv_core as cc
from tests.core.reference import brute_correlate2d, resolve


def fuzz(n: int) -> settings:
    """At most ``n`` examples whatever the profile (CI's is 400): keeps the suite bounded."""
    return settings(
        max_examples=n, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
    )


def outcome(call: Any, *args: Any, **kwargs: Any) -> Any:
    """The result, or the ConvLabError raised; any other exception fails the test."""
    try:
        return call(*args, **kwargs)
    except cc.ConvLabError as err:
        assert str(err) and err.key in cc.ERROR_MESSAGES
        return err


# --------------------------------------------------------------------------------------
# Kernel cells

NUMBERISH = st.from_regex(
    r"\A[ ]?[+\-\u2212]?[0-9]{0,4}[.,]?[0-9]{0,3}([eE][+-]?[0-9]{1,3})?"
    r"(/[+-]?[0-9]{0,3}(\.[0-9]*)?)?[ ]?\Z"
)
SPECIAL_CELLS = st.sampled_from(
    [
        "",
        " ",
        "nan",
        "NaN",
        "-inf",
        "inf",
        "Infinity",
        "1e309",
        "-1e309",
        "1e300",
        "1/0",
        "0/0",
        "1/1e-320",
        "1e308/1e-10",
        "\u22121",
        "\u2212 1",
        "1,5",
        "1.5.2",
        "__import__('os')",
        "1+1",
        "2**8",
        "0x10",
        "1_000",
        "١",
        "½",
        "1/2/3",
        "--1",
        "+",
        "-",
        ".",
        "e5",
        "1e",
        "\x00",
        "9" * 400,
        "1/" + "9" * 400,
    ]
)
CELL = st.one_of(
    st.text(max_size=12),
    NUMBERISH,
    SPECIAL_CELLS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.none(),
    st.booleans(),
)


@fuzz(400)
@given(CELL)
def test_kernel_cell(text: Any) -> None:
    value = outcome(cc.parse_kernel_cell, text, row=0, col=0)
    if isinstance(value, cc.ConvLabError):
        assert value.key.startswith("kernel_"), value.key
        return
    assert isinstance(value, float) and math.isfinite(value)
    assert abs(value) <= cc.kernels.MAX_KERNEL_VALUE
    if isinstance(text, str) and "/" not in text:
        # A plain number reads as float() does (with the unicode minus as '-').
        assert value == float(text.replace("\u2212", "-"))
    elif isinstance(text, (int, float)) and not isinstance(text, bool):
        assert value == float(text)


@fuzz(200)
@given(st.lists(st.lists(CELL, min_size=0, max_size=8), min_size=0, max_size=8))
def test_kernel_grid(rows: list[list[Any]]) -> None:
    kernel = outcome(cc.parse_kernel, rows)
    if isinstance(kernel, cc.ConvLabError):
        return
    assert kernel.shape == (len(rows), len(rows[0]))
    assert kernel.dtype in (np.int64, np.float64) and np.isfinite(kernel).all()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            assert kernel[r, c] == cc.parse_kernel_cell(cell)


@pytest.mark.parametrize("bad", [{"a": 1}, "1,2;3,4", b"12", 5, None, [["1"], "2"], [[]]])
def test_kernel_grid_not_a_grid(bad: Any) -> None:
    assert isinstance(outcome(cc.parse_kernel, bad), cc.ArgumentError)


# --------------------------------------------------------------------------------------
# The operations

VALUES = st.one_of(
    st.floats(-1e3, 1e3),
    st.sampled_from([0.0, 1.0, -1.0, 255.0, 1e300, -1e300, np.nan, np.inf, -np.inf]),
)


@st.composite
def arrays(draw: Any, min_dims: int = 0, max_dims: int = 4, max_side: int = 6) -> Any:
    shape = draw(
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)
    )
    arr = draw(hnp.arrays(np.float64, shape, elements=VALUES))
    kind = draw(
        st.sampled_from(["float64", "float32", "int64", "bool", "complex", "str", "list", "ragged"])
    )
    if kind == "ragged":  # nested lists of different lengths (a typed grid with a short row)
        return draw(st.sampled_from(RAGGED))
    if kind == "float32":
        with np.errstate(over="ignore"):
            return arr.astype(np.float32)
    if kind == "int64":
        return np.nan_to_num(arr, posinf=1e6, neginf=-1e6).clip(-1e6, 1e6).astype(np.int64)
    if kind == "bool":
        return arr > 0
    if kind == "complex":
        return arr + 1j
    if kind == "str":
        return arr.astype(str)
    if kind == "list":
        return arr.tolist()
    return arr


RAGGED = [[[1.0, 2.0], [3.0]], [[1], [2, 3], [4]], [[[1, 2]], [[3]]], [[1, 2], 3], [[], [1]]]

BAD_NUMBER = st.one_of(
    st.integers(-3, 9),
    st.booleans(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "1",
            "two",
            "",
            "same",
            "valid",
            "full",
            "zeros",
            None,
            2.0,
            np.int64(2),
            np.float64(1.0),
            np.bool_(True),
            np.array(2),
            np.array(0),
            np.array(1.5),
            np.array([1, 2]),
            np.array([[1, 1]]),
            np.array([]),
            [[1, 2], [3]],
        ]
    ),
)
PARAM = st.one_of(
    BAD_NUMBER,
    st.tuples(BAD_NUMBER, BAD_NUMBER),
    st.lists(BAD_NUMBER, max_size=3),
    st.tuples(
        st.tuples(st.integers(-1, 4), st.integers(-1, 4)),
        st.tuples(st.integers(-1, 4), st.integers(-1, 12)),
    ),
)
MODE = st.sampled_from([*cc.CONV_PADDING_MODES, "nope", None, 3])


def _finite_small(*arrays: Any) -> bool:
    for a in arrays:
        try:
            arr = np.asarray(a)
            if arr.dtype.kind not in "iuf" or arr.size == 0:
                return False
            if not (np.isfinite(arr).all() and np.abs(arr).max(initial=0) <= 1e3):
                return False
        except (TypeError, ValueError):
            return False
    return True


def _plain_pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (int(value), int(value))
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in value
        )
    ):
        return (int(value[0]), int(value[1]))
    return None


@fuzz(400)
@given(arrays(1, 3), arrays(1, 3, 4), PARAM, PARAM, PARAM, MODE, st.booleans())
def test_correlate2d_and_convolve2d(
    x: Any, k: Any, stride: Any, padding: Any, dilation: Any, mode: Any, flip: bool
) -> None:
    call = cc.convolve2d if flip else cc.correlate2d
    out = outcome(call, x, k, stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    if isinstance(out, cc.ConvLabError):
        return
    assert isinstance(out, np.ndarray) and out.ndim == 2 and out.size > 0
    s, d = _plain_pair(stride), _plain_pair(dilation)
    if not (_finite_small(x, k) and s and d):
        return
    nested = isinstance(padding, tuple) and isinstance(padding[0], tuple)
    if not (isinstance(padding, str) or _plain_pair(padding) or nested):
        return
    _check_against_reference(out, x, k, s, padding, d, mode, flip)


def _check_against_reference(
    out: Any, x: Any, k: Any, s: Any, padding: Any, d: Any, mode: str, flip: bool
) -> None:
    xa, ka = np.asarray(x, np.float64), np.asarray(k, np.float64)
    if flip:
        ka = ka[::-1, ::-1]
    pads = resolve(_plain_pair(padding) or padding, xa.shape, ka.shape, s, d)
    expected = brute_correlate2d(xa, ka, s, pads, d, mode)
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-6)


GOOD_PADDING = st.one_of(
    st.integers(0, 4),
    st.tuples(st.integers(0, 4), st.integers(0, 4)),
    st.tuples(
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.integers(0, 3), st.integers(0, 3)),
    ),
    st.sampled_from(["valid", "same", "full"]),
)
SMALL = st.one_of(st.integers(-50, 50), st.floats(-100, 100))


@fuzz(300)
@given(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=7), elements=SMALL
    ),
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4), elements=SMALL
    ),
    st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    GOOD_PADDING,
    st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    st.sampled_from(cc.CONV_PADDING_MODES),
    st.booleans(),
    st.booleans(),
)
def test_valid_settings_give_the_reference_result(
    x: Any,
    k: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    mode: str,
    flip: bool,
    as_int: bool,
) -> None:
    """Settings a page can produce: a result equal to the brute-force loops, or one of
    the two errors a valid-looking setting can still meet."""
    if as_int:
        x, k = np.round(x).astype(np.int64), np.round(k).astype(np.int64)
    call = cc.convolve2d if flip else cc.correlate2d
    out = outcome(call, x, k, stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    if isinstance(out, cc.ConvLabError):
        assert out.key in ("output_empty", "reflect_pad_too_large"), out
        return
    s, d = _plain_pair(stride), _plain_pair(dilation)
    _check_against_reference(out, x, k, s, padding, d, mode, flip)
    if as_int:
        assert out.dtype == np.int64


@fuzz(250)
@given(
    arrays(2, 4),
    arrays(3, 4, 3),
    st.one_of(st.none(), arrays(0, 1, 3)),
    PARAM,
    PARAM,
    PARAM,
    st.one_of(st.integers(-1, 3), st.booleans(), st.just("2")),
    MODE,
)
def test_conv2d(
    x: Any, w: Any, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any, mode: Any
) -> None:
    out = outcome(
        cc.conv2d,
        x,
        w,
        bias,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        padding_mode=mode,
    )
    if not isinstance(out, cc.ConvLabError):
        assert isinstance(out, np.ndarray) and out.size > 0
        if _finite_small(x, w) and (bias is None or _finite_small(bias)):
            assert np.isfinite(out).all()


@fuzz(250)
@given(
    arrays(1, 4),
    PARAM,
    st.one_of(st.none(), PARAM),
    PARAM,
    st.sampled_from(["max", "avg", "sum", None]),
    st.booleans(),
    st.booleans(),
    PARAM,
)
def test_pool2d(
    x: Any,
    size: Any,
    stride: Any,
    padding: Any,
    method: Any,
    ceil: bool,
    include: bool,
    dilation: Any,
) -> None:
    out = outcome(cc.pool2d, x, size, stride, padding, method, ceil, include, dilation)
    if not isinstance(out, cc.ConvLabError):
        assert isinstance(out, np.ndarray) and out.size > 0
        values = out[0] if isinstance(out, tuple) else out
        if _finite_small(x):
            arr = np.asarray(x, np.float64)
            assert np.isfinite(values).all()
            if method == "max":  # padding is -inf (PyTorch): every output is an input value
                assert np.isin(values, arr).all()
            else:  # an average of inputs and zero padding
                lo, hi = min(arr.min(), 0.0), max(arr.max(), 0.0)
                assert (values >= lo - 1e-9).all() and (values <= hi + 1e-9).all()


@fuzz(250)
@given(
    arrays(1, 4), arrays(1, 4, 3), st.one_of(st.none(), arrays(0, 1, 3)), PARAM, PARAM, PARAM, PARAM
)
def test_conv_transpose2d(
    x: Any, w: Any, bias: Any, stride: Any, padding: Any, output_padding: Any, dilation: Any
) -> None:
    out = outcome(cc.conv_transpose2d, x, w, bias, stride, padding, output_padding, 1, dilation)
    if not isinstance(out, cc.ConvLabError):
        assert isinstance(out, np.ndarray) and out.size > 0
        if _finite_small(x, w) and (bias is None or _finite_small(bias)):
            assert np.isfinite(out).all()


@fuzz(150)
@given(
    arrays(1, 4, 8),
    arrays(1, 4, 3),
    st.sampled_from([*cc.COLOR_MODES, "nope"]),
    PARAM,
    PARAM,
    PARAM,
    st.sampled_from([*cc.ACTIVATIONS, "nope"]),
    st.sampled_from([*cc.POOLS, "nope"]),
    PARAM,
)
def test_run_pipeline(
    image: Any,
    filters: Any,
    color: str,
    stride: Any,
    padding: Any,
    dilation: Any,
    activation: str,
    pool: str,
    pool_size: Any,
) -> None:
    out = outcome(
        cc.run_pipeline,
        image,
        filters,
        color_mode=color,
        stride=stride,
        padding=padding,
        dilation=dilation,
        activation=activation,
        pool=pool,
        pool_size=pool_size,
    )
    if not isinstance(out, cc.ConvLabError):
        assert isinstance(out, cc.PipelineResult)


@fuzz(200)
@given(
    arrays(1, 3),
    arrays(1, 4, 3),
    PARAM,
    PARAM,
    PARAM,
    MODE,
    st.sampled_from(["correlate", "convolve", "conv2d", "pool", "transpose"]),
)
def test_traces(
    x: Any, k: Any, stride: Any, padding: Any, dilation: Any, mode: Any, which: str
) -> None:
    if which == "correlate":
        out = outcome(cc.trace_correlate2d, x, k, stride, padding, dilation, mode)
    elif which == "convolve":
        out = outcome(cc.trace_convolve2d, x, k, stride, padding, dilation, mode)
    elif which == "conv2d":
        out = outcome(cc.trace_conv2d, x, k, None, stride, padding, dilation, 1, mode)
    elif which == "pool":
        out = outcome(cc.trace_pool2d, x, 2, stride, padding)
    else:
        out = outcome(cc.trace_conv_transpose2d, x, k, None, stride, padding)
    if isinstance(out, cc.ConvLabError):
        return
    compact = cc.to_compact(out)
    assert isinstance(compact, dict)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cc.correlate2d([[1, 2], [3]], [[1]]),
        lambda: cc.conv2d([[[1, 2], [3]]], np.ones((1, 1, 1, 1))),
        lambda: cc.pool2d([[1, 2], [3]], 1),
        lambda: cc.correlate2d(np.ones((3, 3)), np.ones((2, 2)), stride=np.array([[1, 1]])),
        lambda: cc.pool2d(np.ones((3, 3)), np.array(1.5)),
    ],
)
def test_ragged_grids_and_odd_arrays_are_argument_errors(call: Any) -> None:
    """Found by this suite: ragged nested lists let NumPy's "inhomogeneous shape"
    ValueError out, and a 0-d array as stride a TypeError (len() of unsized object)."""
    with pytest.raises(cc.ArgumentError):
        call()


def test_a_0d_integer_array_is_an_int() -> None:
    out = cc.correlate2d(np.ones((5, 5)), np.ones((2, 2)), stride=np.array(2))
    assert out.shape == (2, 2)


def _exact_correlate(x: np.ndarray, k: np.ndarray) -> list[list[int]]:
    """Valid cross-correlation in Python ints (no overflow at all)."""
    xs, ks = x.tolist(), k.tolist()
    kh, kw = len(ks), len(ks[0])
    return [
        [
            sum(xs[r + i][c + j] * ks[i][j] for i in range(kh) for j in range(kw))
            for c in range(len(xs[0]) - kw + 1)
        ]
        for r in range(len(xs) - kh + 1)
    ]


@fuzz(200)
@given(
    hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=5),
        elements=st.integers(-(2**62), 2**62),
    ),
    hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=2),
        elements=st.integers(-(2**31), 2**31),
    ),
    st.sampled_from(["correlate2d", "trace_correlate2d", "conv2d"]),
)
def test_big_integers_never_wrap_around(x: np.ndarray, k: np.ndarray, which: str) -> None:
    """Found by this suite: integer grids and kernels whose sums leave int64 wrapped around
    silently (9e18 + 9e18 gave -4.5e17). Now int64 stays exact while it can, float64 is
    used beyond, and the result is never wrapped."""
    if which == "correlate2d":
        out = cc.correlate2d(x, k)
    elif which == "conv2d":
        out = cc.conv2d(x[None], k[None, None])[0]
    else:
        out = np.asarray(cc.trace_correlate2d(x, k, max_steps=10**4).output)
    exact = np.array(_exact_correlate(x, k), dtype=object)
    if out.dtype == np.int64:
        assert (out.astype(object) == exact).all()
    else:
        np.testing.assert_allclose(
            out.astype(float), exact.astype(float), rtol=1e-12, atol=float(np.abs(x).max()) * 1e-3
        )


# --------------------------------------------------------------------------------------
# Absurd sizes: refused before anything is allocated (found by this suite: NumPy's
# MemoryError / OverflowError / "array is too big" ValueError came out before)

X, K, F = np.ones((4, 4)), np.ones((3, 3)), np.ones((1, 3, 3))
ABSURD = {
    "correlate2d padding": lambda n: cc.correlate2d(X, K, padding=n),
    "correlate2d replicate": lambda n: cc.correlate2d(X, K, padding=n, padding_mode="replicate"),
    "convolve2d per side": lambda n: cc.convolve2d(X, K, padding=((0, n), (n, 0))),
    "conv2d padding": lambda n: cc.conv2d(X[None], K[None, None], padding=n),
    "conv2d_hwc padding": lambda n: cc.conv2d_hwc(X[:, :, None], K[:, :, None, None], padding=n),
    "correlate1d padding": lambda n: cc.correlate1d(np.ones(4), np.ones(3), padding=n * n),
    "run_pipeline padding": lambda n: cc.run_pipeline(np.ones((6, 6)), F, padding=n),
    "pad2d": lambda n: cc.pad2d(X, n),
    "zero_insert": lambda n: cc.zero_insert(X, n),
    "conv_transpose2d stride": lambda n: cc.conv_transpose2d(X, K, stride=n),
    "conv_transpose2d dilation": lambda n: cc.conv_transpose2d(X, K, dilation=n),
    "transpose_as_convolution": lambda n: cc.transpose_as_convolution(X, K, stride=n),
    "trace_conv_transpose2d": lambda n: cc.trace_conv_transpose2d(X, K, stride=n),
    "trace_correlate2d": lambda n: cc.trace_correlate2d(X, K, padding=n),
    "trace_conv2d": lambda n: cc.trace_conv2d(X[None], K[None, None], padding=n),
    "pool2d": lambda n: cc.pool2d(X, 2, padding=n),
}


@pytest.mark.parametrize("n", [10**5, 10**9, 2**63, 10**30])
@pytest.mark.parametrize("name", sorted(ABSURD))
def test_absurd_sizes_are_refused_not_allocated(name: str, n: int) -> None:
    with pytest.raises(cc.ConvLabError):
        ABSURD[name](n)


def test_the_size_limit_leaves_big_photos_alone() -> None:
    """A 48 MP photo's worth of cells with padding is within the limit (shape check only)."""
    from conv_core._checks import MAX_CELLS, check_cells

    check_cells(6000 + 16, 8000 + 16)
    assert MAX_CELLS >= 4 * cc.DEFAULT_MAX_PIXELS
    with pytest.raises(cc.ArgumentError):
        check_cells(MAX_CELLS + 1, 1)


# --------------------------------------------------------------------------------------
# Kernel generators and activations

NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.sampled_from([1e-300, 1e308, -1e308, 0.0, 5e-324, True, "1", None, np.float64(2.0)]),
)


@fuzz(300)
@given(
    st.sampled_from(["box_blur", "gaussian_blur", "motion_blur", "unsharp_mask"]),
    st.one_of(st.integers(-2, 12), st.booleans(), st.floats(0, 9), st.just("5")),
    NUMBER,
    NUMBER,
)
def test_kernel_generators(name: str, size: Any, a: Any, b: Any) -> None:
    """The parametric kernels (the lab's and the studio's presets with a size and sigma)."""
    params: dict[str, Any] = {"size": size}
    if name == "gaussian_blur":
        params["sigma"] = a
    elif name == "motion_blur":
        params["angle"] = a
    elif name == "unsharp_mask":
        params.update(sigma=a, amount=b)
    kernel = outcome(cc.get_kernel, name, **params)
    if isinstance(kernel, cc.ConvLabError):
        return
    matrix = np.asarray(kernel.matrix)
    assert matrix.shape == (size, size) and np.isfinite(matrix).all()
    if name != "unsharp_mask":  # blurs keep the brightness: weights sum to 1
        assert abs(matrix.sum() - 1) < 1e-9


@pytest.mark.parametrize("sigma", [1e-300, 1e-3, 1e308])
def test_gaussian_extremes_are_their_limits(sigma: float) -> None:
    """Found by this suite: sigma=1e308 raised OverflowError (sigma**2 in Python floats).
    A tiny sigma is the identity kernel, a huge one the box blur."""
    matrix = np.asarray(cc.gaussian_blur(5, sigma).matrix)
    if sigma < 1:
        assert matrix[2, 2] == 1 and matrix.sum() == 1
    else:
        np.testing.assert_allclose(matrix, np.full((5, 5), 1 / 25))


@fuzz(200)
@given(arrays(0, 4), st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh"]), NUMBER)
def test_activations(x: Any, name: str, slope: Any) -> None:
    call = getattr(cc, name)
    out = outcome(call, x, slope) if name == "leaky_relu" else outcome(call, x)
    if isinstance(out, cc.ConvLabError):
        return
    assert np.shape(out) == np.shape(x)  # (a 0-d input gives a NumPy scalar, as NumPy does)
    if name in ("sigmoid", "tanh"):
        assert np.isfinite(out).all() and np.abs(out).max(initial=0) <= 1


# --------------------------------------------------------------------------------------
# The Tiny CNN and the digit input


@fuzz(150)
@given(arrays(0, 3, 10))
def test_tiny_cnn_forward(image: Any) -> None:
    model = cc.init_tiny_cnn(4, seed=0)
    out = outcome(cc.forward, model, image)
    if not isinstance(out, cc.ConvLabError):
        probs = np.asarray(out.probs)
        assert probs.shape == (10,) and np.isfinite(probs).all()
        assert abs(probs.sum() - 1) < 1e-9


@fuzz(150)
@given(arrays(0, 3, 40))
def test_mnist_preprocess_and_photo(image: Any) -> None:
    from conv_core.mnist import mnist_preprocess, photo_to_mnist

    for call in (mnist_preprocess, photo_to_mnist):
        out = outcome(call, image)
        if not isinstance(out, cc.ConvLabError):
            assert out.shape == (28, 28) and out.dtype == np.uint8


@fuzz(60)
@given(arrays(0, 3, 30))
def test_tinyvgg_forward(image: Any) -> None:
    from conv_core import tinyvgg as tv

    out = outcome(tv.forward, tv.init_tinyvgg(2, seed=0), image)
    if not isinstance(out, cc.ConvLabError):
        assert out.probs.shape == (10,) and abs(out.probs.sum() - 1) < 1e-9


@fuzz(150)
@given(arrays(0, 3, 12))
def test_image_to_digit(image: Any) -> None:
    out = outcome(cc.image_to_digit, image)
    if not isinstance(out, cc.ConvLabError):
        assert out.shape == (8, 8) and out.dtype == np.int64
        assert out.min() >= 0 and out.max() <= 16
