"""Step-by-step traces of convolution, pooling and transposed convolution.

A trace answers "where did this output number come from?" for every output cell:
the window, the patch, the kernel actually applied, the products, the sums, the
bias and the value, in the order a lecture steps through them (row-major, and
channel-major for several output channels). :func:`format_step` writes one step
the way the lecture does, ``(1×1) + (0×0) + … + (1×1) = 3``, and :func:`to_compact`
turns a whole trace into the small JSON-ready dict the browser-side stepper indexes.

Functions take the arguments of the operations they trace:

============================  =====================================================
:func:`trace_correlate2d`     ``correlate2d``: single channel, kernel as given
:func:`trace_convolve2d`      ``convolve2d``: single channel, kernel flipped
:func:`trace_conv2d`          ``conv2d``: channels, groups, per-channel partial sums
:func:`trace_correlate1d`     ``correlate1d`` (and :func:`trace_convolve1d`)
:func:`trace_pool2d`          ``pool2d``: max (winner) or avg (sum and divisor)
:func:`trace_conv_transpose2d`  ``conv_transpose2d``: the scatter view, one input cell
                              per step, its products added into the output
:func:`trace_conv3d`          ``conv3d``: a volume, output positions ``(o, z, y, x)``
============================  =====================================================

Everything is computed at once with NumPy (all windows as one strided view), and a
:class:`Step` is only built when asked for (``trace.step(i)``), so a 32x32 grid with a
3x3 kernel (900 steps) traces in a few milliseconds. Sizes and padding come from
:mod:`conv_core.shapes` and :mod:`conv_core.padding`, never recomputed here.

Summation order: the products of one step are added one after another in the order
of the kernel's taps, channel by channel, row by row (``((p0 + p1) + p2) + …``), and the
bias last: the order :func:`conv_core.conv.correlate2d` adds in on its direct path. So a
step's ``value`` equals conv_core's output exactly for integers (exact on every path)
and for floats whenever conv_core adds in that order (one channel, ``method='direct'``,
which ``'auto'`` picks for small non-separable kernels). When conv_core picks another
algorithm (two 1D passes for a separable kernel, im2col and a matmul for several
channels, FFT for large kernels) float results agree to rounding, a few units in the
last place. Pooling adds in :func:`conv_core.pooling.pool2d`'s order and matches it bit
for bit; a maximum is exact anyway.

Where each part lives (:mod:`conv_core.trace` hands all of them on):

==================  ===============================================================
``checks``          the caps (:data:`MAX_STEPS`, :data:`MAX_TERMS`) and shared checks
``steps``           :class:`Step`, :class:`PoolStep`, :class:`ScatterStep`: one step
``records``         :class:`Trace` and its kinds: every step at once, a step on demand
``gather``          correlation and convolution traces (1D, 2D, channels and groups)
``pooling``         max and average pooling traces
``transposed``      the transposed convolution's scatter trace
``volumes``         the 3D convolution's trace (:class:`VolumeStep` per output cell)
``formatting``      :func:`format_step`: a step written the lecture's way
``compact``         :func:`to_compact`, and the stepper's JSON format, key by key
==================  ===============================================================

References
----------
Lecture notes, "Convolution": the worked 6x6 example and the RGB example.
V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning", 2016.

Examples
--------
The lecture's first step:

>>> x = [[1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
...      [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0]]
>>> k = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
>>> t = trace_correlate2d(x, k)
>>> len(t)
16
>>> print(format_step(t.step(0)))
(1×1) + (0×0) + (0×1) + (0×0) + (1×1) + (0×0) + (0×1) + (0×0) + (1×1) = 3
"""

from __future__ import annotations

from .checks import MAX_STEPS, MAX_TERMS, SCHEMA_VERSION
from .compact import to_compact
from .formatting import StepParts, format_step, format_step_parts
from .gather import (
    trace_conv2d,
    trace_convolve1d,
    trace_convolve2d,
    trace_correlate1d,
    trace_correlate2d,
)
from .pooling import trace_pool2d
from .records import Conv3dTrace, ConvTrace, PoolTrace, Trace, TransposedTrace
from .steps import PoolStep, ScatterStep, Step, VolumeStep
from .transposed import trace_conv_transpose2d
from .volumes import trace_conv3d

__all__ = [
    "MAX_STEPS",
    "MAX_TERMS",
    "SCHEMA_VERSION",
    "Conv3dTrace",
    "ConvTrace",
    "PoolStep",
    "PoolTrace",
    "ScatterStep",
    "Step",
    "StepParts",
    "Trace",
    "TransposedTrace",
    "VolumeStep",
    "format_step",
    "format_step_parts",
    "to_compact",
    "trace_conv2d",
    "trace_conv3d",
    "trace_conv_transpose2d",
    "trace_convolve1d",
    "trace_convolve2d",
    "trace_correlate1d",
    "trace_correlate2d",
    "trace_pool2d",
]
