"""Sample images: small, loadable, licensed, and the synthetic ones regenerate exactly."""

import importlib.util

import numpy as np
import pytest
from PIL import Image

from ui.teaching.samples import SAMPLES, SAMPLES_DIR, load_sample, load_sample_with_info

LICENSES = (SAMPLES_DIR / "LICENSES.md").read_text(encoding="utf-8")


def _make_samples_module():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES_DIR / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_at_least_four_samples_of_the_required_kinds() -> None:
    assert len(SAMPLES) >= 4
    assert {"camera", "chelsea", "digit"} <= set(SAMPLES)
    assert {"shapes", "checkerboard"} & set(SAMPLES)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_sample_is_small_and_loads(name: str) -> None:
    sample = SAMPLES[name]
    assert sample.path.is_file()
    assert sample.path.stat().st_size <= 300 * 1024
    image = load_sample(name)
    assert image.dtype == np.float32 and max(image.shape[:2]) <= 512
    assert 0 <= image.min() and image.max() <= 255
    gray, info = load_sample_with_info(name, as_gray=True)
    assert gray.ndim == 2 and info.notes == ()


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_sample_file_is_in_the_licence_table(name: str) -> None:
    assert f"| `{SAMPLES[name].file}` |" in LICENSES


def test_no_unlisted_image_files() -> None:
    files = {p.name for p in SAMPLES_DIR.iterdir() if p.suffix in (".png", ".jpg", ".jpeg")}
    assert files == {s.file for s in SAMPLES.values()}


@pytest.mark.parametrize("file", ["digit.png", "shapes.png", "checkerboard.png"])
def test_synthetic_samples_regenerate_exactly(file: str) -> None:
    module = _make_samples_module()
    drawn = module.SYNTHETIC[file]()
    stored = np.asarray(Image.open(SAMPLES_DIR / file))
    assert drawn.dtype == np.uint8 and np.array_equal(drawn, stored)


def test_digit_looks_like_mnist() -> None:
    digit = load_sample("digit")
    assert digit.shape == (28, 28)
    assert digit[0].max() == 0 and digit[-1].max() == 0  # dark border
    assert digit.max() == 255 and 0 < (digit > 0).mean() < 0.35  # bright strokes


def test_load_sample_unknown_name() -> None:
    with pytest.raises(KeyError):
        load_sample("nope")
