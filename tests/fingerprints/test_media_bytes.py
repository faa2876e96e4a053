"""Fingerprints of media held in memory (the local app) equal those of the same file on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.media import fingerprint_bytes, fingerprint_file


def test_bytes_and_file_give_the_same_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "coffee.jpg"
    Image.fromarray(np.asarray(data.coffee())).save(path, quality=90)
    on_disk = fingerprint_file(path)
    in_memory = fingerprint_bytes(path.read_bytes(), "coffee.jpg")
    assert in_memory.pdq == on_disk.pdq and in_memory.pdq is not None
    assert in_memory.sha256 == on_disk.sha256
    assert in_memory.md5 == on_disk.md5
    assert in_memory.pdq_dihedral == on_disk.pdq_dihedral
    assert in_memory.path.endswith("coffee.jpg")


def test_garbage_in_memory_names_the_file() -> None:
    with pytest.raises(UnsupportedMedia, match=r"notes\.jpg"):
        fingerprint_bytes(b"this is not a picture at all" * 10, "notes.jpg")
    with pytest.raises(UnsupportedMedia, match="empty"):
        fingerprint_bytes(b"", "empty.png")
