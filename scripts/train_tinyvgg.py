"""Train the MNIST page's TinyVGG and write assets/models/tinyvgg_mnist.npz.

Run from the repository root (a few minutes on 2 cores)::

    nice -n 10 .venv/bin/python scripts/train_tinyvgg.py

Fixed seeds, so every run computes the same weights (on the same NumPy/BLAS): 10 filters
per convolution initialised by ``init_tinyvgg(10, seed=0)``, trained by
``train_tinyvgg(..., epochs, lr, batch_size, seed=0, augment)`` (Adam) on the 4,000 training
digits of ``load_mnist()``. The file keeps the settings, the test accuracy on the 1,000 test
digits, the training time and each epoch's time as metadata (the page states them).
tests/core/test_tinyvgg.py checks the shipped weights' accuracy.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conv_core.mnist import load_mnist
from conv_core.tinyvgg import TINYVGG_WEIGHTS_PATH, init_tinyvgg, save_tinyvgg, train_tinyvgg

#: The settings of the shipped model.
SETTINGS = {
    "n_filters": 10,
    "init_seed": 0,
    "epochs": 16,
    "lr": 0.005,
    "batch_size": 32,
    "seed": 0,
    "augment": 2,
}


def main() -> None:
    data = load_mnist()
    initial = init_tinyvgg(SETTINGS["n_filters"], seed=SETTINGS["init_seed"])
    start = time.perf_counter()
    epoch_seconds = []
    for snapshot, p in train_tinyvgg(
        initial,
        data,
        epochs=SETTINGS["epochs"],
        lr=SETTINGS["lr"],
        batch_size=SETTINGS["batch_size"],
        seed=SETTINGS["seed"],
        augment=SETTINGS["augment"],
    ):
        model = snapshot
        epoch_seconds.append(p.seconds)
        print(
            f"epoch {p.epoch:2d}: loss {p.loss:.4f}, train {p.train_accuracy:.4f}, "
            f"test {p.test_accuracy:.4f}, {p.seconds:.1f} s",
            flush=True,
        )
    seconds = time.perf_counter() - start
    TINYVGG_WEIGHTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    save_tinyvgg(
        model,
        TINYVGG_WEIGHTS_PATH,
        train_accuracy=p.train_accuracy,
        test_accuracy=p.test_accuracy,
        training_seconds=round(seconds, 1),
        epoch_seconds=[round(s, 2) for s in epoch_seconds],
        machine=f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        **SETTINGS,
    )
    print(f"trained in {seconds:.1f} s; test accuracy {p.test_accuracy:.4f}")
    print(f"wrote {TINYVGG_WEIGHTS_PATH} ({TINYVGG_WEIGHTS_PATH.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
