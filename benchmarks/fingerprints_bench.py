"""Speed and agreement of PDQ on 12-megapixel JPEG photos, side by side with the common path.

Common path (the reference): Pillow decodes every pixel, ``pdqhash.compute`` hashes them (what
python-threatexchange does). Ours: ``unshared.fingerprints`` (JPEG decoded downscaled in the DCT
domain, PDQ's filter reproduced on the reduced pixels), computing the hash *and* its 8 dihedral
variants. Both run on one core, one after the other, on the same files, in the same run.

    python benchmarks/fingerprints_bench.py [--photos 16] [--repeat 3]

Prints a Markdown table for docs/benchmarks/fingerprints.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pdqhash
import PIL
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fingerprints_media import PHOTOS, big_photo, jpeg_bytes

from unshared.fingerprints.images import read_luma
from unshared.fingerprints.media import fingerprint_file
from unshared.fingerprints.pdq import FastPdqHasher, hamming


def reference(path: Path) -> tuple[str, int]:
    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGB"))
    vector, quality = pdqhash.compute(arr)
    return format(int("".join(str(int(b)) for b in vector), 2), "064x"), int(quality)


def ours(path: Path) -> tuple[str, int]:
    img = read_luma(path)
    result = FastPdqHasher().hash_luma(img.luma, img.full_size)
    return result.hex, result.quality


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=len(PHOTOS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, name in enumerate(PHOTOS[: args.photos]):
            size = (4000, 3000) if i % 2 == 0 else (3024, 4032)
            path = Path(tmp) / f"{name}.jpg"
            path.write_bytes(jpeg_bytes(big_photo(name, size, seed=i), quality=90))
            files.append(path)
        ref_t: list[float] = []
        our_t: list[float] = []
        rows = []
        for path in files:
            rt, ot = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rh, rq = reference(path)
                rt.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                oh, oq = ours(path)
                ot.append(time.perf_counter() - t0)
            ref_t.append(min(rt))
            our_t.append(min(ot))
            rows.append((path.stem, rq, oq, hamming(rh, oh), min(rt), min(ot)))
        # The whole record the CLI makes: SHA-256 + MD5 + PDQ + dihedral + pdq_crops.
        t0 = time.perf_counter()
        for path in files:
            fingerprint_file(path)
        full_record = time.perf_counter() - t0
    total_ref, total_our = sum(ref_t), sum(our_t)
    worst = max(r[3] for r in rows if r[1] >= 80)
    print(
        f"Machine: {cpu_model()}, nproc {os.cpu_count()}, pinned to 1 core; "
        f"Python {platform.python_version()}, Pillow {PIL.__version__}; "
        f"date {dt.date.today().isoformat()}"
    )
    print()
    print("| photo (12 MP JPEG q90) | quality ref/ours | distance | reference s | ours s | ratio |")
    print("|---|---|---|---|---|---|")
    for name, rq, oq, dist, rt_, ot_ in rows:
        print(f"| {name} | {rq}/{oq} | {dist} | {rt_:.3f} | {ot_:.4f} | {rt_ / ot_:.1f}x |")
    print()
    print(
        f"Throughput: reference {len(rows) / total_ref:.2f} photos/s, ours "
        f"{len(rows) / total_our:.2f} photos/s: **{total_ref / total_our:.1f}x** "
        f"(median per-photo ratio {statistics.median(r[4] / r[5] for r in rows):.1f}x). "
        f"Largest distance to the reference at quality >= 80: **{worst}** (limit 10)."
    )
    print(
        f"The full record (SHA-256, MD5, PDQ, dihedral and pdq_crops): "
        f"{len(rows) / full_record:.2f} photos/s, {total_ref / full_record:.1f}x the reference."
    )


if __name__ == "__main__":
    main()
