"""The drawing grid (ui.components.draw_grid) without a browser: wire format, counts, values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ui.components.draw_grid import (
    MAX_SIDE,
    block_counts,
    decode_bitmap,
    draw_grid_data,
    draw_grid_strings,
    encode_bitmap,
    next_seen,
    resolve_bitmap,
    value_token,
)
from ui.frame.i18n import load_strings

sides = st.integers(1, 40)


@st.composite
def bitmaps(draw):
    rows, cols = draw(sides), draw(sides)
    return draw(hnp.arrays(np.bool_, (rows, cols)))


# ------------------------------------------------------------------ encode / decode


@given(bitmaps())
def test_round_trip(bitmap: np.ndarray) -> None:
    text = encode_bitmap(bitmap)
    assert len(text) == 2 * ((bitmap.size + 7) // 8)
    assert text == text.lower()
    back = decode_bitmap(text, *bitmap.shape)
    assert back.dtype == bool and back.shape == bitmap.shape
    np.testing.assert_array_equal(back, bitmap)
    # upper case is accepted too
    np.testing.assert_array_equal(decode_bitmap(text.upper(), *bitmap.shape), bitmap)


@given(bitmaps())
def test_encode_matches_packbits_row_major(bitmap: np.ndarray) -> None:
    assert bytes.fromhex(encode_bitmap(bitmap)) == np.packbits(bitmap.ravel()).tobytes()


def test_known_values() -> None:
    assert encode_bitmap([[1, 0, 0, 0], [0, 0, 0, 1]]) == "81"
    assert encode_bitmap(np.zeros((32, 32), bool)) == "0" * 256
    assert encode_bitmap(np.ones((3, 3), bool)) == "ff80"  # 9 bits, 7 zero pad bits
    top_left = np.zeros((2, 9), bool)
    top_left[0, 0] = True
    assert encode_bitmap(top_left) == "800000"


def test_encode_accepts_ints_and_rejects_non_2d() -> None:
    assert encode_bitmap(np.array([[0, 2], [-1, 0]])) == "60"
    with pytest.raises(ValueError):
        encode_bitmap(np.zeros(8, bool))
    with pytest.raises(ValueError):
        encode_bitmap(np.zeros((2, 2, 2), bool))
    with pytest.raises(ValueError):
        encode_bitmap(np.zeros((0, 4), bool))


@pytest.mark.parametrize(
    "text",
    [
        None,
        123,
        b"00",
        ["00"],
        {"bits": "00"},
        "",  # too short
        "0" * 255,  # odd length
        "0" * 258,  # too long
        "0" * 10_000_000,  # hostile and huge
        "zz" + "0" * 254,  # not hex
        " " + "0" * 255,  # bytes.fromhex would skip the space
        "0x" + "0" * 254,
        "é" + "0" * 255,
        "٠" * 256,  # Arabic-Indic zeros: str.isdigit-true but not hex
    ],
)
def test_decode_rejects_bad_text(text: object) -> None:
    with pytest.raises(ValueError):
        decode_bitmap(text, 32, 32)


def test_decode_rejects_set_padding_bits() -> None:
    assert decode_bitmap("ff80", 3, 3).all()
    with pytest.raises(ValueError):
        decode_bitmap("ff81", 3, 3)


@pytest.mark.parametrize("shape", [(0, 4), (4, 0), (-1, 3), (MAX_SIDE + 1, 1), (2.0, 2), (True, 2)])
def test_decode_rejects_bad_shape(shape: tuple) -> None:
    with pytest.raises(ValueError):
        decode_bitmap("00", *shape)


@given(st.text(max_size=300), sides, sides)
def test_decode_never_raises_anything_but_value_error(text: str, rows: int, cols: int) -> None:
    try:
        out = decode_bitmap(text, rows, cols)
    except ValueError:
        return
    assert out.shape == (rows, cols)


# ------------------------------------------------------------------ block counts


def test_block_counts_uci_shape() -> None:
    bitmap = np.zeros((32, 32), bool)
    bitmap[:4, :4] = True  # a full block: 16
    bitmap[4, 4] = True  # one cell of the next diagonal block
    counts = block_counts(bitmap, 4)
    assert counts.shape == (8, 8)
    assert counts[0, 0] == 16 and counts[1, 1] == 1 and counts.sum() == 17
    assert counts.dtype == np.int64


@given(bitmaps(), st.integers(1, 5))
def test_block_counts_sum_and_range(bitmap: np.ndarray, block: int) -> None:
    r, c = bitmap.shape
    bitmap = bitmap[: r - r % block, : c - c % block]
    if bitmap.size == 0:
        return
    counts = block_counts(bitmap, block)
    assert counts.sum() == bitmap.sum()
    assert counts.min() >= 0 and counts.max() <= block * block
    # a brute-force reference
    i, j = 1 % counts.shape[0], 0
    assert counts[i, j] == bitmap[i * block : (i + 1) * block, j * block : (j + 1) * block].sum()


@pytest.mark.parametrize("block", [0, -4, 3, 2.0, True, None])
def test_block_counts_rejects_bad_block(block: object) -> None:
    with pytest.raises(ValueError):
        block_counts(np.zeros((32, 32), bool), block)


# ------------------------------------------------------------------ value handling


def _value(rows: int = 32, cols: int = 32, cell: tuple[int, int] = (0, 0)) -> np.ndarray:
    v = np.zeros((rows, cols), bool)
    v[cell] = True
    return v


def _report(bitmap: np.ndarray, seen: dict) -> dict:
    """What the browser sends after drawing ``bitmap`` on top of ``seen``'s token."""
    return {"bits": encode_bitmap(bitmap), "token": value_token(seen, *bitmap.shape)}


def test_first_run_is_all_false() -> None:
    seen = next_seen(None, None, 32, 32)
    out = resolve_bitmap(None, seen, 32, 32)
    assert out.shape == (32, 32) and out.dtype == bool and not out.any()


def test_first_run_with_value_returns_it() -> None:
    v = _value()
    seen = next_seen(None, v, 32, 32)
    np.testing.assert_array_equal(resolve_bitmap(None, seen, 32, 32), v)


def test_drawing_is_returned_and_survives_reruns() -> None:
    seen = next_seen(None, None, 32, 32)
    drawn = _value(cell=(5, 7))
    reported = _report(drawn, seen)
    for _ in range(3):  # later runs: same seen, same report
        seen = next_seen(seen, None, 32, 32)
        np.testing.assert_array_equal(resolve_bitmap(reported, seen, 32, 32), drawn)


def test_new_value_replaces_drawing_then_drawing_on_it_wins() -> None:
    seen = next_seen(None, None, 32, 32)
    reported = _report(_value(cell=(9, 9)), seen)
    example = _value(cell=(1, 1))
    seen = next_seen(seen, example, 32, 32)  # the page passes a value: it wins
    np.testing.assert_array_equal(resolve_bitmap(reported, seen, 32, 32), example)
    edited = example.copy()
    edited[2, 2] = True  # the browser drew on the example
    reported = _report(edited, seen)
    seen = next_seen(seen, example, 32, 32)  # same value again: no change
    np.testing.assert_array_equal(resolve_bitmap(reported, seen, 32, 32), edited)
    seen = next_seen(seen, None, 32, 32)  # the page stops passing it: the drawing stays
    np.testing.assert_array_equal(resolve_bitmap(reported, seen, 32, 32), edited)


def test_value_without_drawing_stays_when_page_stops_passing_it() -> None:
    example = _value(cell=(3, 3))
    seen = next_seen(None, example, 32, 32)
    seen = next_seen(seen, None, 32, 32)
    np.testing.assert_array_equal(resolve_bitmap(None, seen, 32, 32), example)


def test_same_value_passed_again_after_another_replaces_again() -> None:
    x, y = _value(cell=(1, 1)), _value(cell=(2, 2))
    seen_x = next_seen(None, x, 32, 32)
    drawn_on_x = _report(x | _value(cell=(8, 8)), seen_x)
    seen_y = next_seen(seen_x, y, 32, 32)
    seen_x2 = next_seen(seen_y, x, 32, 32)
    tokens = {value_token(s, 32, 32) for s in (seen_x, seen_y, seen_x2)}
    assert len(tokens) == 3
    # the old drawing on X must not come back when X is passed again
    np.testing.assert_array_equal(resolve_bitmap(drawn_on_x, seen_x2, 32, 32), x)


def test_value_id_reloads_the_same_bitmap() -> None:
    example = _value(cell=(1, 1))
    seen = next_seen(None, example, 32, 32, value_id="1")
    edited = _report(example | _value(cell=(5, 5)), seen)
    same = next_seen(seen, example, 32, 32, value_id="1")
    np.testing.assert_array_equal(
        resolve_bitmap(edited, same, 32, 32), example | _value(cell=(5, 5))
    )
    again = next_seen(same, example, 32, 32, value_id="2")  # "load example" pressed again
    np.testing.assert_array_equal(resolve_bitmap(edited, again, 32, 32), example)


def test_resized_grid_starts_clean() -> None:
    seen = next_seen(None, None, 32, 32)
    reported = _report(_value(cell=(4, 4)), seen)
    seen = next_seen(seen, None, 28, 28)
    out = resolve_bitmap(reported, seen, 28, 28)
    assert out.shape == (28, 28) and not out.any()


@pytest.mark.parametrize(
    "reported",
    [
        None,
        "ff",
        42,
        [],
        {},
        {"bits": None, "token": "0-32x32-"},
        {"bits": "zz", "token": "0-32x32-"},
        {"bits": "f" * 256, "token": "old-token"},
        {"bits": "f" * 255, "token": "0-32x32-"},
        {"token": "0-32x32-"},
        {"bits": "f" * 256},
    ],
)
def test_hostile_reports_fall_back(reported: object) -> None:
    seen = next_seen(None, None, 32, 32)
    out = resolve_bitmap(reported, seen, 32, 32)
    assert out.shape == (32, 32) and not out.any()


def test_hostile_seen_state_is_reset() -> None:
    for junk in ("x", 3, {"gen": "no"}, {"gen": True, "shape": "?"}):
        seen = next_seen(junk, None, 32, 32)
        assert isinstance(seen["gen"], int)
        assert not resolve_bitmap(None, seen, 32, 32).any()


# ------------------------------------------------------------------ payload and strings


def test_payload() -> None:
    bitmap = _value(cell=(0, 1))
    seen = next_seen(None, bitmap, 32, 32)
    data = draw_grid_data(bitmap, value_token(seen, 32, 32), {"clear": "Clear"}, block=4)
    assert data["rows"] == 32 and data["cols"] == 32 and data["block"] == 4
    assert data["bits"] == encode_bitmap(bitmap)
    assert data["token"] == value_token(seen, 32, 32)
    assert data["brush"] == 2 and data["height_px"] == 320
    assert data["strings"] == {"clear": "Clear"}
    with pytest.raises(ValueError):
        draw_grid_data(bitmap, "t", {}, block=5)
    with pytest.raises(ValueError):
        draw_grid_data(bitmap, "t", {}, brush=4)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_strings_complete_in_both_languages(lang: str) -> None:
    strings = draw_grid_strings(lang)
    en_keys = {k for k in load_strings("en") if k.startswith("draw_grid.")}
    ko_keys = {k for k in load_strings("ko") if k.startswith("draw_grid.")}
    assert en_keys == ko_keys
    assert set(strings) == {k.removeprefix("draw_grid.") for k in en_keys}
    for name in ("draw", "erase", "undo", "clear", "brush", "grid", "cell", "on", "off"):
        assert strings[name].strip(), name
    assert "{row}" in strings["cell"] and "{col}" in strings["cell"]
    if lang == "ko":
        assert strings["clear"] != draw_grid_strings("en")["clear"]
