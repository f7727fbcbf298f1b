"""Two edge cases found by differential tests (issue 17): exact int64 results just below
2**62, and a big-endian float32 input computing (and returning) native float32."""

from __future__ import annotations

import numpy as np
import pytest

import conv_core as cc

BIG = 2**62 - 1


def test_result_just_below_2_62_stays_exact_int64() -> None:
    out = cc.correlate2d([[BIG]], [[1]])
    assert out.dtype == np.int64
    assert int(out[0, 0]) == 4611686018427387903


@pytest.mark.parametrize(
    "call",
    [
        lambda: cc.convolve2d([[BIG]], [[1]]),
        lambda: cc.conv2d(np.array([[[BIG]]]), np.array([[[[1]]]])),
        lambda: cc.conv2d(np.array([[[BIG - 5]]]), np.array([[[[1]]]]), np.array([5])),
    ],
)
def test_every_operation_keeps_the_exact_bound(call) -> None:
    out = np.asarray(call())
    assert out.dtype == np.int64
    assert int(out.ravel()[0]) == BIG


def test_at_2_62_the_result_becomes_float64() -> None:
    """From 2**62 on a sum of products could leave int64: float64, never a wrap-around."""
    assert cc.correlate2d([[2**62]], [[1]]).dtype == np.float64
    assert cc.correlate2d([[BIG, 1]], [[1, 1]]).dtype == np.float64


GRID = np.arange(36, dtype=np.float64).reshape(6, 6) / 7
KERNEL = np.array([[1.0, -2.0], [0.5, 3.0]])


def _five(x: np.ndarray, k: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "conv2d": cc.conv2d(x[None], k[None, None]),
        "correlate2d": cc.correlate2d(x, k),
        "conv_transpose2d": cc.conv_transpose2d(x[None], k[None, None]),
        "avg_pool": cc.pool2d(x, kernel_size=2, method="avg"),
        "global_avg_pool": cc.global_avg_pool(x[None]),
    }


@pytest.mark.parametrize(("order", "expected"), [(">f4", np.float32), (">f8", np.float64)])
def test_big_endian_input_returns_native_dtype(order: str, expected: type) -> None:
    native = _five(GRID.astype(np.dtype(order).newbyteorder("=")), KERNEL)
    swapped = _five(GRID.astype(order), KERNEL.astype(order))
    for name, out in swapped.items():
        assert out.dtype == np.dtype(expected), name
        assert out.dtype.isnative, name
        np.testing.assert_array_equal(out, native[name], err_msg=name)


@pytest.mark.parametrize(
    "run",
    [
        lambda x: cc.correlate2d(x, np.ones((2, 2))),
        lambda x: cc.conv2d(x, np.ones((2, 2))),
        lambda x: cc.pool2d(x, 2),
        lambda x: cc.pool2d(x, 2, method="avg"),
        lambda x: cc.trace_correlate2d(x, np.ones((2, 2))).output,
        lambda x: cc.trace_pool2d(x, 2).output,
    ],
)
def test_big_endian_input_gives_native_results(run):
    """A big-endian array (read from a file) gives the same numbers, in native byte order."""
    native = np.arange(16.0).reshape(4, 4)
    out = run(native.astype(">f8"))
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, run(native))
