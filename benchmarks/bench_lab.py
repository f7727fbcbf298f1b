"""Speed and memory of the Image Filter Lab's engine on a 12 MP photo, printed as a Markdown table.

Run from the repository root (about a minute)::

    .venv/bin/python benchmarks/bench_lab.py           # 4000x3000, as the issue asks
    .venv/bin/python benchmarks/bench_lab.py --quick   # 1000x750, fewer runs: a smoke run

The photo is a 4000x3000 JPEG (quality 90) made in memory from the sample ``chelsea.png``
(a cat, 451x300) scaled up with bicubic interpolation plus Gaussian noise (sigma 6), so
it has a photo's smooth areas, edges and sensor grain (a JPEG of pure noise would decode
slower, a flat one faster). Filters: Sobel x (``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``);
for the RGB rows 8 random 3x3x3 filters (seed 0), as ``bench_conv.py``'s RGB row. All
convolutions use ``padding='same'`` with zeros.

Rows (goals from the issue; where it names none, the goal is this engine's own reference):

a. *Upload to first preview*, server compute (goal under 1 s): what the page does with a
   new upload before anything is drawn: ``load_image_with_info`` (colour, as the image
   picker decodes), ``downscale`` to the preview's longer side (``PREVIEW_SIDE`` of
   pages/lab.py when it defines one, else the image picker's default ``max_side``), the
   page's grey working copy (BT.601 luma, rounded) and ``run_pipeline`` (Sobel x, gray).
   Plotly figures and the browser are not included.
b. *Full-resolution 3x3 Sobel*, 12 MP grey, ``run_pipeline`` against
   ``scipy.ndimage.correlate`` on the same image (goal: ``bench_conv.py``'s 3x3 goal,
   0.75x ndimage); then the PNG of the full-size feature map (``encode_png_from_float``).
c. *RGB 12 MP, 'cnn' mode, 8 filters + ReLU + 2x2 max pool* through ``run_pipeline``,
   with ``channel_maps=False`` (goal: within 1.15x of the same work done by the parts
   alone: ``conv2d`` on the channels-first view, ``np.maximum`` and ``pool2d``, timed in
   the same rounds; ``conv2d_hwc``, bench_conv's RGB row, is shown beside it), and with
   the per-channel maps kept (the default; no goal).
d. *Peak memory*, each case in a fresh ``python`` process so the peaks are separate:
   the increase of the process's peak resident size over its size just before the job
   (the kernel's high-water mark ``VmHWM``, reset before the job through
   ``/proc/self/clear_refs``; where that is refused, ``resource.getrusage``'s
   ``ru_maxrss``, which then only shows what goes beyond earlier peaks), the job being
   decode + pipeline (+ PNG for b), and
   ``tracemalloc``'s peak of NumPy's allocations in each phase (decode, ``run_pipeline``,
   PNG). Goal: ``run_pipeline``'s transient memory (its peak beyond the maps its result
   keeps) stays under the size of the float32 image: no float64 or padded copies of the
   photo.

Times are medians of a few runs after one warm-up run (the first touch of fresh memory in
this VM is slow: 384 MB took 0.84 s the first time in a process and 45 ms later; the
first run is shown too). This is a 2-core machine shared with other work; its load
average is printed.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import PIL
import scipy
import scipy.ndimage as ndi
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import conv_core as cc  # noqa: E402
from benchmarks.markdown_table import print_table  # noqa: E402
from conv_core.pooling import pool2d  # noqa: E402

SOBEL_X = np.array([[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]], np.float32)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
DEFAULT_PREVIEW_SIDE = 1024  # the image picker's default max_side
GOAL_PREVIEW_S = 1.0
GOAL_SOBEL_VS_NDIMAGE = 0.75
GOAL_CNN_VS_PARTS = 1.15
MB = 1e6


# ----------------------------------------------------------------------------- inputs


def make_photo_jpeg(width: int, height: int, seed: int = 0) -> bytes:
    """A photo-like JPEG: the cat sample scaled up, plus sensor-like noise, quality 90."""
    cat = Image.open(REPO / "assets" / "samples" / "chelsea.png").convert("RGB")
    big = np.asarray(cat.resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)
    rng = np.random.default_rng(seed)
    noisy = big + rng.normal(0.0, 6.0, big.shape).astype(np.float32)
    pixels = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def rgb_filters() -> np.ndarray:
    """8 random 3x3x3 filters, as bench_conv.py's RGB row: (8, 3, 3, 3)."""
    return np.random.default_rng(0).standard_normal((8, 3, 3, 3)).astype(np.float32)


def preview_side() -> tuple[int, str]:
    """The page's preview size: PREVIEW_SIDE in pages/lab.py, else the picker's default."""
    page = REPO / "pages" / "lab.py"
    if page.exists():
        for node in ast.parse(page.read_text()).body:
            target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
            if isinstance(target, ast.Name) and target.id == "PREVIEW_SIDE":
                return int(ast.literal_eval(node.value)), "PREVIEW_SIDE of pages/lab.py"
    return DEFAULT_PREVIEW_SIDE, "image picker's default max_side"


# ----------------------------------------------------------------------------- jobs


def preview_job(data: bytes, side: int) -> tuple[cc.PipelineResult, dict[str, float]]:
    """(a): decode, downscale, grey working copy, pipeline; with the time of each part."""
    t0 = time.perf_counter()
    image, _ = cc.load_image_with_info(data)
    t1 = time.perf_counter()
    small = cc.downscale(image, side)
    del image
    t2 = time.perf_counter()
    gray = np.rint(small @ LUMA).astype(np.float32)  # as pages/lab.py's working_image
    result = cc.run_pipeline(gray, SOBEL_X, padding="same")
    t3 = time.perf_counter()
    return result, {"decode": t1 - t0, "downscale": t2 - t1, "pipeline": t3 - t2}


def sobel_job(gray: np.ndarray) -> cc.PipelineResult:
    return cc.run_pipeline(gray, SOBEL_X, padding="same")


def cnn_job(image: np.ndarray, channel_maps: bool) -> cc.PipelineResult:
    return cc.run_pipeline(
        image, rgb_filters(), color_mode="cnn", padding="same", activation="relu",
        pool="max", pool_size=2, channel_maps=channel_maps,
    )  # fmt: skip


def parts_job(image: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """(c)'s reference: the same work by the parts alone (conv2d, ReLU, pool2d, channels first)."""
    conv = cc.conv2d(image.transpose(2, 0, 1), weight, padding="same")
    relu = np.maximum(conv, np.float32(0))
    return pool2d(relu, 2)


# ----------------------------------------------------------------------------- timing


def timed(funcs: dict[str, Callable[[], Any]], repeats: int) -> dict[str, dict[str, Any]]:
    """Per function: median seconds over ``repeats`` rounds after one warm-up, and the first.

    The functions run in turn within each round, so they share the machine's load.
    """
    runs: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats + 1):
        for name, func in funcs.items():
            start = time.perf_counter()
            result = func()
            runs[name].append(time.perf_counter() - start)
            del result
    return {
        name: {"median": statistics.median(t[1:]), "first": t[0], "runs": t[1:]}
        for name, t in runs.items()
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


# ----------------------------------------------------------------------------- memory


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _start_peak() -> tuple[int, str]:
    """The resident size now, with the peak reset to it (Linux: clear_refs 5), in bytes.

    Without a reset, ``ru_maxrss`` (the process's peak so far) is the baseline: then the
    increase only counts what goes beyond any earlier peak (imports, warm-up).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS") * 1024, "VmHWM after a reset"
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "ru_maxrss"


def _peak_now(source: str) -> int:
    if source == "ru_maxrss":
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return _status_kib("VmHWM") * 1024


def memory_child(case: str, jpeg: Path, side: int) -> dict[str, Any]:
    """One case in this (fresh) process: peak RSS increase and traced NumPy peaks, in bytes.

    tracemalloc's peak is reset between the phases (decode, pipeline, PNG), so each
    phase's peak is its own; the pipeline's transient is its peak beyond what existed
    before it (the image) and what its result keeps.
    """
    data = jpeg.read_bytes()
    # Touch every code path once on a tiny image, so imports and lazy set-up are not counted.
    tiny = make_photo_jpeg(64, 48)
    preview_job(tiny, 32)
    cnn_job(cc.load_image(tiny), True)
    cc.encode_png_from_float(sobel_job(cc.load_image(tiny, as_gray=True)).result.maps[0])
    before, source = _start_peak()
    tracemalloc.start()
    phases: dict[str, Any] = {}
    if case == "preview":
        result, _ = preview_job(data, side)
        phases["job"] = tracemalloc.get_traced_memory()[1]
        image_bytes = 0
    else:
        image = cc.load_image(data, as_gray=case == "sobel")
        phases["decode"] = tracemalloc.get_traced_memory()[1]
        image_bytes = image.nbytes
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        if case == "sobel":
            result = sobel_job(image)
        else:
            result = cnn_job(image, channel_maps=case == "cnn")
        phases["pipeline"] = tracemalloc.get_traced_memory()[1] - start
        if case == "sobel":
            tracemalloc.reset_peak()
            start = tracemalloc.get_traced_memory()[0]
            cc.encode_png_from_float(result.result.maps[0], "abs")
            phases["png"] = tracemalloc.get_traced_memory()[1] - start
    tracemalloc.stop()
    kept = sum(s.maps.nbytes for s in result.stages if not s.skipped)
    kept += 0 if result.channel_maps is None else result.channel_maps.nbytes
    return {
        "rss_increase": _peak_now(source) - before,
        "rss_source": source,
        "image": image_bytes,
        "kept": kept,
        **phases,
    }


def memory_case(case: str, jpeg: Path, side: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--memory-case", case, "--jpeg", str(jpeg), "--side", str(side)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_preview(data: bytes, side: int, repeats: int) -> tuple[dict[str, Any], dict[str, float]]:
    """(a): the whole job's times, and the median of each part."""
    parts: dict[str, list[float]] = {"decode": [], "downscale": [], "pipeline": []}

    def preview() -> None:
        _, split = preview_job(data, side)
        for key, value in split.items():
            parts[key].append(value)

    t = timed({"preview": preview}, repeats)["preview"]
    return t, {k: statistics.median(v[1:]) for k, v in parts.items()}


def bench_sobel(data: bytes, repeats: int) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(b): run_pipeline and scipy.ndimage on the grey photo; the PNG of the map."""
    gray = cc.load_image(data, as_gray=True)
    t = timed(
        {
            "ours": lambda: sobel_job(gray),
            "ndimage": lambda: ndi.correlate(gray, SOBEL_X[0], mode="constant"),
        },
        repeats,
    )
    sobel_map = sobel_job(gray).result.maps[0]
    t_png = timed({"png": lambda: cc.encode_png_from_float(sobel_map, "abs")}, 3)["png"]
    return t, t_png, len(cc.encode_png_from_float(sobel_map, "abs"))


def bench_cnn(data: bytes, repeats: int) -> dict[str, dict[str, Any]]:
    """(c): the pipeline with and without channel maps, the parts alone, conv2d_hwc."""
    image = cc.load_image(data)
    weights = rgb_filters()
    weight_hwio = weights.transpose(2, 3, 1, 0)  # (KH, KW, C_in, C_out)
    return timed(
        {
            "lean": lambda: cnn_job(image, channel_maps=False),
            "parts": lambda: parts_job(image, weights),
            "conv2d_hwc": lambda: cc.conv2d_hwc(image, weight_hwio, padding="same"),
            "maps": lambda: cnn_job(image, channel_maps=True),
        },
        repeats,
    )


# ----------------------------------------------------------------------------- main


def bench_page_upload(width: int, height: int, repeats: int) -> dict[str, Any]:
    """The whole pages/lab.py script run after uploading a new photo (AppTest, in-process).

    Each upload is a different JPEG (another noise seed), so the page's decode cache
    misses as it does for a student's first upload; the run includes decoding, the
    preview pipeline and building every figure, not the browser or the network.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "pages" / "lab.py"), default_timeout=120)
    at.run()
    at.button_group(key="lab.image.source").set_value("upload").run()
    times = []
    for i in range(repeats + 1):
        data = make_photo_jpeg(width, height, seed=100 + i)
        at.file_uploader(key="lab.image.upload").upload(f"photo{i}.jpg", data, "image/jpeg")
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception or at.error:
            raise RuntimeError(f"the page failed: {at.exception or at.error[0].value}")
    return {"first": times[0], "median": statistics.median(times[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1000x750, fewer runs")
    parser.add_argument("--memory-case", help=argparse.SUPPRESS)
    parser.add_argument("--jpeg", help=argparse.SUPPRESS)
    parser.add_argument("--side", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        print(json.dumps(memory_child(args.memory_case, Path(args.jpeg), args.side)))
        return

    started = time.perf_counter()
    width, height = (1000, 750) if args.quick else (4000, 3000)
    repeats = 2 if args.quick else 5
    data = make_photo_jpeg(width, height)
    side, side_source = preview_side()
    megapixels = width * height / 1e6
    label = f"{megapixels:.0f} MP" if megapixels >= 1 else f"{width}x{height}"

    t_preview, split = bench_preview(data, side, repeats)
    t_page = bench_page_upload(width, height, max(2, repeats - 2))
    t_sobel, t_png, png_bytes = bench_sobel(data, repeats)
    t_cnn = bench_cnn(data, max(2, repeats - 2))
    with tempfile.TemporaryDirectory() as tmp:  # (d): each case in a fresh process
        jpeg = Path(tmp) / "photo.jpg"
        jpeg.write_bytes(data)
        cases = ("preview", "sobel", "lean", "cnn")
        memory = {case: memory_case(case, jpeg, side) for case in cases}

    rows: list[tuple[str, str, str, str]] = []
    rows.append(
        (
            f"a. upload to first preview: {label} JPEG ({len(data) / MB:.1f} MB) decode + "
            f"downscale to {side} px ({side_source}) + grey copy + run_pipeline (Sobel x)",
            f"< {GOAL_PREVIEW_S:.0f} s",
            f"{ms(t_preview['median'])} (decode {ms(split['decode'])}, downscale "
            f"{ms(split['downscale'])}, grey + pipeline {ms(split['pipeline'])}); "
            f"first run {ms(t_preview['first'])}",
            verdict(t_preview["median"] < GOAL_PREVIEW_S),
        )
    )
    rows.append(
        (
            f"a'. the same as the page runs it: pages/lab.py script run (AppTest) after "
            f"uploading a new {label} JPEG: decode, preview pipeline and every figure",
            f"< {GOAL_PREVIEW_S:.0f} s",
            f"{ms(t_page['median'])}; first run {ms(t_page['first'])}",
            verdict(t_page["median"] < GOAL_PREVIEW_S),
        )
    )
    ratio = t_sobel["ours"]["median"] / t_sobel["ndimage"]["median"]
    rows.append(
        (
            f"b. full-resolution 3x3 Sobel, {label} grey: run_pipeline (float32, 'same')",
            f"<= {GOAL_SOBEL_VS_NDIMAGE}x scipy.ndimage.correlate "
            f"({ms(t_sobel['ndimage']['median'])})",
            f"{ms(t_sobel['ours']['median'])} ({ratio:.2f}x); first run "
            f"{ms(t_sobel['ours']['first'])}",
            verdict(ratio <= GOAL_SOBEL_VS_NDIMAGE),
        )
    )
    rows.append(
        (
            f"b'. PNG of the full-size Sobel map (encode_png_from_float, 'abs'), {label}",
            "-",
            f"{ms(t_png['median'])} ({png_bytes / MB:.1f} MB)",
            verdict(None),
        )
    )
    lean, parts_t = t_cnn["lean"]["median"], t_cnn["parts"]["median"]
    rows.append(
        (
            f"c. RGB {label}, 'cnn', 8 filters 3x3x3 + ReLU + 2x2 max pool: run_pipeline "
            "with channel_maps=False",
            f"<= {GOAL_CNN_VS_PARTS}x the parts alone ({ms(parts_t)}: conv2d + np.maximum "
            f"+ pool2d; bench_conv's conv2d_hwc alone: {ms(t_cnn['conv2d_hwc']['median'])})",
            f"{ms(lean)} ({lean / parts_t:.2f}x); first run {ms(t_cnn['lean']['first'])}",
            verdict(lean <= GOAL_CNN_VS_PARTS * parts_t),
        )
    )
    rows.append(
        (
            "c'. the same with the per-channel maps kept (channel_maps=True, the default)",
            "-",
            f"{ms(t_cnn['maps']['median'])}; first run {ms(t_cnn['maps']['first'])}",
            verdict(None),
        )
    )
    names = {
        "preview": "a (decode + preview)",
        "sobel": "b (decode grey + Sobel + PNG)",
        "lean": "c (decode + cnn 8 filters, channel_maps=False)",
        "cnn": "c' (decode + cnn 8 filters, channel maps kept)",
    }
    for case, m in memory.items():
        if case == "preview":
            rows.append(
                (
                    f"d. peak memory, {names[case]}, fresh process",
                    "-",
                    f"peak RSS +{m['rss_increase'] / MB:.0f} MB; NumPy (tracemalloc) peak "
                    f"{m['job'] / MB:.0f} MB (the full-size decode); kept {m['kept'] / MB:.1f} MB",
                    verdict(None),
                )
            )
            continue
        transient = m["pipeline"] - m["kept"]
        png = f", PNG +{m['png'] / MB:.0f} MB" if "png" in m else ""
        rows.append(
            (
                f"d. peak memory, {names[case]}, fresh process",
                f"run_pipeline's transient (beyond the maps it keeps) <= the image "
                f"({m['image'] / MB:.0f} MB)",
                f"peak RSS +{m['rss_increase'] / MB:.0f} MB; NumPy (tracemalloc): decode "
                f"peak {m['decode'] / MB:.0f} MB, run_pipeline +{m['pipeline'] / MB:.0f} MB "
                f"= maps kept {m['kept'] / MB:.0f} + transient {transient / MB:.0f} MB{png}",
                verdict(transient <= m["image"]),
            )
        )

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Image Filter Lab benchmark: Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}, Pillow {PIL.__version__}, {os.cpu_count()} CPUs "
        f"({platform.machine()}), OPENBLAS_CORETYPE="
        f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, load average {load}; "
        f"medians of {repeats} runs after a warm-up (c: {max(2, repeats - 2)}).\n"
    )
    print_table(("case", "goal", "measured", "meets goal"), rows)
    print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
