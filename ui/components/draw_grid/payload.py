"""The drawing grid's payload (pure, no Streamlit): bitmaps as hex text, data, reported state."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ui.frame.strings import strings_with_prefix

#: The component's asset folder (its ``asset_dir`` in pyproject.toml).
FRONTEND = Path(__file__).resolve().parent / "frontend"
#: Name the component is registered under: ``<project>.<component>`` as pyproject.toml's
#: ``[[tool.streamlit.component.components]]`` declares it, so Streamlit finds its asset_dir.
COMPONENT_NAME = "convlab.draw_grid"
#: Translation keys of the widget start with this; the JS gets them without it.
STRINGS_PREFIX = "draw_grid."
#: Largest number of rows or columns (a drawing grid, not an image).
MAX_SIDE = 128
#: Brush sizes offered (square, in cells); 2 is the default.
BRUSHES = (1, 2, 3)
_HEX = re.compile(r"[0-9a-fA-F]*")


# ------------------------------------------------------------------ the wire format


def _check_shape(rows: Any, cols: Any) -> tuple[int, int]:
    for name, n in (("rows", rows), ("cols", cols)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ValueError(f"{name} must be a whole number, but got {n!r}")
        if not 1 <= int(n) <= MAX_SIDE:
            raise ValueError(f"{name} must be between 1 and {MAX_SIDE}, but got {n}")
    return int(rows), int(cols)


def _n_hex(rows: int, cols: int) -> int:
    return 2 * ((rows * cols + 7) // 8)


def encode_bitmap(bitmap: Any) -> str:
    """A 2D bitmap as lowercase hex of its packed bits (row-major, first cell = top bit).

    Parameters
    ----------
    bitmap : array_like, 2D
        Truthy cells are on. Its shape is not in the text: :func:`decode_bitmap` is told it.

    Returns
    -------
    str
        ``2 * ceil(rows * cols / 8)`` hex digits; unused bits of the last byte are 0.

    Examples
    --------
    >>> encode_bitmap([[1, 0, 0, 0], [0, 0, 0, 1]])
    '81'
    """
    arr = np.asarray(bitmap)
    if arr.ndim != 2:
        raise ValueError(f"bitmap must be 2D, but got shape {arr.shape}")
    _check_shape(*arr.shape)
    return np.packbits(arr.astype(bool).ravel()).tobytes().hex()


def decode_bitmap(text: Any, rows: int, cols: int) -> np.ndarray:
    """The ``(rows, cols)`` bool bitmap :func:`encode_bitmap` wrote as ``text``.

    Strict, because the text comes from a browser: anything that is not exactly the hex of a
    ``rows x cols`` bitmap (wrong type, length, characters, or set padding bits) raises.

    Raises
    ------
    ValueError
        ``text`` is not a bitmap of that size, or ``rows``/``cols`` are out of range.

    Examples
    --------
    >>> decode_bitmap("81", 2, 4).astype(int).tolist()
    [[1, 0, 0, 0], [0, 0, 0, 1]]
    """
    rows, cols = _check_shape(rows, cols)
    if not isinstance(text, str):
        raise ValueError(f"bitmap text must be a str, but got {type(text).__name__}")
    n = _n_hex(rows, cols)
    if len(text) != n:
        raise ValueError(f"a {rows}x{cols} bitmap is {n} hex digits, but got {len(text)}")
    if not _HEX.fullmatch(text):
        raise ValueError("bitmap text must be hex digits only")
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(text), dtype=np.uint8))
    if bits[rows * cols :].any():
        raise ValueError("bitmap text has bits set past the last cell")
    return bits[: rows * cols].astype(bool).reshape(rows, cols)


def block_counts(bitmap: Any, block: int) -> np.ndarray:
    """How many cells are on in each ``block x block`` tile (0 .. block**2), as int64.

    Exactly how the UCI optical digits were made: a 32x32 bitmap, ``block=4`` -> 8x8 counts
    0..16. Rows and columns must be multiples of ``block``.

    Examples
    --------
    >>> block_counts(np.eye(4, dtype=bool), 2).tolist()
    [[2, 0], [0, 2]]
    """
    arr = np.asarray(bitmap).astype(bool)
    if arr.ndim != 2:
        raise ValueError(f"bitmap must be 2D, but got shape {arr.shape}")
    _check_block(block, *arr.shape)
    r, c = arr.shape
    tiles = arr.reshape(r // block, block, c // block, block)
    return tiles.sum(axis=(1, 3), dtype=np.int64)


def _check_block(block: Any, rows: int, cols: int) -> int:
    if isinstance(block, bool) or not isinstance(block, (int, np.integer)) or block < 1:
        raise ValueError(f"block must be a positive whole number, but got {block!r}")
    if rows % block or cols % block:
        raise ValueError(f"block {block} must divide the grid ({rows}x{cols}) evenly")
    return int(block)


# ------------------------------------------------------------------ value handling


def value_token(seen: Mapping[str, Any], rows: int, cols: int) -> str:
    """The id the browser keys its drawing on: it replaces its drawing when this changes."""
    return f"{int(seen.get('gen', 0))}-{rows}x{cols}-{seen.get('vid', '')}"


def next_seen(
    previous: Any,
    value: np.ndarray | None,
    rows: int,
    cols: int,
    value_id: str | None = None,
) -> dict[str, Any]:
    """What the wrapper remembers between runs about the ``value`` the page passed.

    ``gen`` counts changes of a passed value (so passing X, then Y, then X again replaces the
    drawing each time); a ``value`` of None keeps the last one (the drawing stays). A value is
    identified by its content, or by ``value_id`` when the page gives one (bump it to load
    the same bitmap again over the learner's edits).

    Returns
    -------
    dict
        ``{"gen": int, "vid": str, "bits": str | None, "shape": [rows, cols]}``.
    """
    prev = previous if isinstance(previous, Mapping) else {}
    gen = prev.get("gen", 0)
    gen = gen if isinstance(gen, int) and not isinstance(gen, bool) else 0
    shape = [rows, cols]
    same_shape = prev.get("shape") == shape
    if value is None:
        if same_shape:
            vid, bits = prev.get("vid", ""), prev.get("bits")
            return {"gen": gen, "vid": vid, "bits": bits, "shape": shape}
        return {"gen": gen + 1 if prev else 0, "vid": "", "bits": None, "shape": shape}
    bits = encode_bitmap(value)
    if value_id is None:
        vid = hashlib.blake2b(bits.encode("ascii"), digest_size=6).hexdigest()
    else:
        vid = "id:" + str(value_id)
    if same_shape and prev.get("vid") == vid:
        return {"gen": gen, "vid": vid, "bits": bits, "shape": shape}
    return {"gen": gen + 1 if prev else 0, "vid": vid, "bits": bits, "shape": shape}


def _decode_or_none(text: Any, rows: int, cols: int) -> np.ndarray | None:
    try:
        return decode_bitmap(text, rows, cols)
    except ValueError:
        return None


def resolve_bitmap(reported: Any, seen: Mapping[str, Any], rows: int, cols: int) -> np.ndarray:
    """The bitmap to return this run: the browser's, unless the page's value is newer.

    Parameters
    ----------
    reported : any
        The component's ``bitmap`` state as the browser last set it:
        ``{"bits": hex, "token": str}``. Anything else (None, junk) is ignored.
    seen : mapping
        :func:`next_seen` for this run.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        The browser's drawing when it was made on the current token (so after the page's
        latest value); otherwise the page's value; otherwise all False.
    """
    if isinstance(reported, Mapping) and reported.get("token") == value_token(seen, rows, cols):
        drawn = _decode_or_none(reported.get("bits"), rows, cols)
        if drawn is not None:
            return drawn
    if seen.get("bits") is not None:
        passed = _decode_or_none(seen["bits"], rows, cols)
        if passed is not None:
            return passed
    return np.zeros((rows, cols), dtype=bool)


# ------------------------------------------------------------------ what the browser gets


def draw_grid_strings(lang: str) -> dict[str, str]:
    """The widget's strings in ``lang`` (``draw_grid.`` prefix removed), English where missing.

    Templates are left unformatted: the browser fills ``{placeholders}``.
    """
    return strings_with_prefix(STRINGS_PREFIX, lang)


def draw_grid_data(
    bitmap: np.ndarray,
    token: str,
    strings: Mapping[str, str],
    *,
    block: int | None = None,
    height_px: int = 320,
    brush: int = 2,
) -> dict[str, Any]:
    """What the browser receives (pure, JSON-ready).

    The browser draws ``bits`` when it mounts or when ``token`` differs from the one its
    drawing is based on; otherwise it keeps the drawing it has (which may be ahead).
    """
    rows, cols = bitmap.shape
    if block is not None:
        block = _check_block(block, rows, cols)
    if brush not in BRUSHES:
        raise ValueError(f"brush must be one of {BRUSHES}, but got {brush!r}")
    return {
        "rows": rows,
        "cols": cols,
        "block": block,
        "bits": encode_bitmap(bitmap),
        "token": token,
        "height_px": max(64, min(int(height_px), 2000)),
        "brush": brush,
        "strings": dict(strings),
    }
