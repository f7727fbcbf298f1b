"""Element-wise activation functions, as ``torch.nn.functional``.

Each takes an array of any shape and returns one of the same shape. float32 stays
float32 (photos from ``conv_core.image_io`` are float32). :func:`relu` keeps integer
dtypes, since ``max(x, 0)`` of an integer is an integer; the others return float64
for integer input.

References
----------
X. Glorot, A. Bordes and Y. Bengio, "Deep sparse rectifier neural networks", 2011 (ReLU).
A. L. Maas, A. Y. Hannun and A. Y. Ng, "Rectifier nonlinearities improve neural network
acoustic models", 2013 (leaky ReLU).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ._checks import as_array, check_array
from .errors import ArgumentError, register_messages

__all__ = ["leaky_relu", "relu", "sigmoid", "tanh"]

register_messages(
    {
        "negative_slope_not_number": (
            "negative_slope must be a finite real number, but got negative_slope={value!r}"
        ),
    }
)


def _as_array(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """``x`` as a numeric, non-empty, finite array of any shape."""
    arr = as_array(x, "x")
    return check_array(arr, "x", (arr.ndim,))


def _float_dtype(arr: npt.NDArray[Any]) -> np.dtype[Any]:
    """float32 stays float32 (and float16 float16); everything else computes in float64."""
    if np.issubdtype(arr.dtype, np.floating) and arr.dtype.itemsize <= 4:
        return arr.dtype
    return np.dtype(np.float64)


def relu(x: npt.ArrayLike) -> npt.NDArray[Any]:
    """Rectified linear unit: ``max(x, 0)``, element by element.

    Parameters
    ----------
    x : ndarray of any shape
        Integer or float, finite.

    Returns
    -------
    ndarray of the same shape and dtype as ``x``

    Raises
    ------
    ArgumentError
        Non-numeric, empty, NaN or infinite input.

    See Also
    --------
    leaky_relu : keeps a small slope for negative inputs.

    Notes
    -----
    ``relu(x) = x if x > 0 else 0``: it zeroes the negative responses of a feature map.

    Examples
    --------
    >>> relu(np.array([[-3, 0], [2, 255]]))
    array([[  0,   0],
           [  2, 255]])
    >>> relu(np.array([-1.5, 1.5], dtype=np.float32))
    array([0. , 1.5], dtype=float32)
    """
    arr = _as_array(x)
    return np.maximum(arr, arr.dtype.type(0))


def leaky_relu(x: npt.ArrayLike, negative_slope: float = 0.01) -> npt.NDArray[np.floating[Any]]:
    """Leaky ReLU: ``x`` for positive inputs, ``negative_slope * x`` otherwise.

    Parameters
    ----------
    x : ndarray of any shape
        Integer or float, finite.
    negative_slope : float, optional
        The slope for negative inputs (default 0.01, as PyTorch).

    Returns
    -------
    ndarray of the same shape
        float32 for float32 input (float16 for float16), else float64.

    Raises
    ------
    ArgumentError
        Bad input, or a ``negative_slope`` that is not a finite number.

    See Also
    --------
    relu : the same with ``negative_slope = 0``.

    Notes
    -----
    ``leaky_relu(x) = x if x >= 0 else negative_slope * x``; negative responses shrink
    instead of vanishing, so their gradient is not zero.

    Examples
    --------
    >>> leaky_relu(np.array([-100, -10, 0, 10]))
    array([-1. , -0.1,  0. , 10. ])
    >>> leaky_relu(np.array([-4, 4]), negative_slope=0.25)
    array([-1.,  4.])
    """
    arr = _as_array(x)
    if (
        isinstance(negative_slope, bool)
        or not isinstance(negative_slope, (int, float, np.integer, np.floating))
        or not np.isfinite(negative_slope)
    ):
        raise ArgumentError("negative_slope_not_number", value=negative_slope)
    dtype = _float_dtype(arr)
    xf = arr.astype(dtype, copy=False)
    return np.where(xf >= 0, xf, xf * dtype.type(negative_slope))


def sigmoid(x: npt.ArrayLike) -> npt.NDArray[np.floating[Any]]:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, without overflow for large ``|x|``.

    Parameters
    ----------
    x : ndarray of any shape
        Integer or float, finite.

    Returns
    -------
    ndarray of the same shape, values in [0, 1]
        float32 for float32 input (float16 for float16), else float64.

    Raises
    ------
    ArgumentError
        Non-numeric, empty, NaN or infinite input.

    See Also
    --------
    tanh : ``tanh(x) = 2*sigmoid(2x) - 1``.

    Notes
    -----
    Computed as ``1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` for ``x < 0``,
    with ``e = exp(-|x|)`` in (0, 1], so ``exp`` never overflows (plain
    ``1 / (1 + exp(-x))`` warns for ``x < -709`` in float64).

    Examples
    --------
    >>> sigmoid(np.array([-1000, 0, 1000]))
    array([0. , 0.5, 1. ])
    >>> sigmoid(np.array([np.log(3.0)]))
    array([0.75])
    """
    arr = _as_array(x)
    dtype = _float_dtype(arr)
    xf = arr.astype(dtype, copy=False)
    with np.errstate(under="ignore"):  # exp(-1000) -> 0 is the right answer, not an error
        e = np.exp(-np.abs(xf))  # in [0, 1]: never overflows
    one = dtype.type(1)
    return np.where(xf >= 0, one / (one + e), e / (one + e))


def tanh(x: npt.ArrayLike) -> npt.NDArray[np.floating[Any]]:
    """Hyperbolic tangent, element by element, values in [-1, 1].

    Parameters
    ----------
    x : ndarray of any shape
        Integer or float, finite.

    Returns
    -------
    ndarray of the same shape
        float32 for float32 input (float16 for float16), else float64.

    Raises
    ------
    ArgumentError
        Non-numeric, empty, NaN or infinite input.

    See Also
    --------
    sigmoid : ``tanh(x) = 2*sigmoid(2x) - 1``.

    Notes
    -----
    ``tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))``; ``np.tanh`` is exact to
    rounding and never overflows.

    Examples
    --------
    >>> tanh(np.array([-1000, 0, 1000]))
    array([-1.,  0.,  1.])
    """
    arr = _as_array(x)
    return np.tanh(arr.astype(_float_dtype(arr), copy=False))
