"""Tests for conv_core.image_io: safe decoding, downscaling, display mapping and PNG output.

Every test image is made here with Pillow/NumPy (or written byte by byte where Pillow
cannot write the case, e.g. a 30000 x 30000 header). The cases follow
shared/recipes/BAD-INPUTS.md (rows 1-6, 8-10, 19). References are independent of the
module: Pillow's own ``ImageOps.exif_transpose``, area averaging by pixel replication,
the luma and compositing formulas written out in float64.
"""

import io
import struct
import subprocess
import time
import warnings
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import (
    EpsImagePlugin,
    GifImagePlugin,
    Image,
    ImageCms,
    ImageFile,
    ImageOps,
    PngImagePlugin,
    TiffImagePlugin,
)

from conv_core import ERROR_MESSAGES, ArgumentError, ImageLoadError
from conv_core.image_io import (
    DEFAULT_MAX_PIXELS,
    DISPLAY_MODES,
    IMAGE_FORMATS,
    IMAGE_NOTE_MESSAGES,
    DamagedImageError,
    ImageInfo,
    ImageTooLargeError,
    NotAnImageError,
    downscale,
    downscale_to_grid,
    encode_png,
    encode_png_from_float,
    load_image,
    load_image_with_info,
    to_display,
)

PILLOW_LIMIT = Image.MAX_IMAGE_PIXELS  # must be the same after every test
SUPPORTED_TEXT = "not a supported image (JPEG, PNG, WebP, BMP, GIF or TIFF)"

# ---------------------------------------------------------------------------------------
# helpers that make files


def save(im, fmt, **kwargs):
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache
def png_1bit(width, height):
    """A valid all-black 1-bit PNG of any size, tiny on disk (zeros compress ~1000:1)."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    rows_per_block = max(1, (1 << 20) // len(row))
    comp = zlib.compressobj(9)
    parts = [comp.compress(row * rows_per_block) for _ in range(height // rows_per_block)]
    parts += [comp.compress(row * (height % rows_per_block)), comp.flush()]
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def tiff_gray(width, height, pixels=None, offsets_type=4):
    """A minimal uncompressed 8-bit gray TIFF; with ``pixels=None`` the header only.

    ``offsets_type`` is the TIFF type of StripOffsets (4 = LONG; 11 = FLOAT is invalid).
    """
    data = b"\x00" * 16 if pixels is None else bytes(pixels)
    tags = [
        (256, 4, width),  # ImageWidth
        (257, 4, height),  # ImageLength
        (258, 3, 8),  # BitsPerSample
        (259, 3, 1),  # Compression: none
        (262, 3, 1),  # Photometric: black is zero
        (273, offsets_type, 0),  # StripOffsets (patched below)
        (277, 3, 1),  # SamplesPerPixel
        (278, 4, height),  # RowsPerStrip
        (279, 4, width * height),  # StripByteCounts
    ]
    data_offset = 8 + 2 + 12 * len(tags) + 4
    ifd = struct.pack("<H", len(tags))
    for tag, kind, value in tags:
        value = data_offset if tag == 273 else value
        if kind == 11:
            packed = struct.pack("<f", value)
        else:
            packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, 1) + packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00" + data


def bmp_bgra(pixels_bgra):
    """A 32-bit BMP with a BITMAPV4HEADER and an alpha mask (Pillow reads it as RGBA)."""
    height, width = pixels_bgra.shape[:2]
    header = struct.pack(
        "<IiiHHIIiiII4I",
        108,
        width,
        -height,  # top-down rows
        1,
        32,
        3,  # BI_BITFIELDS
        width * height * 4,
        2835,
        2835,
        0,
        0,
        0x00FF0000,
        0x0000FF00,
        0x000000FF,
        0xFF000000,
    )
    header += b"sRGB" + b"\x00" * (108 - len(header) - 4)
    body = np.ascontiguousarray(pixels_bgra, dtype=np.uint8).tobytes()
    offset = 14 + len(header)
    return b"BM" + struct.pack("<IHHI", offset + len(body), 0, 0, offset) + header + body


def gray_png(values):
    return save(Image.fromarray(np.asarray(values, dtype=np.uint8)), "PNG")


def rgb_png(values):
    return save(Image.fromarray(np.asarray(values, dtype=np.uint8)), "PNG")


def noise_image(height=64, width=64, seed=0):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def exif_with(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def chunk_types(png):
    kinds, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kinds.append(png[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


@pytest.fixture(autouse=True)
def _global_state_untouched():
    """No test may leave Pillow's process-wide switches changed."""
    yield
    assert Image.MAX_IMAGE_PIXELS == PILLOW_LIMIT
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# ---------------------------------------------------------------------------------------
# 1. not an image


def _zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("photo.png", b"not really")
    return buf.getvalue()


NOT_IMAGES = {
    "text": (b"Hello, this is a text file renamed photo.png\n", None),
    "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "PDF"),
    "zip": (_zip_bytes(), "ZIP"),
    "html": (b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "HTML"),
    "svg": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
        b'height="10"><rect width="10" height="10"/></svg>',
        "SVG",
    ),
    "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
}


@pytest.mark.parametrize("name", sorted(NOT_IMAGES))
def test_non_image_bytes_are_not_an_image(name):
    data, kind = NOT_IMAGES[name]
    with pytest.raises(NotAnImageError) as info:
        load_image(data)
    assert SUPPORTED_TEXT in str(info.value)
    if kind is None:
        assert info.value.key == "image_not_supported"
        assert info.value.params == {"nbytes": len(data)}
        assert f"{len(data):,} bytes" in str(info.value)
    else:
        assert info.value.key == "image_kind_not_supported"
        assert f"looks like {kind}" in str(info.value)


def test_empty_file_says_zero_bytes():
    with pytest.raises(NotAnImageError, match=r"empty \(0 bytes\)") as info:
        load_image(b"")
    assert info.value.key == "image_empty"


def test_errors_are_image_load_errors_with_registered_keys():
    for cls in (NotAnImageError, DamagedImageError, ImageTooLargeError):
        assert issubclass(cls, ImageLoadError)
        assert not issubclass(cls, ValueError)  # pages catch bad files apart from bad args
    for key in (
        "image_empty",
        "image_not_supported",
        "image_kind_not_supported",
        "image_mode_unsupported",
        "image_damaged",
        "image_too_large",
        "image_too_large_pixels",
    ):
        assert key in ERROR_MESSAGES


@pytest.mark.parametrize("bad", ["photo.png", 123, None, [1, 2]])
def test_data_must_be_bytes(bad):
    with pytest.raises(ArgumentError, match="data must be the file's bytes"):
        load_image(bad)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "big"])
def test_max_pixels_must_be_positive_int(bad):
    with pytest.raises(ArgumentError, match="max_pixels"):
        load_image(gray_png([[1]]), max_pixels=bad)


def test_bytearray_and_memoryview_are_accepted():
    data = gray_png([[1, 2]])
    for wrapped in (bytearray(data), memoryview(data)):
        np.testing.assert_array_equal(load_image(wrapped), [[1, 2]])


# ---------------------------------------------------------------------------------------
# 2. formats outside the allowlist never reach their parser (EPS would start Ghostscript)

EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
    b"0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"
)


def _psd_bytes():
    # Header (v1, 3 channels, 4 x 4, 8-bit, RGB), empty sections, raw data.
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, 4, 4, 8, 3)
    return header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + b"\x80" * 48


def _unsupported_files():
    small = noise_image(8, 8)
    return {
        "EPS": (EPS, "PostScript (EPS)"),
        "PSD": (_psd_bytes(), "Photoshop (PSD)"),
        "TGA": (save(small, "TGA"), None),  # TGA has no signature
        "JPEG2000": (save(small, "JPEG2000"), "JPEG 2000"),
        "J2K": (save(small, "JPEG2000", no_jp2=True), "JPEG 2000"),
        "AVIF": (save(small, "AVIF"), "AVIF"),
        "ICO": (save(small, "ICO"), "ICO"),
        "PPM": (save(small, "PPM"), None),
    }


UNSUPPORTED = _unsupported_files()


@pytest.fixture
def parser_spy(monkeypatch):
    """Record any Ghostscript start, EPS parse, and the formats Image.open is given."""
    calls = []

    def no_subprocess(*args, **kwargs):
        calls.append(("subprocess", args))
        raise AssertionError("a subprocess was started")

    def eps_open(self):
        calls.append(("eps_open", None))
        raise SyntaxError("EPS parser reached")

    real_open = Image.open

    def open_spy(fp, mode="r", formats=None):
        calls.append(("formats", tuple(formats) if formats is not None else None))
        return real_open(fp, mode, formats)

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    monkeypatch.setattr(EpsImagePlugin, "has_ghostscript", lambda: calls.append(("gs?", None)))
    monkeypatch.setattr(EpsImagePlugin.EpsImageFile, "_open", eps_open)
    monkeypatch.setattr(Image, "open", open_spy)
    return calls


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_formats_are_refused_before_any_parser(name, parser_spy):
    data, kind = UNSUPPORTED[name]
    with pytest.raises(NotAnImageError) as info:
        load_image(data)
    assert SUPPORTED_TEXT in str(info.value)
    if kind is not None:
        assert info.value.params["kind"] == kind
    assert parser_spy == [("formats", IMAGE_FORMATS)]


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_control_unsupported_bytes_are_real_files_pillow_would_open(name, parser_spy):
    """Without the allowlist Pillow accepts each file (so the test above can fail)."""
    data, _ = UNSUPPORTED[name]
    if name == "EPS":
        with pytest.raises(Image.UnidentifiedImageError):
            Image.open(io.BytesIO(data))
        assert ("eps_open", None) in parser_spy  # the EPS parser did see these bytes
    else:
        assert Image.open(io.BytesIO(data)).format not in IMAGE_FORMATS


# ---------------------------------------------------------------------------------------
# 3. damaged files


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_files_are_damaged(fmt, fraction):
    full = save(noise_image(), fmt)
    cut = full[: int(len(full) * fraction)]
    with pytest.raises(DamagedImageError) as info:
        load_image(cut)
    assert info.value.key == "image_damaged"
    assert f"{len(cut):,} bytes" in str(info.value)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_control_uncut_files_load():
    for fmt in ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"]:
        assert load_image(save(noise_image(), fmt)).shape == (64, 64, 3)


def _flip_crc(png, kind):
    start = png.index(kind) - 4
    (length,) = struct.unpack(">I", png[start : start + 4])
    crc_at = start + 8 + length
    return png[:crc_at] + bytes([png[crc_at] ^ 0xFF]) + png[crc_at + 1 :]


@pytest.mark.parametrize("kind", [b"IHDR", b"IDAT", b"IEND"])
def test_png_with_bad_crc_is_damaged(kind):
    png = save(noise_image(), "PNG")
    with pytest.raises(DamagedImageError, match="damaged"):
        load_image(_flip_crc(png, kind))


def test_png_with_corrupt_image_data_is_damaged():
    png = save(noise_image(), "PNG")
    start = png.index(b"IDAT") + 4
    body = bytearray(png[start : start + 200])
    body[20:60] = b"\xff" * 40  # break the zlib stream, keep the CRC consistent
    fixed = png[: start - 8] + png_chunk(b"IDAT", bytes(body) + png[start + 200 : -16])
    with pytest.raises(DamagedImageError):
        load_image(fixed + png[-12:])


def test_tiff_with_a_float_strip_offset_is_damaged():
    # Found by fuzzing: Pillow seeks to the float and raises a bare TypeError.
    with pytest.raises(DamagedImageError):
        load_image(tiff_gray(3, 2, range(6), offsets_type=11))


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on truncated TIFF tags
@pytest.mark.parametrize("kind", ["GIF", "TIFF", "PNG", "WEBP"])
def test_every_cut_of_a_two_frame_file_is_handled(kind):
    """Cut after each byte: a loaded first frame or an ImageLoadError, nothing else.

    Found by fuzzing: a GIF cut inside the second frame's header made Pillow raise a bare
    IndexError while checking for animation, after the first frame had loaded.
    """
    first, second = _frames([(255, 0, 0), (0, 255, 0)], size=(3, 3))
    full = save(first, kind, save_all=True, append_images=[second])
    loaded = 0
    for cut in range(len(full)):
        try:
            image = load_image(full[:cut])
        except ImageLoadError:
            continue
        loaded += 1
        assert image.shape[:2] == (3, 3)
    assert loaded or kind != "GIF"  # GIF shows the first frame once its data is complete


def test_png_signature_with_garbage_is_damaged_not_foreign():
    with pytest.raises(DamagedImageError, match="PNG file"):
        load_image(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)


def test_png_text_chunk_bomb_is_damaged():
    # A zTXt chunk inflating past Pillow's MAX_TEXT_CHUNK makes Pillow raise a bare
    # ValueError ("Decompressed data too large", Pillow #9814).
    ztxt = b"Comment\x00\x00" + zlib.compress(b"A" * (PngImagePlugin.MAX_TEXT_CHUNK + 1), 9)
    png = save(noise_image(4, 4), "PNG")
    bomb = png[:33] + png_chunk(b"zTXt", ztxt) + png[33:]
    assert len(bomb) < 5000
    with pytest.raises(DamagedImageError, match="MAX_TEXT_CHUNK"):
        load_image(bomb)


# ---------------------------------------------------------------------------------------
# 4-5. the pixel limit


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail if any pixel data is decoded."""

    def refuse(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "load", refuse)


def _gif_with_screen(width, height):
    gif = bytearray(save(Image.new("P", (1, 1)), "GIF"))
    gif[6:10] = struct.pack("<HH", width, height)
    return bytes(gif)


def _bmp_with_size(width, height):
    bmp = bytearray(save(Image.new("L", (4, 4)), "BMP"))
    bmp[18:26] = struct.pack("<ii", width, height)
    return bytes(bmp)


BOMBS = {
    "png 30000x30000 1-bit": lambda: png_1bit(30000, 30000),
    "gif 30000x30000 screen": lambda: _gif_with_screen(30000, 30000),
    "bmp 30000x30000 header": lambda: _bmp_with_size(30000, 30000),
    "tiff 30000x30000 header": lambda: tiff_gray(30000, 30000),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_decompression_bombs_are_refused_from_the_header(name, no_decoding):
    data = BOMBS[name]()
    assert len(data) < 1_000_000
    start = time.perf_counter()
    with pytest.raises(ImageTooLargeError) as info:
        load_image(data)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "900,000,000 pixels" in message
    assert f"{min(DEFAULT_MAX_PIXELS, PILLOW_LIMIT):,} pixels" in message


def test_control_bomb_builders_make_loadable_files():
    assert load_image(png_1bit(9, 3)).shape == (3, 9)
    np.testing.assert_array_equal(
        load_image(tiff_gray(3, 2, [0, 50, 100, 150, 200, 250])),
        [
            [0, 50, 100],
            [150, 200, 250],
        ],
    )
    assert load_image(_gif_with_screen(2, 3)).shape[:2] == (3, 2)
    assert load_image(_bmp_with_size(4, 4)).shape == (4, 4)


def test_60_megapixels_is_refused_with_size_limit_and_a_target():
    with pytest.raises(ImageTooLargeError) as info:
        load_image(png_1bit(10000, 6000))
    p = info.value.params
    assert info.value.key == "image_too_large"
    assert (p["width"], p["height"], p["limit"]) == (10000, 6000, DEFAULT_MAX_PIXELS)
    assert "10,000 x 6,000 pixels (60.0 megapixels)" in str(info.value)
    assert "50.0 megapixels (50,000,000 pixels)" in str(info.value)
    # The suggested size fits the limit, keeps the aspect ratio, and is not needlessly small.
    assert p["fit_width"] * p["fit_height"] <= DEFAULT_MAX_PIXELS
    assert (p["fit_width"] + 1) * (p["fit_height"] + 1) > DEFAULT_MAX_PIXELS
    assert abs(p["fit_width"] / p["fit_height"] - 10000 / 6000) < 1e-3


def test_48_megapixel_photo_size_loads():
    image, info = load_image_with_info(png_1bit(8000, 6000))
    assert image.shape == (6000, 8000)
    assert info.size == (8000, 6000)


@pytest.mark.parametrize(
    ("size", "limit", "loads"),
    [((100, 100), 10_000, True), ((101, 100), 10_000, False), ((100, 101), 10_000, False)],
)
def test_the_limit_is_inclusive(size, limit, loads):
    data = gray_png(np.zeros(size[::-1]))
    if loads:
        assert load_image(data, max_pixels=limit).shape == size[::-1]
    else:
        with pytest.raises(ImageTooLargeError, match="10,000 pixels"):
            load_image(data, max_pixels=limit)


def test_pillow_warning_zone_is_refused_without_touching_warning_filters():
    # 100 M pixels: above Pillow's limit (89 M), below its error level (179 M).
    data = png_1bit(10000, 10000)
    filters = list(warnings.filters)
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ImageTooLargeError):
        load_image(data, max_pixels=200_000_000)  # Pillow's limit still applies
    assert warnings.filters == filters


def test_pillow_warning_raised_as_error_is_caught():
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ImageTooLargeError, match="100,000,000 pixels"):
            load_image(png_1bit(10000, 10000))


def test_a_real_12_megapixel_jpeg_loads(capsys):
    y, x = np.mgrid[0:3000, 0:4000]
    rgb = np.stack([x % 256, y % 256, (x + y) // 30 % 256], axis=-1).astype(np.uint8)
    data = save(Image.fromarray(rgb), "JPEG", quality=90)
    start = time.perf_counter()
    image, info = load_image_with_info(data)
    rgb_seconds = time.perf_counter() - start
    start = time.perf_counter()
    gray = load_image(data, as_gray=True)
    gray_seconds = time.perf_counter() - start
    assert image.shape == (3000, 4000, 3) and image.dtype == np.float32
    assert gray.shape == (3000, 4000)
    assert info.format == "JPEG" and not info.gray
    assert np.abs(image - rgb).mean() < 3  # JPEG is lossy, but this is the photo
    with capsys.disabled():
        print(f"\n12 MP JPEG: RGB {rgb_seconds:.2f} s, gray {gray_seconds:.2f} s", end=" ")


# ---------------------------------------------------------------------------------------
# 8. pixel modes


def test_mode_1_is_black_and_white():
    bits = np.array([[0, 1, 1], [1, 0, 0]], dtype=bool)
    for fmt in ("PNG", "BMP", "TIFF"):
        image, info = load_image_with_info(save(Image.fromarray(bits), fmt))
        np.testing.assert_array_equal(image, bits * 255.0)
        assert info.mode == "1" and info.gray


def test_mode_l_is_exact_and_stays_2d():
    values = np.arange(0, 256, 17, dtype=np.uint8).reshape(4, 4)
    image, info = load_image_with_info(gray_png(values))
    assert image.dtype == np.float32 and image.shape == (4, 4)
    np.testing.assert_array_equal(image, values)
    np.testing.assert_array_equal(load_image(gray_png(values), as_gray=True), values)
    assert info.gray and info.notes == ()


def test_mode_la_is_composited_on_white():
    la = np.array([[[100, 0], [100, 255], [0, 51], [200, 128]]], dtype=np.uint8)
    image, info = load_image_with_info(save(Image.fromarray(la, "LA"), "PNG"))
    lum, a = la[..., 0].astype(float), la[..., 1] / 255.0
    np.testing.assert_allclose(image, lum * a + 255 * (1 - a), rtol=1e-6)
    assert image[0, 0] == 255 and image[0, 1] == 100 and image[0, 2] == 204
    assert info.gray and info.alpha_composited


def test_rgba_is_composited_on_white_never_zeroed():
    rgba = np.array(
        [[[0, 0, 0, 0], [10, 20, 30, 255], [0, 0, 0, 128], [200, 100, 50, 51]]], dtype=np.uint8
    )
    image, info = load_image_with_info(save(Image.fromarray(rgba), "PNG"))
    a = rgba[..., 3:] / 255.0
    np.testing.assert_allclose(image, rgba[..., :3] * a + 255 * (1 - a), rtol=1e-6)
    np.testing.assert_array_equal(image[0, 0], [255, 255, 255])  # fully transparent -> white
    np.testing.assert_array_equal(image[0, 1], [10, 20, 30])  # opaque -> exact
    np.testing.assert_array_equal(image[0, 3], [244, 224, 214])  # 51/255 = 0.2
    assert info.alpha_composited
    assert [n.key for n in info.notes] == ["alpha_composited"]


def test_opaque_rgba_is_not_reported_as_composited():
    rgba = np.full((2, 2, 4), 255, np.uint8)
    rgba[..., 0] = 7
    image, info = load_image_with_info(save(Image.fromarray(rgba), "PNG"))
    np.testing.assert_array_equal(image[..., 0], 7)
    assert not info.alpha_composited


def _palette_image():
    im = Image.frombytes("P", (3, 1), bytes([0, 1, 2]))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    return im


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "BMP"])
def test_palette_without_transparency_is_rgb(fmt):
    image, info = load_image_with_info(save(_palette_image(), fmt))
    np.testing.assert_array_equal(image, [[[255, 0, 0], [0, 255, 0], [0, 0, 255]]])
    assert info.mode == "P" and not info.alpha_composited and not info.gray


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_with_transparency_is_composited(fmt):
    image, info = load_image_with_info(save(_palette_image(), fmt, transparency=1))
    np.testing.assert_array_equal(image, [[[255, 0, 0], [255, 255, 255], [0, 0, 255]]])
    assert info.alpha_composited


def test_bmp_with_all_zero_alpha_is_opaque_but_real_alpha_is_composited():
    bgra = np.zeros((2, 2, 4), np.uint8)
    bgra[..., 2] = 200  # red
    image, info = load_image_with_info(bmp_bgra(bgra))
    assert info.mode == "RGBA" and not info.alpha_composited
    np.testing.assert_array_equal(image[..., 0], 200)
    bgra[0, 0, 3] = 255  # now the alpha means something
    image, info = load_image_with_info(bmp_bgra(bgra))
    assert info.alpha_composited
    np.testing.assert_array_equal(image[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(image[1, 1], [255, 255, 255])


def test_cmyk_jpeg_becomes_rgb():
    cyan = Image.new("CMYK", (16, 16), (255, 0, 0, 0))
    image, info = load_image_with_info(save(cyan, "JPEG", quality=95))
    assert info.mode == "CMYK" and image.shape == (16, 16, 3)
    np.testing.assert_allclose(image.mean(axis=(0, 1)), [0, 255, 255], atol=3)


def test_a_mode_pillow_cannot_convert_is_not_an_image(monkeypatch):
    data = save(Image.new("CMYK", (4, 4), (0, 0, 0, 0)), "JPEG")
    real_convert = Image.Image.convert

    def convert(self, mode=None, *args, **kwargs):
        if self.mode == "CMYK":
            raise ValueError(f"conversion from CMYK to {mode} not supported")
        return real_convert(self, mode, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "convert", convert)
    with pytest.raises(NotAnImageError, match="mode 'CMYK'") as info:
        load_image(data)
    assert info.value.key == "image_mode_unsupported"


def test_16_bit_png_is_scaled_not_clipped():
    values = np.array([[0, 1000, 32768, 65535]], dtype=np.uint16)
    image, info = load_image_with_info(save(Image.fromarray(values), "PNG"))
    assert info.mode == "I;16" and info.gray and info.value_range == (0.0, 65535.0)
    np.testing.assert_allclose(image, values / 65535 * 255, rtol=1e-6)
    assert image[0, 3] == 255 and image[0, 0] == 0
    assert image[0, 2] == pytest.approx(127.5, abs=0.01)
    assert (image == 255).sum() == 1  # not a white image
    assert [n.key for n in info.notes] == ["rescaled_16bit"]


def test_16_bit_big_endian_tiff_is_scaled():
    values = np.array([[0, 32768, 65535]], dtype=">u2")
    image, info = load_image_with_info(save(Image.fromarray(values), "TIFF"))
    assert info.mode == "I;16B"
    np.testing.assert_allclose(image, values.astype(float) / 65535 * 255, rtol=1e-6)


def test_32_bit_integer_tiff_is_stretched_by_its_range():
    values = np.array([[-5, 0, 100, 70000]], dtype=np.int32)
    image, info = load_image_with_info(save(Image.fromarray(values), "TIFF"))
    assert info.mode == "I" and info.value_range == (-5.0, 70000.0)
    np.testing.assert_allclose(image, (values + 5) / 70005 * 255, rtol=1e-6)
    assert [n.text for n in info.notes] == ["Values from -5 to 70000 were stretched to 0-255."]


def test_float_tiff_is_stretched_and_nan_inf_are_handled():
    values = np.array([[np.nan, -np.inf, 0.5, 1.0, 1.5, np.inf]], dtype=np.float32)
    image, info = load_image_with_info(save(Image.fromarray(values), "TIFF"))
    assert info.mode == "F" and info.value_range == (0.5, 1.5)
    np.testing.assert_array_equal(image, [[0, 0, 0, 127.5, 255, 255]])


@pytest.mark.parametrize(("value", "expected"), [(7.5, 7.5), (300.0, 255.0), (-3.0, 0.0)])
def test_constant_float_image_keeps_its_value(value, expected):
    values = np.full((2, 3), value, dtype=np.float32)
    image, info = load_image_with_info(save(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(image, expected)
    assert info.value_range is None and not info.rescaled


def test_all_nan_float_image_is_black_not_nan():
    values = np.full((2, 2), np.nan, dtype=np.float32)
    image = load_image(save(Image.fromarray(values), "TIFF"))
    np.testing.assert_array_equal(image, 0)


def test_ycbcr_and_lab_become_rgb():
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 60, 30
    original = Image.fromarray(rgb)
    ycbcr = save(original.convert("YCbCr"), "TIFF")
    to_lab = ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB"
    )
    lab = save(ImageCms.applyTransform(original, to_lab), "TIFF")
    for data, mode in ((ycbcr, "YCbCr"), (lab, "LAB")):
        image, info = load_image_with_info(data)
        assert info.mode == mode and image.shape == (4, 4, 3)
        np.testing.assert_allclose(image, rgb, atol=6)


# ---------------------------------------------------------------------------------------
# 9. animations and pages: the first frame, without walking the frames


def _frames(colors, size=(4, 4)):
    return [Image.new("RGB", size, color) for color in colors]


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("GIF", {}),
        ("WEBP", {"lossless": True}),
        ("PNG", {}),  # APNG
        ("TIFF", {}),  # multi-page
    ],
)
def test_first_frame_of_animations_and_pages(fmt, options):
    first, *rest = _frames([(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    data = save(first, fmt, save_all=True, append_images=rest, **options)
    image, info = load_image_with_info(data)
    np.testing.assert_array_equal(image, np.broadcast_to([255, 0, 0], (4, 4, 3)))
    assert info.animated
    assert info.notes[0].key == "animated"
    assert "first frame" in info.notes[0].text


def test_single_frame_gif_is_not_animated():
    assert not load_image_with_info(save(_frames([(1, 2, 3)])[0], "GIF"))[1].animated


def test_a_1000_frame_gif_is_never_walked(monkeypatch):
    first, *rest = _frames([(255, 0, 0), (0, 0, 255)] * 500, size=(2, 2))
    data = save(first, "GIF", save_all=True, append_images=rest)
    assert Image.open(io.BytesIO(data)).n_frames == 1000  # control: the frames are there
    sought = []
    real_seek = GifImagePlugin.GifImageFile._seek

    def spy(self, frame, update_image=True):
        sought.append(frame)
        return real_seek(self, frame, update_image)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "_seek", spy)
    image, info = load_image_with_info(data)
    assert info.animated and max(sought) <= 1
    np.testing.assert_array_equal(image[0, 0], [255, 0, 0])


# ---------------------------------------------------------------------------------------
# 10. EXIF orientation

STORED = (np.arange(24).reshape(4, 6) * 10).astype(np.uint8)  # distinct values, 4 x 6


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_exif_orientation_matches_pillows_exif_transpose(orientation, fmt):
    options = {"lossless": True} if fmt == "WEBP" else {"quality": 100}
    if fmt == "PNG":
        options = {}
    im = Image.fromarray(STORED)
    data = save(im, fmt, exif=exif_with(orientation), **options)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L"))
    image, info = load_image_with_info(data, as_gray=True)  # WebP stores grey as RGB
    assert image.shape == expected.shape
    np.testing.assert_array_equal(image, expected)
    assert info.orientation == orientation
    assert info.exif_rotated == (orientation != 1)
    assert info.size == (expected.shape[1], expected.shape[0])


def _corner_jpeg(orientation):
    stored = np.zeros((16, 24), np.uint8)
    stored[:8, :8] = 255  # the stored top-left corner is marked
    return save(Image.fromarray(stored), "JPEG", quality=95, exif=exif_with(orientation))


def _corners(image):
    return {
        "top-left": image[:8, :8].mean(),
        "top-right": image[:8, -8:].mean(),
        "bottom-left": image[-8:, :8].mean(),
        "bottom-right": image[-8:, -8:].mean(),
    }


@pytest.mark.parametrize(
    ("orientation", "corner"),
    [(1, "top-left"), (6, "top-right"), (8, "bottom-left"), (3, "bottom-right")],
)
def test_phone_photo_orientation_puts_the_marked_corner_upright(orientation, corner):
    image = load_image(_corner_jpeg(orientation))
    assert image.shape == ((24, 16) if orientation in (6, 8) else (16, 24))
    corners = _corners(image)
    assert corners.pop(corner) > 200
    assert all(v < 50 for v in corners.values())


def test_tiff_orientation_is_applied_exactly_once():
    data = save(Image.fromarray(STORED), "TIFF", tiffinfo={0x0112: 6})
    image, info = load_image_with_info(data)
    np.testing.assert_array_equal(image, np.rot90(STORED, -1))
    assert info.orientation == 6


def _exif_ifd(entries):
    """b'Exif\\0\\0' + a little-endian TIFF header + one IFD of (tag, type, count, 4 bytes)."""
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack("<HHI", tag, kind, count) + value
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + body + b"\x00\x00\x00\x00"


MALFORMED_EXIF = {
    "ifd offset past the end": b"Exif\x00\x00II*\x00\xff\xff\xff\x7f",
    "65535 entries, no data": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff",
    "not tiff at all": b"Exif\x00\x00" + bytes(range(256)) * 4,
    "bad byte order": b"Exif\x00\x00XX*\x00\x08\x00\x00\x00",
    "orientation as text": _exif_ifd([(0x0112, 2, 2, b"6\x00\x00\x00")]),
    "orientation 9": _exif_ifd([(0x0112, 3, 1, struct.pack("<HH", 9, 0))]),
    "orientation 0": _exif_ifd([(0x0112, 3, 1, struct.pack("<HH", 0, 0))]),
    "orientation count 1000": _exif_ifd([(0x0112, 3, 1000, struct.pack("<I", 4000))]),
}


@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow's own notes
@pytest.mark.parametrize("name", sorted(MALFORMED_EXIF))
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_malformed_exif_is_ignored(name, fmt):
    # Pillow parses JPEG EXIF leniently, but its PNG/WebP getexif() raises SyntaxError or
    # struct.error on several of these.
    data = save(Image.fromarray(STORED), fmt, exif=MALFORMED_EXIF[name])
    image, info = load_image_with_info(data, as_gray=True)
    assert image.shape == (4, 6)
    assert info.orientation == 1


def test_control_wellformed_exif_builder_rotates():
    good = _exif_ifd([(0x0112, 3, 1, struct.pack("<HH", 6, 0))])
    data = save(Image.fromarray(STORED), "JPEG", quality=100, exif=good)
    assert load_image_with_info(data)[1].orientation == 6


# ---------------------------------------------------------------------------------------
# BT.601 luma


def test_luma_of_pure_colours_is_bt601_in_float():
    rgb = [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [7, 7, 7], [1, 0, 0]]]
    gray = load_image(rgb_png(rgb), as_gray=True)
    np.testing.assert_allclose(gray[0], [76.245, 149.685, 29.07, 255, 7, 0.299], rtol=1e-6)
    assert gray[0, 3] == 255 and gray[0, 4] == 7  # grey stays exactly grey
    assert gray.dtype == np.float32 and gray.shape == (1, 6)


@given(
    st.lists(st.integers(0, 255), min_size=3, max_size=3 * 24).filter(lambda v: len(v) % 3 == 0),
    st.booleans(),
)
def test_luma_matches_the_formula(values, with_alpha):
    rgb = np.array(values, dtype=np.uint8).reshape(1, -1, 3)
    if with_alpha:
        alpha = np.array(values[::-1], dtype=np.uint8).reshape(1, -1, 3)[..., :1]
        data = save(Image.fromarray(np.concatenate([rgb, alpha], axis=-1)), "PNG")
        a = alpha / 255.0
        colour = rgb * a + 255 * (1 - a)
    else:
        data = rgb_png(rgb)
        colour = rgb.astype(float)
    expected = 0.299 * colour[..., 0] + 0.587 * colour[..., 1] + 0.114 * colour[..., 2]
    np.testing.assert_allclose(load_image(data, as_gray=True), expected, rtol=0, atol=1e-4)
    np.testing.assert_allclose(load_image(data), colour, rtol=0, atol=1e-4)


# ---------------------------------------------------------------------------------------
# ImageInfo


def test_image_info_is_frozen_and_notes_have_keys_and_text():
    info = ImageInfo(
        format="WEBP",
        mode="I",
        size=(3, 2),
        gray=True,
        orientation=6,
        alpha_composited=True,
        animated=True,
        value_range=(-1.0, 2.5),
    )
    with pytest.raises(AttributeError):
        info.animated = False
    notes = info.notes
    assert [n.key for n in notes] == [
        "animated",
        "exif_rotated",
        "alpha_composited",
        "rescaled_range",
    ]
    assert all(n.key in IMAGE_NOTE_MESSAGES for n in notes)
    assert notes[0].text.startswith("Only the first frame of this WebP file")
    assert notes[1].params == {"orientation": 6}
    assert notes[3].text == "Values from -1 to 2.5 were stretched to 0-255."


# ---------------------------------------------------------------------------------------
# threads: the app decodes for many sessions at once


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_parallel_loads_agree_with_serial_ones_and_leave_no_global_state():
    inputs = [
        rgb_png(np.full((3, 3, 3), 9)),
        save(noise_image(32, 32), "JPEG"),
        save(noise_image(16, 16), "JPEG")[:200],
        png_1bit(10000, 10000),  # Pillow warns on this one
        b"not an image",
        save(_palette_image(), "GIF", transparency=1),
    ] * 5

    def outcome(data):
        try:
            return load_image(data, max_pixels=1_000_000).tobytes()
        except ImageLoadError as err:
            return err.key

    serial = [outcome(d) for d in inputs]
    filters = list(warnings.filters)
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(outcome, inputs))
    assert parallel == serial
    assert warnings.filters == filters
    assert {"image_damaged", "image_too_large", "image_not_supported"} <= set(serial)


# ---------------------------------------------------------------------------------------
# 19. fuzz: mutated valid files raise only ImageLoadError subclasses, quickly


def _seed_files():
    rgb = noise_image(12, 16, seed=3)
    frames = _frames([(255, 0, 0), (0, 255, 0)], size=(6, 6))
    return [
        save(rgb, "PNG"),
        save(rgb.convert("P"), "PNG", transparency=2),
        save(Image.fromarray(np.arange(48, dtype=np.uint16).reshape(6, 8) * 1000), "PNG"),
        save(rgb, "JPEG", exif=exif_with(6)),
        save(rgb, "JPEG", progressive=True),
        save(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        save(rgb, "BMP"),
        save(rgb.convert("P"), "BMP"),
        save(rgb, "TIFF"),
        save(rgb, "TIFF", compression="tiff_lzw"),
        save(frames[0], "TIFF", save_all=True, append_images=frames[1:]),
        save(rgb.convert("RGBA"), "WEBP", lossless=True),
        save(frames[0], "WEBP", save_all=True, append_images=frames[1:]),
    ]


SEEDS = _seed_files()

mutation = st.tuples(
    st.sampled_from(["set", "delete", "insert"]),
    st.floats(0, 1, exclude_max=True),
    st.binary(min_size=1, max_size=8),
)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about corrupt metadata
@settings(max_examples=1000)  # BAD-INPUTS row 19: 1,000 mutated files (about 3 s)
@given(
    seed=st.sampled_from(range(len(SEEDS))),
    mutations=st.lists(mutation, min_size=1, max_size=6),
    keep=st.one_of(st.none(), st.floats(0, 1)),
    as_gray=st.booleans(),
)
def test_fuzz_mutated_files_raise_only_image_load_errors(seed, mutations, keep, as_gray):
    data = bytearray(SEEDS[seed])
    for op, where, chunk in mutations:
        pos = int(where * len(data)) if data else 0
        if op == "set":
            data[pos : pos + len(chunk)] = chunk
        elif op == "delete":
            del data[pos : pos + len(chunk)]
        else:
            data[pos:pos] = chunk
    if keep is not None:
        data = data[: int(keep * len(data))]
    start = time.perf_counter()
    try:
        image = load_image(bytes(data), as_gray, max_pixels=1_000_000)
    except ImageLoadError:
        pass  # anything else propagates and fails the test
    else:
        assert image.dtype == np.float32 and image.ndim in (2, 3)
        assert np.isfinite(image).all() and image.min() >= 0 and image.max() <= 255
        if as_gray:
            assert image.ndim == 2
    assert time.perf_counter() - start < 2.0


def test_seeds_are_valid():
    for data in SEEDS:
        load_image(data)


# ---------------------------------------------------------------------------------------
# downscale and downscale_to_grid


def area_reference(x, rows, cols):
    """Exact area average: replicate every pixel rows x cols times, then average blocks."""
    x = np.asarray(x, dtype=np.float64)
    height, width = x.shape[:2]
    up = np.repeat(np.repeat(x, rows, axis=0), cols, axis=1)
    return up.reshape(rows, height, cols, width, *x.shape[2:]).mean(axis=(1, 3))


@pytest.mark.parametrize(
    ("shape", "max_side", "expected"),
    [
        ((4000, 3000), 1024, (1024, 768)),
        ((3000, 4000, 3), 1024, (768, 1024, 3)),
        ((10, 1000), 100, (1, 100)),
        ((1000, 3), 100, (100, 1)),  # the short side never drops to 0
        ((7, 5), 6, (6, 4)),  # 5 * 6/7 = 4.29 -> 4
        ((3000, 4001), 1024, (768, 1024)),  # 3000 * 1024/4001 = 767.8 -> 768 (rounded)
        ((4001, 3000, 3), 1024, (1024, 768, 3)),
    ],
)
def test_downscale_shapes_keep_aspect(shape, max_side, expected):
    out = downscale(np.zeros(shape, np.float32), max_side)
    assert out.shape == expected and out.dtype == np.float32


def test_downscale_is_a_no_op_when_small():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert downscale(x, 4) is x
    y = downscale(x.astype(np.int64), 10)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x)


def test_downscale_averages_areas_by_hand():
    x = np.array([[0, 2, 4, 6], [2, 4, 6, 8]])
    np.testing.assert_array_equal(downscale(x, 2), [[2, 6]])
    # 3 -> 2: each output covers 1.5 pixels: (0 + 30/2) / 1.5 = 10, (30/2 + 60) / 1.5 = 50
    np.testing.assert_allclose(downscale(np.array([[0, 30, 60]]), 2), [[10, 50]])


@given(
    height=st.integers(1, 14),
    width=st.integers(1, 14),
    channels=st.sampled_from([None, 3]),
    max_side=st.integers(1, 14),
    seed=st.integers(0, 2**16),
)
def test_downscale_matches_exact_area_average_and_keeps_the_mean(
    height, width, channels, max_side, seed
):
    shape = (height, width) if channels is None else (height, width, channels)
    x = np.random.default_rng(seed).uniform(0, 255, shape).astype(np.float32)
    out = downscale(x, max_side)
    if max(height, width) <= max_side:
        assert out is x
        return
    rows, cols = out.shape[:2]
    assert max(rows, cols) == max_side
    np.testing.assert_allclose(out, area_reference(x, rows, cols), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(out.mean(), x.mean(dtype=np.float64), rtol=1e-5)


def test_downscale_to_grid_by_hand():
    image = np.array([[10, 20, 200, 210], [30, 40, 220, 230]])
    grid = downscale_to_grid(image, (1, 2))
    np.testing.assert_array_equal(grid, [[25, 215]])
    assert grid.dtype == np.int64
    np.testing.assert_array_equal(downscale_to_grid(image, 1), [[120]])
    # 0.5 rounds up; values are clipped to 0..255
    np.testing.assert_array_equal(downscale_to_grid(np.array([[0, 1]]), (1, 1)), [[1]])
    np.testing.assert_array_equal(downscale_to_grid(np.array([[-9, 900]]), (1, 2)), [[0, 255]])
    # 663 / 6 = 110.5 exactly rounds up (summing six float weights of 1/6 gives 110.49999)
    np.testing.assert_array_equal(
        downscale_to_grid(np.array([[199, 11, 32, 144, 234, 43]]), 1), [[111]]
    )


@given(
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    data=st.data(),
)
def test_downscale_to_grid_matches_area_reference(height, width, data):
    rows = data.draw(st.integers(1, height))
    cols = data.draw(st.integers(1, width))
    x = np.array(
        data.draw(st.lists(st.integers(0, 255), min_size=height * width, max_size=height * width))
    ).reshape(height, width)
    grid = downscale_to_grid(x, (rows, cols))
    # Exact, halves included: the module divides integer sums once, as np.mean does.
    np.testing.assert_array_equal(grid, np.floor(area_reference(x, rows, cols) + 0.5))


def test_downscale_to_grid_keeps_channels():
    rgb = np.zeros((4, 4, 3))
    rgb[..., 1] = 100
    assert downscale_to_grid(rgb, 2).shape == (2, 2, 3)
    np.testing.assert_array_equal(downscale_to_grid(rgb, 2)[..., 1], 100)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: downscale(np.zeros((4, 4)), 0), "max_side"),
        (lambda: downscale(np.zeros(4), 2), "image must be a 2D or 3D array"),
        (lambda: downscale(np.full((2, 2), np.nan), 1), "finite"),
        (
            lambda: downscale_to_grid(np.zeros((4, 4)), (5, 2)),
            r"larger than the image \(4 rows x 4 columns\)",
        ),
        (lambda: downscale_to_grid(np.zeros((4, 4)), 0), "size"),
        (lambda: downscale_to_grid(np.zeros((4, 4)), (2, 2, 2)), "size"),
    ],
)
def test_downscale_argument_errors(call, match):
    with pytest.raises(ArgumentError, match=match):
        call()


# ---------------------------------------------------------------------------------------
# to_display


@pytest.mark.parametrize(
    ("mode", "values", "expected"),
    [
        ("clip", [-300, -0.4, 0.5, 127.4, 254.6, 999], [0, 0, 1, 127, 255, 255]),
        ("abs", [-300, -100, -0.5, 0, 100, 300], [255, 100, 1, 0, 100, 255]),
        ("minmax", [-2, -1, 0, 1, 2, 2], [0, 64, 128, 191, 255, 255]),
        ("minmax", [10, 10, 10, 10, 10, 10], [0, 0, 0, 0, 0, 0]),  # constant: no contrast
        ("symmetric", [-4, -2, 0, 1, 2, 4], [0, 64, 128, 159, 191, 255]),
        ("symmetric", [0, 0, 0, 0, 0, 0], [128, 128, 128, 128, 128, 128]),
        ("symmetric", [0, 1, 2, 3, 4, 8], [128, 143, 159, 175, 191, 255]),  # 143.44
    ],
)
def test_to_display_table(mode, values, expected):
    out = to_display(np.array(values, dtype=float).reshape(2, 3), mode)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.ravel(), expected)


@pytest.mark.parametrize("mode", sorted(DISPLAY_MODES))
@pytest.mark.parametrize("fill", [0.0, 7.0, -7.0])
def test_to_display_constant_maps_make_no_nan_and_no_warning(mode, fill):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_display(np.full((3, 3), fill), mode)
    assert len(np.unique(out)) == 1


def test_to_display_works_on_rgb_with_one_mapping_for_all_channels():
    x = np.zeros((1, 1, 3))
    x[0, 0] = [-1, 0, 1]
    np.testing.assert_array_equal(to_display(x, "minmax")[0, 0], [0, 128, 255])
    np.testing.assert_array_equal(to_display(x, "symmetric")[0, 0], [0, 128, 255])


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30),
    st.sampled_from(sorted(DISPLAY_MODES)),
)
def test_to_display_matches_formulas(values, mode):
    x = np.array(values)
    if mode == "clip":
        expected = x
    elif mode == "abs":
        expected = np.abs(x)
    elif mode == "minmax":
        span = x.max() - x.min()
        expected = (x - x.min()) / span * 255 if span > 0 else np.zeros_like(x)
    else:
        m = np.abs(x).max()
        expected = x / m * 127.5 + 127.5 if m > 0 else np.full_like(x, 127.5)
    expected = np.clip(np.floor(expected + 0.5), 0, 255)
    out = to_display(x.reshape(1, -1), mode).ravel()
    assert np.abs(out.astype(int) - expected).max() <= 1  # exact halves may round apart
    if mode == "minmax" and x.max() > x.min():
        assert out[x.argmin()] == 0 and out[x.argmax()] == 255


@pytest.mark.parametrize(
    ("x", "mode", "match"),
    [
        (np.array([[1.0, np.nan]]), "clip", "finite"),
        (np.array([[1.0, np.inf]]), "minmax", "finite"),
        (np.zeros((2, 2)), "log", "mode must be one of"),
        (np.zeros(3), "clip", "2D or 3D"),
    ],
)
def test_to_display_argument_errors(x, mode, match):
    with pytest.raises(ArgumentError, match=match):
        to_display(x, mode)


def test_display_modes_have_explanations_and_keys():
    assert list(DISPLAY_MODES) == ["clip", "abs", "minmax", "symmetric"]
    for name, mode in DISPLAY_MODES.items():
        assert mode.name == name and mode.key == f"display_modes.{name}"
        assert mode.explanation.endswith(".") and "\n" not in mode.explanation


# ---------------------------------------------------------------------------------------
# encode_png


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3)])
def test_encode_png_round_trips_exactly(shape):
    x = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    png = encode_png(x)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), x)
    np.testing.assert_array_equal(load_image(png), x)


def test_encode_png_carries_no_metadata_from_the_upload():
    upload = save(noise_image(8, 8), "JPEG", exif=exif_with(6))
    assert Image.open(io.BytesIO(upload)).getexif()  # control: the upload has EXIF
    png = encode_png(to_display(load_image(upload)))
    assert chunk_types(png) == [b"IHDR", b"IDAT", b"IEND"]
    reopened = Image.open(io.BytesIO(png))
    assert "exif" not in reopened.info and not reopened.getexif()


def test_encode_png_from_float():
    png = encode_png_from_float(np.array([[-2.0, 0.0, 2.0]]), mode="symmetric")
    np.testing.assert_array_equal(load_image(png), [[0, 128, 255]])


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros((2, 2)), "dtype uint8"),
        (np.zeros((2, 2, 4), np.uint8), r"\(H, W\) or \(H, W, 3\)"),
        (np.zeros((2,), np.uint8), r"\(H, W\) or \(H, W, 3\)"),
        (np.zeros((0, 2), np.uint8), r"\(H, W\) or \(H, W, 3\)"),
    ],
)
def test_encode_png_argument_errors(x, match):
    with pytest.raises(ArgumentError, match=match):
        encode_png(x)


def test_encode_png_compress_level_same_pixels_any_level():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(40, 50), dtype=np.uint8)
    fast, small = encode_png(img, compress_level=1), encode_png(img, compress_level=9)
    assert np.array_equal(load_image(fast), img) and np.array_equal(load_image(small), img)
    assert (
        encode_png_from_float(img.astype(float), "clip", compress_level=0)[:8]
        == b"\x89PNG\r\n\x1a\n"
    )
    with pytest.raises(ArgumentError):
        encode_png(img, compress_level=-1)
