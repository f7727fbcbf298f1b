"""Teaching content of the 1D/2D/3D page (pure: no Streamlit): the demo volume and filters,
a 3D step's sum written slice by slice, and the lecture's classification table."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

import conv_core as cc
from ui.teaching import shape_text as shapes

#: The demo volume: L = 5 slices of 5 x 5 (D x H x W), small integers (fixed seed).
DEMO_SHAPE = (5, 5, 5)
#: The classification table's rows: (kind, directions, output) translation-key suffixes.
CLASSIFICATION = ("conv1d", "conv2d", "conv2d_3d", "conv3d", "one_by_one")


def demo_volume(shape: tuple[int, int, int] = DEMO_SHAPE, seed: int = 3) -> npt.NDArray[np.int64]:
    """A (D, H, W) volume of integers 0..9, the same every run.

    >>> demo_volume().shape, int(demo_volume().min()) >= 0, int(demo_volume().max()) <= 9
    ((5, 5, 5), True, True)
    """
    return np.random.default_rng(seed).integers(0, 10, size=shape)


def demo_filter(k: int, d: int, seed: int = 11) -> npt.NDArray[np.int64]:
    """A (d, k, k) filter of weights -1, 0, 1, the same for the same size.

    >>> demo_filter(3, 2).shape
    (2, 3, 3)
    """
    return np.random.default_rng(seed + 100 * k + d).integers(-1, 2, size=(d, k, k))


def _fmt(v: Any) -> str:
    """A number as a sum writes it: integers plainly, fractions to 3 decimals, trimmed."""
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.3f}".rstrip("0").rstrip(".")


def _operand(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def slice_sums(step: cc.VolumeStep) -> list[tuple[int, str, str]]:
    """One line per kernel slice of a one-channel 3D step: ``(input slice, products, sum)``.

    ``input slice`` is the padded-volume slice the kernel slice lies on; products are
    written ``(x×w)``, the sum is their total.

    >>> t = cc.trace_conv3d(np.arange(8).reshape(2, 2, 2), np.ones((2, 1, 2), dtype=int))
    >>> slice_sums(t.step(0))
    [(0, '(0×1) + (1×1)', '1'), (1, '(4×1) + (5×1)', '9')]
    """
    patch = np.asarray(step.patch).reshape(len(step.depths), -1)
    kernel = np.asarray(step.kernel_applied).reshape(patch.shape)
    products = np.asarray(step.products).reshape(patch.shape)
    lines = []
    for a, z in enumerate(step.depths.tolist()):
        terms = " + ".join(
            f"({_fmt(x)}×{_operand(_fmt(w))})"
            for x, w in zip(patch[a].tolist(), kernel[a].tolist(), strict=True)
        )
        lines.append((int(z), terms, _fmt(products[a].sum())))
    return lines


def sum_of_slices(lines: list[tuple[int, str, str]], value: Any) -> str:
    """The slice sums added: ``3 + (-2) + 5 = 6``.

    >>> sum_of_slices([(0, '', '3'), (1, '', '-2')], 1)
    '3 + (-2) = 1'
    """
    sums = [s for _, _, s in lines]
    return " + ".join([sums[0], *(_operand(s) for s in sums[1:])]) + f" = {_fmt(value)}"


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as the page writes it: ``5 × 5 × 5``.

    >>> shape_text((3, 4, 5))
    '3 × 4 × 5'
    """
    return shapes.dims(shape)
