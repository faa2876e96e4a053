"""Robustness of the fingerprints: match rates under common edits, and false matches among
unrelated pictures. Run by hand; prints the Markdown table used in docs/fingerprints.md.

    python benchmarks/fingerprints_robustness.py [--seeds 3] [--procedural 60]

Signals compared (a match is distance <= 31, Meta's PDQ threshold):

* PDQ: the copy's PDQ against the original's PDQ;
* PDQ + dihedral: the copy's PDQ against the original's 8 dihedral variants;
* crops: any ``pdq_crops`` hash of the copy against any of the original's;
* any: PDQ + dihedral or crops.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fingerprints_media import ATTACKS, PHOTOS, photo, unrelated_set

from unshared.fingerprints.crops import crop_hashes
from unshared.fingerprints.pdq import FastPdqHasher, bits_from_hex, luma_from_rgb

THRESHOLD = 31
HASHER = FastPdqHasher()


@dataclass
class Print:
    pdq: int
    dihedral: np.ndarray  # 8 x 4 uint64
    crops: np.ndarray  # n x 4 uint64
    quality: int


def words(hexes: tuple[str, ...]) -> np.ndarray:
    out = np.zeros((len(hexes), 4), dtype=np.uint64)
    for i, h in enumerate(hexes):
        v = bits_from_hex(h)
        for w in range(4):
            out[i, w] = (v >> (64 * w)) & 0xFFFFFFFFFFFFFFFF
    return out


def fingerprint(im: Image.Image) -> Print:
    luma = luma_from_rgb(np.asarray(im.convert("RGB")))
    result = HASHER.hash_luma(luma)
    return Print(
        bits_from_hex(result.hex), words(result.dihedral), words(crop_hashes(luma)), result.quality
    )


def min_dist(a: np.ndarray, b: np.ndarray) -> int:
    if not len(a) or not len(b):
        return 256
    return int(np.bitwise_count(a[:, None, :] ^ b[None, :, :]).sum(axis=2).min())


def distances(orig: Print, copy: Print) -> dict[str, int]:
    plain = (orig.pdq ^ copy.pdq).bit_count()
    dihedral = min_dist(orig.dihedral, words((format(copy.pdq, "064x"),)))
    crops = min_dist(orig.crops, copy.crops)
    return {"PDQ": plain, "PDQ + dihedral": dihedral, "crops": crops, "any": min(dihedral, crops)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--procedural", type=int, default=60)
    args = parser.parse_args()
    started = time.time()
    signals = ("PDQ", "PDQ + dihedral", "crops", "any")

    # ---- edited copies of the sample photos
    hits = {attack: dict.fromkeys(signals, 0) for attack in ATTACKS}
    misses: dict[str, set[str]] = {attack: set() for attack in ATTACKS}
    trials = 0
    every_base = [(name, Image.fromarray(photo(name))) for name in PHOTOS]
    originals = {name: fingerprint(im) for name, im in every_base}
    # A picture below PDQ quality 50 gets no PDQ, so there is nothing to match it against.
    bases = [(name, im) for name, im in every_base if originals[name].quality >= 50]
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        for name, im in bases:
            trials += 1
            for attack, edit in ATTACKS.items():
                d = distances(originals[name], fingerprint(edit(im, rng)))
                for s in signals:
                    hits[attack][s] += d[s] <= THRESHOLD
                if d["any"] > THRESHOLD:
                    misses[attack].add(name)

    # ---- unrelated pairs
    pictures = unrelated_set(args.procedural)
    every = [fingerprint(Image.fromarray(arr)) for _, arr in pictures]
    # Pictures below PDQ quality 50 get no PDQ at all (unshared leaves it out, HMA ignores it).
    prints = [p for p in every if p.quality >= 50]
    low = len(every) - len(prints)
    false = dict.fromkeys(signals, 0)
    false_pairs: list[tuple[str, str, int]] = []
    names = [name for (name, _), p in zip(pictures, every, strict=True) if p.quality >= 50]
    smallest = dict.fromkeys(signals, 256)
    plain_all = []
    pairs = 0
    for i in range(len(prints)):
        for j in range(i + 1, len(prints)):
            pairs += 1
            a, b = prints[i], prints[j]
            d = {
                "PDQ": (a.pdq ^ b.pdq).bit_count(),
                "PDQ + dihedral": min_dist(a.dihedral, words((format(b.pdq, "064x"),))),
                "crops": min_dist(a.crops, b.crops),
            }
            d["any"] = min(d["PDQ + dihedral"], d["crops"])
            plain_all.append(d["PDQ"])
            if d["any"] <= THRESHOLD:
                false_pairs.append((names[i], names[j], d["any"]))
            for s in signals:
                false[s] += d[s] <= THRESHOLD
                smallest[s] = min(smallest[s], d[s])

    print(
        f"{trials} edited copies per edit ({len(bases)} sample photos x {args.seeds} seeds); "
        f"{len(prints)} unrelated pictures, {pairs} pairs; {time.time() - started:.0f} s"
    )
    print()
    print("| edit | " + " | ".join(signals) + " |")
    print("|---|" + "---|" * len(signals))
    for attack in ATTACKS:
        cells = [
            f"{hits[attack][s]}/{trials} ({100 * hits[attack][s] / trials:.0f}%)" for s in signals
        ]
        print(f"| {attack} | " + " | ".join(cells) + " |")
    cells = [f"{false[s]} of {pairs} (closest {smallest[s]})" for s in signals]
    print("| **false matches, unrelated pairs** | " + " | ".join(cells) + " |")
    q = np.percentile(plain_all, [0, 0.1, 1, 50])
    print()
    print(
        f"Plain PDQ distance between unrelated pictures: min {q[0]:.0f}, 0.1% {q[1]:.0f}, "
        f"1% {q[2]:.0f}, median {q[3]:.0f}."
    )
    for attack, missed in misses.items():
        if missed:
            print(f"Missed by every signal under {attack}: {', '.join(sorted(missed))}.")
    for first, second, dist in false_pairs[:20]:
        print(f"False match: {first} ~ {second} at {dist}.")
    print(f"Unrelated pictures left out for PDQ quality < 50 (they get no PDQ): {low}.")
    lowq = [name for name, _ in every_base if originals[name].quality < 50]
    print(f"Sample photos with PDQ quality < 50: {', '.join(lowq) or 'none'}.")


if __name__ == "__main__":
    main()
