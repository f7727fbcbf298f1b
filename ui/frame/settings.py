"""Settings records that travel between widgets, pages, caches and links (pure: no Streamlit).

:class:`ConvSettings` is what the padding/stride/dilation controls
(:func:`ui.widgets.conv_controls`) return, what the lab's pipeline
(:mod:`ui.teaching.lab_pipeline`) runs with, and what a link writes (``padding_text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.frame import url_state
from ui.frame.url_state import PaddingSpec


@dataclass(frozen=True)
class ConvSettings:
    """Padding, padding mode, stride and dilation, in conv_core's argument names.

    ``padding`` is an int, a ``(rows, cols)`` pair or ``'valid'``/``'same'``/``'full'``;
    ``stride`` and ``dilation`` are ``(rows, cols)``.
    """

    padding: PaddingSpec = 0
    padding_mode: str = "zeros"
    stride: tuple[int, int] = (1, 1)
    dilation: tuple[int, int] = (1, 1)

    def kwargs(self) -> dict[str, Any]:
        """``padding``, ``padding_mode``, ``stride``, ``dilation`` for conv_core calls."""
        return {
            "padding": self.padding,
            "padding_mode": self.padding_mode,
            "stride": self.stride,
            "dilation": self.dilation,
        }

    @property
    def padding_text(self) -> str:
        """The padding as a link holds it (``'1'``, ``'1,2'``, ``'same'``)."""
        return url_state.format_padding_spec(self.padding)
