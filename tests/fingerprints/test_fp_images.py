"""Reading images in place: every format, the fast JPEG path, damaged and flat files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fingerprints_media import rgb_of

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.digests import digest_file
from unshared.fingerprints.images import read_luma
from unshared.fingerprints.media import Options, fingerprint_file
from unshared.fingerprints.pdq import FastPdqHasher, ReferencePdqHasher, hamming


def test_every_format_gives_the_same_picture(media_dir: Path) -> None:
    reference = ReferencePdqHasher().hash_rgb(rgb_of(media_dir / "photo.png")).hex
    found = sorted(p.suffix for p in media_dir.glob("photo.*"))
    assert {".jpg", ".png", ".webp", ".gif", ".heic"} <= set(found)
    for path in media_dir.glob("photo.*"):
        fp = fingerprint_file(path)
        assert fp.kind == "image" and fp.quality >= 80
        assert fp.pdq is not None and len(fp.pdq) == 64
        assert len(fp.pdq_dihedral) == 8 and fp.pdq_dihedral[0] == fp.pdq
        assert hamming(fp.pdq, reference) <= 16, path.name
        assert fp.pdq_crops and all(len(h) == 64 for h in fp.pdq_crops)
        assert dict(fp.extra)["pdq_method"] == "fast"


def test_fast_path_agrees_with_the_common_path_on_a_12mp_jpeg(tmp_path: Path, media) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.jpg"
    path.write_bytes(media.jpeg_bytes(media.big_photo("rocket", (4000, 3000), seed=1), 90))
    img = read_luma(path)
    assert img.scale == 8 and img.full_size == (4000, 3000)
    assert img.luma.shape == (375, 500)
    fast = FastPdqHasher().hash_luma(img.luma, img.full_size)
    ref = ReferencePdqHasher().hash_rgb(rgb_of(path))
    assert ref.quality >= 80
    assert hamming(fast.hex, ref.hex) <= 10
    assert max(hamming(a, b) for a, b in zip(fast.dihedral, ref.dihedral, strict=True)) <= 10
    exact = fingerprint_file(path, Options(exact=True, crops=False))
    assert exact.pdq == ref.hex


def test_digests_are_of_the_bytes(media_dir: Path) -> None:
    import hashlib

    path = media_dir / "photo.jpg"
    data = path.read_bytes()
    fp = fingerprint_file(path)
    assert fp.sha256 == hashlib.sha256(data).hexdigest()
    assert fp.md5 == hashlib.md5(data).hexdigest()
    assert fp.size == len(data) == digest_file(path).size


def test_broken_file_names_the_file(media_dir: Path) -> None:
    with pytest.raises(UnsupportedMedia) as info:
        fingerprint_file(media_dir / "broken.jpg")
    assert "broken.jpg" in str(info.value)


def test_not_media_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, nothing to see")
    with pytest.raises(UnsupportedMedia) as info:
        fingerprint_file(path)
    assert "notes.txt" in str(info.value)


def test_flat_picture_keeps_digests_and_warns(media_dir: Path) -> None:
    fp = fingerprint_file(media_dir / "flat.png")
    assert fp.pdq is None and fp.pdq_dihedral == () and fp.pdq_crops == ()
    assert fp.quality < 50 and len(fp.sha256) == 64 and len(fp.md5) == 32
    assert fp.warnings and "quality" in fp.warnings[0]
    kept = fingerprint_file(media_dir / "flat.png", Options(keep_low_quality=True))
    assert kept.pdq is not None and len(kept.pdq) == 64 and kept.warnings
    data = fp.to_dict()
    assert data["pdq"] is None and data["warnings"]


def test_grey_and_palette_and_alpha_pictures(tmp_path: Path, media) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    rgb = media.photo("camera")
    base = ReferencePdqHasher().hash_rgb(rgb).hex
    Image.fromarray(rgb[..., 0]).save(tmp_path / "grey.png")
    Image.fromarray(rgb).convert("RGBA").save(tmp_path / "alpha.png")
    arr16 = rgb[..., 0].astype(np.uint16) * 257
    Image.fromarray(arr16).save(tmp_path / "deep.png")
    for name in ("grey.png", "alpha.png", "deep.png"):
        fp = fingerprint_file(tmp_path / name)
        assert fp.pdq is not None and hamming(fp.pdq, base) <= 4, name
