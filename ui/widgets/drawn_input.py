"""Draw your own input: a drawing (``ui/components/draw_grid``) as the studio grid or lab image.

Ink is the signal in both places, as in MNIST: an inked cell is the high value and the paper
is 0.

* The studio (:func:`studio_grid`) steps through a small grid, so the learner picks its size
  (:data:`MIN_SIDE`..:data:`MAX_SIDE`, default :data:`DEFAULT_SIDE`) and the drawing becomes
  a grid of **1 (ink) and 0**. Why not 255: with 0/1 every product in the stepper is the
  kernel weight or 0 and every output counts the ink under the kernel's ones (the lecture's
  6x6 example is 0/1 too); with 255 the arithmetic becomes ``255×1 + 255×0 + ...`` and
  sums in the thousands that say nothing more.
* The lab (:func:`image_draw`) filters an image, so the drawing is a 28x28 grey image of
  **255 (ink, white) on 0 (black)**, like an MNIST digit and the lab's "Handwritten 7"
  sample.

The studio's share link keeps the drawing in one parameter, ``draw=<side>:<hex>``: the side,
then the bitmap's packed bits as hex (``draw_grid.encode_bitmap``, 36 digits at 12x12, 196 at
28x28). :class:`BitmapParam` checks the side and the hex length, so a bad link value falls
back to an empty 12x12 drawing with the usual notice.

Session state (``p`` = the page's prefix; ``k`` = ``p.draw`` in the studio, ``p.image.draw``
in the lab):

===================  ======================================================================
``k``                the drawing component (its last reported bitmap)
``k.drawn``          the drawing as the page last used it (bool array): kept while the grid
                     is not shown, written into the studio's link
``k.value``          ``(bitmap, id)`` handed to the component: replaced (new id) when a link
                     is opened, the size changes, or the grid is shown again after a pause
``p.draw_size``      studio: the slider choosing the side
===================  ======================================================================

The pure parts (:class:`BitmapParam`, :func:`resize_bitmap`, :func:`bitmap_grid`,
:func:`drawing_image`, :func:`drawing_pick`) are tested without Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import streamlit as st

from conv_core import ImageInfo
from ui.components.draw_grid import decode_bitmap, draw_grid, encode_bitmap
from ui.frame.i18n import t
from ui.widgets.image_pick import ImagePick
from ui.widgets.state import KEEP_STATE

__all__ = [
    "DEFAULT_SIDE",
    "IMAGE_SIDE",
    "INK",
    "MAX_SIDE",
    "MIN_SIDE",
    "SOURCE",
    "BitmapParam",
    "bitmap_grid",
    "drawing_image",
    "drawing_pick",
    "empty",
    "image_draw",
    "load_link",
    "resize_bitmap",
    "studio_bitmap",
    "studio_grid",
]

#: The source's name in the studio's and the lab's pickers (and in ``src=`` links).
SOURCE = "draw"
#: The studio's drawing sizes: small enough to step through, up to MNIST's 28.
MIN_SIDE, MAX_SIDE, DEFAULT_SIDE = 8, 28, 12
#: The lab's drawing: MNIST's size.
IMAGE_SIDE = 28
#: Grey value of ink in the lab's image (paper is 0).
INK = 255.0
_LINK = re.compile(r"(\d{1,2}):([0-9a-fA-F]*)")


def empty(side: int = DEFAULT_SIDE) -> npt.NDArray[np.bool_]:
    """A blank ``side x side`` drawing."""
    return np.zeros((side, side), dtype=bool)


# --------------------------------------------------------------------------------------
# Pure helpers


@dataclass(frozen=True)
class BitmapParam:
    """A square drawing in a link: ``<side>:<hex of its packed bits>`` (a ``url_state`` param).

    >>> p = BitmapParam("draw", empty(8))
    >>> b = empty(8); b[0, 0] = b[7, 7] = True
    >>> p.format(b)
    '8:8000000000000001'
    >>> bool(p.parse(p.format(b))[7, 7]), p.parse("8:" + "0" * 16).shape
    (True, (8, 8))
    """

    name: str
    default: Any
    low: int = MIN_SIDE
    high: int = MAX_SIDE

    def parse(self, text: str) -> npt.NDArray[np.bool_]:
        found = _LINK.fullmatch(text.strip())
        if not found:
            raise ValueError(text)
        side = int(found.group(1))
        if not self.low <= side <= self.high:
            raise ValueError(text)
        return decode_bitmap(found.group(2).lower(), side, side)  # raises ValueError

    def format(self, value: Any) -> str:
        arr = np.asarray(value, dtype=bool)
        return f"{arr.shape[0]}:{encode_bitmap(arr)}"

    def expected(self) -> tuple[str, dict[str, Any]]:
        return "drawn_input.link_expected", {"low": self.low, "high": self.high}


def resize_bitmap(bitmap: npt.ArrayLike, side: int) -> npt.NDArray[np.bool_]:
    """The drawing redrawn on a ``side x side`` grid: a cell is ink when any ink lies under it.

    Growing repeats cells; shrinking keeps thin strokes (a cell takes the ``any`` of the
    source cells it covers), so a digit stays readable at any size.

    >>> resize_bitmap(np.eye(4, dtype=bool), 2).astype(int).tolist()
    [[1, 0], [0, 1]]
    >>> resize_bitmap([[1, 0], [0, 0]], 4).astype(int).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    """
    src = np.asarray(bitmap, dtype=bool)
    if src.ndim != 2 or side < 1:
        raise ValueError(f"need a 2D bitmap and side >= 1, got {src.shape} and {side}")
    rows, cols = src.shape
    out = np.zeros((side, side), dtype=bool)
    for i in range(side):
        r0, r1 = i * rows // side, max(i * rows // side + 1, -(-(i + 1) * rows // side))
        for j in range(side):
            c0, c1 = j * cols // side, max(j * cols // side + 1, -(-(j + 1) * cols // side))
            out[i, j] = src[r0:r1, c0:c1].any()
    return out


def bitmap_grid(bitmap: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """The studio's input grid for a drawing: 1 where there is ink, else 0 (int64).

    >>> bitmap_grid([[True, False]]).tolist()
    [[1, 0]]
    """
    return np.asarray(bitmap, dtype=bool).astype(np.int64)


def drawing_image(bitmap: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """The lab's image for a drawing: 255 (white ink) on 0 (black), float32 like an image.

    >>> drawing_image([[True, False]]).tolist()
    [[255.0, 0.0]]
    """
    return np.where(np.asarray(bitmap, dtype=bool), INK, 0.0).astype(np.float32)


def drawing_pick(bitmap: npt.ArrayLike, name: str) -> ImagePick:
    """The drawing as the image picker's result (its digest is the bitmap itself)."""
    arr = np.asarray(bitmap, dtype=bool)
    height, width = arr.shape
    info = ImageInfo(format="drawing", mode="1", size=(width, height), gray=True)
    digest = f"draw:{height}x{width}:{encode_bitmap(arr)}"
    return ImagePick(drawing_image(arr), info, name, "draw", digest)


# --------------------------------------------------------------------------------------
# Streamlit


def _hand_over(key: str, bitmap: npt.NDArray[np.bool_]) -> None:
    """Make the component show ``bitmap`` (over whatever it shows) on its next mount."""
    ss = st.session_state
    previous = ss.get(f"{key}.value")
    n = int(previous[1]) + 1 if previous is not None else 0
    ss[f"{key}.value"] = (bitmap, str(n))
    ss[f"{key}.drawn"] = bitmap


def _drawing(key: str, side: int, height_px: int) -> npt.NDArray[np.bool_]:
    """The drawing grid under ``key``, keeping the drawing while the grid was not shown."""
    ss = st.session_state
    drawn = ss.get(f"{key}.drawn")
    if drawn is None or drawn.shape != (side, side):
        _hand_over(key, empty(side) if drawn is None else resize_bitmap(drawn, side))
    elif key not in ss:
        # The component was not drawn in the last run (another source was shown), so
        # Streamlit dropped its state: give it back the drawing it had.
        _hand_over(key, drawn)
    value, value_id = ss[f"{key}.value"]
    bitmap = draw_grid(
        key=key, rows=side, cols=side, value=value, value_id=value_id, height_px=height_px
    )
    ss[f"{key}.drawn"] = bitmap
    return bitmap


def load_link(prefix: str, bitmap: npt.ArrayLike) -> None:
    """The studio's link opened: its drawing (and its size) replace the current ones."""
    arr = np.asarray(bitmap, dtype=bool)
    st.session_state[f"{prefix}.draw_size"] = int(arr.shape[0])
    _hand_over(f"{prefix}.draw", arr)


def studio_bitmap(prefix: str) -> npt.NDArray[np.bool_]:
    """The studio's drawing as it goes into the link (blank 12x12 before any drawing)."""
    drawn = st.session_state.get(f"{prefix}.draw.drawn")
    return empty() if drawn is None else drawn


def studio_grid(prefix: str) -> npt.NDArray[np.int64]:
    """The studio's "draw" source: a size slider and the drawing; the grid is 1 (ink) / 0."""
    ss = st.session_state
    ss.setdefault(f"{prefix}.draw_size", DEFAULT_SIDE)
    side = st.slider(
        t("drawn_input.size"),
        MIN_SIDE,
        MAX_SIDE,
        key=f"{prefix}.draw_size",
        help=t("drawn_input.size_help"),
        persist_state=KEEP_STATE,
    )
    st.caption(t("drawn_input.studio_help"))
    bitmap = _drawing(f"{prefix}.draw", int(side), height_px=320)
    if not bitmap.any():
        st.info(t("drawn_input.empty"), icon=":material/draw:")
    return bitmap_grid(bitmap)


def image_draw(prefix: str) -> ImagePick | None:
    """The lab's "draw" source: a 28x28 drawing as a 0-255 grey image (None while empty)."""
    st.caption(t("drawn_input.image_help", side=IMAGE_SIDE))
    bitmap = _drawing(f"{prefix}.image.draw", IMAGE_SIDE, height_px=336)
    if not bitmap.any():
        st.caption(t("drawn_input.image_prompt"))
        return None
    return drawing_pick(bitmap, t("drawn_input.image_name"))
