#!/usr/bin/env python3
"""Cut the class-balanced Fashion-MNIST sample shipped in data/fashion-mnist-sample.

Reads the full set from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) and keeps the
first N images of each class, in file order: 600 per class of the training set (6,000 images) and 100 per
class of the test set (1,000 images). Deterministic: the same input gives byte-identical output (gzip with
mtime 0). Usage:

    apt-get install dataset-fashion-mnist
    python3 scripts/make-fashion-mnist-sample.py [SOURCE_DIR] [OUT_DIR]
"""
import gzip
import struct
import sys
from pathlib import Path

SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/datasets/fashion-mnist")
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / "data" / "fashion-mnist-sample"
PER_CLASS = {"train": 600, "t10k": 100}


def read(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def write(path, data):
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(data)
    tmp.replace(path)


def cut(part):
    images = read(SOURCE / f"{part}-images-idx3-ubyte.gz")
    labels = read(SOURCE / f"{part}-labels-idx1-ubyte.gz")
    magic, n, rows, cols = struct.unpack(">IIII", images[:16])
    lmagic, ln = struct.unpack(">II", labels[:8])
    assert magic == 0x803 and lmagic == 0x801 and n == ln, "not a Fashion-MNIST IDX pair"
    size = rows * cols
    taken = [0] * 10
    keep = []
    for i in range(n):
        y = labels[8 + i]
        if taken[y] < PER_CLASS[part]:
            taken[y] += 1
            keep.append(i)
    out_images = bytearray(struct.pack(">IIII", 0x803, len(keep), rows, cols))
    out_labels = bytearray(struct.pack(">II", 0x801, len(keep)))
    for i in keep:
        out_images += images[16 + i * size:16 + (i + 1) * size]
        out_labels.append(labels[8 + i])
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / f"{part}-images-idx3-ubyte.gz", bytes(out_images))
    write(OUT / f"{part}-labels-idx1-ubyte.gz", bytes(out_labels))
    print(f"{part}: {len(keep)} images ({PER_CLASS[part]} per class) -> {OUT}")


for p in ("train", "t10k"):
    cut(p)
