"""The image picker: a sample, an upload, a camera photo or a drawing, decoded safely and cached."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import streamlit as st

from conv_core import (
    ArgumentError,
    ImageInfo,
    ImageLoadError,
    downscale,
    load_image_with_info,
)
from ui.frame.i18n import t, te
from ui.teaching.samples import SAMPLES, load_sample_with_info
from ui.widgets.drawn_input import image_draw
from ui.widgets.image_pick import ImagePick
from ui.widgets.state import KEEP_STATE, labels, translated_choice

#: File extensions the uploader offers (conv_core checks the bytes, not the name).
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")


def _i(prefix: str, name: str) -> str:
    return f"{prefix}.image.{name}"


def _fit(image: npt.NDArray[np.float32], max_side: int | None) -> npt.NDArray[np.float32]:
    return image if max_side is None else downscale(image, max_side)


@st.cache_data(max_entries=24, show_spinner=False)
def _cached_sample(
    name: str, as_gray: bool, max_side: int | None
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    image, info = load_sample_with_info(name, as_gray)
    return _fit(image, max_side), info


# Keyed by the content hash; the bytes themselves are not hashed again (leading _).
# One entry per photo a class is working on: with 8, thirty students uploading their own
# photos missed the cache on almost every lab rerun (110 misses, 14 hits in the classroom
# benchmark) and decoded again; 40 working-size images are about 130 MB.
@st.cache_data(max_entries=40, ttl=3600, show_spinner=False)
def _cached_upload(
    digest: str, as_gray: bool, max_side: int | None, _data: bytes
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    image, info = load_image_with_info(_data, as_gray)
    return _fit(image, max_side), info


def set_image_sample(prefix: str, name: str) -> None:
    """Choose a sample; call before :func:`image_picker` in a run, or in a callback."""
    if name not in SAMPLES:
        raise KeyError(f"unknown sample {name!r}; known: {', '.join(SAMPLES)}")
    st.session_state[_i(prefix, "source")] = "sample"
    st.session_state[_i(prefix, "sample")] = name


def _upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def image_upload(
    prefix: str, *, as_gray: bool = False, max_side: int | None = 1024
) -> ImagePick | None:
    """The person's own image file: the uploader, decoded safely and cached by content.

    Keys ``<prefix>.image.upload`` (the uploader) and ``<prefix>.image.digest``. Returns
    None while no file is chosen, or when the file cannot be used (the reason is shown
    with ``st.error``); see :func:`image_picker` for ``as_gray`` and ``max_side``.
    """
    limit = _upload_limit_mb()
    uploaded = st.file_uploader(
        t("image.upload"),
        type=list(UPLOAD_TYPES),
        key=_i(prefix, "upload"),
        help=t("image.upload_help", limit=limit),
    )
    if uploaded is None:
        st.caption(t("image.upload_prompt"))
        return None
    decoded = _decode_file(uploaded, _i(prefix, "digest"), as_gray, max_side)
    if decoded is None:
        return None
    array, info, digest = decoded
    pick = ImagePick(array, info, str(uploaded.name)[:80], "upload", digest)
    return pick


def _decode_file(
    file: Any, memo_key: str, as_gray: bool, max_side: int | None
) -> tuple[npt.NDArray[np.float32], ImageInfo, str] | None:
    """An uploaded or captured file decoded safely (conv_core) and cached by its content.

    ``memo_key`` keeps ``(file_id, sha256)``, so a file is hashed once, not on every rerun
    (a 25 MB file takes ~20 ms). None, with the reason shown, when the file cannot be used.
    """
    data = file.getvalue()
    memo = st.session_state.get(memo_key)
    if memo is None or memo[0] != file.file_id:
        memo = (file.file_id, hashlib.sha256(data).hexdigest())
        st.session_state[memo_key] = memo
    try:
        array, info = _cached_upload(memo[1], as_gray, max_side, data)
    except (ImageLoadError, ArgumentError) as err:
        st.error(te(err))
        return None
    return array, info, memo[1]


#: The capture height asked of the camera (a request: the browser picks the nearest it has).
CAMERA_RESOLUTION = "720p"
#: Hosts a browser treats as a secure context over plain http (the camera works there).
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def camera_blocked(url: str | None) -> bool:
    """Whether a browser will refuse the camera on a page at ``url``.

    Browsers give a page the camera only in a secure context: ``https://``, or ``http://``
    from the same machine (``localhost``, ``127.0.0.1``, ``[::1]``, ``*.localhost``).
    An unknown address (None) is not called blocked.

    >>> camera_blocked("http://192.168.0.7:8501/lab"), camera_blocked("https://x.org/lab")
    (True, False)
    >>> camera_blocked("http://localhost:8501/lab"), camera_blocked("http://127.0.0.1:8501")
    (False, False)
    """
    if not url:
        return False
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "http":
        return False
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1].lower()
    if host.startswith("["):
        host = host.split("]", 1)[0] + "]"
    else:
        host = host.split(":", 1)[0]
    return not (host in _LOCAL_HOSTS or host.endswith(".localhost"))


def image_camera(
    prefix: str, *, as_gray: bool = False, max_side: int | None = 1024
) -> ImagePick | None:
    """A photo from the person's camera (``st.camera_input``), decoded like an upload.

    Keys ``<prefix>.image.camera`` (the camera) and ``<prefix>.image.camera_digest``. The
    photo goes through the same safe decoding (``conv_core.load_image_with_info``) and the
    same content-hash cache as an upload. Above the camera the page says that browsers
    allow cameras only on https or localhost, and what to do otherwise; when the address
    is plain http to another machine it says so as a warning. Returns None while no photo
    is taken or when it cannot be used.
    """
    if camera_blocked(st.context.url):
        st.warning(t("image.camera_blocked"), icon=":material/no_photography:")
    else:
        st.caption(t("image.camera_note"))
    # 720p: enough for the 640-pixel preview, and one photo stays near 100-300 KB (without
    # it, Chromium's fake camera gave 3840 x 2160 frames), so a class taking photos at once
    # does not fill the server's memory.
    photo = st.camera_input(
        t("image.camera"),
        key=_i(prefix, "camera"),
        help=t("image.camera_help"),
        resolution=CAMERA_RESOLUTION,
    )
    if photo is None:
        st.caption(t("image.camera_prompt"))
        return None
    decoded = _decode_file(photo, _i(prefix, "camera_digest"), as_gray, max_side)
    if decoded is None:
        return None
    array, info, digest = decoded
    return ImagePick(array, info, t("image.camera_name"), "camera", digest)


def image_picker(
    prefix: str,
    *,
    as_gray: bool = False,
    max_side: int | None = 1024,
    default_sample: str = "camera",
    samples: Sequence[str] | None = None,
    allow_upload: bool = True,
    allow_camera: bool = False,
    allow_draw: bool = False,
) -> ImagePick | None:
    """A sample image or the person's own upload, decoded safely and cached.

    Parameters
    ----------
    prefix : str
        The page's namespace for session-state keys.
    as_gray : bool, optional
        Return one channel (BT.601 luma), shape (H, W) (default False: grey files stay
        (H, W), colour files are (H, W, 3)).
    max_side : int or None, optional
        Shrink the image (area average) so its longer side is at most this many pixels
        (default 1024); None keeps the file's size. The cache holds the shrunk image.
    default_sample : str, optional
        The sample chosen on the session's first run (default ``"camera"``).
    samples : sequence of str, optional
        The samples to offer (default: all of ``ui.teaching.samples.SAMPLES``).
    allow_upload : bool, optional
        Offer the uploader (default True).
    allow_camera : bool, optional
        Offer a photo from the camera (:func:`image_camera`; default False).
    allow_draw : bool, optional
        Offer a 28x28 drawing (``ui.widgets.drawn_input.image_draw``; default False).

    Returns
    -------
    ImagePick or None
        None while no file is chosen, or when the file cannot be used (the reason is
        shown with ``st.error``).
    """
    ss = st.session_state
    names = list(samples or SAMPLES)
    ss.setdefault(_i(prefix, "sample"), default_sample if default_sample in names else names[0])
    if ss[_i(prefix, "sample")] not in names:
        ss[_i(prefix, "sample")] = names[0]
    ss.setdefault(_i(prefix, "source"), "sample")

    source = "sample"
    offered = ["sample"] + [
        name
        for name, on in (("upload", allow_upload), ("camera", allow_camera), ("draw", allow_draw))
        if on
    ]
    if ss[_i(prefix, "source")] not in offered:
        ss[_i(prefix, "source")] = "sample"
    if len(offered) > 1:
        source = st.segmented_control(
            t("image.source"),
            options=offered,
            format_func=labels(lambda s: f"image.source_{s}"),
            required=True,
            key=_i(prefix, "source"),
            persist_state=KEEP_STATE,
            wrap=True,
        )
    if source == "sample":
        name = st.selectbox(
            t("image.sample"),
            options=names,
            format_func=labels(lambda n: SAMPLES[n].title_key),
            key=translated_choice(_i(prefix, "sample")),
            persist_state=KEEP_STATE,
        )
        st.caption(t(SAMPLES[name].description_key))
        array, info = _cached_sample(name, as_gray, max_side)
        pick = ImagePick(array, info, name, "sample", f"sample:{name}")
    else:
        if source == "camera":
            chosen = image_camera(prefix, as_gray=as_gray, max_side=max_side)
        elif source == "draw":
            chosen = image_draw(prefix)
        else:
            chosen = image_upload(prefix, as_gray=as_gray, max_side=max_side)
        if chosen is None:
            return None
        pick = chosen

    height, width = pick.array.shape[:2]
    channels = t("image.gray") if pick.array.ndim == 2 else t("image.color")
    st.caption(t("image.summary", width=width, height=height, channels=channels))
    if pick.downscaled:
        orig_width, orig_height = pick.info.size
        st.caption(
            t(
                "image.downscaled",
                width=width,
                height=height,
                orig_width=orig_width,
                orig_height=orig_height,
            )
        )
    for note in pick.info.notes:
        st.info(t(f"image_notes.{note.key}", **note.params), icon=":material/info:")
    return pick
