"""Only well-formed hashes get in; media never does; names and paths are dropped."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from unshared.bank.client import fingerprint_payload
from unshared.bank.signals import entry_from_fingerprint, looks_like_media, normalise
from unshared.errors import BankError


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP"])
def test_real_image_bytes_look_like_media(fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    assert looks_like_media(buffer.getvalue())


def test_json_does_not_look_like_media() -> None:
    assert not looks_like_media(b'{"case_token": "x"}')
    assert looks_like_media(b"\x00\x00\x00\x20ftypisom\x00\x00")  # MP4


def test_normalise() -> None:
    assert (
        normalise("md5", " ABCDEF0123456789ABCDEF0123456789 ") == "abcdef0123456789abcdef0123456789"
    )
    with pytest.raises(BankError, match="64 hex digits"):
        normalise("pdq", "abc")
    with pytest.raises(BankError, match="unknown signal type"):
        normalise("photo", "abc")


def test_entry_keeps_hashes_only() -> None:
    fp = {
        "path": "/home/me/x.mp4",
        "kind": "video",
        "sha256": "A" * 64,
        "md5": "b" * 32,
        "pdq": None,
        "vpdq": [{"frame": 0, "pdq": "c" * 64, "quality": 90, "timestamp": 0.0}],
        "size": 1234,
    }
    entry = entry_from_fingerprint(fp, "fingerprints[0]")
    assert entry.kind == "video"
    assert {(s.signal_type, s.value) for s in entry.signals} == {
        ("sha256", "a" * 64),
        ("md5", "b" * 32),
        ("vpdq", "c" * 64),
    }
    sent = fingerprint_payload(fp)
    assert "path" not in sent and "size" not in sent
    assert sent["vpdq"] == [{"frame": 0, "pdq": "c" * 64}]


def test_empty_or_broken_fingerprints_are_refused() -> None:
    with pytest.raises(BankError, match="no hash"):
        entry_from_fingerprint({"path": "x"}, "fingerprints[3]")
    with pytest.raises(BankError, match=r"fingerprints\[1\]"):
        entry_from_fingerprint({"md5": "zz"}, "fingerprints[1]")
