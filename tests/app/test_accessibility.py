"""Accessibility audit (issue 8), AppTest part: on every page, in English and Korean, with the
page's defaults,

* every Plotly heatmap/image has a table alternative a screen reader can read: a
  ``st.dataframe`` on the page holding the heatmap's numbers (``widgets.table_alt_frame``:
  every cell, or every step-th row/column above 40x40) as a block, or, for the documented
  cases in :data:`BY_KEY` (figures whose colours are display levels or categories), a table
  keyed ``<chart key>.table...``;
* no figure uses a colour scale that is unsafe for colour blindness: none of the rainbow /
  red-green names in :data:`DENYLIST`, and no scale whose red and green stops have nearly the
  same lightness (a red/green pair must differ by a luminance contrast of at least 2).

Keyboard reach is checked in a real browser: tests/e2e/test_keyboard_reach_app.py.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from plotly.colors import get_colorscale, hex_to_rgb, unlabel_rgb
from plotly.exceptions import PlotlyError
from streamlit.testing.v1 import AppTest

from tests.app.apptest_helpers import open_page, open_table_alternatives, rerun
from ui.frame.i18n import translate
from ui.frame.page_registry import APP_ROOT, PAGES
from ui.widgets import grid_frame, table_alt_frame

APP = APP_ROOT / "tests" / "app" / "app_entry.py"

#: Plotly's rainbow-like and red/green scales: never a default here.
DENYLIST = {
    "rainbow", "jet", "hsv", "rdylgn", "picnic", "portland", "spectral", "turbo", "electric",
    "hot", "piyg", "prgn",
}  # fmt: skip

#: Charts whose heatmap colours are not the numbers a reader needs (display levels 0-255 of a
#: signed map, categories, a block-averaged thumbnail): their table holds the raw values (or
#: words) instead, in a "Numbers of <what> as a table" expander; chart key prefix -> the
#: translation key of <what>.
BY_KEY = {
    "lab.result": "lab.result.result_filter",
    "lab.gallery.map.": "lab.result.map_of",
    "lab.channel.sum": "lab.result.channel_sum",
    "lab.channel.": "lab.result.channel_map",
    "output_size.figure": "output_size.drawing.input_title",
    # feature maps drawn through a display mode: the table holds the raw values instead
    "network.why.map": "network.why.tables",
    "network.why.shifted_map": "network.why.tables",
}


#: Charts with a table for part of the figure only, and why that is enough.
PARTIAL = {
    # The bank of every filter: the expander "Show the numbers of filter N's maps" holds the
    # selected filter's weights, map, ReLU and pooled map; choosing a filter shows its numbers.
    "tiny_cnn.chart": 4,
    # The MNIST overview's 101 maps: the input digit and the chosen map have tables (a click
    # or the map chooser below it picks another map, whose numbers then show).
    "mnist.chart": 2,
    # The training digits that excite each filter: images of the data set, shown with the
    # receptive field outlined; the patches beside them (the part that matters) have tables.
    "mnist.feat_digits": 0,
}

#: Traces with nothing to read cell by cell (every cell the same kind; the size is the title).
UNIFORM_OK = {("output_size.figure", "output")}

_KEY = re.compile(r"^\$\$ID-[0-9a-f]+-(.*)$")


def _key(proto_id: str) -> str:
    m = _KEY.match(proto_id)
    return m.group(1) if m else ""


def _decode(z: Any) -> np.ndarray:
    """A trace array as sent to the browser (plain lists, or Plotly's typed ``bdata``)."""
    if isinstance(z, dict) and "bdata" in z:
        arr = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        shape = z.get("shape")
        if shape:
            arr = arr.reshape([int(s) for s in str(shape).split(",")])
        return arr
    return np.asarray(z)


def _charts(at: AppTest) -> Iterator[tuple[str, dict[str, Any]]]:
    for chart in at.get("plotly_chart"):
        yield _key(chart.proto.id), json.loads(chart.proto.spec)


def _tables(at: AppTest) -> list[tuple[str, np.ndarray]]:
    frames = [(_key(d.proto.id), d.value) for d in at.dataframe]
    frames += [("", d.value) for d in at.table]  # st.table: no key
    return [(key, value.astype(str).to_numpy()) for key, value in frames]


def _contains_block(big: np.ndarray, small: np.ndarray) -> bool:
    h, w = small.shape
    if big.ndim != 2 or big.shape[0] < h or big.shape[1] < w:
        return False
    for r in range(big.shape[0] - h + 1):
        for c in range(big.shape[1] - w + 1):
            if np.array_equal(big[r : r + h, c : c + w], small):
                return True
    return False


def _has_table(z: np.ndarray, tables: list[tuple[str, np.ndarray]]) -> bool:
    """A dataframe holds z's numbers (every step-th cell above 40x40), as a block or, for a
    single-row vector, row by row (the flattened vector shown a row per filter)."""
    expected = table_alt_frame(z)[0].to_numpy().astype(str)
    flat_z = grid_frame(z).to_numpy().astype(str).ravel()
    for _, values in tables:
        if _contains_block(values, expected):
            return True
        if (
            z.shape[0] == 1
            and values.size == flat_z.size
            and np.array_equal(values.ravel(), flat_z)
        ):
            return True
    return False


def _label_pattern(lang: str, what_key: str) -> re.Pattern[str]:
    """The expander label of a table alternative of <what>, placeholders matching anything."""
    pattern = re.escape(translate(lang, "table_alt.label")).replace(
        re.escape("{what}"), re.escape(translate(lang, what_key))
    )
    return re.compile(re.sub(r"\\\{[a-z_]+\\\}", ".*", pattern))


def _labelled_table(at: AppTest, what_key: str, lang: str) -> bool:
    pattern = _label_pattern(lang, what_key)
    return any(
        pattern.fullmatch(e.label)
        and any(type(c).__name__ in ("Dataframe", "Table") for c in e.children.values())
        for e in at.expander
    )


def _audit_tables(at: AppTest, lang: str = "en") -> list[str]:
    tables = _tables(at)
    problems = []
    for key, spec in _charts(at):
        heat = [tr for tr in spec["data"] if tr.get("type") in ("heatmap", "image")]
        if not heat:
            continue
        what = next((w for prefix, w in BY_KEY.items() if key.startswith(prefix)), None)
        if what is not None:
            if not _labelled_table(at, what, lang):
                problems.append(f"{key}: no table alternative labelled with {what}")
            continue
        missing = [
            i
            for i, tr in enumerate(heat)
            if (key, tr.get("name")) not in UNIFORM_OK and not _has_table(_decode(tr["z"]), tables)
        ]
        found = len(heat) - len(missing)
        if key in PARTIAL:
            if found < PARTIAL[key]:
                problems.append(f"{key}: {found} of {len(heat)} grids have a table")
        elif missing:
            problems.append(f"{key}: heatmaps {missing} of {len(heat)} have no table")
    return problems


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(float(v) for v in hex_to_rgb(colour))
    r, g, b = unlabel_rgb(colour)[:3]
    return float(r), float(g), float(b)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


@functools.cache
def _denied_stops() -> dict[str, list[tuple[float, float, float]]]:
    found = {}
    for name in sorted(DENYLIST):
        for variant in (name, f"{name}_r"):
            try:
                found[variant] = [_rgb(c) for _, c in get_colorscale(variant)]
            except PlotlyError:
                pass
    return found


def _same_colours(a: list[tuple[float, float, float]], b: list[tuple[float, float, float]]) -> bool:
    return len(a) == len(b) and all(
        max(abs(x - y) for x, y in zip(p, q, strict=True)) <= 1 for p, q in zip(a, b, strict=True)
    )


def scale_problem(scale: Any) -> str | None:
    """Why a colour scale is unsafe for colour blindness, or None."""
    if scale is None:
        return None
    if isinstance(scale, str):
        return f"named {scale.lower()}" if scale.lower() in DENYLIST else None
    colours = [_rgb(c) for _, c in scale]
    # Plotly sends a named scale as its list of stops.
    for name, stops in _denied_stops().items():
        if _same_colours(colours, stops):
            return f"named {name}"
    reds = [c for c in colours if c[0] - c[1] >= 50 and c[0] - c[2] >= 30]
    greens = [c for c in colours if c[1] - c[0] >= 50 and c[1] - c[2] >= 30]
    for red in reds:
        for green in greens:
            hi, lo = sorted((_luminance(red), _luminance(green)), reverse=True)
            ratio = (hi + 0.05) / (lo + 0.05)
            if ratio < 2:

                def name(c: tuple[float, float, float]) -> str:
                    return "rgb({:.0f},{:.0f},{:.0f})".format(*c)

                pair = f"red {name(red)} and green {name(green)}"
                return f"{pair} differ in lightness by {ratio:.2f} only"
    return None


def _audit_colours(at: AppTest) -> list[str]:
    problems = []
    for key, spec in _charts(at):
        scales = [tr.get("colorscale") for tr in spec["data"]]
        scales += [tr.get("marker", {}).get("colorscale") for tr in spec["data"]]
        layout = spec.get("layout", {})
        scales += [v.get("colorscale") for k, v in layout.items() if k.startswith("coloraxis")]
        for scale in scales:
            if why := scale_problem(scale):
                problems.append(f"{key}: {why}")
    return problems


def _open(page_file: str, lang: str) -> AppTest:
    if page_file == "pages/home.py":  # home links to every page: it runs inside app.py
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params["lang"] = lang
        return rerun(at)
    return open_page(APP_ROOT / page_file, lang=lang)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_heatmap_has_a_table_and_a_safe_colour_scale(page: Any, lang: str) -> None:
    at = open_table_alternatives(_open(page.file, lang))
    assert not at.exception, at.exception
    assert _audit_tables(at, lang) == []
    assert _audit_colours(at) == []


def test_the_audit_catches_a_heatmap_without_a_table() -> None:
    """The audit itself: a page with a bare heatmap fails, its table alternative passes."""
    script = """
import numpy as np, plotly.graph_objects as go, streamlit as st
from ui import widgets
z = np.arange(12.0).reshape(3, 4) / 7
st.plotly_chart(go.Figure(go.Heatmap(z=z, colorscale="Jet")), key="bare")
st.plotly_chart(go.Figure(go.Heatmap(z=np.ones((90, 50)))), key="big")
widgets.table_alternative(np.ones((90, 50)), label="big", key="big.table")
"""
    at = AppTest.from_string(script, default_timeout=30)
    rerun(at)
    assert not at.table, "a closed table alternative builds no table"
    open_table_alternatives(at)
    assert _audit_tables(at) == ["bare: heatmaps [0] of 1 have no table"]
    assert _audit_colours(at) == ["bare: named jet"]
    # the 90x50 grid is shown every 3rd row and column, with a caption saying so
    assert at.table[0].value.shape == (30, 17)
    assert any("3" in c.value for c in at.caption)


def test_the_colour_rule() -> None:
    """Named rainbow/red-green scales fail; so does a red and a green of nearly the same
    lightness (the output-size drawing's old light red beside its light green); the
    vermillion it uses now, and RdBu / grey, pass."""
    assert scale_problem("Jet") == "named jet"
    assert scale_problem("RdYlGn") == "named rdylgn"
    assert scale_problem("RdBu_r") is None
    old = scale_problem([[0, "#fb6a4a"], [1, "#a1d99b"]])
    assert old is not None and "differ in lightness by 1.78" in old
    assert scale_problem([[0, "#D55E00"], [1, "#a1d99b"]]) is None
    assert scale_problem([[0, "rgb(0,0,0)"], [1, "rgb(255,255,255)"]]) is None
