"""Errors that reach a student: a stable key, the numbers, and English text.

Every error conv_core raises on purpose is a :class:`ConvLabError`. It carries

* ``key``: a stable identifier (``"stride_not_positive"``) the app uses to look
  up the message in another language (``assets/i18n/ko.toml`` has
  ``errors.<key>``),
* ``params``: the numbers and names that go into the message,
* ``str(error)``: the English text, made from the template registered for the key.

Bad arguments raise :class:`ArgumentError`, which is also a ``ValueError`` (so
``except ValueError`` works as it does with NumPy and PyTorch); unusable image
files raise a subclass of :class:`ImageLoadError`.

Each module registers its own message templates with :func:`register_messages`,
so the templates live next to the code that raises them, and
:data:`ERROR_MESSAGES` lists every key once conv_core is imported.

Examples
--------
>>> err = ArgumentError("not_positive_int", arg="stride", value=0)
>>> str(err)
'stride must be a positive integer or (rows, cols) pair, but got stride=0'
>>> err.key, err.params
('not_positive_int', {'arg': 'stride', 'value': 0})
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "ERROR_MESSAGES",
    "ArgumentError",
    "ConvLabError",
    "ImageLoadError",
    "register_messages",
]

#: Every message template conv_core can raise, by key (English, ``str.format`` style).
ERROR_MESSAGES: dict[str, str] = {}


def register_messages(messages: Mapping[str, str]) -> None:
    """Add message templates; a key may be registered once only (with one text).

    >>> register_messages({"example_key": "x must be 1, but got x={x}"})
    >>> ERROR_MESSAGES["example_key"]
    'x must be 1, but got x={x}'
    """
    for key, template in messages.items():
        old = ERROR_MESSAGES.get(key)
        if old is not None and old != template:
            raise KeyError(f"error key {key!r} is registered twice with different texts")
        ERROR_MESSAGES[key] = template


class ConvLabError(Exception):
    """Base class of the errors meant for the page: ``key``, ``params`` and English text."""

    def __init__(self, key: str, **params: Any) -> None:
        try:
            template = ERROR_MESSAGES[key]
        except KeyError:  # a programming error: fail loudly in tests
            raise KeyError(f"no message registered for error key {key!r}") from None
        self.key = key
        self.params = params
        self.message = template.format(**params)
        super().__init__(self.message)


class ArgumentError(ConvLabError, ValueError):
    """A bad argument: names the argument, what was given and what is allowed."""


class ImageLoadError(ConvLabError):
    """An uploaded file that cannot be used as an image (see ``conv_core.image_io``)."""


register_messages(
    {
        "not_positive_int": (
            "{arg} must be a positive integer or (rows, cols) pair, but got {arg}={value!r}"
        ),
        "not_nonnegative_int": (
            "{arg} must be a non-negative integer or (rows, cols) pair, but got {arg}={value!r}"
        ),
        "not_int": "{arg} must be an integer, but got {arg}={value!r}",
        "bad_pair": (
            "{arg} must be an integer or a (rows, cols) pair of integers, but got {arg}={value!r}"
        ),
        "bad_choice": "{arg} must be one of {choices}, but got {arg}={value!r}",
        "bad_ndim": ("{arg} must be a {expected} array, but got an array of shape {shape}"),
        "empty_array": "{arg} must not be empty, but got an array of shape {shape}",
        "not_finite": (
            "{arg} must contain only finite numbers, but it has {count} NaN or infinite value(s)"
        ),
        "not_numeric": "{arg} must be numeric, but got dtype {dtype}",
        "not_rectangular": (
            "{arg} must be a rectangular array of numbers, but its rows have different lengths"
        ),
        "too_many_cells": (
            "the padded input or the result would be {rows:,} x {cols:,} = {cells:,} cells, "
            "more than the {limit:,} conv_core computes at once; "
            "use less padding, a smaller stride or a smaller dilation"
        ),
    }
)
