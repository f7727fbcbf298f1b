"""Speed of the MNIST page's TinyVGG and of the page itself, printed as Markdown tables.

Run from the repository root (about a minute; ``nice`` it on a shared machine)::

    nice -n 10 .venv/bin/python benchmarks/bench_mnist.py
    nice -n 10 .venv/bin/python benchmarks/bench_mnist.py --quick   # fewer repeats

1. Training (``conv_core.tinyvgg.train_tinyvgg`` with the shipped settings: 10 filters,
   batches of 32, Adam, shifts of up to 2 pixels): seconds per epoch over the 4,000
   training digits (2 epochs measured here), beside the shipped run's own per-epoch times
   (``load_tinyvgg_meta``).
2. One digit's forward pass with every layer (``forward``), and the 1,000 test digits'
   probabilities (``predict_proba``).
3. The page's server time per rerun, measured with Streamlit's AppTest (the script run
   only, no browser): a new drawing (each a different stroke, so the per-digit cache
   misses; goal under 300 ms), the same drawing again (cache hit), and a settings change
   (another map chosen for the explanation). The first run, which also loads the data and
   finds the strongest training digits of block 1, is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.markdown_table import print_table  # noqa: E402
from conv_core import tinyvgg as tv  # noqa: E402
from conv_core.mnist import load_mnist  # noqa: E402


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def bench_training(epochs: int) -> None:
    data = load_mnist()
    meta = tv.load_tinyvgg_meta()
    times = [
        p.seconds
        for _, p in tv.train_tinyvgg(
            tv.init_tinyvgg(10, seed=0), data, epochs=epochs, lr=0.005, batch_size=32, augment=2
        )
    ]
    print("Training (4,000 digits per epoch, 10 filters, batches of 32):\n")
    print_table(
        ["run", "epochs", "s / epoch (median)", "total training s", "test accuracy"],
        [
            [
                "here",
                str(epochs),
                f"{statistics.median(times):.1f}",
                f"{sum(times):.1f}",
                "-",
            ],
            [
                "shipped (scripts/train_tinyvgg.py)",
                str(meta["epochs"]),
                f"{statistics.median(meta['epoch_seconds']):.1f}",
                f"{meta['training_seconds']:.0f} (with accuracy checks)",
                f"{meta['test_accuracy']:.3f}",
            ],
        ],
    )
    print()


def bench_queue(students: int, scale: float) -> None:
    """30 students pressing Train at once: the real queue (ui.frame.jobs.JobLimiter, the
    page's two slots and its wait limit), each job as long as one measured default training
    (TinyVGG, 2 epochs), run ``scale`` times faster (a sleep) and the waits scaled back."""
    import threading

    from conv_core import stacknet as sn
    from ui.frame.jobs import TRAINING_JOBS, TRAINING_WAIT_S, JobLimiter, JobTimeout

    data = load_mnist()
    net = sn.build_stack(tv.tinyvgg_layers(10))
    start = time.perf_counter()
    for _ in sn.train_stack(net, data, epochs=2, lr=0.005, seed=0):
        pass
    job_s = time.perf_counter() - start
    queue = JobLimiter(TRAINING_JOBS.slots)
    waits: list[float] = []
    refused = 0
    lock = threading.Lock()

    def student() -> None:
        nonlocal refused
        asked = time.perf_counter()
        try:
            queue.run(
                lambda: time.sleep(job_s / scale), poll_s=0.005, timeout_s=TRAINING_WAIT_S / scale
            )
        except JobTimeout:
            with lock:
                refused += 1
            return
        with lock:  # the job's own length is not waiting
            waits.append((time.perf_counter() - asked) * scale - job_s)

    threads = [threading.Thread(target=student) for _ in range(students)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    waits.sort()
    pick = lambda q: waits[min(len(waits) - 1, int(q * len(waits)))] if waits else float("nan")  # noqa: E731
    print(f"{students} students press Train at once (TinyVGG, 2 epochs, {TRAINING_JOBS.slots} "
          f"slots, the page's {TRAINING_WAIT_S} s wait limit):\n")  # fmt: skip
    print_table(
        ["one training", "trained", "told the server is busy", "wait p50", "wait p95", "wait max"],
        [[f"{job_s:.1f} s", str(len(waits)), str(refused), f"{pick(0.5):.0f} s",
          f"{pick(0.95):.0f} s", f"{waits[-1]:.0f} s" if waits else "-"]],
    )  # fmt: skip
    print()


def bench_inference(repeats: int) -> None:
    data = load_mnist()
    model = tv.load_tinyvgg()
    one = []
    for i in range(repeats):
        start = time.perf_counter()
        tv.forward(model, data.test_images[i])
        one.append(time.perf_counter() - start)
    start = time.perf_counter()
    tv.predict_proba(model, data.test_images)
    batch = time.perf_counter() - start
    print_table(
        ["inference", "time"],
        [
            ["forward of one digit (every layer)", f"{statistics.median(one) * 1000:.1f} ms"],
            ["predict_proba of the 1,000 test digits", _ms(batch)],
        ],
    )
    print()


def bench_page(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    from ui.components.draw_grid import COMPONENT_NAME, encode_bitmap
    from ui.frame.strings import LANG_KEY

    at = AppTest.from_file(str(ROOT / "pages" / "mnist.py"), default_timeout=300)
    at.session_state[LANG_KEY] = "en"
    at.session_state["mnist.source"] = "draw"
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    assert not at.exception, at.exception

    def token() -> str:
        import json

        (comp,) = [c for c in at.get("bidi_component") if c.proto.component_name == COMPONENT_NAME]
        return json.loads(comp.proto.json)["token"]

    def timed() -> float:
        start = time.perf_counter()
        at.run()
        took = time.perf_counter() - start
        assert not at.exception, at.exception
        return took

    new, same, setting = [], [], []
    rng = np.random.default_rng(0)
    for i in range(repeats):
        bitmap = np.zeros((28, 28), bool)
        top, left = rng.integers(2, 10, 2)
        bitmap[top : top + 14, left + i % 5 : left + i % 5 + 3] = True  # a new stroke
        bitmap[top, left : left + 10] = True
        at.session_state["mnist.draw"] = {
            "bitmap": {"bits": encode_bitmap(bitmap), "token": token()}
        }
        new.append(timed())
        same.append(timed())
        at.session_state["mnist.map"] = 1 + (i % 10)
        setting.append(timed())
    print(f"The page's server time per rerun (AppTest, medians of {repeats}):\n")
    print_table(
        ["rerun", "time"],
        [
            [
                "first run of a session (data, shipped model, block 1's strongest digits)",
                _ms(first),
            ],
            ["a new drawing (one finished stroke; goal < 300 ms)", _ms(statistics.median(new))],
            ["the same drawing again (cached forward pass)", _ms(statistics.median(same))],
            ["another map chosen for the explanation", _ms(statistics.median(setting))],
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    bench_training(1 if args.quick else 2)
    bench_queue(30, scale=20.0)
    bench_inference(20 if args.quick else 200)
    bench_page(3 if args.quick else 10)


if __name__ == "__main__":
    main()
