"""Shapes as the pages write them (pure): H × W × C, the notes' block view.

conv_core keeps PyTorch's order, channels first: an image is ``(C, H, W)``, a volume
``(C, D, H, W)``, the filters of a layer ``(FN, C, KH, KW)``. The lecture notes draw the
same arrays as blocks, channels last: an image H × W × C, a volume D × H × W × C, FN
filters of KH × KW × C, and the bias 1 × 1 × FN. Every shape a page shows goes through
these functions, so the order is decided in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Between two sizes: a multiplication sign with a space each side.
TIMES = " × "


def dims(sizes: Sequence[int]) -> str:
    """Sizes joined in the order given: ``5 × 5``.

    >>> dims((3, 4)), dims((7,))
    ('3 × 4', '7')
    """
    return TIMES.join(str(int(n)) for n in sizes)


def hwc(shape_chw: Sequence[int]) -> str:
    """A conv_core shape, channels first, written channels last: H × W × C.

    Parameters
    ----------
    shape_chw : sequence of int
        ``(C, H, W)`` for an image, ``(C, D, H, W)`` for a volume (PyTorch's order);
        ``(H, W)`` (one channel, nothing to move) is written as it is.

    Returns
    -------
    str
        ``"H × W × C"`` (``"D × H × W × C"`` for a volume).

    Examples
    --------
    >>> hwc((3, 32, 28))
    '32 × 28 × 3'
    >>> hwc((2, 5, 6, 7))
    '5 × 6 × 7 × 2'
    >>> hwc((4, 4))
    '4 × 4'
    """
    shape = [int(n) for n in shape_chw]
    if len(shape) < 3:
        return dims(shape)
    return dims([*shape[1:], shape[0]])


def filters(shape_oihw: Sequence[int]) -> str:
    """A layer's weights ``(FN, C, KH, KW)`` as the notes write them: KH × KW × C × FN.

    >>> filters((128, 3, 3, 3))
    '3 × 3 × 3 × 128'
    >>> filters((2, 4, 1, 1))
    '1 × 1 × 4 × 2'
    """
    fn, c, *k = (int(n) for n in shape_oihw)
    return dims([*k, c, fn])


def one_filter(shape_ihw: Sequence[int]) -> str:
    """One filter ``(C, KH, KW)`` as a block: KH × KW × C.

    >>> one_filter((3, 5, 5))
    '5 × 5 × 3'
    """
    return hwc(shape_ihw)


def bias(n_filters: int) -> str:
    """The bias of a layer with ``n_filters`` filters, as a block: 1 × 1 × FN.

    >>> bias(2)
    '1 × 1 × 2'
    """
    return dims((1, 1, n_filters))
