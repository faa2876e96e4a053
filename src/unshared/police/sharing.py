"""Sharing between forces without sharing victims' data. Pure: no I/O.

An export holds keyed hashes (HMAC-SHA256 with a key the forces agree on) of offender identifiers
and the PDQ hashes of pictures offenders sent, nothing else: no case keys, no messages, no
counts per case. A force holding the same key can find which of *its* identifiers the other force
has also seen, and which of its offender pictures are within the PDQ threshold of one of theirs;
without the key the identifiers cannot be tested, and the export says nothing of victims.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

from unshared.errors import UnsharedError

__all__ = [
    "SHARE_FORMAT",
    "Overlap",
    "SharedSet",
    "keyed",
    "key_id",
    "make_export",
    "read_export",
    "match",
]

SHARE_FORMAT = "unshared-force-share"
MIN_KEY_BYTES = 16


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise UnsharedError(f"the shared key is too short: use at least {MIN_KEY_BYTES} bytes")


def key_id(key: bytes) -> str:
    """A public name for the key (so two forces can see they hold the same one)."""
    _check_key(key)
    return hashlib.sha256(b"unshared force key id\0" + key).hexdigest()[:16]


def keyed(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


@dataclass
class SharedSet:
    key_id: str
    identifiers: set[str]
    pdq: list[str]


def make_export(key: bytes, identifiers: Iterable[tuple[str, str]], pdqs: Iterable[str]) -> str:
    """The export file's text: a header line, then one line per keyed identifier and per PDQ,
    sorted (so it says nothing of the order cases came in)."""
    header = {"format": SHARE_FORMAT, "version": 1, "key_id": key_id(key)}
    lines = [json.dumps(header, sort_keys=True)]
    lines += sorted(json.dumps({"id": keyed(key, k, v)}) for k, v in set(identifiers))
    lines += sorted(json.dumps({"pdq": p}) for p in set(pdqs))
    return "\n".join(lines) + "\n"


def read_export(text: str, *, name: str = "export") -> SharedSet:
    lines = text.splitlines()
    try:
        header = json.loads(lines[0]) if lines else {}
    except ValueError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != SHARE_FORMAT:
        raise UnsharedError("not a force share export", path=name, where="line 1")
    ids: set[str] = set()
    pdqs: list[str] = []
    for number, line in enumerate(lines[1:], 2):
        try:
            row = json.loads(line)
        except ValueError:
            raise UnsharedError("not a JSON line", path=name, where=f"line {number}") from None
        value = row.get("id") or row.get("pdq") if isinstance(row, dict) else None
        if not isinstance(value, str) or len(value) != 64 or set(value) - set("0123456789abcdef"):
            raise UnsharedError("not a 64-hex-digit hash", path=name, where=f"line {number}")
        (ids.add if "id" in row else pdqs.append)(value)
    return SharedSet(str(header.get("key_id")), ids, pdqs)


@dataclass(frozen=True)
class Overlap:
    kind: str
    value: str
    """Our own identifier, or our PDQ hash."""
    distance: int | None = None


def match(
    key: bytes,
    theirs: SharedSet,
    identifiers: Iterable[tuple[str, str]],
    pdqs: Iterable[str],
    *,
    threshold: int = 31,
) -> list[Overlap]:
    """Our identifiers and pictures the other force has also seen."""
    if theirs.key_id != key_id(key):
        raise UnsharedError(
            "the export was made with another key: agree on one key and export again"
        )
    found = [
        Overlap(k, v) for k, v in sorted(set(identifiers)) if keyed(key, k, v) in theirs.identifiers
    ]
    ours = sorted(set(pdqs))
    if ours and theirs.pdq:
        import numpy as np

        def words(hashes: list[str]) -> np.ndarray:
            return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=">u8").reshape(-1, 4)

        their_words = words(theirs.pdq)
        for start in range(0, len(ours), 64):
            block = ours[start : start + 64]
            # (block, theirs) distances, 16 of ours at a time (cache-sized) against all of theirs.
            diff = words(block)[:, None, :] ^ their_words[None, :, :]
            best = np.bitwise_count(diff).sum(axis=2, dtype=np.int64).min(axis=1)
            for pdq, distance in zip(block, best.tolist(), strict=True):
                if distance <= threshold:
                    found.append(Overlap("pdq", pdq, int(distance)))
    return found
