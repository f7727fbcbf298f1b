"""A network as editor rows (plain dicts) and back, with the problems by row.

One row per layer: ``id``, ``kind``, ``inputs`` (ids separated by commas; empty: the layer
above) and the kind's parameters under the layer records' argument names
(:data:`KIND_COLUMNS`). Values are plain: ints, ``True``/``False``, words
(``'same'``, ``'relu'``), a float for ``rate``, and text for what has two or three
numbers (``"1, 3"`` for a 1x3 kernel, ``"28, 28, 1"`` for an input shape); a pair with
equal entries is written as one int.

:func:`records_to_network` reads such rows back. It does not raise: it returns the
layers it could build and a :class:`RecordProblem` for each row it could not (then, when
every row is readable, the first problem the calculator finds), so the editor can mark
the cell.

Examples
--------
>>> from conv_core.networks import Input, Conv2d, MaxPool2d
>>> rows = network_to_records([Input((28, 28, 1)), Conv2d(8, (1, 3), padding="same"),
...                            MaxPool2d(2)])
>>> rows[1]
{'id': 'conv2d', 'kind': 'conv2d', 'inputs': '', 'out_channels': 8, 'kernel_size': '1, 3', \
'stride': 1, 'padding': 'same', 'dilation': 1, 'groups': 1, 'bias': True, 'activation': None}
>>> layers, problems = records_to_network(rows)
>>> problems, layers[1].kernel_size
([], (1, 3))
>>> rows[2]["kernel_size"] = "two"
>>> _, problems = records_to_network(rows)
>>> problems[0].row, problems[0].column, problems[0].message
(2, 'kernel_size', "kernel_size must be a whole number or two separated by a comma \
(rows, cols), but got 'two'")
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ERROR_MESSAGES, ConvLabError, register_messages
from .calculator import named_layers, network_summary
from .layers import ACTIVATION_FUNCTIONS, LAYER_TYPES, Layer

__all__ = [
    "KIND_ALIASES",
    "KIND_COLUMNS",
    "RECORD_COLUMNS",
    "RecordProblem",
    "network_to_records",
    "records_to_network",
]

register_messages(
    {
        "network_record_kind": "kind must be one of {choices}, but got {value!r}",
        "network_record_missing": "{column} is empty, but a {kind} layer needs it",
        "network_record_int": "{column} must be a whole number, but got {value!r}",
        "network_record_pair": (
            "{column} must be a whole number or two separated by a comma (rows, cols), "
            "but got {value!r}"
        ),
        "network_record_padding": (
            "padding must be a whole number, two separated by a comma (rows, cols), "
            "'same' or 'valid', but got {value!r}"
        ),
        "network_record_shape": (
            "shape must be three whole numbers separated by commas (height, width, channels), "
            "but got {value!r}"
        ),
        "network_record_bool": "{column} must be true or false, but got {value!r}",
        "network_record_number": "{column} must be a number, but got {value!r}",
        "network_record_activation": (
            "activation must be empty or one of {choices}, but got {value!r}"
        ),
    }
)

#: Every column a row can have, in the editor's order.
RECORD_COLUMNS = (
    "id",
    "kind",
    "inputs",
    "shape",
    "out_channels",
    "units",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "output_size",
    "bias",
    "activation",
    "rate",
)

_POOL = ("kernel_size", "stride", "padding")
#: The parameter columns of each kind (the activations have none).
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "input": ("shape",),
    "conv2d": (
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "activation",
    ),
    "maxpool2d": _POOL,
    "avgpool2d": _POOL,
    "adaptiveavgpool2d": ("output_size",),
    "globalavgpool2d": (),
    "flatten": (),
    "dense": ("units", "bias", "activation"),
    "dropout": ("rate",),
    "batchnorm": (),
    "add": (),
    "concat": (),
} | dict.fromkeys(ACTIVATION_FUNCTIONS, ())

#: Other spellings the ``kind`` column accepts (case and spaces do not matter).
KIND_ALIASES: dict[str, str] = {
    "conv": "conv2d",
    "convolution": "conv2d",
    "pool": "maxpool2d",
    "maxpool": "maxpool2d",
    "maxpooling2d": "maxpool2d",
    "avgpool": "avgpool2d",
    "averagepooling2d": "avgpool2d",
    "adaptiveavgpool": "adaptiveavgpool2d",
    "gap": "globalavgpool2d",
    "globalavgpool": "globalavgpool2d",
    "globalaveragepooling2d": "globalavgpool2d",
    "fc": "dense",
    "linear": "dense",
    "bn": "batchnorm",
    "batchnorm2d": "batchnorm",
    "batchnormalization": "batchnorm",
    "concatenate": "concat",
    "leakyrelu": "leaky_relu",
}

_REQUIRED = {"shape", "out_channels", "units", "kernel_size", "rate", "output_size"}

# Calculator errors -> the column to mark.
_ERROR_COLUMNS = {
    "network_duplicate_id": "id",
    "network_input_position": "kind",
    "network_unknown_input": "inputs",
    "network_one_input": "inputs",
    "network_add_inputs": "inputs",
    "network_concat_inputs": "inputs",
    "network_add_shapes": "inputs",
    "network_concat_shapes": "inputs",
    "network_needs_map": "kind",
    "network_dense_needs_vector": "kind",
    "network_kernel_too_large": "kernel_size",
    "network_groups": "groups",
    "network_adaptive_too_large": "output_size",
}


@dataclass(frozen=True)
class RecordProblem:
    """A row the editor cannot use.

    Attributes
    ----------
    row : int
        Index of the row in the records given (0-based; show ``row + 1``).
    column : str
        The column to mark, or ``''`` for the whole row.
    key, params : str, dict
        The :class:`~conv_core.ConvLabError` key and numbers, for translation
        (``errors.<key>``).
    """

    row: int
    column: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English text."""
        return ERROR_MESSAGES[self.key].format(**self.params)


class _CellError(Exception):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


# ----------------------------------------------------------------------------- writing


def _pair_cell(value: Any) -> Any:
    if isinstance(value, tuple):
        return value[0] if value[0] == value[1] else f"{value[0]}, {value[1]}"
    return value


def network_to_records(
    layers: Sequence[Layer], *, all_columns: bool = False
) -> list[dict[str, Any]]:
    """The network as editor rows: ``id``, ``kind``, ``inputs`` and the kind's parameters.

    Parameters
    ----------
    layers : sequence of Layer
        A network (its graph is checked: :func:`~conv_core.networks.named_layers`).
    all_columns : bool, optional
        Give every row every column of :data:`RECORD_COLUMNS`, None where unused (for a
        table editor); default False (the kind's columns only).

    Returns
    -------
    list of dict
        Ids written out (Keras's names for unnamed layers); ``inputs`` empty when the
        layer reads the one above, else the ids joined by ``", "``.

    Examples
    --------
    >>> from conv_core.networks import Input, Dense, Flatten, Add
    >>> network_to_records([Input((4, 4, 1)), Flatten(id="f"), Dense(3, id="a"),
    ...                     Dense(3, id="b", inputs="f"), Add(inputs="a, b")])[3:]
    [{'id': 'b', 'kind': 'dense', 'inputs': 'f', 'units': 3, 'bias': True, \
'activation': None}, {'id': 'add', 'kind': 'add', 'inputs': 'a, b'}]
    """
    net = named_layers(layers)
    rows: list[dict[str, Any]] = []
    for index, layer in enumerate(net):
        above = (net[index - 1].id,) if index else ()
        row: dict[str, Any] = dict.fromkeys(RECORD_COLUMNS) if all_columns else {}
        row.update(
            id=layer.id,
            kind=layer.kind,
            inputs="" if layer.inputs == above else ", ".join(layer.inputs),
        )
        for column in KIND_COLUMNS[layer.kind]:
            value = getattr(layer, column)
            if column == "shape":
                value = ", ".join(str(v) for v in value)
            row[column] = _pair_cell(value)
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- reading


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "nan", "none")


def _whole(value: Any) -> int | None:
    """An int from an int, a whole float or a text holding one; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        return int(v) if math.isfinite(v) and v == round(v) else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        try:
            return _whole(float(text))
        except ValueError:
            return None
    return None


def _numbers(value: Any) -> list[int] | None:
    """Whole numbers from ``3``, ``"1, 3"``, ``"1x3"``, ``"(1, 3)"`` or a list."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,x×\s]+", value.strip().strip("()[]").lower()) if p]
    elif isinstance(value, (tuple, list)):
        parts = list(value)
    else:
        parts = [value]
    got = [_whole(p) for p in parts]
    return None if not got or any(v is None for v in got) else got  # type: ignore[return-value]


def _int_cell(value: Any, column: str) -> int:
    v = _whole(value)
    if v is None:
        raise _CellError("network_record_int", column=column, value=value)
    return v


def _pair_value(value: Any, column: str) -> Any:
    got = _numbers(value)
    if got is None or len(got) not in (1, 2):
        raise _CellError("network_record_pair", column=column, value=value)
    return got[0] if len(got) == 1 else (got[0], got[1])


def _padding_cell(value: Any, column: str) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
        return value.strip().lower()
    got = _numbers(value)
    if got is None or len(got) not in (1, 2):
        raise _CellError("network_record_padding", value=value)
    return got[0] if len(got) == 1 else (got[0], got[1])


def _shape_cell(value: Any, column: str) -> Any:
    got = _numbers(value)
    if got is None or len(got) != 3:
        raise _CellError("network_record_shape", value=value)
    return tuple(got)


def _bool_cell(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "on", "1", "1.0"):
        return True
    if text in ("false", "no", "n", "off", "0", "0.0"):
        return False
    raise _CellError("network_record_bool", column=column, value=value)


def _number_cell(value: Any, column: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _CellError("network_record_number", column=column, value=value) from None
    return v


def _activation_cell(value: Any, column: str) -> str | None:
    text = str(value).strip().lower()
    text = KIND_ALIASES.get(text.replace(" ", ""), text)
    if text in ("", "linear", "none"):
        return None
    if text not in ACTIVATION_FUNCTIONS:
        choices = ", ".join(repr(c) for c in ACTIVATION_FUNCTIONS)
        raise _CellError("network_record_activation", value=value, choices=choices)
    return text


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "shape": _shape_cell,
    "out_channels": _int_cell,
    "units": _int_cell,
    "groups": _int_cell,
    "kernel_size": _pair_value,
    "stride": _pair_value,
    "dilation": _pair_value,
    "output_size": _pair_value,
    "padding": _padding_cell,
    "bias": _bool_cell,
    "activation": _activation_cell,
    "rate": _number_cell,
}


def _kind(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace(" ", "")
    text = KIND_ALIASES.get(text, text)
    return text if text in KIND_COLUMNS else None


def _row_layer(i: int, rec: Mapping[str, Any]) -> Layer | RecordProblem:
    kind = _kind(rec.get("kind"))
    if kind is None:
        choices = ", ".join(repr(k) for k in KIND_COLUMNS)
        return RecordProblem(
            i, "kind", "network_record_kind", {"choices": choices, "value": rec.get("kind")}
        )
    kwargs: dict[str, Any] = {}
    for column in ("id", "inputs"):
        if not _blank(rec.get(column)):
            kwargs[column] = str(rec[column]).strip()
    for column in KIND_COLUMNS[kind]:
        value = rec.get(column)
        if _blank(value):
            if column in _REQUIRED:
                label = LAYER_TYPES[kind].__name__ if kind not in ACTIVATION_FUNCTIONS else kind
                return RecordProblem(
                    i, column, "network_record_missing", {"column": column, "kind": label}
                )
            continue
        try:
            kwargs[column] = _PARSERS[column](value, column)
        except _CellError as err:
            return RecordProblem(i, column, err.key, err.params)
    if kind in ACTIVATION_FUNCTIONS:
        kwargs["function"] = kind
    try:
        return LAYER_TYPES[kind](**kwargs)
    except ConvLabError as err:
        arg = err.params.get("arg")
        column = arg if arg in RECORD_COLUMNS else _ARG_COLUMNS.get(err.key, "")
        return RecordProblem(i, column, err.key, dict(err.params))


_ARG_COLUMNS = {
    "network_bad_id": "id",
    "network_bad_inputs": "inputs",
    "network_bad_shape": "shape",
    "network_pool_padding": "padding",
    "network_dropout_rate": "rate",
}


def records_to_network(
    records: Sequence[Mapping[str, Any]], *, check: bool = True
) -> tuple[list[Layer], list[RecordProblem]]:
    """Editor rows -> layer records, with the problems by row instead of an exception.

    Parameters
    ----------
    records : sequence of mapping
        Rows as :func:`network_to_records` writes them (missing columns are empty). A
        row with every cell empty is skipped. ``kind`` is case-insensitive and takes the
        aliases of :data:`KIND_ALIASES` (``'conv'``, ``'fc'``, ``'bn'`` ...). Pairs may be
        written ``3``, ``"1, 3"``, ``"1x3"`` or ``(1, 3)``; ``bias`` as true/false/yes/no/1/0.
        An empty optional cell takes the layer's default (stride 1 — a pool's kernel —,
        padding 0, dilation 1, groups 1, bias true, no activation); ``shape``,
        ``out_channels``, ``kernel_size``, ``units``, ``rate`` and ``output_size`` must be
        given.
    check : bool, optional
        When every row is readable, also run the calculator and report the first layer
        that does not fit (an Add of different shapes, a Dense before any Flatten, a kernel
        larger than its input ...) at its row; default True.

    Returns
    -------
    layers : list of Layer
        The readable rows, in order.
    problems : list of RecordProblem
        The first problem of each unreadable row (row index into ``records``, column,
        error key and parameters); empty when the network is usable.

    Examples
    --------
    >>> rows = [{"kind": "input", "shape": "8, 8, 3"},
    ...         {"kind": "conv", "out_channels": 4, "kernel_size": 3},
    ...         {},
    ...         {"kind": "add", "inputs": "input, conv2d"}]
    >>> layers, problems = records_to_network(rows)
    >>> [layer.kind for layer in layers]
    ['input', 'conv2d', 'add']
    >>> problems[0].row, problems[0].column, problems[0].key
    (3, 'inputs', 'network_add_shapes')
    >>> problems[0].message
    "layer 'add' (Add) adds tensors of the same shape, but 'input' gives (8, 8, 3) and \
'conv2d' gives (6, 6, 4)"
    """
    layers: list[Layer] = []
    rows: list[int] = []
    problems: list[RecordProblem] = []
    for i, rec in enumerate(records):
        if all(_blank(v) for v in rec.values()):
            continue
        got = _row_layer(i, rec)
        if isinstance(got, RecordProblem):
            problems.append(got)
        else:
            layers.append(got)
            rows.append(i)
    if check and not problems:
        try:
            network_summary(layers)
        except ConvLabError as err:
            index = err.params.get("index")
            row = rows[index] if isinstance(index, int) and 0 <= index < len(rows) else 0
            problems.append(
                RecordProblem(row, _ERROR_COLUMNS.get(err.key, ""), err.key, err.params)
            )
    return layers, problems
