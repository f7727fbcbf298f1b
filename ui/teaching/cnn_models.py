"""The Tiny CNN page's shared read-only data: the digits, the shipped network, its accuracy.

Loaded once per server process and shared by every session (a class of thirty reads
the same arrays; conv_core returns them read-only). A network a student trains lives in
that student's session instead (a few KB). No Streamlit here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import conv_core as cc

__all__ = [
    "HAND_DESIGNED",
    "ModelInfo",
    "closest_filters",
    "digits",
    "model_info",
    "shipped",
]

#: Hand-designed 3x3 filters to set beside the learned ones: (translation key, kernel name).
HAND_DESIGNED: tuple[tuple[str, str], ...] = (
    ("sobel_x", "sobel_x"),
    ("sobel_y", "sobel_y"),
    ("laplacian", "laplacian_4"),
    ("box_blur", "box_blur"),
)


@dataclass(frozen=True)
class ModelInfo:
    """A network with what the page says about it.

    Attributes
    ----------
    model, initial : conv_core.nn.TinyCNN
        The trained weights and the ones training started from.
    test_accuracy, initial_accuracy : float
        Fraction of the test images each classifies right.
    right : int
        Test images the trained one gets right.
    silent : tuple of int
        Filters (0-based) that never fire on any test image (:func:`conv_core.silent_filters`).
    """

    model: cc.TinyCNN
    initial: cc.TinyCNN
    test_accuracy: float
    initial_accuracy: float
    right: int
    silent: tuple[int, ...] = ()


@functools.cache
def digits() -> cc.Digits:
    """The shipped digits with their fixed train/test split."""
    return cc.load_digits()


def model_info(model: cc.TinyCNN, initial: cc.TinyCNN) -> ModelInfo:
    """``model`` and ``initial`` with their test accuracies."""
    data = digits()
    acc = cc.accuracy(model, data.test_images, data.test_labels)
    acc0 = cc.accuracy(initial, data.test_images, data.test_labels)
    silent = tuple(int(f) for f in cc.silent_filters(model, data.test_images))
    return ModelInfo(model, initial, acc, acc0, round(acc * len(data.test_labels)), silent)


@functools.cache
def shipped() -> ModelInfo:
    """The pre-trained network shipped in assets/models, with its accuracy."""
    trained, initial = cc.load_pretrained()
    return model_info(trained, initial)


def closest_filters(
    learned: np.ndarray, kernels: dict[str, np.ndarray]
) -> dict[str, tuple[int, float]]:
    """For each hand-designed kernel, the learned filter most like it and their similarity.

    Similarity is the cosine of the angle between the weights seen as vectors of 9
    numbers: 1 for the same pattern at any strength, 0 for unrelated, -1 for the
    opposite pattern. Sign matters: after ReLU a filter and its negative find different
    things.

    Parameters
    ----------
    learned : ndarray of shape (F, KH, KW)
    kernels : dict of name -> ndarray of shape (KH, KW)

    Returns
    -------
    dict of name -> (filter index, similarity)

    Examples
    --------
    >>> learned = np.array([[[1, 0, -1]] * 3, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]], float)
    >>> closest_filters(learned, {"v": np.array([[1, 0, -1]] * 3)})
    {'v': (0, 1.0)}
    """
    flat = np.asarray(learned, dtype=np.float64).reshape(len(learned), -1)
    norms = np.linalg.norm(flat, axis=1)
    result = {}
    for name, kernel in kernels.items():
        k = np.asarray(kernel, dtype=np.float64).ravel()
        denom = norms * np.linalg.norm(k)
        sims = np.divide(flat @ k, denom, out=np.zeros(len(flat)), where=denom > 0)
        best = int(np.argmax(sims))
        result[name] = (best, round(float(sims[best]), 2))
    return result
