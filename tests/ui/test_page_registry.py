"""The page registry: one default page, unique addresses, only pages whose file exists."""

from pathlib import Path

from ui.frame.page_registry import PAGES, PageEntry, available_pages


def test_page_registry_has_one_default_and_unique_paths() -> None:
    assert sum(p.default for p in PAGES) == 1
    assert len({p.url_path for p in PAGES}) == len(PAGES)
    assert len({p.name for p in PAGES}) == len(PAGES)
    assert PAGES[0].file == "pages/home.py" and PAGES[0].default


def test_available_pages_skips_missing_files(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "home.py").write_text("")
    pages = (
        PageEntry("home", "pages/home.py", "home", ":material/home:", default=True),
        PageEntry("studio", "pages/studio.py", "studio", ":material/grid_on:"),
    )
    assert [p.name for p in available_pages(pages, tmp_path)] == ["home"]
    (tmp_path / "pages" / "studio.py").write_text("")
    assert [p.name for p in available_pages(pages, tmp_path)] == ["home", "studio"]
    assert pages[1].title_key == "pages.studio.title"
    assert pages[1].description_key == "pages.studio.description"


def test_url_path_is_the_file_name() -> None:
    """A server's first run serves pages/ by file name; legacy_pages reruns to that address."""
    for entry in PAGES:
        if not entry.default:
            assert entry.url_path == Path(entry.file).stem, entry
