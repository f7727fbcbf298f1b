"""Images in and out: safe decoding of uploads, downscaling, display and PNG encoding.

An upload is untrusted bytes. :func:`load_image` turns it into a float32 array in
the lecture's 0-255 units, or raises one of three :class:`~conv_core.errors.ImageLoadError`
subclasses with a message a student can act on:

============================  =======================================================
error                         when
============================  =======================================================
:class:`NotAnImageError`      not JPEG, PNG, WebP, BMP, GIF or TIFF (text, PDF, ZIP,
                              SVG, EPS, PSD, TGA, JPEG 2000, HEIC, an empty file ...),
                              or a pixel mode that cannot be converted
:class:`DamagedImageError`    a supported format whose data is truncated or corrupt
                              (including a bad PNG chunk checksum)
:class:`ImageTooLargeError`   more pixels than ``max_pixels``, refused from the header
                              before any pixel is decoded
============================  =======================================================

How each kind of file becomes numbers (the *source* is the file's Pillow mode):

===========================  ==================  ================================================
source mode                  result              rule
===========================  ==================  ================================================
``1``, ``L``                 (H, W)              0/255 and 0-255 as stored
``LA``                       (H, W)              composited on white (see below)
``I;16`` (``I;16B/L/N``)     (H, W)              ``value / 65535 * 255``: 16-bit is scaled, never
                                                 clipped to white; 32768 becomes 127.5
``I``, ``F``                 (H, W)              stretched from the image's own finite min..max
                                                 to 0..255 (NaN -> 0, +inf -> 255, -inf -> 0); a
                                                 constant image keeps its value, clipped to 0..255
``RGB``                      (H, W, 3)           as stored
``RGBA``, ``P``, ``PA``      (H, W, 3)           palette expanded, alpha composited on white
``CMYK``, ``YCbCr``, ``LAB`` (H, W, 3)           converted to RGB by Pillow
===========================  ==================  ================================================

A one-channel file stays (H, W) even with ``as_gray=False``: it has one channel,
and pretending it has three would triple the memory and the convolution work.
:attr:`ImageInfo.gray` tells the page which one it got.

Alpha is composited on white, ``out = 255 - (255 - c) * a / 255``, so a fully
transparent pixel becomes 255 (what a browser shows on a white page), not 0. (A
BMP whose alpha bytes are all 0 is treated as opaque, as browsers do: old writers
leave that byte empty.)
``as_gray=True`` uses ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B`` computed in
float from the (composited) RGB values, not rounded through 8 bits.

Only the first frame of an animated GIF/WebP/PNG or a multi-page TIFF is decoded;
the EXIF orientation (1-8) is applied, and a malformed EXIF block is ignored.

Safety rules kept here, once (see ``shared/recipes/BAD-INPUTS.md``):

* ``Image.open(..., formats=IMAGE_FORMATS)``: Pillow picks a parser from the
  first bytes, not the file name, so without the allowlist an ``.eps`` renamed
  ``.png`` would start Ghostscript;
* the pixel count is checked from the header before decoding;
* nothing process-wide is changed: not ``Image.MAX_IMAGE_PIXELS``, not
  ``ImageFile.LOAD_TRUNCATED_IMAGES``, not the warning filters (the app decodes for
  many sessions in parallel threads);
* exactly the exception types Pillow documents or was seen to raise on corrupt
  files are caught; anything else is a bug and propagates.
"""

from __future__ import annotations

import io
import math
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from PIL import ExifTags, Image, TiffImagePlugin, UnidentifiedImageError

from ._checks import Pair, check_array, check_choice, check_int, check_pair
from .errors import ArgumentError, ImageLoadError, register_messages

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DISPLAY_MODES",
    "IMAGE_FORMATS",
    "IMAGE_NOTE_MESSAGES",
    "LUMA_WEIGHTS",
    "DamagedImageError",
    "DisplayMode",
    "ImageInfo",
    "ImageNote",
    "ImageTooLargeError",
    "NotAnImageError",
    "downscale",
    "downscale_to_grid",
    "encode_png",
    "encode_png_from_float",
    "load_image",
    "load_image_with_info",
    "to_display",
    "to_grey",
]

#: The only formats ever handed to a Pillow parser (Pillow's format names).
IMAGE_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF")

#: Default pixel limit: a 48 MP phone photo (8000 x 6000) loads, a 60 MP one is refused.
DEFAULT_MAX_PIXELS = 50_000_000

register_messages(
    {
        "image_data_not_bytes": (
            "data must be the file's bytes (bytes, bytearray or memoryview), "
            "but got an object of type {type}"
        ),
        "image_empty": (
            "The file is empty (0 bytes), so it is not an image. Choose the file again; "
            "if it is still empty, export the picture as PNG or JPEG first."
        ),
        "image_not_supported": (
            "This file ({nbytes:,} bytes) is not a supported image "
            "(JPEG, PNG, WebP, BMP, GIF or TIFF). Open it in an image viewer or editor "
            "and export it as PNG or JPEG."
        ),
        "image_kind_not_supported": (
            "This file looks like {kind}, which is not a supported image "
            "(JPEG, PNG, WebP, BMP, GIF or TIFF). Export it as PNG or JPEG and upload that."
        ),
        "image_mode_unsupported": (
            "This {format} image stores its pixels in mode {mode!r}, which cannot be "
            "converted to RGB. Export it as an 8-bit RGB or grayscale PNG or JPEG."
        ),
        "image_damaged": (
            "This {format} file ({nbytes:,} bytes) is damaged or incomplete, so it cannot "
            "be decoded ({reason}). It may have been cut off while copying or uploading: "
            "export or download it again."
        ),
        "image_too_large": (
            "The image is {width:,} x {height:,} pixels ({megapixels:.1f} megapixels), but "
            "at most {limit_megapixels:.1f} megapixels ({limit:,} pixels) can be opened. "
            "Resize it to at most {fit_width:,} x {fit_height:,} pixels and upload it again."
        ),
        "image_too_large_pixels": (
            "The image has {pixels:,} pixels ({megapixels:.1f} megapixels), but at most "
            "{limit_megapixels:.1f} megapixels ({limit:,} pixels) can be opened. "
            "Resize it and upload it again."
        ),
        "image_grid_too_large": (
            "size must not be larger than the image ({height} rows x {width} columns): a "
            "grid cell cannot be smaller than a pixel, but got size={size}"
        ),
        "image_not_uint8": (
            "{arg} must have dtype uint8 (use to_display to map values to 0-255 first), "
            "but got dtype {dtype}"
        ),
        "image_bad_channels": (
            "{arg} must have shape (H, W) or (H, W, {channels}), but got an array of shape {shape}"
        ),
    }
)


class NotAnImageError(ImageLoadError):
    """The bytes are not JPEG, PNG, WebP, BMP, GIF or TIFF (or use an unconvertible mode)."""


class DamagedImageError(ImageLoadError):
    """A supported format whose data is truncated or corrupt."""


class ImageTooLargeError(ImageLoadError):
    """More pixels than the limit; refused from the header, before decoding."""


# --------------------------------------------------------------------------------------
# What the page can tell the student about a loaded image

#: English text of each note :attr:`ImageInfo.notes` can give; the app's translation
#: key is ``image_notes.<key>``.
IMAGE_NOTE_MESSAGES: dict[str, str] = {
    "animated": "Only the first frame of this {format} file is used (animation or pages ignored).",
    "exif_rotated": "Turned upright using the camera's EXIF orientation (value {orientation}).",
    "alpha_composited": "Transparent areas are shown on white.",
    "rescaled_16bit": "16-bit values 0-65535 were scaled to 0-255.",
    "rescaled_range": "Values from {low:g} to {high:g} were stretched to 0-255.",
}


class ImageNote(NamedTuple):
    """A remark for the page: a translation key, its numbers and the English text."""

    key: str
    params: dict[str, Any]
    text: str


@dataclass(frozen=True)
class ImageInfo:
    """What :func:`load_image_with_info` found in the file.

    Attributes
    ----------
    format : str
        Pillow's format name: ``'JPEG'``, ``'PNG'``, ``'WEBP'``, ``'BMP'``, ``'GIF'``,
        ``'TIFF'`` (or ``'MPO'``, a multi-picture JPEG from some cameras).
    mode : str
        The file's Pillow mode before conversion (``'RGB'``, ``'P'``, ``'I;16'`` ...).
    size : (int, int)
        ``(width, height)`` of the returned array, i.e. after EXIF rotation.
    gray : bool
        The file has one channel, so the array is (H, W) even without ``as_gray``.
    orientation : int
        The EXIF orientation that was applied (1 = none, 6 = turned 90° clockwise ...).
    alpha_composited : bool
        Some pixels were (partly) transparent and were composited on white.
    animated : bool
        The file has more than one frame or page; only the first was used.
    value_range : (float, float) or None
        The source values mapped to 0 and 255: ``(0, 65535)`` for 16-bit files, the
        image's own finite min and max for ``I``/``F`` files, ``None`` when the values
        were used as they are.
    """

    format: str
    mode: str
    size: tuple[int, int]
    gray: bool
    orientation: int = 1
    alpha_composited: bool = False
    animated: bool = False
    value_range: tuple[float, float] | None = None

    @property
    def exif_rotated(self) -> bool:
        """The EXIF orientation turned or flipped the image."""
        return self.orientation != 1

    @property
    def rescaled(self) -> bool:
        """Values were rescaled to 0-255 (16-bit, 32-bit integer or float files)."""
        return self.value_range is not None

    @property
    def notes(self) -> tuple[ImageNote, ...]:
        """Remarks worth showing next to the image ("animation ignored ..."), in order."""
        found: list[tuple[str, dict[str, Any]]] = []
        if self.animated:
            found.append(("animated", {"format": _format_name(self.format)}))
        if self.exif_rotated:
            found.append(("exif_rotated", {"orientation": self.orientation}))
        if self.alpha_composited:
            found.append(("alpha_composited", {}))
        if self.value_range is not None:
            if self.mode in _SIXTEEN_BIT_MODES:
                found.append(("rescaled_16bit", {}))
            else:
                low, high = self.value_range
                found.append(("rescaled_range", {"low": low, "high": high}))
        return tuple(
            ImageNote(key, params, IMAGE_NOTE_MESSAGES[key].format(**params))
            for key, params in found
        )


# --------------------------------------------------------------------------------------
# Loading


def load_image(
    data: bytes, as_gray: bool = False, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> npt.NDArray[np.float32]:
    """Decode an uploaded image file into a float32 array in 0-255 units.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The whole file (for a Streamlit upload: ``uploaded.getvalue()``). The file
        name is never used: the format is recognised from the bytes.
    as_gray : bool, optional
        Return ITU-R BT.601 luma, shape (H, W). Default ``False``.
    max_pixels : int, optional
        Refuse images with more than this many pixels (width x height), checked from
        the header before decoding. Default :data:`DEFAULT_MAX_PIXELS` (50 million).
        Pillow's own ``Image.MAX_IMAGE_PIXELS`` (89 million by default) also applies.

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, 3) and dtype float32
        Values in 0..255. (H, W) when ``as_gray`` or when the file has one channel
        (modes 1, L, LA, I;16, I, F); (H, W, 3) otherwise.

    Raises
    ------
    NotAnImageError
        Not JPEG, PNG, WebP, BMP, GIF or TIFF (or an empty file, or a pixel mode
        that cannot be converted).
    DamagedImageError
        Truncated or corrupt data.
    ImageTooLargeError
        More than ``max_pixels`` pixels; the message gives the size and the limit.
    ArgumentError
        ``data`` is not bytes-like or ``max_pixels`` is not a positive integer.

    See Also
    --------
    load_image_with_info : the same, plus an :class:`ImageInfo` for the page's notes.
    downscale : a smaller copy for previews.

    Notes
    -----
    The conversion rules per file mode are tabled in this module's docstring. In
    short: 16-bit gray is ``value / 65535 * 255``; 32-bit integer and float files are
    stretched from their own min..max; alpha is composited on white; gray is
    ``0.299 R + 0.587 G + 0.114 B`` in float.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.fromarray(np.array([[0, 128], [255, 64]], dtype=np.uint8)).save(buf, format="PNG")
    >>> load_image(buf.getvalue())
    array([[  0., 128.],
           [255.,  64.]], dtype=float32)
    >>> buf = io.BytesIO()
    >>> rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8)
    >>> Image.fromarray(rgb).save(buf, format="PNG")
    >>> load_image(buf.getvalue(), as_gray=True)
    array([[ 76.245, 149.685,  29.07 ]], dtype=float32)
    """
    return _decode(data, as_gray, max_pixels)[0]


def load_image_with_info(
    data: bytes, as_gray: bool = False, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    """Decode an image like :func:`load_image` and say what was done to it.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The whole file.
    as_gray : bool, optional
        Return BT.601 luma, shape (H, W). Default ``False``.
    max_pixels : int, optional
        Pixel limit checked before decoding. Default :data:`DEFAULT_MAX_PIXELS`.

    Returns
    -------
    image : ndarray of shape (H, W) or (H, W, 3) and dtype float32
        As :func:`load_image`.
    info : ImageInfo
        Format, mode, size and what was done (EXIF rotation, alpha composited, first
        frame of an animation, values rescaled); ``info.notes`` has the sentences.

    Raises
    ------
    NotAnImageError, DamagedImageError, ImageTooLargeError, ArgumentError
        As :func:`load_image`.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.fromarray(np.array([[0, 65535]], dtype=np.uint16)).save(buf, format="PNG")
    >>> image, info = load_image_with_info(buf.getvalue())
    >>> image
    array([[  0., 255.]], dtype=float32)
    >>> info.format, info.mode, info.size, info.gray, info.value_range
    ('PNG', 'I;16', (2, 1), True, (0.0, 65535.0))
    >>> [note.text for note in info.notes]
    ['16-bit values 0-65535 were scaled to 0-255.']
    """
    return _decode(data, as_gray, max_pixels)


# Pillow modes, grouped by how they are turned into numbers.
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "F"}) | _SIXTEEN_BIT_MODES
_RGBA_MODES = frozenset({"P", "PA", "RGBA", "RGBa"})

#: ITU-R BT.601 luma weights (R, G, B), as the lecture gives them and Pillow's 'L' uses.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)
_LUMA = LUMA_WEIGHTS


def to_grey(rgb: npt.ArrayLike, dtype: npt.DTypeLike = np.float32) -> npt.NDArray[Any]:
    """Grey values of an (..., 3) or (..., 4) colour array: ``0.299 R + 0.587 G + 0.114 B``.

    The one place ConvLab turns colour into grey (:data:`LUMA_WEIGHTS`, ITU-R BT.601); an
    alpha channel is ignored. ``dtype`` is the weights' dtype (float32 keeps a float32
    photo float32).

    >>> to_grey(np.array([[255.0, 0.0, 0.0], [0.0, 0.0, 255.0]]), np.float64).round(3).tolist()
    [76.245, 29.07]
    """
    return np.asarray(rgb)[..., :3] @ np.asarray(LUMA_WEIGHTS, dtype=dtype)


# Rows x columns converted to float64 at a time: ~6 MB of temporaries for RGB,
# instead of a full-size float64 copy (288 MB for a 12 MP photo).
_STRIP_PIXELS = 1 << 18

# Exceptions a corrupt but recognised file raises while Pillow decodes it. OSError is
# the documented one ("image file is truncated", "broken data stream", decoder errors);
# the others were seen escaping Pillow on mutated files (see the fuzz test): a bare
# ValueError (e.g. PNG text-chunk bombs, bad palettes), EOFError, struct.error and
# IndexError from short reads (GIF's ``fp.read(1)[0]`` at the end of the data), and
# SyntaxError, which Pillow's header parsers use for "not this format".
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    EOFError,
    SyntaxError,
    struct.error,
    IndexError,
)
_BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass
class _Pixels:
    """Decoded pixels before the float conversion: native dtype, not yet oriented."""

    values: npt.NDArray[Any]  # (H, W) or (H, W, 3): uint8, or float32 when rescaled
    alpha: npt.NDArray[np.uint8] | None = None
    value_range: tuple[float, float] | None = None


def _decode(data: Any, as_gray: bool, max_pixels: Any) -> tuple[npt.NDArray[np.float32], ImageInfo]:
    """Bytes -> (float32 array, ImageInfo); the single core of both public loaders."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ArgumentError("image_data_not_bytes", type=type(data).__name__)
    limit = check_int(max_pixels, "max_pixels", minimum=1)
    if Image.MAX_IMAGE_PIXELS is not None:
        # Pillow only *warns* between 1x and 2x its limit, and turning that warning into
        # an error with warnings.catch_warnings would swap the process-wide filter list
        # (not thread-safe before Python 3.14). Refusing everything above Pillow's limit
        # ourselves makes the warning an error without touching global state.
        limit = min(limit, Image.MAX_IMAGE_PIXELS)
    data = bytes(data)
    nbytes = len(data)
    if nbytes == 0:
        raise NotAnImageError("image_empty")
    sniffed = _sniff(data)

    try:
        im = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
    except UnidentifiedImageError:
        # A known signature of ours that Pillow rejects is a broken header, not a stranger.
        if sniffed in IMAGE_FORMATS:
            raise DamagedImageError(
                "image_damaged",
                format=_format_name(sniffed),
                nbytes=nbytes,
                reason="unreadable header",
            ) from None
        if sniffed is not None:
            raise NotAnImageError("image_kind_not_supported", kind=sniffed) from None
        raise NotAnImageError("image_not_supported", nbytes=nbytes) from None
    except _BOMB_ERRORS as exc:
        raise _too_large_from_pillow(exc, limit) from None
    except _DECODE_ERRORS as exc:
        raise _damaged(sniffed, nbytes, exc) from None

    with im:
        fmt = im.format or sniffed or "image"
        mode = im.mode
        width, height = im.size
        if width * height > limit:
            raise _too_large(width, height, limit)
        if fmt == "PNG" and (bad_crc := _png_crc_error(data)) is not None:
            raise DamagedImageError("image_damaged", format="PNG", nbytes=nbytes, reason=bad_crc)
        # A TIFF is turned upright by Pillow itself while loading (and the tag removed),
        # so read its orientation first, for the report only.
        pre_oriented = _tiff_orientation(im)
        try:
            im.load()
        except _BOMB_ERRORS as exc:
            raise _too_large_from_pillow(exc, limit) from None
        except (*_DECODE_ERRORS, TypeError) as exc:
            # TypeError: Pillow seeks to a tag value of the wrong type (a TIFF whose
            # StripOffsets is a float, found by fuzzing). Only Pillow runs in this block.
            raise _damaged(fmt, nbytes, exc) from None
        orientation = _exif_orientation(im)
        try:
            pixels = _extract(im)
        except _DECODE_ERRORS as exc:
            raise _damaged(fmt, nbytes, exc) from None
        except _ModeError:
            raise NotAnImageError(
                "image_mode_unsupported", format=_format_name(fmt), mode=mode
            ) from None
        animated = _is_multi_frame(im)  # after the pixels are copied: a GIF seek drops them

    alpha = pixels.alpha
    if alpha is not None:
        # Opaque everywhere: nothing to composite. A BMP whose alpha bytes are all 0 is
        # an old writer's padding, not an invisible picture (browsers show it opaque).
        if alpha.min() == 255 or (fmt == "BMP" and alpha.max() == 0):
            alpha = None
    orient = _ORIENTATIONS[orientation]
    values = orient(pixels.values)
    if alpha is not None:
        alpha = orient(alpha)
    image = _to_float(values, alpha, as_gray)
    info = ImageInfo(
        format=fmt,
        mode=mode,
        size=(image.shape[1], image.shape[0]),
        gray=mode in _GRAY_MODES,
        orientation=orientation if orientation != 1 else pre_oriented,
        alpha_composited=alpha is not None,
        animated=animated,
        value_range=pixels.value_range,
    )
    return image, info


class _ModeError(Exception):
    """Pillow cannot convert this pixel mode to RGB."""


def _extract(im: Image.Image) -> _Pixels:
    """The loaded frame as uint8 gray/RGB (+ alpha), or float32 for 16/32-bit modes."""
    mode = im.mode
    if mode in _SIXTEEN_BIT_MODES:
        # Scale by the type's range; converting to 'L' would clip everything above 255.
        # value * 255 is exact in float32 (< 2**24), so 65535 -> exactly 255.
        values = np.asarray(im).astype(np.float32)
        values *= 255
        values /= 65535
        return _Pixels(values, value_range=(0.0, 65535.0))
    if mode in ("I", "F"):
        return _stretch(np.asarray(im))  # int32 or float32
    if mode == "1":
        return _Pixels(np.asarray(im.convert("L")))
    if mode == "L":
        return _Pixels(np.asarray(im))
    if mode in ("LA", "La"):
        la = np.asarray(im.convert("LA"))
        return _Pixels(la[..., 0], alpha=la[..., 1])
    if mode in _RGBA_MODES:
        # Palette images go through RGBA so a tRNS/transparency entry is kept.
        rgba = np.asarray(im.convert("RGBA"))
        return _Pixels(rgba[..., :3], alpha=rgba[..., 3])
    if mode == "RGB":
        return _Pixels(np.asarray(im))
    try:  # CMYK, YCbCr, LAB, HSV, RGBX ...
        rgb = im.convert("RGB")
    except ValueError as exc:  # "conversion from X to RGB not supported"
        raise _ModeError(mode) from exc
    return _Pixels(np.asarray(rgb))


def _stretch(values: npt.NDArray[Any]) -> _Pixels:
    """Map an I/F image's finite min..max to 0..255 (NaN -> 0, +inf -> 255, -inf -> 0).

    Two passes over float64 row strips (range, then mapping), so a 50 MP float file
    never has a full-size float64 copy or mask.
    """
    height, width = values.shape
    step = max(1, _STRIP_PIXELS // max(width, 1))
    low, high = math.inf, -math.inf
    for r0 in range(0, height, step):
        s = values[r0 : r0 + step].astype(np.float64)
        finite = s[np.isfinite(s)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    stretched = high > low
    out = np.empty((height, width), np.float32)
    for r0 in range(0, height, step):
        s = values[r0 : r0 + step].astype(np.float64)
        if stretched:
            s -= low
            s *= 255.0 / (high - low)
        # else constant (or no finite value): no range to stretch, keep the value itself
        np.nan_to_num(s, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(s, 0.0, 255.0, out=s)
        out[r0 : r0 + step] = s
    return _Pixels(out, value_range=(low, high) if stretched else None)


def _to_float(
    values: npt.NDArray[Any], alpha: npt.NDArray[np.uint8] | None, as_gray: bool
) -> npt.NDArray[np.float32]:
    """Composite on white and/or take luma, in float64 row strips, into a float32 array."""
    color = values.ndim == 3
    if alpha is None and not (color and as_gray):
        return np.ascontiguousarray(values, dtype=np.float32)
    height, width = values.shape[:2]
    out = np.empty((height, width, 3) if color and not as_gray else (height, width), np.float32)
    step = max(1, _STRIP_PIXELS // max(width, 1))
    for r0 in range(0, height, step):
        s = values[r0 : r0 + step].astype(np.float64)
        if alpha is not None:
            a = alpha[r0 : r0 + step].astype(np.float64)
            a /= 255.0
            if color:
                a = a[..., None]
            # 255 - (255 - c) * a: exactly c when a = 1 and exactly 255 when a = 0.
            s = 255.0 - (255.0 - s) * a
        if color and as_gray:
            s = s[..., 0] * _LUMA[0] + s[..., 1] * _LUMA[1] + s[..., 2] * _LUMA[2]
        out[r0 : r0 + step] = s
    return out


def _exif_orientation(im: Image.Image) -> int:
    """EXIF orientation 1-8 of a loaded image; 1 when absent or unreadable."""
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except (*_DECODE_ERRORS, TypeError):
        # Metadata only: a malformed EXIF block must not cost the student the picture.
        # (Pillow's EXIF parser raises SyntaxError/struct.error on bad headers and
        # offsets; TypeError guards wrong-typed tag values as in the image data above.)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _tiff_orientation(im: Image.Image) -> int:
    """The orientation Pillow's TIFF loader will apply by itself (1 for other formats)."""
    if not isinstance(im, TiffImagePlugin.TiffImageFile):
        return 1
    value = im.tag_v2.get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _is_multi_frame(im: Image.Image) -> bool:
    """More than one frame or page, found without decoding or counting the frames."""
    try:
        # is_animated looks at one frame ahead (GIF) or a header field (WebP, PNG, TIFF);
        # n_frames would walk a 1000-frame GIF to the end.
        return bool(getattr(im, "is_animated", False))
    except _DECODE_ERRORS:
        return True  # something follows the first frame, even if it is broken


# Pillow's exif_transpose table (2: FLIP_LEFT_RIGHT ... 8: ROTATE_90) as array views.
_ORIENTATIONS: dict[int, Callable[[npt.NDArray[Any]], npt.NDArray[Any]]] = {
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, 1),
}

# First bytes of files people upload by mistake, to name them in the message.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),
    (b"MM\x00+", "TIFF"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP"),
    (b"%!PS", "PostScript (EPS)"),
    (b"\xc5\xd0\xd3\xc6", "PostScript (EPS)"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"\xff\x4f\xff\x51", "JPEG 2000"),
    (b"SIMPLE  =", "FITS"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "FlashPix/Office (OLE)"),
    (b"\x00\x00\x01\x00", "ICO"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


def _sniff(data: bytes) -> str | None:
    """Name the kind of file from its first bytes (for messages only; Pillow decides)."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00":  # reserved bytes are 0
        return "BMP"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return "HEIC" if brand in _HEIF_BRANDS else "MP4/QuickTime"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "SVG"
    if head.startswith((b"<!doctype html", b"<html")):
        return "HTML"
    return None


def _png_crc_error(data: bytes) -> str | None:
    """Check every PNG chunk's CRC; the reason text for the first bad one, else None.

    Pillow checks the CRC of the chunks before the image data but skips the image data's
    own (IDAT), so a flipped bit there can decode into wrong pixels without an error.
    libpng refuses such a file; so do we. A file cut short is left to the decoder,
    which reports it as truncated.
    """
    view = memoryview(data)
    pos = 8  # after the signature
    while pos + 12 <= len(data):
        length = int.from_bytes(view[pos : pos + 4], "big")
        body_end = pos + 8 + length
        if body_end + 4 > len(data):
            return None
        kind = bytes(view[pos + 4 : pos + 8])
        if zlib.crc32(view[pos + 4 : body_end]) != int.from_bytes(
            view[body_end : body_end + 4], "big"
        ):
            name = kind.decode("latin-1")
            return f"bad checksum (CRC) in the {name} chunk at byte {pos:,}"
        if kind == b"IEND":
            return None
        pos = body_end + 4
    return None


def _format_name(fmt: str | None) -> str:
    """Pillow's format name as people write it ('WEBP' -> 'WebP', 'MPO' -> 'JPEG')."""
    if not fmt:
        return "image"
    return {"WEBP": "WebP", "MPO": "JPEG"}.get(fmt, fmt)


def _damaged(fmt: str | None, nbytes: int, exc: BaseException) -> DamagedImageError:
    reason = str(exc) or type(exc).__name__
    return DamagedImageError(
        "image_damaged", format=_format_name(fmt), nbytes=nbytes, reason=reason
    )


def _too_large(width: int, height: int, limit: int) -> ImageTooLargeError:
    # The largest size with the same aspect ratio that fits, as a concrete target.
    scale = math.sqrt(limit / (width * height))
    return ImageTooLargeError(
        "image_too_large",
        width=width,
        height=height,
        megapixels=width * height / 1e6,
        limit=limit,
        limit_megapixels=limit / 1e6,
        fit_width=max(1, math.floor(width * scale)),
        fit_height=max(1, math.floor(height * scale)),
    )


def _too_large_from_pillow(exc: BaseException, limit: int) -> ImageTooLargeError:
    """Pillow refused the size inside ``open``: take the pixel count from its message."""
    match = re.search(r"\((\d+) pixels\)", str(exc))
    # Without a number, Pillow's error threshold is the least the image can have.
    pixels = int(match.group(1)) if match else 2 * (Image.MAX_IMAGE_PIXELS or limit)
    return ImageTooLargeError(
        "image_too_large_pixels",
        pixels=pixels,
        megapixels=pixels / 1e6,
        limit=limit,
        limit_megapixels=limit / 1e6,
    )


# --------------------------------------------------------------------------------------
# Downscaling


def downscale(image: npt.ArrayLike, max_side: int) -> npt.NDArray[np.float32]:
    """Shrink an image so its longer side is ``max_side``, by area averaging.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, C)
        Pixel values (any real dtype; 0-255 units in ConvLab).
    max_side : int
        The longest side allowed, in pixels (positive).

    Returns
    -------
    small : ndarray of shape (h, w) or (h, w, C) and dtype float32
        ``max(h, w) == max_side`` and ``h / w`` as close to ``H / W`` as whole pixels
        allow (the shorter side is rounded, at least 1). When the image already fits
        (``max(H, W) <= max_side``) it is returned unchanged as float32 (the same
        object if it already was float32).

    Raises
    ------
    ArgumentError
        ``max_side`` is not a positive integer, or ``image`` is not a finite 2D/3D array.

    See Also
    --------
    downscale_to_grid : an exact ``(rows, cols)`` grid of 0-255 integers.

    Notes
    -----
    Area ("box") averaging: output pixel ``i`` along an axis covers the input
    interval ``[i * n / m, (i + 1) * n / m)`` and is the average of the input over it,
    each input pixel weighted by how much of it lies inside. So the mean of the image is
    preserved and no pixel is skipped (unlike subsampling, which aliases). This is
    OpenCV's ``INTER_AREA`` and PyTorch's ``F.interpolate(mode='area')`` for integer
    factors.

    Examples
    --------
    >>> downscale(np.array([[0, 2, 4, 6], [2, 4, 6, 8]]), 2)
    array([[2., 6.]], dtype=float32)
    >>> downscale(np.array([[0, 30, 60]]), 2)
    array([[10., 50.]], dtype=float32)
    """
    arr = _check_image(image, "image")
    max_side = check_int(max_side, "max_side", minimum=1)
    height, width = arr.shape[:2]
    if max(height, width) <= max_side:
        return arr if arr.dtype == np.float32 else arr.astype(np.float32)
    scale = max_side / max(height, width)
    rows = max_side if height >= width else max(1, round(height * scale))
    cols = max_side if width >= height else max(1, round(width * scale))
    return _area_resize(arr, rows, cols)


def downscale_to_grid(image: npt.ArrayLike, size: Pair) -> npt.NDArray[np.int64]:
    """Average an image down to a small ``(rows, cols)`` grid of 0-255 integers.

    This is the studio's "downsampled region of an image": a grid small enough to
    show every number, made from a real photo.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, C)
        Pixel values in 0-255 units.
    size : int or (rows, cols)
        The grid size; an int is used for both (PyTorch's ``output_size``). Each must
        be at most the image's size along that axis (the aspect ratio is not kept).

    Returns
    -------
    grid : ndarray of shape (rows, cols) or (rows, cols, C) and dtype int64
        Area averages rounded half up and clipped to 0..255.

    Raises
    ------
    ArgumentError
        ``size`` is not a positive int or pair, or is larger than the image.

    See Also
    --------
    downscale : keeps the aspect ratio and float values.

    Notes
    -----
    The same area averaging as :func:`downscale` (each cell is the mean of the
    pixels under it, partial pixels weighted by their overlap), then
    ``floor(x + 0.5)``; like ``F.adaptive_avg_pool2d`` when the sizes divide evenly.

    Examples
    --------
    >>> image = np.array([[10, 20, 200, 210],
    ...                   [30, 40, 220, 230]])
    >>> downscale_to_grid(image, (1, 2))
    array([[ 25, 215]])
    >>> downscale_to_grid(image, 1)
    array([[120]])
    """
    arr = _check_image(image, "image")
    rows, cols = check_pair(size, "size")
    height, width = arr.shape[:2]
    if rows > height or cols > width:
        raise ArgumentError("image_grid_too_large", height=height, width=width, size=(rows, cols))
    small = _area_resize(arr, rows, cols, exact=True)
    grid = np.floor(small + 0.5)
    np.clip(grid, 0, 255, out=grid)
    return grid.astype(np.int64)


def _check_image(image: Any, arg_name: str) -> npt.NDArray[Any]:
    arr = check_array(image, arg_name, (2, 3))
    if arr.ndim == 3 and arr.shape[2] == 0:
        raise ArgumentError("empty_array", arg=arg_name, shape=arr.shape)
    return arr


def _area_overlaps(n_in: int, n_out: int) -> Any:
    """Sparse (n_out, n_in) matrix of integer overlaps; ``/ n_in`` gives area weights.

    Output ``i`` covers ``[i * n_in / n_out, (i + 1) * n_in / n_out)``. Working in units
    of ``1 / n_out`` input pixels keeps every boundary an integer: input ``j`` covers
    ``[j * n_out, (j + 1) * n_out)``, output ``i`` covers ``[i * n_in, (i + 1) * n_in)``,
    and their overlap is an integer; each row of overlaps sums to ``n_in``.
    """
    from scipy import sparse  # only needed here; keeps `import conv_core` light

    i = np.arange(n_out)
    first = (i * n_in) // n_out  # first input pixel touched by output i
    last = -((-(i + 1) * n_in) // n_out)  # one past the last (ceil)
    counts = last - first
    rows = np.repeat(i, counts)
    starts = np.cumsum(counts) - counts  # where each output's entries begin
    cols = np.repeat(first, counts) + np.arange(counts.sum()) - np.repeat(starts, counts)
    lo = np.maximum(cols * n_out, rows * n_in)
    hi = np.minimum((cols + 1) * n_out, (rows + 1) * n_in)
    return sparse.csr_matrix((hi - lo, (rows, cols)), shape=(n_out, n_in))


def _area_resize(
    arr: npt.NDArray[Any], rows: int, cols: int, *, exact: bool = False
) -> npt.NDArray[Any]:
    """Area-average (H, W[, C]) to (rows, cols[, C]) with one sparse product per axis.

    float32 by default. ``exact=True`` works in float64 with the integer overlaps and
    divides once at the end, so integer inputs give correctly rounded averages (an
    average of exactly 2.5 is 2.5, which matters when it is rounded to a grid value).
    """
    height, width = arr.shape[:2]
    extra = arr.shape[2:]
    dtype = np.float64 if exact else np.float32
    out = np.asarray(arr, dtype=dtype)
    divisor = 1
    if rows != height:
        weights = _area_overlaps(height, rows).astype(dtype)
        if exact:
            divisor *= height
        else:
            weights /= height
        out = (weights @ out.reshape(height, -1)).reshape(rows, width, *extra)
    if cols != width:
        # Put the width axis first, apply the same kind of matrix, and put it back.
        weights = _area_overlaps(width, cols).astype(dtype)
        if exact:
            divisor *= width
        else:
            weights /= width
        small = weights @ np.moveaxis(out, 1, 0).reshape(width, -1)
        out = np.moveaxis(small.reshape(cols, rows, *extra), 0, 1)
    out = np.ascontiguousarray(out, dtype=dtype)
    if divisor != 1:
        out /= divisor
    return out


# --------------------------------------------------------------------------------------
# Display and PNG


@dataclass(frozen=True)
class DisplayMode:
    """One way to map feature-map values to 0-255 grey levels for display."""

    name: str
    formula: str
    explanation: str

    @property
    def key(self) -> str:
        """Translation key of the explanation (``display_modes.<name>``)."""
        return f"display_modes.{self.name}"


#: The display mappings of :func:`to_display`, by name.
DISPLAY_MODES: dict[str, DisplayMode] = {
    m.name: m
    for m in (
        DisplayMode(
            "clip",
            "clip(x, 0, 255)",
            "Values as they are; below 0 shows black, above 255 shows white.",
        ),
        DisplayMode(
            "abs",
            "clip(|x|, 0, 255)",
            "Strength regardless of sign: -100 and +100 look the same.",
        ),
        DisplayMode(
            "minmax",
            "(x - min) / (max - min) * 255",
            "Stretched so the smallest value is black and the largest white.",
        ),
        DisplayMode(
            "symmetric",
            "(x / max|x| + 1) * 127.5",
            "Zero is mid-grey; negative values darker, positive brighter (for diverging colours).",
        ),
    )
}


def to_display(feature_map: npt.ArrayLike, mode: str = "clip") -> npt.NDArray[np.uint8]:
    """Map any real values to 0-255 grey levels for showing or saving.

    Parameters
    ----------
    feature_map : ndarray of shape (H, W) or (H, W, C)
        Finite values, e.g. a convolution's output (may be negative or above 255).
    mode : {'clip', 'abs', 'minmax', 'symmetric'}, optional
        Default ``'clip'``. See :data:`DISPLAY_MODES` and Notes.

    Returns
    -------
    display : ndarray of the same shape and dtype uint8
        Rounded half up. One mapping for the whole array (not per channel).

    Raises
    ------
    ArgumentError
        Unknown ``mode``; empty, non-numeric or non-finite ``feature_map``.

    Notes
    -----
    ===========  ===================================  ==============================
    mode         formula                              constant / all-zero input
    ===========  ===================================  ==============================
    'clip'       ``clip(x, 0, 255)``                  its clipped value
    'abs'        ``clip(|x|, 0, 255)``                its clipped magnitude
    'minmax'     ``(x - min) / (max - min) * 255``    0 everywhere (no contrast)
    'symmetric'  ``(x / m + 1) * 127.5``, m = max|x|  128 everywhere (zero is mid-grey)
    ===========  ===================================  ==============================

    'symmetric' puts 0 at 127.5 (shown as 128), ``-m`` at 0 and ``+m`` at 255, so a
    diverging colour map shows the sign. No division by zero happens for constant maps.

    Examples
    --------
    >>> x = np.array([[-300, -50, 0], [50, 127.4, 400]])
    >>> to_display(x)
    array([[  0,   0,   0],
           [ 50, 127, 255]], dtype=uint8)
    >>> to_display(x, mode="abs")
    array([[255,  50,   0],
           [ 50, 127, 255]], dtype=uint8)
    >>> to_display(np.array([[-2, 0, 2]]), mode="minmax")
    array([[  0, 128, 255]], dtype=uint8)
    >>> to_display(np.array([[-2, 0, 1]]), mode="symmetric")
    array([[  0, 128, 191]], dtype=uint8)
    >>> to_display(np.zeros((1, 2)), mode="symmetric")
    array([[128, 128]], dtype=uint8)
    """
    mode = check_choice(mode, "mode", DISPLAY_MODES)
    arr = _check_image(feature_map, "feature_map")
    scale, offset = 1.0, 0.0  # display = x * scale + offset (x or |x|)
    if mode == "minmax":
        low, high = float(arr.min()), float(arr.max())
        if high > low:
            scale, offset = 255.0 / (high - low), -low * 255.0 / (high - low)
        else:
            scale, offset = 0.0, 0.0
    elif mode == "symmetric":
        m = float(np.abs(arr).max())
        scale, offset = (127.5 / m if m > 0 else 0.0), 127.5
    out = np.empty(arr.shape, np.uint8)
    width = arr.shape[1] * (arr.shape[2] if arr.ndim == 3 else 1)
    step = max(1, _STRIP_PIXELS // width)
    for r0 in range(0, arr.shape[0], step):
        # float64 per strip: exact for int64 inputs and no float32 cancellation.
        s = arr[r0 : r0 + step].astype(np.float64)
        if mode == "abs":
            np.abs(s, out=s)
        if mode == "minmax":
            s -= low  # (x - min) first: x * scale - min * scale cancels badly
            s *= scale
        elif scale != 1.0 or offset != 0.0:
            s *= scale
            s += offset
        s += 0.5
        np.floor(s, out=s)
        np.clip(s, 0.0, 255.0, out=s)
        out[r0 : r0 + step] = s
    return out


def encode_png(image: npt.ArrayLike, compress_level: int = 6) -> bytes:
    """Encode a uint8 grey or RGB array as PNG bytes, with no metadata.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3) and dtype uint8
        Grey levels or RGB.
    compress_level : int, optional
        zlib level 0-9 (default 6, Pillow's). 1 encodes a 12 MP photo's feature map
        several times faster for files about a fifth larger: for large downloads.

    Returns
    -------
    png : bytes
        A PNG with only the IHDR, IDAT and IEND chunks: no EXIF, text or GPS, so a
        download never carries the upload's metadata.

    Raises
    ------
    ArgumentError
        Not uint8, or not (H, W) / (H, W, 3).

    See Also
    --------
    encode_png_from_float : map any values with :func:`to_display` first.

    Examples
    --------
    >>> png = encode_png(np.array([[0, 255]], dtype=np.uint8))
    >>> png[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> load_image(png)
    array([[  0., 255.]], dtype=float32)
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ArgumentError("image_not_uint8", arg="image", dtype=str(arr.dtype))
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)) or arr.size == 0:
        raise ArgumentError("image_bad_channels", arg="image", channels=3, shape=arr.shape)
    buf = io.BytesIO()
    # A fresh image from an array has no info/EXIF to copy; pnginfo stays None.
    level = min(check_int(compress_level, "compress_level", minimum=0), 9)
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, format="PNG", compress_level=level)
    return buf.getvalue()


def encode_png_from_float(
    array: npt.ArrayLike, mode: str = "clip", compress_level: int = 6
) -> bytes:
    """PNG bytes of any real-valued (H, W) or (H, W, 3) array: ``encode_png(to_display(...))``.

    Parameters
    ----------
    array : ndarray of shape (H, W) or (H, W, 3)
        Finite values.
    mode : {'clip', 'abs', 'minmax', 'symmetric'}, optional
        How values become 0-255; see :func:`to_display`. Default ``'clip'``.
    compress_level : int, optional
        As :func:`encode_png`.

    Returns
    -------
    png : bytes
        As :func:`encode_png`.

    Examples
    --------
    >>> load_image(encode_png_from_float(np.array([[-5.0, 300.0]])))
    array([[  0., 255.]], dtype=float32)
    """
    return encode_png(to_display(array, mode), compress_level)
