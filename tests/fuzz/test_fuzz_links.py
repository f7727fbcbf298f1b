"""Fuzz of what a link or the browser sends: ui/url_state decoding of every page's link
schema, the drawing grid's bitmap text (ui/components/draw_grid.decode_bitmap) and the drawn input's
link parameter (ui/drawn_input.BitmapParam).

The schemas are the real ones: recorded while app.py and the studio run under AppTest
(``url_state.decode`` is wrapped to keep every schema it is given), plus the studio's
per-lecture-example variants built as pages/studio.py's ``link_schema`` builds them
(``SCHEMA.with_defaults(kernel, bias, padding, stride)`` of each grid preset).

``decode`` must never raise; it returns one valid value per parameter (its text reads
back to itself) and a notice per bad parameter, worded in both languages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui.components import draw_grid
from ui.frame import url_state as us
from ui.frame.i18n import LANG_KEY
from ui.teaching.grid_sources import grid_presets
from ui.widgets import drawn_input

ROOT = Path(__file__).resolve().parents[2]


def fuzz(n: int) -> settings:
    return settings(max_examples=n, suppress_health_check=[HealthCheck.too_slow])


def _recorded_schemas() -> list[us.Schema]:
    """Every schema app.py and the studio hand to ``url_state.decode`` in a run."""
    seen: dict[int, us.Schema] = {}
    real = us.decode

    def recording(schema: us.Schema, query: Any) -> Any:
        seen[id(schema)] = schema
        return real(schema, query)

    us.decode = recording
    try:
        for path, query in [
            (ROOT / "tests" / "app" / "app_entry.py", {"present": "1"}),
            (ROOT / "pages" / "studio.py", {"src": "random", "step": "3"}),
            (ROOT / "pages" / "studio.py", {"src": "preset"}),
        ]:
            at = AppTest.from_file(str(path), default_timeout=60)
            if "app_entry" not in path.name:  # app.py reads ?lang= only when none is set
                at.session_state[LANG_KEY] = "en"
            for k, v in query.items():
                at.query_params[k] = v
            at.run()
            assert not at.exception, at.exception
    finally:
        us.decode = real
    return list(seen.values())


RECORDED = _recorded_schemas()


def _studio_variants() -> list[us.Schema]:
    base = next(s for s in RECORDED if "kernel" in s.names and "src" in s.names)
    return [
        base.with_defaults(
            kernel=tuple(map(tuple, p.kernel.tolist())),
            bias=float(p.bias),
            padding=p.padding,
            stride=(p.stride, p.stride),
        )
        for p in grid_presets().values()
    ]


SCHEMAS = RECORDED + _studio_variants()


def test_the_real_schemas_were_found() -> None:
    names = [set(s.names) for s in RECORDED]
    assert any({"kernel", "stride", "padding", "dilation", "grid", "draw"} <= n for n in names)
    assert any(n == {"step"} for n in names), names
    assert any(n == {"lang"} for n in names), names
    assert any(n == {"present"} for n in names), names


TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789,;-+./ e:abcdefABCDEF\u2212", max_size=60),
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            "1e309",
            "99999999999999999999999",
            "",
            " ",
            "same",
            "VALID",
            "full",
            "1,1,2,2",
            "0,0",
            "1/0",
            "1/9",
            "\u22121",
            "True",
            "on",
            "ko",
            "en",
            "__import__('os')",
            "8:" + "f" * 16,
            "28:" + "0" * 196,
            "9:" + "f" * 21,
            "1;2;3",
            ";",
            ",",
            "x" * 5000,
        ]
    ),
)
QUERY_VALUE = st.one_of(TEXT, st.lists(TEXT, max_size=3))


@fuzz(300)
@given(st.data())
def test_decode_never_raises(data: Any) -> None:
    schema = data.draw(st.sampled_from(SCHEMAS))
    names = st.sampled_from([*schema.names, "lang", "junk", ""])
    query = data.draw(st.dictionaries(names, QUERY_VALUE, max_size=len(schema.names) + 2))
    settings_, notices = us.decode(schema, query)
    assert set(settings_) == set(schema.names)
    for name, param in schema.params.items():
        text = param.format(settings_[name])
        assert param.format(param.parse(text)) == text, (name, text)
    assert len({n.name for n in notices}) == len(notices)
    for notice in notices:
        assert notice.name in schema.names and notice.name in query
        assert len(notice.value) <= 41
        for lang in ("en", "ko"):
            text = notice.text(lang)
            assert notice.name in text, text
            # Every placeholder filled (the raw value itself may hold braces).
            assert not re.search(r"\{[a-z_]+\}", text.replace(notice.value, "")), text
    # What decode gives encodes to a link that decodes to the same settings, silently.
    again, quiet = us.decode(schema, us.encode(schema, settings_))
    assert quiet == []
    for name, param in schema.params.items():
        assert param.format(again[name]) == param.format(settings_[name])


@fuzz(300)
@given(TEXT, st.integers(-2, 140), st.integers(-2, 140))
def test_decode_bitmap(text: str, rows: int, cols: int) -> None:
    try:
        bitmap = draw_grid.decode_bitmap(text, rows, cols)
    except ValueError:
        return
    assert bitmap.shape == (rows, cols) and bitmap.dtype == bool
    assert draw_grid.encode_bitmap(bitmap) == text.lower()


@fuzz(200)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_bitmap_round_trip(rows: int, cols: int, seed: int) -> None:
    bitmap = np.random.default_rng(seed).random((rows, cols)) > 0.5
    text = draw_grid.encode_bitmap(bitmap)
    assert np.array_equal(draw_grid.decode_bitmap(text, rows, cols), bitmap)


@pytest.mark.parametrize("value", [None, 5, b"ff", ["ff"], {"a": 1}, 1.5, True])
def test_decode_bitmap_wrong_types(value: Any) -> None:
    with pytest.raises(ValueError):
        draw_grid.decode_bitmap(value, 2, 4)
    with pytest.raises(ValueError):
        draw_grid.decode_bitmap("81", value, 4)


@fuzz(300)
@given(TEXT)
def test_drawn_input_link(text: str) -> None:
    param = drawn_input.BitmapParam("draw", drawn_input.empty())
    try:
        bitmap = param.parse(text)
    except ValueError:
        return
    side = bitmap.shape[0]
    assert bitmap.shape == (side, side) and drawn_input.MIN_SIDE <= side <= drawn_input.MAX_SIDE
    assert param.parse(param.format(bitmap)).tolist() == bitmap.tolist()


@fuzz(100)
@given(st.sampled_from(["random", "x", "", None, 3, "8:00", [], {}]), st.integers(0, 3))
def test_resolve_bitmap_never_raises(reported: Any, n: int) -> None:
    """What the drawing component reports is arbitrary JSON: a bitmap comes back."""
    out = draw_grid.resolve_bitmap(reported, {}, 8, 8)
    assert out.shape == (8, 8) and out.dtype == bool
