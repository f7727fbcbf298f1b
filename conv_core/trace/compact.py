"""The compact form: a whole trace as the small JSON-ready dict the browser stepper indexes.

This is the contract between conv_core and ``ui/components/stepper/`` (its JavaScript reads
these keys and nothing else); bump :data:`SCHEMA_VERSION` when a key changes meaning.

Compact form (``schema_version`` 1)
-----------------------------------
``to_compact(trace)`` returns a dict of plain lists, ints, floats, strings, bools and
``None`` (``json.dumps`` works; no NaN or infinity). Shapes below are nested lists;
"flat" means one list of ``n_steps * per_step`` numbers, step after step.
Ints are exact. For float traces ``output`` holds conv_core's values exactly (float64
as JSON's shortest round-trip repr, float32 as the shortest decimal that reads back
as the same float32); every other float is rounded to ``digits`` significant digits
for display, and floats holding whole numbers are written as ints.

Keys present in every trace:

``schema_version`` : 1
``op`` : ``'correlate2d' | 'convolve2d' | 'conv2d' | 'correlate1d' | 'convolve1d' | 'pool2d'
    | 'conv_transpose2d'``
``view`` : ``'gather'`` (conv ops), ``'pool'`` or ``'scatter'`` (transposed convolution)
``ndim`` : 2, or 1 for the 1D ops (then every grid has one row: ``H = 1``)
``dtype`` : ``'int64' | 'float32' | 'float64'``, the dtype of ``output``
``n_steps`` : number of steps ``N``
``input_shape`` : ``[C_in, H, W]``
``first_step_text`` : ``format_step(trace.step(0))``, a reference for the stepper's own
    rendering (see "Rendering" below)
``config`` : the arguments as resolved: ``stride`` ``[sr, sc]``, ``dilation`` ``[dr, dc]``,
    ``padding`` ``[[top, bottom], [left, right]]`` and the op's other options
    (``padding_mode``, ``groups``, ``method``, ``output_padding``, ...)
``output`` : ``[C_out][OH][OW]``, conv_core's result
``bias`` : ``[C_out]`` or ``None``
``sizes`` : ``{'rows': {...}, 'cols': {...}}``, each with ``size``, ``padding``
    ``[before, after]`` and ``formula`` (the size rule with this configuration's numbers,
    from :meth:`conv_core.shapes.ConvOutputSize.formula`; pool with ``ceil_mode`` adds
    ``'; ceil_mode → 3'`` when rounding up adds a row). Gather and pool also carry
    ``exact`` (a fraction as a string, ``'5/2'``), ``remainder``, ``unvisited``, ``span``
    and ``padded``; scatter carries ``buffer`` (the uncropped length)
``step_order`` : the axes of the flat step index, outermost first: ``['channel', 'row', 'col']``
    (step ``i`` is output cell ``(c, r, q)`` with ``i = (c*OH + r)*OW + q``; for the
    scatter view, input cell ``(c, r, q)`` of ``[C_in][H][W]``)

Gather and pool (``view`` ``'gather'`` / ``'pool'``):

``padded`` : ``[C_in][Hp][Wp]``, the padded input (pool: the padding shows 0, see ``mask``)
``mask`` : ``[Hp][Wp]``: 0 = input cell, 1 = padding, 2 = beyond the padding (only
    pool with ``ceil_mode``: a last window that runs off the padded input; these
    cells are never counted)
``source_rows`` : ``[Hp]``, the input row each padded row copies (its own row inside
    the input, the mirrored/replicated/wrapped row in the padding), -1 where the
    padding is zeros; ``source_cols`` likewise ``[Wp]``
``input_origin`` : ``[top, left]``: padded cell ``(r, q)`` is input cell ``(r - top, q - left)``
``row_starts`` : ``[OH]``, the padded row of each window's first tap (``r*stride``);
    ``col_starts`` : ``[OW]``
``tap_rows`` : ``[KH]``, tap offsets inside a window (``k*dilation``); ``tap_cols`` : ``[KW]``.
    Step ``(c, r, q)`` reads padded cells ``(row_starts[r] + tap_rows[a],
    col_starts[q] + tap_cols[b])``, taps in row-major order ``t = a*KW + b``.

Gather only:

``kernel`` : ``[C_out][Cg][KH][KW]``, the kernel applied (flipped for true convolution)
``in_channels`` : ``[C_out][Cg]``, the input channels output channel ``c`` reads (groups)
``products`` : flat, ``T = Cg*KH*KW`` per step, channel-major then row-major taps
``sums`` : ``[N]``, the sum of the products (before the bias); ``value = sums + bias``
``channel_sums`` : flat, ``Cg`` per step; only when ``Cg > 1``

Pool only (``config`` has ``method``, ``kernel_size``, ``ceil_mode``, ``count_include_pad``):

``winners`` : ``[N]``, max: the tap ``t`` (row-major in the window) of the maximum, the
    first one on ties (padding never wins; every window holds an input cell)
``sums`` / ``divisors`` : ``[N]`` each, avg: the sum of the window (padding counts 0)
    and what it is divided by (PyTorch's count: the window's cells inside the padded
    input, or inside the input when ``count_include_pad`` is false); ``output = sums /
    divisors``

Scatter only (transposed convolution; step = one input cell):

``input`` : ``[C_in][H][W]``
``kernel`` : ``[C_in][Cog][KH][KW]`` (the weight as stored, not flipped)
``out_channels`` : ``[C_in][Cog]``, the output channels input channel ``c`` feeds
``products`` : flat, ``Cog*KH*KW`` per step (input value times kernel)
``buffer_shape`` : ``[HB, WB]``, the uncropped output: ``(H - 1)*stride + dilation*(KH - 1)
    + 1 + output_padding`` rows
``crop`` : ``[top, left]``: buffer cell ``(r, q)`` is output cell ``(r - top, q - left)``
    (outside the output: cropped by ``padding``)
``row_starts`` : ``[H]`` (``r*stride``), ``col_starts`` : ``[W]``, ``tap_rows`` / ``tap_cols``
    as above: step ``(c, r, q)`` adds product ``(o, a, b)`` into buffer cell
    ``(row_starts[r] + tap_rows[a], col_starts[q] + tap_cols[b])`` of output channel
    ``out_channels[c][o]``. The running output after step ``k`` is the sum of the
    products of steps ``0..k``; the output is the cropped buffer plus ``bias``.

Rendering (what :func:`format_step` writes, for a stepper that renders the numbers itself):
an int as it is; a float with at most ``decimals`` (default 3) decimals, trailing zeros
and point trimmed (``0.25``, ``2``), ``-0`` written ``0``; a negative number after an
operator (``+``, ``×``, ``/``) in parentheses. A sum step is its products ``(a×b)``
joined by `` + ``, then `` = sum``; with a bias ``; sum + bias = value``. With several
input channels, one line per channel (``channel 0: … = 308``), then the channel sums
and the bias: ``308 + (-498) + 164 + 1 = -25``. Max pooling: ``max(3, -1, -3, 1) = 3``
(input cells only); average: ``(3 + (-1) + (-3) + 1) / 4 = 0`` (the counted cells).
Scatter: ``2 × [[1, 1], [1, 1]] = [[2, 2], [2, 2]] → output rows 0, 1; cols 2, 3``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .._checks import (
    check_int,
)
from ..shapes import (
    ConvOutputSize,
)
from .checks import SCHEMA_VERSION
from .formatting import format_step
from .gather import _source_index
from .records import ConvTrace, PoolTrace, Trace, TransposedTrace

# --------------------------------------------------------------------------- compact form


def _jsonable(value: Any) -> Any:
    """Tuples to lists, NumPy scalars to Python ones, recursively."""
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _exact(arr: npt.NDArray[Any]) -> Any:
    """Nested lists holding ``arr``'s values exactly (a float overflow's inf as None)."""
    if np.issubdtype(arr.dtype, np.integer):
        return arr.tolist()
    if arr.dtype == np.float32:
        # The shortest decimal that reads back as the same float32 ('0.1', not 0.10000000149).
        arr = np.array([float(t) for t in arr.ravel().astype(str)]).reshape(arr.shape)
    if np.isfinite(arr).all():
        return arr.tolist()
    obj = arr.astype(object)
    obj[~np.isfinite(arr)] = None
    return obj.tolist()


def _display(arr: npt.NDArray[Any], digits: int, *, flat: bool = False) -> Any:
    """Display values: ints exact, floats to ``digits`` significant digits (whole ones as ints)."""
    if np.issubdtype(arr.dtype, np.integer):
        return arr.ravel().tolist() if flat else arr.tolist()
    out: list[Any] = []
    for v in arr.ravel().tolist():
        if not math.isfinite(v):  # only a float overflow gets here, and JSON has no inf
            out.append(None)
            continue
        r = float(f"{v:.{digits}g}")
        out.append(int(r) if r.is_integer() else r)
    if flat:
        return out
    return np.array(out, dtype=object).reshape(arr.shape).tolist()


def _size_dict(detail: ConvOutputSize, size: int | None = None) -> dict[str, Any]:
    formula = detail.formula()
    if size is not None and size != detail.size:
        formula += f"; ceil_mode → {size}"
    return {
        "size": detail.size if size is None else size,
        "exact": str(detail.exact),
        "remainder": detail.remainder,
        "unvisited": detail.unvisited,
        "padding": list(detail.padding),
        "span": detail.span,
        "padded": detail.padded,
        "formula": formula,
    }


def _transposed_size_dict(
    n: int, k: int, s: int, d: int, o: int, p: int, buffer: int, size: int
) -> dict[str, Any]:
    # conv_transpose_output_size's rule, written with this configuration's numbers.
    return {
        "size": size,
        "buffer": buffer,
        "padding": [p, p],
        "formula": f"({n} - 1)*{s} - 2*{p} + {d}*({k} - 1) + {o} + 1 = {size}",
    }


def _window_keys(
    cfg: dict[str, Any], out_hw: tuple[int, int], kernel_hw: tuple[int, int]
) -> dict[str, Any]:
    (top, _), (left, _) = cfg["padding"]
    return {
        "row_starts": (np.arange(out_hw[0]) * cfg["stride"][0]).tolist(),
        "col_starts": (np.arange(out_hw[1]) * cfg["stride"][1]).tolist(),
        "tap_rows": (np.arange(kernel_hw[0]) * cfg["dilation"][0]).tolist(),
        "tap_cols": (np.arange(kernel_hw[1]) * cfg["dilation"][1]).tolist(),
        "input_origin": [top, left],
    }


def to_compact(trace: Trace, *, digits: int = 6) -> dict[str, Any]:
    """The whole trace as a small JSON-ready dict for the browser-side stepper.

    The grids, kernel, output, sizes, configuration and formulas are sent once; per
    step only numbers (the products and sums), since the window of step ``i`` follows
    from ``row_starts``/``col_starts``/``tap_rows``/``tap_cols``. The schema is
    described in this module's docstring (``schema_version`` 1).

    Parameters
    ----------
    trace : ConvTrace, PoolTrace or TransposedTrace
    digits : int, optional
        Significant digits of the floats shown (products, sums, grids); ``output`` is
        always exact. Ints are always exact.

    Returns
    -------
    dict
        Plain lists, ints, floats, strings, bools and None: ``json.dumps`` works.

    Examples
    --------
    >>> from conv_core.trace import trace_correlate2d
    >>> import json
    >>> c = to_compact(trace_correlate2d([[1, 2, 3], [4, 5, 6]], [[1, -1]]))
    >>> c["n_steps"], c["output"], c["products"][:4], c["sums"]
    (4, [[[-1, -1], [-1, -1]]], [1, -2, 2, -3], [-1, -1, -1, -1])
    >>> len(json.dumps(c, separators=(",", ":"))) < 1000
    True
    """
    if not isinstance(trace, (ConvTrace, PoolTrace, TransposedTrace)):
        raise TypeError(f"to_compact needs a trace from conv_core.trace, not {type(trace)!r}")
    digits = check_int(digits, "digits", minimum=1)
    common: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "op": trace.op,
        "ndim": 1 if trace.layout == "1d" else 2,
        "n_steps": trace.n_steps,
        "step_order": ["channel", "row", "col"],
        "first_step_text": format_step(trace.step(0)),
    }
    if isinstance(trace, ConvTrace):
        _, c_g, k_h, k_w = trace._kernel.shape
        oh, ow = trace._output.shape[1:]
        out = {
            **common,
            "view": "gather",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(trace.config),
            "sizes": {"rows": _size_dict(trace.rows), "cols": _size_dict(trace.cols)},
            "input_shape": list(trace._x.shape),
            "padded": _display(trace._padded, digits),
            "mask": trace._pad_mask.astype(np.int8).tolist(),
            "source_rows": trace._source_rows.tolist(),
            "source_cols": trace._source_cols.tolist(),
            **_window_keys(trace.config, (oh, ow), (k_h, k_w)),
            "kernel": _display(trace._kernel, digits),
            "in_channels": trace._in_channels.tolist(),
            "bias": None if trace._bias is None else _exact(trace._bias),
            "output": _exact(trace._output),
            # (T, N) -> step after step
            "products": _display(trace._products.T, digits, flat=True),
            "sums": _display(trace._sums, digits, flat=True),
        }
        if c_g > 1:
            out["channel_sums"] = _display(trace._channel_sums.T, digits, flat=True)
        return out
    if isinstance(trace, PoolTrace):
        cfg = trace.config
        oh, ow = trace.out_shape
        out = {
            **common,
            "view": "pool",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(cfg),
            "sizes": {"rows": _size_dict(trace.rows, oh), "cols": _size_dict(trace.cols, ow)},
            "input_shape": list(trace._x.shape),
            "padded": _display(trace._padded, digits),
            "mask": trace._mask.tolist(),
            "source_rows": _source_index(trace._x.shape[1], cfg["padding"][0], "zeros").tolist(),
            "source_cols": _source_index(trace._x.shape[2], cfg["padding"][1], "zeros").tolist(),
            **_window_keys(cfg, (oh, ow), cfg["kernel_size"]),
            "bias": None,
            "output": _exact(trace._output),
        }
        # the grid's extra "beyond" cells are not in source_rows/cols: pad with -1
        out["source_rows"] += [-1] * (trace._mask.shape[0] - len(out["source_rows"]))
        out["source_cols"] += [-1] * (trace._mask.shape[1] - len(out["source_cols"]))
        if trace._winners is not None:
            out["winners"] = trace._winners.tolist()
        else:
            assert trace._sums is not None and trace._divisors is not None
            out["sums"] = _display(trace._sums, digits, flat=True)
            out["divisors"] = trace._divisors.tolist()
        return out
    else:
        cfg = trace.config
        c_in, n_h, n_w = trace._x.shape
        k_h, k_w = trace._kernel.shape[2:]
        oh, ow = trace._output.shape[1:]
        (top, _), (left, _) = trace.crop
        sizes = {
            axis: _transposed_size_dict(
                n,
                k,
                cfg["stride"][i],
                cfg["dilation"][i],
                cfg["output_padding"][i],
                trace.crop[i][0],
                trace.buffer_shape[i],
                (oh, ow)[i],
            )
            for i, (axis, n, k) in enumerate((("rows", n_h, k_h), ("cols", n_w, k_w)))
        }
        return {
            **common,
            "view": "scatter",
            "dtype": str(trace._output.dtype),
            "config": _jsonable(cfg),
            "sizes": sizes,
            "input_shape": [c_in, n_h, n_w],
            "input": _display(trace._x, digits),
            "kernel": _display(trace._kernel, digits),
            "out_channels": trace._out_channels.tolist(),
            "bias": None if trace._bias is None else _exact(trace._bias),
            "buffer_shape": list(trace.buffer_shape),
            "crop": [top, left],
            "row_starts": (np.arange(n_h) * cfg["stride"][0]).tolist(),
            "col_starts": (np.arange(n_w) * cfg["stride"][1]).tolist(),
            "tap_rows": (np.arange(k_h) * cfg["dilation"][0]).tolist(),
            "tap_cols": (np.arange(k_w) * cfg["dilation"][1]).tolist(),
            "output": _exact(trace._output),
            "products": _display(trace._products, digits, flat=True),
        }
