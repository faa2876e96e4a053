"""PDQ core: agreement with Meta's pdqhash and python-threatexchange's hex, dihedral variants,
quality and the low-quality rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unshared.errors import LowQualityMedia
from unshared.fingerprints.pdq import (
    DIHEDRAL_NAMES,
    FastPdqHasher,
    PdqResult,
    ReferencePdqHasher,
    bits_from_hex,
    hamming,
    hex_from_bits,
    require_quality,
)

FAST = FastPdqHasher()
REF = ReferencePdqHasher()


def _pictures(media) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    return [
        media.photo("astronaut"),
        media.photo("coffee"),
        media.photo("brick"),
        media.photo("chelsea")[:37, :50],  # smaller than 64 pixels
        rng.integers(0, 256, (700, 1100, 3), dtype=np.uint8),
    ]


def test_hex_matches_python_threatexchange(tmp_path: Path, media) -> None:  # type: ignore[no-untyped-def]
    from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_file

    for name in ("astronaut", "rocket"):
        path = tmp_path / f"{name}.png"
        Image.fromarray(media.photo(name)).save(path)
        expected_hex, expected_quality = pdq_from_file(path)
        result = REF.hash_rgb(media.photo(name))
        assert result.hex == expected_hex
        assert result.quality == expected_quality
        assert len(result.hex) == 64 and result.hex == result.hex.lower()


def test_numpy_pdq_equals_reference_at_full_size(media) -> None:  # type: ignore[no-untyped-def]
    for rgb in _pictures(media):
        ours, ref = FAST.hash_rgb(rgb), REF.hash_rgb(rgb)
        assert ours.quality == ref.quality
        assert ours.dihedral == ref.dihedral


def test_dihedral_variants_predict_rotated_and_mirrored_copies(media) -> None:  # type: ignore[no-untyped-def]
    rgb = media.photo("astronaut")
    variants = dict(zip(DIHEDRAL_NAMES, REF.hash_rgb(rgb).dihedral, strict=True))
    assert len(variants) == 8 and len(set(variants.values())) == 8
    for edited in (np.rot90(rgb, 1), np.rot90(rgb, 2), np.rot90(rgb, 3), rgb[:, ::-1], rgb[::-1]):
        copy = REF.hash_rgb(np.ascontiguousarray(edited)).hex
        assert min(hamming(copy, v) for v in variants.values()) <= 20
        assert hamming(copy, variants["original"]) > 31


def test_hex_round_trip_and_hamming() -> None:
    bits = (1 << 255) | 0b1011
    text = hex_from_bits(bits)
    assert text.startswith("8") and text.endswith("b") and len(text) == 64
    assert bits_from_hex(text.upper()) == bits
    assert hamming(text, hex_from_bits(0)) == 4
    with pytest.raises(ValueError):
        bits_from_hex("abc")


def test_flat_picture_raises_low_quality_never_empty() -> None:
    flat = np.full((200, 300, 3), 90, dtype=np.uint8)
    result = FAST.hash_rgb(flat)
    assert result.quality < 50 and result.hex
    with pytest.raises(LowQualityMedia) as info:
        require_quality(result, path="flat.png")
    assert "flat.png" in str(info.value) and "quality" in str(info.value)
    good = PdqResult("f" * 64, 80, ("f" * 64,) * 8)
    assert require_quality(good) is good


def test_block_reduced_luma_reproduces_reference(media) -> None:  # type: ignore[no-untyped-def]
    """Reduce by whole blocks (as JPEG DCT scaling does), hash with the original size."""
    big = np.asarray(media.big_photo("coffee", (2400, 1800), seed=3))
    ref = REF.hash_rgb(big)
    reduced = np.asarray(Image.fromarray(big).reduce(4))
    ours = FAST.hash_luma(
        reduced[..., 0] * 0.299 + reduced[..., 1] * 0.587 + reduced[..., 2] * 0.114, (2400, 1800)
    )
    assert hamming(ours.hex, ref.hex) <= 10
    assert abs(ours.quality - ref.quality) <= 5
