"""Train the shipped Tiny CNN and write assets/models/tiny_cnn.npz.

Run from the repository root::

    .venv/bin/python scripts/train_tiny_cnn.py

Fixed seeds, so every run writes the same weights: 8 filters initialised by
``init_tiny_cnn(8, seed=0)``, trained by ``train(..., epochs=15, lr=0.03,
batch_size=32, seed=0)`` (SGD with momentum 0.9) on ``load_digits()``'s training
split. The file also keeps the initial weights (the page shows the filters before
and after training) and the settings and accuracies as metadata.
tests/core/test_nn.py trains with the same settings and checks the accuracy.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conv_core.digits import load_digits
from conv_core.nn import TINY_CNN_WEIGHTS_PATH, init_tiny_cnn, save_weights, train

#: The settings of the shipped model (tests/core/test_nn.py imports them).
SETTINGS = {"n_filters": 8, "init_seed": 0, "epochs": 15, "lr": 0.03, "batch_size": 32, "seed": 0}


def main() -> None:
    digits = load_digits()
    initial = init_tiny_cnn(SETTINGS["n_filters"], seed=SETTINGS["init_seed"])
    start = time.perf_counter()
    model, history = train(
        initial,
        digits,
        epochs=SETTINGS["epochs"],
        lr=SETTINGS["lr"],
        batch_size=SETTINGS["batch_size"],
        seed=SETTINGS["seed"],
    )
    seconds = time.perf_counter() - start
    for p in history:
        if p.test_accuracy is not None:
            print(
                f"epoch {p.epoch:2d}: loss {p.loss:.4f}, train {p.train_accuracy:.4f}, "
                f"test {p.test_accuracy:.4f}"
            )
    last = history[-1]
    TINY_CNN_WEIGHTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    save_weights(
        model,
        TINY_CNN_WEIGHTS_PATH,
        initial=initial,
        train_accuracy=last.train_accuracy,
        test_accuracy=last.test_accuracy,
        **SETTINGS,
    )
    print(f"trained in {seconds:.1f} s; test accuracy {last.test_accuracy:.4f}")
    print(f"wrote {TINY_CNN_WEIGHTS_PATH} ({TINY_CNN_WEIGHTS_PATH.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
