"""What every image source returns: the chosen image, its file facts and a cache key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from conv_core import (
    ImageInfo,
)

# --------------------------------------------------------------------------------------
# Image picker


@dataclass(frozen=True)
class ImagePick:
    """The chosen image.

    Attributes
    ----------
    array : ndarray of shape (H, W) or (H, W, 3) and dtype float32
        0-255 values, at most ``max_side`` pixels on the longer side.
    info : conv_core.ImageInfo
        What the file was (format, mode, original ``size`` as (width, height), notes).
    name : str
        The sample's name, or the uploaded file's name (cut to 80 characters; show it
        as plain text only: it is whatever the person's file was called).
    source : {'sample', 'upload', 'camera', 'draw'}
    digest : str
        A content key for caching downstream: ``'sample:<name>'``, the upload's or the
        photo's SHA-256, or ``'draw:...'`` (the drawing's bits).
    """

    array: npt.NDArray[np.float32]
    info: ImageInfo
    name: str
    source: Literal["sample", "upload", "camera", "draw"]
    digest: str

    @property
    def downscaled(self) -> bool:
        """The array is smaller than the file."""
        return (self.array.shape[1], self.array.shape[0]) != tuple(self.info.size)
