"""AppTest for the Sliding-Window Studio page: lecture preset, links, impossible settings."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

STUDIO = Path(__file__).resolve().parents[2] / "pages" / "studio.py"


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(STUDIO), default_timeout=60)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_lecture_preset_gives_the_4x4_map():
    at = _run()
    assert any("output 4 × 4 (16 steps)" in c.value for c in at.caption)
    assert not at.error


def test_link_restores_settings_and_bad_values_fall_back():
    at = _run({"src": "random", "rows": "10", "cols": "12", "stride": "2,1", "padding": "1"})
    assert any("output 5 × 12" in c.value for c in at.caption)
    bad = _run({"stride": "abc"})
    assert any("stride=abc" in w.value for w in bad.warning)


def test_kernel_larger_than_padded_input_is_a_message():
    at = _run({"src": "random", "rows": "2", "cols": "2", "kernel": "1,1,1;1,1,1;1,1,1"})
    assert at.error
    assert "output would be empty" in at.error[0].value


def test_korean_renders():
    at = AppTest.from_file(str(STUDIO), default_timeout=60)
    at.session_state["app.lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.title[0].value == "슬라이딩 윈도 스튜디오"
