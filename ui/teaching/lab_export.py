"""The Image Filter Lab's full-resolution downloads: every filter's map at the image's size.

The preview runs on a downscaled copy; a download runs the same pipeline
(:mod:`ui.teaching.lab_pipeline`) on the full image, through the server-wide queue for
heavy jobs (:data:`ui.frame.jobs.FULL_RES_JOBS`), so a class clicking at once waits in
line instead of running out of memory. Results sit in a small bounded cache; the full
image is decoded again for each job, never kept in a session.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import conv_core as cc
from ui.frame.jobs import FULL_RES_JOBS
from ui.teaching.lab_pipeline import Filter, PipelineSettings, result_map, run
from ui.teaching.samples import load_sample

#: A function returning the full-size image (0-255, (H, W) or (H, W, 3)).
ImageLoader = Callable[[], np.ndarray]


@dataclass(frozen=True)
class ExportRequest:
    """What one full-resolution export needs; ``key`` names it (the image by its digest)."""

    digest: str
    load: ImageLoader
    color: str
    filters_json: str
    settings_json: str
    display_mode: str

    @classmethod
    def of(
        cls,
        digest: str,
        load: ImageLoader,
        color: str,
        filters: list[Filter],
        settings: PipelineSettings,
        display_mode: str,
    ) -> ExportRequest:
        filters_json = json.dumps([f.to_record() for f in filters])
        return cls(digest, load, color, filters_json, settings.to_json(), display_mode)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Equal for two requests that give the same files."""
        return (self.digest, self.color, self.filters_json, self.settings_json, self.display_mode)


def image_loader(name: str, data: bytes | None, color: str) -> ImageLoader:
    """A loader of the full-size image: the sample ``name``, or the file's ``data``.

    Take the bytes when the request is made: a download made later runs outside the
    session that held the upload.
    """

    def load() -> np.ndarray:
        if data is None:
            array = load_sample(name, as_gray=color == "gray")
        else:
            array = cc.load_image(data, as_gray=color == "gray")
        if color != "gray" and array.ndim == 2:
            array = np.repeat(array[:, :, None], 3, axis=2)
        return array

    return load


def full_resolution_pngs(
    request: ExportRequest, on_wait: Callable[[int], None] | None = None
) -> list[bytes]:
    """PNG bytes of every filter's final map at full size, through the job queue (cached).

    Raises ``ui.frame.jobs.JobTimeout`` when the queue stays full, and conv_core's errors
    as they are.
    """
    r = request
    return FULL_RES_JOBS.run(
        lambda: _pngs(r.digest, r.load, r.color, r.filters_json, r.settings_json, r.display_mode),
        on_wait=on_wait,
    )


@st.cache_data(max_entries=4, ttl=1800, show_spinner=False)
def _pngs(
    digest: str, _load: ImageLoader, color: str, filters_json: str, settings_json: str,
    display_mode: str,
) -> list[bytes]:  # fmt: skip
    # ``_load`` is not hashed: ``digest`` names the image.
    image = _load()
    settings = PipelineSettings.from_json(settings_json)
    pngs = []
    for record in json.loads(filters_json):
        # No per-channel maps at full size: 8 filters of 12 MP would keep 1 GB more.
        result = run(image, Filter.from_record(record), color, settings, channel_maps=False)
        # zlib level 1: a 12 MP map encodes several times faster than at the default 6.
        pngs.append(cc.encode_png_from_float(result_map(result), display_mode, compress_level=1))
        del result
    return pngs
