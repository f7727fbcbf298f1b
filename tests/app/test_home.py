"""AppTest for the home page: it renders, computes the size rule, and explains bad settings."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def at() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def test_home_shows_lecture_output_size(at: AppTest) -> None:
    # The lecture's (4 + 2·1 - 3)/1 + 1 = 4.
    at.number_input(key="home.n").set_value(4).run()
    assert any("(4 + 1 + 1 - 3) / 1 + 1 = 4" in m.value for m in at.markdown)
    assert not at.warning


def test_home_warns_when_stride_does_not_divide(at: AppTest) -> None:
    at.number_input(key="home.n").set_value(6).run()
    at.number_input(key="home.p").set_value(0).run()
    at.number_input(key="home.s").set_value(2).run()
    assert any("= 5/2 → 2" in m.value for m in at.markdown)
    assert "last 1 padded row" in at.warning[0].value


def test_home_kernel_larger_than_input_is_a_message(at: AppTest) -> None:
    at.number_input(key="home.n").set_value(2).run()
    at.number_input(key="home.p").set_value(0).run()
    at.number_input(key="home.k").set_value(5).run()
    assert not at.exception
    assert "output would be empty" in at.error[0].value
