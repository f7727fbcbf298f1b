"""Small validators shared by every conv_core module.

Each takes the caller's argument name, so the message says which argument was
wrong, what was given and what is allowed (PyTorch's wording:
``"<arg> must be ..., but got <arg>=<value>"``).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import ArgumentError

#: An int used for both rows and columns, or a ``(rows, cols)`` pair (PyTorch's "int or tuple").
Pair = int | tuple[int, int]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value: Any, arg_name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int; reject floats, bools and values below ``minimum``."""
    if not _is_int(value):
        if minimum == 1:
            raise ArgumentError("not_positive_int", arg=arg_name, value=value)
        if minimum == 0:
            raise ArgumentError("not_nonnegative_int", arg=arg_name, value=value)
        raise ArgumentError("not_int", arg=arg_name, value=value)
    value = int(value)
    if minimum is not None and value < minimum:
        key = "not_positive_int" if minimum >= 1 else "not_nonnegative_int"
        raise ArgumentError(key, arg=arg_name, value=value)
    return value


#: The largest 2D plane (rows x cols) conv_core builds: 2**28 cells (2 GB as float64). A
#: 48 MP photo with any padding a page offers is far below it. A bigger request (padding
#: or stride of 10**6) is refused before anything is allocated, with an ArgumentError,
#: instead of NumPy's MemoryError or an OverflowError.
MAX_CELLS = 2**28


def check_cells(rows: int, cols: int) -> None:
    """Refuse a plane of more than :data:`MAX_CELLS` cells (``too_many_cells``).

    >>> check_cells(8000, 6000)
    >>> check_cells(2**20, 2**20)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    conv_core.errors.ArgumentError: the padded input or the result would be 1,048,576 x ...
    """
    if rows * cols > MAX_CELLS:
        cells = rows * cols
        raise ArgumentError("too_many_cells", rows=rows, cols=cols, cells=cells, limit=MAX_CELLS)


def check_pair(value: Any, arg_name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Return ``(rows, cols)`` from an int or a pair of ints, each at least ``minimum``.

    >>> check_pair(2, "stride")
    (2, 2)
    >>> check_pair((1, 3), "stride")
    (1, 3)
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array is its one value (np.array(2) is 2)
    if _is_int(value):
        v = check_int(value, arg_name, minimum=minimum)
        return (v, v)
    sequence = isinstance(value, (tuple, list)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )
    if sequence and len(value) == 2:
        if not all(_is_int(v) for v in value):
            raise ArgumentError("bad_pair", arg=arg_name, value=_plain(value))
        rows, cols = (int(v) for v in value)
        if rows < minimum or cols < minimum:
            key = "not_positive_int" if minimum >= 1 else "not_nonnegative_int"
            raise ArgumentError(key, arg=arg_name, value=_plain(value))
        return (rows, cols)
    raise ArgumentError("bad_pair", arg=arg_name, value=_plain(value))


def check_choice(value: Any, arg_name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming every choice."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ArgumentError(
            "bad_choice", arg=arg_name, value=value, choices=", ".join(repr(c) for c in choices)
        )
    return value


def as_array(x: Any, arg_name: str) -> npt.NDArray[Any]:
    """``np.asarray(x)``, with nested lists of different lengths refused as an ArgumentError
    (NumPy raises a bare ValueError, "inhomogeneous shape")."""
    try:
        return np.asarray(x)
    except ValueError:
        raise ArgumentError("not_rectangular", arg=arg_name) from None


def check_array(
    x: Any,
    arg_name: str,
    ndims: tuple[int, ...],
    *,
    finite: bool = True,
) -> npt.NDArray[Any]:
    """Return ``x`` as a numeric ndarray with one of ``ndims`` dimensions, non-empty and finite,
    in native byte order.

    >>> check_array(np.arange(4, dtype=">f8"), "x", (1,)).dtype.isnative
    True
    """
    arr = as_array(x, arg_name)
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if not arr.dtype.isnative:
        # Big-endian data (from a file, a network): native order, so every result is native.
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise ArgumentError("not_numeric", arg=arg_name, dtype=str(arr.dtype))
    if arr.ndim not in ndims:
        expected = " or ".join(f"{n}D" for n in ndims)
        raise ArgumentError("bad_ndim", arg=arg_name, expected=expected, shape=arr.shape)
    if arr.size == 0:
        raise ArgumentError("empty_array", arg=arg_name, shape=arr.shape)
    if finite and np.issubdtype(arr.dtype, np.floating):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        if bad:
            raise ArgumentError("not_finite", arg=arg_name, count=bad)
    return arr


def _max_abs(a: npt.NDArray[Any]) -> float:
    return max(abs(float(a.max())), abs(float(a.min()))) if a.size else 0.0


def _max_abs_exact(a: npt.NDArray[Any]) -> int:
    return max(abs(int(a.max())), abs(int(a.min()))) if a.size else 0


#: Below this the float64 estimate of the bound cannot be on the wrong side of 2**62.
_SURELY_SMALL = 2.0**60


def _int_bound(operands: list[npt.NDArray[Any]]) -> int | float:
    """Largest magnitude a sum of products can reach: input, weight, bias (in that order).

    Estimated in float64 first (fast); near 2**62, where float64 rounds (2**62 - 1 becomes
    2**62), evaluated again with exact Python integers.

    >>> _int_bound([np.array([2**62 - 1]), np.array([1])])
    4611686018427387903
    """
    bound = _max_abs(operands[0])
    if len(operands) > 1:
        bound *= float(np.abs(operands[1].astype(np.float64)).sum())
    if len(operands) > 2:
        bound += _max_abs(operands[2])
    if bound < _SURELY_SMALL:
        return bound
    exact = _max_abs_exact(operands[0])
    if len(operands) > 1:
        exact *= sum(abs(int(v)) for v in operands[1].ravel().tolist())
    if len(operands) > 2:
        exact += _max_abs_exact(operands[2])
    return exact


def float_result_dtype(arr: npt.NDArray[Any]) -> np.dtype[Any]:
    """float32 for a float32 input of either byte order, else float64 (always native).

    >>> float_result_dtype(np.zeros(1, ">f4")), float_result_dtype(np.zeros(1, np.int64))
    (dtype('float32'), dtype('float64'))
    """
    is_f4 = arr.dtype.kind == "f" and arr.dtype.itemsize == 4
    return np.dtype(np.float32 if is_f4 else np.float64)


def _plain(value: Any) -> Any:
    """A value as it reads in a message: arrays and lists become tuples."""
    if isinstance(value, np.ndarray):
        return tuple(value.tolist()) if value.ndim else value.item()
    if isinstance(value, list):
        return tuple(value)
    return value


def result_dtype(*arrays: npt.NDArray[Any] | None) -> np.dtype[Any]:
    """The dtype conv_core computes in for these operands (``None`` operands are skipped).

    * all integer (or bool): ``int64``, exact, as the lecture's worked examples; but
      ``float64`` when a result could leave int64 (``max|input| * sum|weight| + max|bias|``
      from 2**62 on), which would otherwise wrap around silently;
    * otherwise ``float32`` when the first operand (the input) is float32, as photos
      from ``conv_core.image_io`` are, so a 12 MP image costs half the memory;
    * otherwise ``float64``.

    >>> result_dtype(np.array([1]), np.array([2]))
    dtype('int64')
    >>> result_dtype(np.array([1.0], np.float32), np.array([2.0]))
    dtype('float32')
    >>> result_dtype(np.array([1]), np.array([0.5]))
    dtype('float64')
    >>> result_dtype(np.array([2**40]), np.array([2**30]))  # 2**70 does not fit int64
    dtype('float64')
    >>> result_dtype(np.array([2**62 - 1]), np.array([1]))  # just fits: exact int64
    dtype('int64')
    >>> result_dtype(np.array([1.0], ">f4"))
    dtype('float32')
    """
    present = [a for a in arrays if a is not None]
    if all(np.issubdtype(a.dtype, np.integer) or a.dtype == bool for a in present):
        return np.dtype(np.int64 if _int_bound(present) < 2**62 else np.float64)
    # Any byte order: a big-endian '>f4' input computes (and returns) native float32 too.
    return float_result_dtype(present[0]) if present else np.dtype(np.float64)
