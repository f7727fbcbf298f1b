"""Fuzz of the image loader (conv_core.load_image / load_image_with_info).

Whatever bytes arrive, only conv_core's own errors (:class:`conv_core.ConvLabError`
subclasses) may come out, and a decoded image is always a finite float32 array in
0..255 of shape (H, W) or (H, W, 3) (``as_gray=True``: (H, W)) whose size matches the
reported ``ImageInfo.size``. Inputs: random bytes (also behind each format's signature),
real files of every format Pillow writes here in every mode it accepts (1, L, LA, P with
and without transparency, RGB, RGBA, CMYK, I;16, I, F), cut short and with flipped bytes,
headers that declare huge or zero sizes, and 1-pixel images.

Bounded by explicit ``max_examples`` so the whole fuzz suite stays well under 90 s with
``CI=1``.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import conv_core as cc

# Pillow warns about corrupt EXIF blocks and large images while conv_core handles them.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Corrupt EXIF data"),
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
    pytest.mark.filterwarnings("ignore:.*(Truncated|truncated|Metadata).*"),
]

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
MODES = ("1", "L", "LA", "P", "PT", "RGB", "RGBA", "CMYK", "I;16", "I", "F")


def fuzz(n: int) -> settings:
    """At most ``n`` examples whatever the profile (CI's is 400): keeps the suite bounded."""
    return settings(
        max_examples=n, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
    )


def _pixels(mode: str, h: int, w: int, seed: int, special: bool) -> Image.Image:
    """A random image of that mode ("PT": palette with a transparent index)."""
    rng = np.random.default_rng(seed)
    if mode == "F":
        values = rng.normal(0, 1e3, (h, w)).astype(np.float32)
        if special:
            specials = np.array([np.nan, np.inf, -np.inf], np.float32)
            values.flat[rng.integers(0, values.size, 3)] = specials
        return Image.fromarray(values, "F")
    if mode == "I":
        lo, hi = (-(2**31), 2**31 - 1) if special else (-1000, 70000)
        return Image.fromarray(rng.integers(lo, hi, (h, w), dtype=np.int64).astype(np.int32), "I")
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (h, w), dtype=np.uint16))
    bands = {"1": 1, "L": 1, "LA": 2, "P": 1, "PT": 1, "RGB": 3, "RGBA": 4, "CMYK": 4}[mode]
    data = rng.integers(0, 256, (h, w, bands), dtype=np.uint8)
    if mode == "1":
        return Image.fromarray(data[:, :, 0] > 127)
    if mode in ("L", "P", "PT"):
        if mode == "L":
            return Image.fromarray(data[:, :, 0], "L")
        im = Image.frombytes("P", (w, h), data[:, :, 0].tobytes())
        im.putpalette(rng.integers(0, 256, 768, dtype=np.uint8).tobytes())
        return im
    return Image.frombytes(mode, (w, h), data.tobytes())


def _save(im: Image.Image, fmt: str, mode: str) -> bytes:
    buf = io.BytesIO()
    extra: dict[str, Any] = {}
    if mode == "PT" and fmt in ("PNG", "GIF"):
        extra["transparency"] = 0
    im.save(buf, format=fmt, **extra)
    return buf.getvalue()


def _writable() -> list[tuple[str, str]]:
    """The (format, mode) pairs Pillow can write here (found by trying a 2x2 image)."""
    pairs = []
    for fmt in FORMATS:
        for mode in MODES:
            try:
                data = _save(_pixels(mode, 2, 2, 0, False), fmt, mode)
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if data:
                pairs.append((fmt, mode))
    return pairs


WRITABLE = _writable()


def check_result(image: Any, info: cc.ImageInfo | None, as_gray: bool) -> None:
    """What every successful decode must give."""
    assert isinstance(image, np.ndarray) and image.dtype == np.float32
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3 and not as_gray)
    assert image.shape[0] >= 1 and image.shape[1] >= 1
    assert np.isfinite(image).all()
    assert image.min() >= 0.0 and image.max() <= 255.0
    if info is not None:
        assert info.size == (image.shape[1], image.shape[0])
        assert info.format in FORMATS


def load_or_own_error(
    data: bytes, as_gray: bool, with_info: bool = True, max_pixels: int = cc.DEFAULT_MAX_PIXELS
) -> Any:
    """Decode; a ConvLabError is fine, any other exception fails the test (it propagates)."""
    try:
        if with_info:
            image, info = cc.load_image_with_info(data, as_gray, max_pixels=max_pixels)
        else:
            image, info = cc.load_image(data, as_gray, max_pixels=max_pixels), None
    except cc.ConvLabError as err:
        assert isinstance(err, (cc.ImageLoadError, cc.ArgumentError)), type(err)
        assert str(err) and err.key
        return err
    check_result(image, info, as_gray)
    return image


def test_every_format_is_writable_here() -> None:
    assert {fmt for fmt, _ in WRITABLE} == set(FORMATS), WRITABLE
    # The modes the brief lists must each be covered by at least one format.
    assert {mode for _, mode in WRITABLE} == set(MODES), WRITABLE


SIGNATURES = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"BM",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"%!PS-Adobe-3.0 EPSF-3.0\n",
    b"8BPS",
    b"\x00\x00\x01\x00",  # ICO
    b"P6\n",
]


@fuzz(200)
@given(st.sampled_from(SIGNATURES), st.binary(max_size=300), st.booleans())
def test_random_bytes(prefix: bytes, tail: bytes, as_gray: bool) -> None:
    load_or_own_error(prefix + tail, as_gray)


@fuzz(150)
@given(
    st.sampled_from(WRITABLE),
    st.integers(1, 24),
    st.integers(1, 24),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.booleans(),
)
def test_real_images_of_every_format_and_mode(
    pair: tuple[str, str], h: int, w: int, seed: int, special: bool, as_gray: bool
) -> None:
    fmt, mode = pair
    data = _save(_pixels(mode, h, w, seed, special), fmt, mode)
    image = load_or_own_error(data, as_gray)
    # An intact file written by Pillow itself must load, at its own size.
    assert isinstance(image, np.ndarray), (fmt, mode, image)
    assert image.shape[:2] == (h, w)


@fuzz(250)
@given(
    st.sampled_from(WRITABLE),
    st.integers(1, 16),
    st.integers(1, 16),
    st.integers(0, 2**32 - 1),
    st.floats(0, 1),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
    st.booleans(),
)
def test_truncated_and_mutated_images(
    pair: tuple[str, str],
    h: int,
    w: int,
    seed: int,
    cut: float,
    flips: list[tuple[float, int]],
    as_gray: bool,
) -> None:
    fmt, mode = pair
    data = bytearray(_save(_pixels(mode, h, w, seed, False), fmt, mode))
    for where, value in flips:
        data[min(len(data) - 1, int(where * len(data)))] = value
    data = data[: max(0, int(cut * len(data)))] if cut < 1 else data
    load_or_own_error(bytes(data), as_gray, with_info=bool(seed % 2))


@pytest.mark.parametrize("as_gray", [False, True])
@pytest.mark.parametrize("pair", WRITABLE, ids=lambda p: f"{p[0]}-{p[1]}")
def test_one_pixel_images(pair: tuple[str, str], as_gray: bool) -> None:
    fmt, mode = pair
    image = load_or_own_error(_save(_pixels(mode, 1, 1, 7, False), fmt, mode), as_gray)
    assert isinstance(image, np.ndarray) and image.shape[:2] == (1, 1)


# --------------------------------------------------------------------------------------
# Headers that declare huge (decompression bomb) or zero sizes


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _bmp(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, 0, 0, 0, 0, 0)
    palette = bytes(range(256)) * 4
    pixels = b"\x00" * 64
    offset = 14 + len(info) + len(palette)
    header = b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset)
    return header + info + palette + pixels


def _gif(width: int, height: int) -> bytes:
    w, h = min(width, 65535), min(height, 65535)
    head = b"GIF89a" + struct.pack("<HHBBB", w, h, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"," + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02\x02\x44\x01\x00"
    return head + image + b";"


def _jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, min(height, 65535), min(width, 65535))
    return bytes(data)


def _tiff(width: int, height: int) -> bytes:
    tags = [
        (256, 4, 1, width),  # ImageWidth LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression none
        (262, 3, 1, 1),  # BlackIsZero
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 64),  # StripByteCounts
    ]
    ifd_offset = 8 + 64
    ifd = struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + b"\x00" * 64 + ifd


def _webp(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(buf, format="WEBP", lossless=True)
    data = bytearray(buf.getvalue())
    # Lossless bitstream header: 0x2f, then 14 bits width-1, 14 bits height-1.
    pos = data.find(b"VP8L") + 8
    assert data[pos] == 0x2F
    w, h = max(1, min(width, 16384)) - 1, max(1, min(height, 16384)) - 1
    bits = int.from_bytes(data[pos + 1 : pos + 5], "little")
    bits = (bits & ~((1 << 28) - 1)) | w | (h << 14)
    data[pos + 1 : pos + 5] = bits.to_bytes(4, "little")
    return bytes(data)


BUILDERS = {"PNG": _png, "BMP": _bmp, "GIF": _gif, "JPEG": _jpeg, "TIFF": _tiff, "WEBP": _webp}


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("size", [(60000, 60000), (65535, 1000), (9000, 9000), (16384, 16384)])
def test_bomb_headers_are_refused_before_decoding(fmt: str, size: tuple[int, int]) -> None:
    # WebP stores at most 16384 per side, GIF and JPEG 65535: the builders clamp.
    side = {"WEBP": 16384, "GIF": 65535, "JPEG": 65535}.get(fmt, 2**31)
    pixels = min(size[0], side) * min(size[1], side)
    data = BUILDERS[fmt](*size)
    if pixels <= cc.DEFAULT_MAX_PIXELS:
        # A legal size (a 16384 x 1000 WebP): not a bomb; decode it under a small limit
        # only, so the suite never allocates hundreds of MB.
        load_or_own_error(data, False, max_pixels=2**20)
        return
    err = load_or_own_error(data, False)
    # More pixels than the limit: refused, never decoded. PNG/BMP/TIFF/WebP headers are
    # read as such, so the error says "too large"; a parser that rejects a header first
    # (GIF/JPEG with junk data) may call it damaged instead.
    assert isinstance(err, cc.ImageLoadError), (fmt, size)
    if fmt in ("PNG", "BMP", "TIFF", "WEBP"):
        assert isinstance(err, cc.ImageTooLargeError), (fmt, size, err)


def test_bomb_header_is_quick_and_small() -> None:
    import time
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    for build in BUILDERS.values():
        load_or_own_error(build(60000, 60000), False)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2.0, elapsed
    assert peak < 50e6, peak


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
@pytest.mark.parametrize("size", [(0, 0), (0, 5), (5, 0), (1, 1)])
def test_zero_and_one_pixel_headers(fmt: str, size: tuple[int, int]) -> None:
    load_or_own_error(BUILDERS[fmt](*size), False)


@fuzz(120)
@given(st.sampled_from(sorted(BUILDERS)), st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1))
def test_random_declared_sizes(fmt: str, width: int, height: int) -> None:
    if fmt == "PNG":
        width, height = min(width, 2**31 - 1), min(height, 2**31 - 1)
    # A small limit: a legal but large declared size is refused instead of decoded (the
    # headers still go through every parser; the default limit is the bomb tests' job).
    load_or_own_error(BUILDERS[fmt](width, height), bool(width % 2), max_pixels=2**20)


@fuzz(60)
@given(st.integers(1, 10**9), st.sampled_from(WRITABLE[:6]))
def test_max_pixels_is_respected(limit: int, pair: tuple[str, str]) -> None:
    fmt, mode = pair
    data = _save(_pixels(mode, 5, 7, 1, False), fmt, mode)
    try:
        image = cc.load_image(data, max_pixels=limit)
    except cc.ImageTooLargeError:
        assert limit < 35
        return
    assert limit >= 35 and image.shape[:2] == (5, 7)


@pytest.mark.parametrize(
    "data", [None, "abc", 12, [1, 2], np.zeros(4, np.uint8), {"a": 1}, io.BytesIO(b"x")]
)
def test_not_bytes(data: Any) -> None:
    with pytest.raises(cc.ArgumentError):
        cc.load_image(data)


@pytest.mark.parametrize("data", [bytearray(b"GIF89a"), memoryview(b"\x89PNG\r\n\x1a\n")])
def test_bytes_like_but_not_an_image(data: Any) -> None:
    with pytest.raises(cc.ImageLoadError):
        cc.load_image(data)
