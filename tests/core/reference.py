"""Independent references for the engine tests: numpy.pad / scipy.ndimage mode names,
padding resolution written out again, and a brute-force correlation with explicit loops.

Shared by tests/core/test_conv.py and tests/core/test_pipeline.py (one copy to trust).
"""

from __future__ import annotations

import math

import numpy as np

NP_MODE = {
    "zeros": "constant",
    "replicate": "edge",
    "reflect": "reflect",
    "symmetric": "symmetric",
    "circular": "wrap",
}
NDI_MODE = {
    "zeros": "constant",
    "replicate": "nearest",
    "reflect": "mirror",
    "symmetric": "reflect",
    "circular": "wrap",
}


def tf_same(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's 'SAME' padding, written out again here."""
    span = d * (k - 1) + 1
    out = math.ceil(n / s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def resolve(spec, hw, khw, stride, dilation):
    """Reference resolution of a padding spec to ((top, bottom), (left, right))."""
    if isinstance(spec, str):
        res = []
        for n, k, s, d in zip(hw, khw, stride, dilation, strict=True):
            span = d * (k - 1) + 1
            res.append(
                {"valid": (0, 0), "full": (span - 1, span - 1), "same": tf_same(n, k, s, d)}[spec]
            )
        return tuple(res)
    if isinstance(spec, int):
        return ((spec, spec), (spec, spec))
    if isinstance(spec[0], int):
        return ((spec[0], spec[0]), (spec[1], spec[1]))
    return (tuple(spec[0]), tuple(spec[1]))


def brute_correlate2d(x, k, stride, pads, dilation, mode):
    """Pad with numpy.pad, then loop over output positions with explicit index arithmetic."""
    xp = np.pad(np.asarray(x, dtype=np.float64), pads, mode=NP_MODE[mode])
    kh, kw = k.shape
    (sh, sw), (dh, dw) = stride, dilation
    ho = (xp.shape[0] - dh * (kh - 1) - 1) // sh + 1
    wo = (xp.shape[1] - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((ho, wo))
    for r in range(ho):
        for c in range(wo):
            total = 0.0
            for i in range(kh):
                for j in range(kw):
                    total += xp[r * sh + i * dh, c * sw + j * dw] * k[i, j]
            out[r, c] = total
    return out
