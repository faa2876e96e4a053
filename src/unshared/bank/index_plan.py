"""The probe plan of the PDQ index (:mod:`unshared.bank.index`): constants, per-table radii
from the pigeonhole principle, directory size, and the XOR masks each look-up probes. Pure."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from math import comb

import numpy as np
import numpy.typing as npt

__all__ = [
    "HASH_BYTES",
    "IndexStats",
    "bytes_to_pdq",
    "dir_bits",
    "hamming",
    "pdq_to_bytes",
    "plan",
    "probe_count",
    "radii",
    "table_radii",
]

HASH_BYTES = 32
TABLES = 11
#: Bits of each chunk (256 in all). At ``d = 31`` 11 chunks are searched at radius 2 in 10 tables
#: and 1 in one (2,794 probes at 23 directory bits), where 8 chunks of 32 bits need radius 3 in
#: every table (16,384 probes) and 10 chunks need it in two (6,312): measured at 10M, 0.45 ms of
#: CPU a query against 0.75 (10 tables) and 1.3 (8 tables).
WIDTHS = (23, 24, 24, 24, 23, 23, 23, 23, 23, 23, 23)
#: Where each chunk starts, in bits from the low end of the hash's little-endian 64-bit words.
STARTS = tuple(sum(WIDTHS[:t]) for t in range(TABLES))
MAX_DIR_BITS = min(WIDTHS)  # a key is at most a whole chunk
BLOCK_SHIFT = 4  # one uint32 base per 16 buckets
MAX_FILTER_BITS = 8  # chunk bits past the key kept in each entry, to filter before the check
MAX_SEGMENT = 2**28  # rows in one segment: an entry (row and filter bits) fits in 36 bits

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

_EMPTY_IDS: I64 = np.empty(0, dtype=np.int64)


def pdq_to_bytes(hex_hashes: Sequence[str]) -> U8:
    """Hex PDQ strings (64 hex digits each) as an ``(n, 32) uint8`` array."""
    joined = "".join(hex_hashes)
    if len(joined) != 64 * len(hex_hashes):
        raise ValueError("a PDQ hash is 64 hex digits")
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(len(hex_hashes), 32)


def bytes_to_pdq(code: U8) -> str:
    return bytes(code.tobytes()).hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def radii(threshold: int, tables: int = TABLES) -> list[int]:
    """Per-table search radius so that ``sum(r + 1) == threshold + 1`` (``-1``: table skipped)."""
    base, extra = divmod(threshold + 1, tables)
    return [base + (1 if t < extra else 0) - 1 for t in range(tables)]


def table_radii(threshold: int) -> list[int]:
    """:func:`radii` for this index's tables, the smallest radius for table 0."""
    r = radii(threshold)
    return [r[-1], *r[:-1]]


def dir_bits(n: int) -> int:
    """Directory bits for ``n`` rows: buckets of one to two rows, between 4 and 23 bits.

    A look-up's time is mostly random reads, one or two per probed bucket plus one per entry
    that passes the filter; small buckets trade directory bytes (at most about 15 a hash, 1.1
    at 100M) for fewer entries read. (Measured at 10M with 8 tables of 32 bits: 22 bits 1.76 ms
    of CPU a query, 23 bits 1.26 ms.)"""
    return max(4, min(MAX_DIR_BITS, int(n).bit_length() - 1))


_MASKS: dict[tuple[int, int], I64] = {}


def _masks(bits: int, radius: int) -> I64:
    """Every ``bits``-bit value with at most ``radius`` bits set."""
    key = (bits, radius)
    if key not in _MASKS:
        values = [0]
        for k in range(1, min(radius, bits) + 1):
            for combo in itertools.combinations(range(bits), k):
                values.append(sum(1 << b for b in combo))
        _MASKS[key] = np.array(values, dtype=np.int64)
    return _MASKS[key]


@dataclass(frozen=True)
class _Plan:
    tids: I64  # (table, mask, slack) for every probe, grouped by table
    masks: I64  # the probed keys, as XOR masks of the query's key
    slack: I64  # how many of the chunk's bits past the key may still differ: radius - popcount


_PLANS: dict[tuple[int, int], _Plan] = {}


def plan(threshold: int, bits: int) -> _Plan:
    """The buckets to probe for one threshold and directory size; cached."""
    key = (threshold, bits)
    if key not in _PLANS:
        tids, masks, slack = [], [], []
        for t, r in enumerate(table_radii(threshold)):
            if r < 0:
                continue
            m = _masks(bits, r)
            tids.append(np.full(len(m), t, dtype=np.int64))
            masks.append(m)
            slack.append(r - np.bitwise_count(m).astype(np.int64))
        _PLANS[key] = _Plan(_cat(tids), _cat(masks), _cat(slack))
    return _PLANS[key]


def _cat(parts: list[I64]) -> I64:
    return np.concatenate(parts) if parts else _EMPTY_IDS


@functools.cache
def probe_count(threshold: int, bits: int) -> int:
    """How many buckets a look-up would probe (without building the masks)."""
    return sum(
        sum(comb(bits, k) for k in range(min(r, bits) + 1))
        for r in table_radii(threshold)
        if r >= 0
    )


@dataclass(frozen=True)
class IndexStats:
    rows: int
    main_rows: int
    delta_rows: int
    removed: int
    tables: int
    memory_bytes: int
    raw_bytes: int
    dir_bits: int = 0
    recent_rows: int = 0

    @property
    def memory_ratio(self) -> float:
        return self.memory_bytes / self.raw_bytes if self.raw_bytes else 0.0
