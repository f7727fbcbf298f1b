"""The page registry: one default page, unique addresses, every page file listed once."""

from pathlib import Path

from ui.frame.page_registry import APP_ROOT, PAGES


def test_page_registry_has_one_default_and_unique_paths() -> None:
    assert sum(p.default for p in PAGES) == 1
    assert len({p.url_path for p in PAGES}) == len(PAGES)
    assert len({p.name for p in PAGES}) == len(PAGES)
    assert PAGES[0].file == "pages/home.py" and PAGES[0].default


def test_every_page_file_is_listed_once_and_every_entry_has_a_file() -> None:
    """No page is built in the dark, and no entry points at a file that is not there."""
    files = sorted(p.relative_to(APP_ROOT).as_posix() for p in (APP_ROOT / "pages").glob("*.py"))
    assert sorted(p.file for p in PAGES) == files
    for entry in PAGES:
        assert entry.title_key == f"pages.{entry.name}.title"
        assert entry.description_key == f"pages.{entry.name}.description"


def test_url_path_is_the_file_name() -> None:
    """A server's first run serves pages/ by file name; legacy_pages reruns to that address."""
    for entry in PAGES:
        if not entry.default:
            assert entry.url_path == Path(entry.file).stem, entry
