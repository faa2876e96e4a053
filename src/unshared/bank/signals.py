"""Checking what comes in: hashes only, well formed, never media.

Pure functions with no I/O; the service calls them at the boundary and turns :class:`BankError`
into a 400/415 answer.
"""

from __future__ import annotations

import re
from typing import Any

from unshared.bank.store import NewEntry, NewSignal, SignalType
from unshared.errors import BankError

__all__ = ["MEDIA_MAGIC", "entry_from_fingerprint", "looks_like_media", "normalise"]

_HEX_LENGTH: dict[str, int] = {"pdq": 64, "vpdq": 64, "md5": 32, "sha256": 64}
_HEX = re.compile(r"[0-9a-f]+")

# Leading bytes of the image and video formats people share. A body starting with one of these is
# media, not a fingerprint, and is refused before it is parsed or stored.
MEDIA_MAGIC: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"RIFF",  # WebP, AVI
    b"BM",  # BMP
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"\x1aE\xdf\xa3",  # Matroska / WebM
    b"\x00\x00\x01\xba",  # MPEG-PS
    b"OggS",
)


def looks_like_media(body: bytes) -> bool:
    """True when ``body`` starts like an image or video file (incl. ISO BMFF: MP4, MOV, HEIC)."""
    head = body[:16]
    if any(head.startswith(magic) for magic in MEDIA_MAGIC):
        return True
    return len(head) >= 12 and head[4:8] == b"ftyp"


def normalise(signal_type: str, value: str) -> str:
    """Lower-case hex of the right length for ``signal_type``, or :class:`BankError`."""
    expected = _HEX_LENGTH.get(signal_type)
    if expected is None:
        raise BankError(f"unknown signal type {signal_type!r}; use pdq, vpdq, md5 or sha256")
    clean = value.strip().lower()
    if len(clean) != expected or not _HEX.fullmatch(clean):
        raise BankError(f"a {signal_type} signal is {expected} hex digits", where=signal_type)
    return clean


def entry_from_fingerprint(fp: dict[str, Any], where: str) -> NewEntry:
    """One bank entry from one fingerprint (the shape of ``Fingerprint.to_dict()``).

    Only hashes are kept: file names, paths and sizes never leave the case.
    """
    signals: list[NewSignal] = []

    def add(kind: SignalType, value: Any, variant: int = 0) -> None:
        if value is None or value == "":
            return
        if not isinstance(value, str):
            raise BankError(f"{kind} must be a hex string", where=where)
        try:
            clean = normalise(kind, value)
        except BankError as exc:
            raise BankError(exc.message, where=where) from None
        signals.append(NewSignal(kind, clean, variant))

    add("sha256", fp.get("sha256"))
    add("md5", fp.get("md5"))
    pdq = fp.get("pdq")
    add("pdq", pdq)
    dihedral = fp.get("pdq_dihedral") or []
    if not isinstance(dihedral, list) or len(dihedral) > 8:
        raise BankError("pdq_dihedral is a list of at most 8 hashes", where=where)
    seen = {pdq.lower()} if isinstance(pdq, str) else set()
    for number, value in enumerate(dihedral, start=1):
        if isinstance(value, str) and value.lower() in seen:
            continue
        add("pdq", value, number)
        if isinstance(value, str):
            seen.add(value.lower())
    frames = fp.get("vpdq") or []
    if not isinstance(frames, list) or len(frames) > 100_000:
        raise BankError("vpdq is a list of at most 100000 frames", where=where)
    for position, frame in enumerate(frames):
        if not isinstance(frame, dict):
            raise BankError("each vpdq frame is an object with frame and pdq", where=where)
        number = frame.get("frame", position)
        if not isinstance(number, int) or number < 0:
            raise BankError("a vpdq frame number is a whole number", where=where)
        add("vpdq", frame.get("pdq"), number)
    if not signals:
        raise BankError("this fingerprint has no hash the bank can use", where=where)
    video = bool(frames) or fp.get("kind") == "video"
    return NewEntry("video" if video else "image", tuple(signals))
