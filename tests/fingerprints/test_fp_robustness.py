"""A small, fast version of benchmarks/fingerprints_robustness.py: edits still match, unrelated
pictures do not, and the crop signal catches what plain PDQ misses."""

from __future__ import annotations

from types import ModuleType

import numpy as np
from PIL import Image

from unshared.fingerprints.crops import CROP_MATCH_DISTANCE, crop_distance, crop_hashes
from unshared.fingerprints.pdq import MATCH_DISTANCE, FastPdqHasher, hamming, luma_from_rgb

HASHER = FastPdqHasher()
PHOTOS = ("astronaut", "coffee", "rocket", "camera")


def _print(im: Image.Image) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    luma = luma_from_rgb(np.asarray(im.convert("RGB")))
    result = HASHER.hash_luma(luma)
    return result.hex, result.dihedral, crop_hashes(luma)


def test_edits_match_and_unrelated_do_not(media: ModuleType) -> None:
    rng = np.random.default_rng(1)
    originals = {name: _print(Image.fromarray(media.photo(name))) for name in PHOTOS}
    for name in PHOTOS:
        im = Image.fromarray(media.photo(name))
        pdq, dihedral, crops = originals[name]
        for edit in ("JPEG q30", "resize 50%", "brightness +30%", "text watermark"):
            copy = _print(media.ATTACKS[edit](im, rng))
            assert hamming(pdq, copy[0]) <= MATCH_DISTANCE, (name, edit)
        for edit in ("mirror", "rotate 90°"):
            copy = _print(media.ATTACKS[edit](im, rng))
            assert hamming(pdq, copy[0]) > MATCH_DISTANCE, (name, edit)
            assert min(hamming(v, copy[0]) for v in dihedral) <= MATCH_DISTANCE, (name, edit)
        for edit in ("caption banner 15%", "10% crop"):
            copy = _print(media.ATTACKS[edit](im, rng))
            assert crop_distance(crops, copy[2]) <= CROP_MATCH_DISTANCE, (name, edit)
    others = [_print(Image.fromarray(media.procedural(seed))) for seed in range(6)]
    everything = list(originals.values()) + others
    for i, a in enumerate(everything):
        for b in everything[i + 1 :]:
            assert min(hamming(v, b[0]) for v in a[1]) > MATCH_DISTANCE
            assert crop_distance(a[2], b[2]) > CROP_MATCH_DISTANCE


def test_plain_pdq_misses_a_caption_banner(media: ModuleType) -> None:
    """Why the crop signal exists: a 15% caption bar moves plain PDQ past the threshold."""
    rng = np.random.default_rng(0)
    im = Image.fromarray(media.photo("astronaut"))
    pdq, _, crops = _print(im)
    copy = _print(media.ATTACKS["caption banner 15%"](im, rng))
    assert hamming(pdq, copy[0]) > MATCH_DISTANCE
    assert crop_distance(crops, copy[2]) <= CROP_MATCH_DISTANCE
