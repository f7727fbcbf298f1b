"""The sample images in ``assets/samples/``: a registry and a loader.

Sources and licences are in ``assets/samples/LICENSES.md``. Pure: no Streamlit (the
image picker in :mod:`ui.widgets` caches :func:`load_sample_with_info` per session).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from conv_core import ImageInfo, load_image_with_info

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"


@dataclass(frozen=True)
class Sample:
    """One sample image: its id and file; its strings are ``samples.<name>.title/description``."""

    name: str
    file: str

    @property
    def path(self) -> Path:
        """The file's location."""
        return SAMPLES_DIR / self.file

    @property
    def title_key(self) -> str:
        """Translation key of the short title (picker option)."""
        return f"samples.{self.name}.title"

    @property
    def description_key(self) -> str:
        """Translation key of the one-line description."""
        return f"samples.{self.name}.description"


#: Every sample, in the order a picker lists them.
SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in (
        Sample("camera", "camera.png"),
        Sample("chelsea", "chelsea.png"),
        Sample("brick", "brick.png"),
        Sample("digit", "digit.png"),
        Sample("shapes", "shapes.png"),
        Sample("checkerboard", "checkerboard.png"),
    )
}


def load_sample_with_info(
    name: str, as_gray: bool = False
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    """Decode a sample like an upload (``conv_core.load_image_with_info``): 0-255 float32.

    Raises ``KeyError`` for a name not in :data:`SAMPLES` (a programming error: pages
    pick names from the registry or from a URL schema built on it).
    """
    return load_image_with_info(SAMPLES[name].path.read_bytes(), as_gray)


def load_sample(name: str, as_gray: bool = False) -> npt.NDArray[np.float32]:
    """The sample's pixels: (H, W) for grey files or ``as_gray``, else (H, W, 3); 0-255 float32."""
    return load_sample_with_info(name, as_gray)[0]
