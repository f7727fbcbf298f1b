"""A session that hits an error keeps working, and another session is unaffected.

AppTest runs the real page scripts in this process, as the server runs each browser tab's
session; two AppTest objects are two sessions sharing the process's caches (st.cache_data,
the trace caches, the job limiter), as two students on one server do.

* lab: bad uploads (random bytes, a cut PNG, a decompression-bomb header, an EPS) each
  give an error in the page, never an exception; the next valid upload works; a second
  session's result is the same before and after;
* studio: an impossible kernel (larger than the padded input) and a link full of bad
  values give messages; fixing the setting works again; a second session is unaffected;
* studio links fuzzed (a few random query strings through the real page): never an
  exception, always a page.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from ui.frame.i18n import LANG_KEY

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "pages" / "lab.py"
STUDIO = ROOT / "pages" / "studio.py"
TIMEOUT = 60


def _open(path: Path, query: dict[str, str] | None = None, **state: Any) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = "en"
    for name, value in state.items():
        at.session_state[name] = value
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _png(values: Any) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(values, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _bomb_png(side: int = 60000) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 99))
        + chunk(b"IEND", b"")
    )


def _eps() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="EPS")
    return buf.getvalue()


def _fingerprint(at: AppTest) -> str:
    """What a session shows: its figures, stepper data, markdown and alerts."""
    parts = [c.proto.spec for c in at.get("plotly_chart")]
    parts += [c.proto.json for c in at.get("bidi_component")]
    parts += [m.value for m in at.markdown] + _errors(at)
    return json.dumps(parts)


def _lab_upload(at: AppTest, name: str, data: bytes) -> AppTest:
    if at.button_group(key="lab.image.source").value != "upload":
        at.button_group(key="lab.image.source").set_value("upload")
        _run(at)
    at.file_uploader(key="lab.image.upload").upload(name, data, "image/png")
    return _run(at)


def test_lab_session_survives_bad_uploads_and_others_are_unaffected() -> None:
    other = _open(LAB, **{"lab.image.sample": "digit"})
    before = _fingerprint(other)
    assert not _errors(other)

    at = _open(LAB, **{"lab.image.sample": "digit"})
    cut = _png(np.arange(400).reshape(20, 20) % 256)
    bad_files = {
        "noise.png": bytes(np.random.default_rng(1).integers(0, 256, 500, dtype=np.uint8)),
        "cut.png": cut[: len(cut) // 2],
        "bomb.png": _bomb_png(),
        "ghost.png": _eps(),
        "empty.png": b"",
    }
    for name, data in bad_files.items():
        _lab_upload(at, name, data)
        assert _errors(at), name
        # The next valid input works at once.
        _lab_upload(at, f"ok-{name}", _png(np.full((9, 9), 40 + len(name))))
        assert not _errors(at), (name, _errors(at))
        shapes = [m.value for m in at.markdown if "Input:" in m.value]
        assert shapes and "9 × 9" in shapes[0], shapes

    _run(other)
    assert _fingerprint(other) == before
    assert not _errors(other)


def _studio_ok(at: AppTest) -> dict[str, Any]:
    found = [c for c in at.get("bidi_component") if "trace" in json.loads(c.proto.json)]
    assert found and not _errors(at), _errors(at)
    return json.loads(found[0].proto.json)


def test_studio_session_survives_an_impossible_kernel_and_others_are_unaffected() -> None:
    other = _open(STUDIO)
    before = _fingerprint(other)
    _studio_ok(other)

    # A 7x7 kernel on a 2x2 grid without padding: the output would be empty.
    kernel = ";".join([",".join(["1"] * 7)] * 7)
    at = _open(STUDIO, {"src": "random", "rows": "2", "cols": "2", "kernel": kernel})
    assert any("output would be empty" in e for e in _errors(at)), _errors(at)
    at.number_input(key="studio.conv.padding").set_value(3)
    _run(at)
    payload = _studio_ok(at)
    assert np.shape(payload["trace"]["kernel"][0][0]) == (7, 7)

    # A link full of bad values: defaults, a notice per value, and a working page.
    bad = {
        "rows": "-5",
        "stride": "0",
        "dilation": "abc",
        "padding": "-1",
        "kernel": "__import__('os').system('x')",
        "bias": "nan",
        "mode": "evil",
        "grid": "1,2;3",
        "op": "<script>",
        "draw": "8:zz",
    }
    at = _open(STUDIO, {"src": "random", **bad})
    _studio_ok(at)
    notices = "\n".join(m.value for kind in ("warning", "info") for m in at.get(kind))
    for name in ("rows", "stride", "dilation", "kernel", "bias", "mode", "op"):
        assert name in notices, (name, notices)

    _run(other)
    assert _fingerprint(other) == before


QUERY_NAMES = [
    "src",
    "preset",
    "rows",
    "cols",
    "low",
    "high",
    "seed",
    "grid",
    "top",
    "left",
    "zoom",
    "op",
    "kernel",
    "bias",
    "padding",
    "mode",
    "stride",
    "dilation",
    "practice",
    "sample",
    "draw",
    "step",
    "present",
    "lang",
    "junk",
]
QUERY_VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "0",
            "1",
            "-1",
            "99999999999999999999",
            "nan",
            "inf",
            "1e309",
            "same",
            "full",
            "random",
            "image",
            "draw",
            "preset",
            "convolve",
            "circular",
            "1,2;3,4",
            "9:" + "f" * 21,
            "8:" + "0" * 16,
            "",
            " ",
            "1,1,2,2",
            "1/0",
        ]
    ),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.dictionaries(st.sampled_from(QUERY_NAMES), QUERY_VALUES, max_size=8))
def test_studio_random_links_never_break_the_page(query: dict[str, str]) -> None:
    at = AppTest.from_file(str(STUDIO), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = "en"
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, (query, at.exception)
    # Either the stepper is drawn or the page says why not (an impossible setting).
    drawn = [c for c in at.get("bidi_component") if "trace" in json.loads(c.proto.json)]
    assert drawn or _errors(at), query


def _type_kernel_cell(at: AppTest, text: str) -> AppTest:
    """Type into the studio's kernel editor, row 1 column 1 (as tests/app/test_studio.py)."""
    key = f"studio.kernel.grid.v{at.session_state['studio.kernel.version']}"
    at.session_state[key] = {"edited_rows": {0: {"1": text}}, "added_rows": [], "deleted_rows": []}
    return _run(at)


def test_studio_kernel_cells_typed_wrong_then_right() -> None:
    at = _open(STUDIO)
    for text in ["nan", "inf", "1e309", "__import__('os')", "1/0", "1/", "\uff11", "1e400/1"]:
        _type_kernel_cell(at, text)
        assert len(_errors(at)) == 1 and "(row 1, column 1)" in _errors(at)[0], (text, _errors(at))
        _type_kernel_cell(at, "\u22122")  # the unicode minus is a minus
        payload = _studio_ok(at)
        assert payload["trace"]["kernel"][0][0][0][0] == -2, text
