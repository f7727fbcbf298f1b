"""Settings in the page's address: a schema per page, decoded with defaults, encoded back.

A page declares what its link may carry, once::

    STUDIO = Schema(
        IntParam("size", 6, low=3, high=16),
        PairParam("stride", (1, 1), low=1, high=8),
        PaddingParam("padding", 0, max_pad=8),
        ChoiceParam("mode", "zeros", ("zeros", "replicate", "reflect")),
        KernelParam("kernel", ((1, 0, 1), (0, 1, 0), (1, 0, 1))),
    )
    settings, notices = decode(STUDIO, st.query_params.to_dict())
    ...
    encode(STUDIO, settings)  # -> {"stride": "2"}: only what differs from the defaults

:func:`decode` never raises on what a link holds: a missing parameter takes its
default silently, a bad one takes its default and adds a :class:`Notice` ("the link's
stride=abc is not valid (a whole number from 1 to 8); using 1"), and parameters the
schema does not know (``lang``, another page's) are ignored. :func:`encode` writes only
the values that differ from the defaults, so links stay short, and
``decode(schema, encode(schema, s))`` gives ``s`` back for every valid ``s``.

Text formats (what a person may also type into a link):

=================  ============================================  ===========================
parameter          accepts                                       decoded as
=================  ============================================  ===========================
IntParam           ``3``, ``-2``, ``+4``                         int in ``low..high``
FloatParam         ``0.5``, ``-1e-3``, ``2``                     finite float in range
ChoiceParam        one of the choices (any letter case)          str (as in the schema)
BoolParam          ``1``/``0``, ``true``/``false``               bool
PairParam          ``2`` or ``2,3`` (rows,cols)                  ``(int, int)``
PaddingParam       ``1``; ``1,2`` (rows,cols); ``1,1,2,2``       int, ``(r, c)``,
                   (top,bottom,left,right); ``valid`` ``same``   ``((t, b), (l, r))`` or the
                   ``full``                                      word, as ``conv_core`` takes
KernelParam        rows split by ``;``, cells by ``,``; cells    ndarray (int64 when whole)
                   as the kernel editor reads them (``1/9``)     via ``conv_core.parse_kernel``
GridParam          the same layout, whole numbers in range       int64 ndarray
=================  ============================================  ===========================

Nothing is evaluated: numbers go through regular expressions and
``conv_core.parse_kernel_cell``. Pure functions, no Streamlit (the page writes the
result with ``ui.widgets.sync_query_params``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from conv_core import ArgumentError, parse_kernel
from conv_core.kernels import MAX_EDITOR_SIZE
from ui.frame.i18n import translate

__all__ = [
    "BoolParam",
    "ChoiceParam",
    "FloatParam",
    "GridParam",
    "IntParam",
    "KernelParam",
    "Notice",
    "PaddingParam",
    "PairParam",
    "Param",
    "Schema",
    "decode",
    "defaults",
    "encode",
    "format_grid",
    "format_number",
    "format_padding_spec",
    "parse_grid",
    "parse_padding_spec",
]

PaddingSpec = int | str | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PADDING_WORDS = ("valid", "same", "full")
# Longest raw value shown back in a notice.
_SHOWN_CHARS = 40
# Longest raw value read for a one-number parameter: nobody types more.
_SHORT_CHARS = 64


class _Invalid(ValueError):
    """A raw value the parameter cannot use (caught by :func:`decode`)."""


def format_number(value: float | int) -> str:
    """The shortest text that reads back as exactly ``value``: ``'2'``, ``'1/9'``, ``'0.5'``.

    Whole numbers lose their ``.0``. Otherwise the shorter of Python's round-trip decimal
    and an exact fraction ``n/d`` (``d`` up to 1000) is used, the decimal on a tie: so
    ``1/9`` and ``1/16`` stay fractions, ``0.5`` and ``0.37`` stay decimals.

    >>> format_number(3), format_number(-2.0), format_number(1 / 9), format_number(0.5)
    ('3', '-2', '1/9', '0.5')
    >>> format_number(-2 / 16), format_number(0.37), format_number(0.07511360795411207)
    ('-1/8', '0.37', '0.07511360795411207')
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"value must be a number, but got {value!r}")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"value must be finite, but got {value!r}")
    if x == int(x) and abs(x) < 2**53:
        return str(int(x))
    decimal = repr(x)
    frac = Fraction(x).limit_denominator(1000)
    if float(frac.numerator) / float(frac.denominator) == x:
        fraction = f"{frac.numerator}/{frac.denominator}"
        if len(fraction) < len(decimal):
            return fraction
    return decimal


def _read_int(text: str, low: int, high: int) -> int:
    text = text.strip()
    if len(text) > _SHORT_CHARS or not _INT.fullmatch(text):
        raise _Invalid(text)
    value = int(text)
    if not low <= value <= high:
        raise _Invalid(text)
    return value


def _split_grid(text: str, max_rows: int, max_cols: int) -> list[list[str]]:
    rows = [row.split(",") for row in text.strip().rstrip(";").split(";")]
    if not 1 <= len(rows) <= max_rows or any(not 1 <= len(row) <= max_cols for row in rows):
        raise _Invalid(text)
    if len({len(row) for row in rows}) != 1:
        raise _Invalid(text)
    return rows


def parse_padding_spec(text: str, max_pad: int = 64) -> PaddingSpec:
    """Read a padding spec as a link or a text box holds it.

    Parameters
    ----------
    text : str
        ``'1'`` (every side), ``'1,2'`` (rows, cols), ``'1,1,2,2'`` (top, bottom, left,
        right), or ``'valid'``, ``'same'``, ``'full'`` (any letter case).
    max_pad : int, optional
        The largest number of cells allowed on one side (default 64).

    Returns
    -------
    int, (rows, cols), ((top, bottom), (left, right)) or str
        What ``conv_core.resolve_padding`` takes as ``padding``.

    Raises
    ------
    ArgumentError
        ``bad_padding``: not one of the forms above, or a pad outside ``0..max_pad``.

    Examples
    --------
    >>> parse_padding_spec("1"), parse_padding_spec("1,2"), parse_padding_spec(" Same ")
    (1, (1, 2), 'same')
    >>> parse_padding_spec("0,1,2,3")
    ((0, 1), (2, 3))
    """
    raw = text
    text = text.strip().lower() if isinstance(text, str) else ""
    if text in _PADDING_WORDS:
        return text
    parts = text.split(",")
    try:
        if len(text) > _SHORT_CHARS or len(parts) not in (1, 2, 4):
            raise _Invalid(text)
        values = [_read_int(part, 0, max_pad) for part in parts]
    except _Invalid:
        raise ArgumentError("bad_padding", arg="padding", value=raw) from None
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return (values[0], values[1])
    return ((values[0], values[1]), (values[2], values[3]))


def format_padding_spec(spec: PaddingSpec) -> str:
    """The text :func:`parse_padding_spec` reads back as ``spec``.

    >>> format_padding_spec(1), format_padding_spec((1, 2)), format_padding_spec("full")
    ('1', '1,2', 'full')
    >>> format_padding_spec(((0, 1), (2, 3)))
    '0,1,2,3'
    """
    if isinstance(spec, str):
        return spec
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        return str(int(spec))
    flat: list[Any] = []
    for part in spec:
        flat.extend(part if isinstance(part, (tuple, list)) else [part])
    return ",".join(str(int(v)) for v in flat)


def parse_grid(
    text: str,
    *,
    low: int = 0,
    high: int = 255,
    max_rows: int = 32,
    max_cols: int = 32,
) -> npt.NDArray[np.int64]:
    """Read a grid of whole numbers: rows split by ``;``, cells by ``,``.

    Raises ``ValueError`` when the text is not a rectangular grid of whole numbers in
    ``low..high`` with at most ``max_rows`` x ``max_cols`` cells.

    >>> parse_grid("0,1;1,0")
    array([[0, 1],
           [1, 0]])
    """
    rows = _split_grid(text, max_rows, max_cols)
    return np.array([[_read_int(cell, low, high) for cell in row] for row in rows], np.int64)


def format_grid(grid: npt.ArrayLike) -> str:
    """The text :func:`parse_grid` or a :class:`KernelParam` reads back as ``grid``.

    >>> format_grid([[1, 0, -1], [0.5, 1 / 9, 0]])
    '1,0,-1;0.5,1/9,0'
    """
    arr = np.asarray(grid)
    return ";".join(",".join(format_number(v) for v in row.tolist()) for row in arr)


@dataclass(frozen=True)
class Notice:
    """A link parameter that could not be used and fell back to its default.

    ``value`` is the raw text (cut to 40 characters), ``fallback`` the default as it
    would appear in a link, ``expected_key``/``expected_params`` say what was allowed
    (a ``url.expected.*`` string).
    """

    name: str
    value: str
    fallback: str
    expected_key: str
    expected_params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The notice worded in ``lang``."""
        expected = translate(lang, self.expected_key, **self.expected_params)
        return translate(
            lang,
            "url.bad_value",
            name=self.name,
            value=self.value,
            expected=expected,
            fallback=self.fallback,
        )


class Param(Protocol):
    """What every parameter type provides."""

    name: str
    default: Any

    def parse(self, text: str) -> Any:
        """The value for ``text``; raises ``ValueError`` when it cannot be used."""

    def format(self, value: Any) -> str:
        """The text that :meth:`parse` reads back as ``value``."""

    def expected(self) -> tuple[str, dict[str, Any]]:
        """``(translation key, params)`` describing the allowed values."""


@dataclass(frozen=True)
class IntParam:
    """A whole number in ``low..high``."""

    name: str
    default: int
    low: int
    high: int

    def parse(self, text: str) -> int:
        return _read_int(text, self.low, self.high)

    def format(self, value: int) -> str:
        return str(int(value))

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.int", {"low": self.low, "high": self.high}


@dataclass(frozen=True)
class FloatParam:
    """A finite number in ``low..high``."""

    name: str
    default: float
    low: float
    high: float

    def parse(self, text: str) -> float:
        text = text.strip()
        if len(text) > _SHORT_CHARS or not _FLOAT.fullmatch(text):
            raise _Invalid(text)
        value = float(text)
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise _Invalid(text)
        return value

    def format(self, value: float) -> str:
        x = float(value)
        return str(int(x)) if x == int(x) and abs(x) < 2**53 else repr(x)

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.float", {
            "low": format_number(self.low),
            "high": format_number(self.high),
        }


@dataclass(frozen=True)
class ChoiceParam:
    """One of a fixed set of words (matched in any letter case)."""

    name: str
    default: str
    choices: tuple[str, ...]

    def parse(self, text: str) -> str:
        wanted = text.strip().lower()
        for choice in self.choices:
            if choice.lower() == wanted:
                return choice
        raise _Invalid(text)

    def format(self, value: str) -> str:
        return str(value)

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.choice", {"choices": ", ".join(self.choices)}


@dataclass(frozen=True)
class BoolParam:
    """On or off: ``1``/``0`` (also ``true``/``false``, ``yes``/``no``, ``on``/``off``)."""

    name: str
    default: bool

    _TRUE = ("1", "true", "yes", "on")
    _FALSE = ("0", "false", "no", "off")

    def parse(self, text: str) -> bool:
        wanted = text.strip().lower()
        if wanted in self._TRUE:
            return True
        if wanted in self._FALSE:
            return False
        raise _Invalid(text)

    def format(self, value: bool) -> str:
        return "1" if value else "0"

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.bool", {}


@dataclass(frozen=True)
class PairParam:
    """A (rows, cols) pair of whole numbers in ``low..high``; one number means both."""

    name: str
    default: tuple[int, int]
    low: int
    high: int

    def parse(self, text: str) -> tuple[int, int]:
        parts = text.split(",")
        if len(text) > _SHORT_CHARS or len(parts) not in (1, 2):
            raise _Invalid(text)
        values = [_read_int(part, self.low, self.high) for part in parts]
        return (values[0], values[-1])

    def format(self, value: tuple[int, int]) -> str:
        rows, cols = (int(v) for v in value)
        return str(rows) if rows == cols else f"{rows},{cols}"

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.pair", {"low": self.low, "high": self.high}


@dataclass(frozen=True)
class PaddingParam:
    """A padding spec as ``conv_core`` takes it (see :func:`parse_padding_spec`).

    ``per_side=False`` refuses ``top,bottom,left,right`` with unequal sides, for a page
    whose controls pad each axis symmetrically.

    >>> PaddingParam("padding", 0, per_side=False).parse("1,1,2,2")
    ((1, 1), (2, 2))
    """

    name: str
    default: PaddingSpec
    max_pad: int = 64
    per_side: bool = True

    def parse(self, text: str) -> PaddingSpec:
        try:
            spec = parse_padding_spec(text, self.max_pad)
        except ArgumentError:
            raise _Invalid(text) from None
        if not self.per_side and _unequal_sides(spec):
            raise _Invalid(text)
        return spec

    def format(self, value: PaddingSpec) -> str:
        return format_padding_spec(value)

    def expected(self) -> tuple[str, dict[str, Any]]:
        if not self.per_side:
            return "url.expected.padding_symmetric", {}
        return "url.expected.padding", {}


def _unequal_sides(spec: PaddingSpec) -> bool:
    """Whether a ``((top, bottom), (left, right))`` spec pads an axis unevenly."""
    if isinstance(spec, str) or not isinstance(spec, tuple):
        return False
    return any(isinstance(side, tuple) and side[0] != side[1] for side in spec)


@dataclass(frozen=True)
class KernelParam:
    """A kernel, read as the kernel editor reads its cells (numbers and fractions, no eval).

    ``default`` is given as nested tuples (hashable); :func:`decode` returns an ndarray
    (``int64`` when every weight is whole, else ``float64``, as ``conv_core.parse_kernel``).
    """

    name: str
    default: tuple[tuple[float, ...], ...]
    max_rows: int = MAX_EDITOR_SIZE
    max_cols: int = MAX_EDITOR_SIZE

    def parse(self, text: str) -> npt.NDArray[Any]:
        if len(text) > self.max_rows * self.max_cols * 42:
            raise _Invalid(text)
        rows = _split_grid(text, self.max_rows, self.max_cols)
        try:
            return parse_kernel(rows)
        except ArgumentError:
            raise _Invalid(text) from None

    def format(self, value: npt.ArrayLike) -> str:
        return format_grid(value)

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.kernel", {"max_rows": self.max_rows, "max_cols": self.max_cols}


@dataclass(frozen=True)
class GridParam:
    """A grid of whole numbers in ``low..high`` (an input grid for the stepper)."""

    name: str
    default: tuple[tuple[int, ...], ...]
    low: int = 0
    high: int = 255
    max_rows: int = 32
    max_cols: int = 32

    def parse(self, text: str) -> npt.NDArray[np.int64]:
        if len(text) > self.max_rows * self.max_cols * 12:
            raise _Invalid(text)
        return parse_grid(
            text, low=self.low, high=self.high, max_rows=self.max_rows, max_cols=self.max_cols
        )

    def format(self, value: npt.ArrayLike) -> str:
        return format_grid(np.asarray(value, dtype=np.int64))

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "url.expected.grid", {
            "low": self.low,
            "high": self.high,
            "max_rows": self.max_rows,
            "max_cols": self.max_cols,
        }


class Schema:
    """The parameters one page keeps in its link, by name, in order.

    Every default must be a valid value of its parameter (checked here, so a wrong
    schema fails when the page module is imported, not when a student opens a link).
    """

    def __init__(self, *params: Param) -> None:
        self.params: dict[str, Param] = {}
        for param in params:
            if param.name in self.params:
                raise ValueError(f"parameter {param.name!r} is in the schema twice")
            text = param.format(param.default)
            if param.format(param.parse(text)) != text:
                raise ValueError(f"default of {param.name!r} does not read back: {text!r}")
            self.params[param.name] = param

    @property
    def names(self) -> tuple[str, ...]:
        """The parameter names, in order."""
        return tuple(self.params)

    def with_defaults(self, **new_defaults: Any) -> Schema:
        """The same parameters with some defaults replaced (checked like any default).

        A page whose defaults depend on another setting (the studio's lecture example
        decides the kernel, padding and stride) encodes and decodes its link against the
        schema that setting gives, so a link holds only what differs from it.

        >>> s = Schema(IntParam("stride", 1, 1, 8), IntParam("pad", 0, 0, 4))
        >>> encode(s.with_defaults(pad=1), {"stride": 1, "pad": 1})
        {}
        """
        unknown = set(new_defaults) - set(self.params)
        if unknown:
            raise ValueError(f"not in the schema: {sorted(unknown)}")
        return Schema(
            *(
                replace(p, default=new_defaults[name]) if name in new_defaults else p
                for name, p in self.params.items()
            )
        )

    def __repr__(self) -> str:
        return f"Schema({', '.join(self.params)})"


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def defaults(schema: Schema) -> dict[str, Any]:
    """Every parameter's default value (kernels and grids as ndarrays, like :func:`decode`)."""
    return {name: p.parse(p.format(p.default)) for name, p in schema.params.items()}


def decode(
    schema: Schema, query: Mapping[str, str | Sequence[str]]
) -> tuple[dict[str, Any], list[Notice]]:
    """Typed settings from a link's query parameters, with defaults; never raises.

    Parameters
    ----------
    schema : Schema
    query : mapping of str to str or list of str
        ``st.query_params.to_dict()`` (or any mapping; for a repeated parameter the
        last value counts, as ``st.query_params[name]`` does).

    Returns
    -------
    settings : dict
        One value per schema parameter: the link's when valid, else the default.
    notices : list of Notice
        One per parameter that was present but invalid, in schema order.
    """
    settings = defaults(schema)
    notices: list[Notice] = []
    for name, param in schema.params.items():
        if name not in query:
            continue
        raw = query[name]
        if not isinstance(raw, str):
            raw = raw[-1] if len(raw) else ""
        try:
            settings[name] = param.parse(str(raw))
        except ValueError:
            key, params = param.expected()
            notices.append(
                Notice(name, _shorten(str(raw)), param.format(param.default), key, params)
            )
    return settings, notices


def encode(schema: Schema, settings: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters for ``settings``: only values that differ from the defaults.

    Values are compared by their link text, so ``1/9`` and ``0.111…`` written the same
    way count as equal. Names missing from ``settings`` are left out (default).
    """
    query: dict[str, str] = {}
    for name, param in schema.params.items():
        if name not in settings:
            continue
        text = param.format(settings[name])
        if text != param.format(param.default):
            query[name] = text
    return query
