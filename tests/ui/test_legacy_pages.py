"""The legacy pages/ workaround (ui/frame/legacy_pages.py) against the Streamlit installed.

``leave_legacy_pages`` relies on a private class attribute of Streamlit's
``PagesManager``: these tests read Streamlit's own source so that an upgrade which renames
or stops using the flag fails here, loudly, instead of silently bringing back the wrapped
first run (a lost first click, a page without the language switch).
"""

from __future__ import annotations

import inspect

import pytest
from streamlit.commands import navigation
from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner

from ui.frame import legacy_pages


def test_streamlit_still_has_the_private_flag() -> None:
    assert hasattr(pages_manager.PagesManager, "uses_pages_directory"), (
        "Streamlit no longer has PagesManager.uses_pages_directory: "
        "ui/frame/legacy_pages.py must be rewritten for this Streamlit version"
    )


def test_streamlit_sets_the_flag_from_the_pages_folder() -> None:
    source = inspect.getsource(pages_manager.PagesManager.__init__)
    assert "PagesManager.uses_pages_directory" in source
    assert '"pages"' in source


def test_the_flag_still_selects_the_legacy_page_list() -> None:
    source = inspect.getsource(script_runner)
    assert "if PagesManager.uses_pages_directory:" in source
    assert "_mpa_v1(" in source


def test_st_navigation_still_clears_the_flag() -> None:
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)


@pytest.mark.parametrize("flag", [True, False, None])
def test_leave_reruns_only_when_wrapped(flag: bool | None, monkeypatch: pytest.MonkeyPatch) -> None:
    reruns: list[bool] = []
    monkeypatch.setattr(pages_manager.PagesManager, "uses_pages_directory", flag)
    monkeypatch.setattr(legacy_pages.st, "rerun", lambda: reruns.append(True))
    assert legacy_pages.wrapped_in_legacy_pages() is bool(flag)
    legacy_pages.leave_legacy_pages()
    assert reruns == ([True] if flag else [])
    assert not pages_manager.PagesManager.uses_pages_directory
