"""Translations (pure): every string a page shows comes from ``assets/i18n/<lang>/*.toml``.

Each language is a folder of TOML files (one per area: ``common.toml``, ``studio.toml``,
``stepper.toml``, ``errors.toml``, ...). Nested tables become dotted keys, so
``[studio] title = "..."`` is ``t("studio.title")``. Values are ``str.format`` templates:
``t("studio.steps", n=9)``. A test checks that both languages have the same keys with
the same placeholders.

The pure functions (:func:`load_strings`, :func:`translate`, :func:`error_text`) take
the language explicitly and are testable without Streamlit; :func:`t` reads the
current language from the session (set by the sidebar switch in ``app.py``).
"""

from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import conv_core as cc
from conv_core.errors import ConvLabError
from conv_core.networks import NETWORK_PRESETS

I18N_DIR = Path(__file__).resolve().parents[2] / "assets" / "i18n"
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
#: Session-state key holding the current language code.
LANG_KEY = "app.lang"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


def engine_strings() -> dict[str, str]:
    """The English text conv_core's records carry themselves, under their translation keys.

    Kernels, lecture and network presets, padding modes, display modes and image notes
    are written once, in conv_core beside their numbers; English reads them from there and only the
    other languages translate them in ``assets/i18n/<lang>/``.

    >>> engine_strings()["kernels.identity.title"]
    'Identity'
    """
    strings: dict[str, str] = {}
    for kernel in cc.KERNELS.values():
        strings[kernel.title_key] = kernel.title
        strings[kernel.explain_key] = kernel.explanation
    for preset in cc.PRESETS.values():
        strings[preset.title_key] = preset.title
        strings[preset.description_key] = preset.description
    for network in NETWORK_PRESETS.values():
        strings[network.title_key] = network.title
        strings[network.description_key] = network.description
    for name, mode in cc.PADDING_MODES.items():
        strings[f"padding_modes.{name}.title"] = name
        strings[f"padding_modes.{name}.explain"] = mode.explanation
    for display in cc.DISPLAY_MODES.values():
        strings[display.key] = display.explanation
    for key, message in cc.IMAGE_NOTE_MESSAGES.items():
        strings[f"image_notes.{key}"] = message
    return strings


@functools.cache
def load_strings(lang: str) -> dict[str, str]:
    """All strings of one language, as ``{dotted.key: template}`` (read once per process).

    English starts from :func:`engine_strings`; a TOML file that repeats one of those keys
    is refused (``KeyError``), so conv_core's text is never kept in a second copy.
    """
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    strings: dict[str, str] = engine_strings() if lang == DEFAULT_LANGUAGE else {}
    for path in sorted((I18N_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            for key, value in _flatten(tomllib.load(f)).items():
                if key in strings:
                    where = "is conv_core's own text" if lang == DEFAULT_LANGUAGE else "twice"
                    raise KeyError(f"{path.name}: key {key!r} is defined {where} in {lang}")
                strings[key] = value
    return strings


@functools.cache
def _keys_with_prefix(prefix: str) -> tuple[str, ...]:
    return tuple(k for k in load_strings(DEFAULT_LANGUAGE) if k.startswith(prefix))


def strings_with_prefix(prefix: str, lang: str) -> dict[str, str]:
    """Every string whose key starts with ``prefix``, in ``lang``, the prefix cut off.

    For a browser component that formats its own text (the stepper, the drawing grid):
    templates stay unformatted, and a key missing in ``lang`` falls back to English.

    Raises
    ------
    KeyError
        ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> strings_with_prefix("stepper.", "en")["play"]
    'Play (Space)'
    """
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    english = load_strings(DEFAULT_LANGUAGE)
    local = load_strings(lang)
    n = len(prefix)
    return {k[n:]: local.get(k, english[k]) for k in _keys_with_prefix(prefix)}


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template uses (for the both-languages-agree test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def translate(lang: str, key: str, /, **params: Any) -> str:
    """The string for ``key`` in ``lang``, formatted with ``params``.

    A key missing in ``lang`` falls back to English; a key missing everywhere is a bug
    and raises ``KeyError`` (the key-coverage tests catch it before a person does).
    """
    strings = load_strings(lang)
    template = strings.get(key)
    if template is None:
        template = load_strings(DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params else template


def error_text(lang: str, error: ConvLabError) -> str:
    """A conv_core error worded in ``lang``: ``errors.<key>`` with the error's numbers.

    Falls back to the error's own English text when no translation exists.
    """
    template = load_strings(lang).get(f"errors.{error.key}")
    if template is None:
        return str(error)
    try:
        return template.format(**error.params)
    except (KeyError, IndexError, ValueError):
        return str(error)
