"""The MNIST page's per-digit cache: one forward pass per distinct digit (``st.cache_data``).

Streamlit is used for the cache only; the numbers are conv_core.tinyvgg's. A digit is keyed
by its 784 bytes, so a redrawn stroke that lands on the same digit costs nothing.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from conv_core import tinyvgg as tv
from ui.teaching.mnist_models import shipped

__all__ = ["forward_digit"]


@st.cache_data(max_entries=64, show_spinner=False)
def forward_digit(digit_bytes: bytes) -> tv.TinyVGGForward:
    """The shipped network's forward pass of a 28x28 uint8 digit given as its bytes."""
    digit = np.frombuffer(digit_bytes, dtype=np.uint8).reshape(28, 28)
    return tv.forward(shipped().model, digit)
