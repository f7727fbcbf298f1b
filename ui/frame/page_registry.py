"""The list of pages: one entry per page, read by ``app.py`` (navigation) and the home page (links).

A new page joins the app by adding one :class:`PageEntry` to :data:`PAGES` (and its
``pages.<name>.title`` / ``pages.<name>.description`` strings in ``assets/i18n``). Pure: no
Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The folder holding ``app.py``; page files are given relative to it.
APP_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageEntry:
    """One page of the app.

    Attributes
    ----------
    name : str
        Stable id; the page's strings are ``pages.<name>.title`` and ``pages.<name>.description``.
    file : str
        The page script, relative to the app root (``'pages/home.py'``).
    url_path : str
        The page's address (``'studio'`` for ``/studio``); the default page is served at ``/``.
        Always the file's name without ``.py``: on a server's first run Streamlit's legacy
        ``pages/`` list addresses pages by file name, and ``ui/frame/legacy_pages.py`` reruns into
        the page with that address (a test checks the rule).
    icon : str
        A Material Symbols icon (``':material/home:'``), bundled with Streamlit (no network).
    default : bool
        The page shown at ``/``.
    """

    name: str
    file: str
    url_path: str
    icon: str
    default: bool = False

    @property
    def address(self) -> str:
        """The path the page is served at: ``''`` for the default page (``/``; Streamlit
        answers ``/home`` with "Page not found"), else :attr:`url_path`.

        >>> PAGES[0].address, PAGES[1].address
        ('', 'studio')
        """
        return "" if self.default else self.url_path

    @property
    def title_key(self) -> str:
        """Translation key of the page's title (navigation and links)."""
        return f"pages.{self.name}.title"

    @property
    def description_key(self) -> str:
        """Translation key of the page's one-line description (home page list)."""
        return f"pages.{self.name}.description"


#: Every page, in navigation order. Exactly one is the default.
PAGES: tuple[PageEntry, ...] = (
    PageEntry("home", "pages/home.py", "home", ":material/home:", default=True),
    PageEntry("studio", "pages/studio.py", "studio", ":material/grid_on:"),
    PageEntry("lab", "pages/lab.py", "lab", ":material/filter:"),
    PageEntry("output_size", "pages/output_size.py", "output_size", ":material/straighten:"),
    PageEntry("padding_modes", "pages/padding_modes.py", "padding_modes", ":material/padding:"),
    PageEntry("pooling", "pages/pooling.py", "pooling", ":material/grid_view:"),
    # The course's order: channels, the flip and 1D, 1D/2D/3D, then dilated and transposed.
    PageEntry("channels", "pages/channels.py", "channels", ":material/layers:"),
    PageEntry("flip_1d", "pages/flip_1d.py", "flip_1d", ":material/swap_horiz:"),
    PageEntry("dimensions", "pages/dimensions.py", "dimensions", ":material/view_in_ar:"),
    PageEntry("arithmetic", "pages/arithmetic.py", "arithmetic", ":material/open_in_full:"),
    PageEntry("network", "pages/network.py", "network", ":material/account_tree:"),
    PageEntry("tiny_cnn", "pages/tiny_cnn.py", "tiny_cnn", ":material/neurology:"),
    PageEntry("mnist", "pages/mnist.py", "mnist", ":material/stacks:"),
)
