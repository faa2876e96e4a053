"""Matching in memory: the bank's indexes, kept up to date from the changes feed, and look-ups.

:class:`Matcher` is what a bank server, a replica, or a backlog scan in a worker process holds:

* it starts from a **snapshot**, not by replaying the feed one change at a time: the index files
  it saved before (:meth:`Matcher.save`, read back in seconds), or else every active hash read
  from the database in one pass; either with the feed position it belongs to;
* it then **follows** the changes feed from that position (:meth:`Matcher.follow`);
* it answers **batches** of look-ups (:meth:`Matcher.lookup_many`): PDQ by Hamming distance in
  the in-memory index, MD5/SHA-256 exactly with one indexed query per batch, with the per-bank
  thresholds and the negative bank honoured.

Index ids carry the bank entry in their high bits (``entry << 4 | variant`` for PDQ,
``entry << 24 | frame`` for vPDQ), so a delete event needs nothing but the entry id, and a match
needs no database read to say which entry and which variant it is.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unshared.bank.index import PDQIndex, pdq_to_bytes
from unshared.bank.signals import normalise
from unshared.bank.store import BankStore, Change, SignalType
from unshared.errors import BankError

__all__ = ["PDQ_GROUP_BITS", "VPDQ_GROUP_BITS", "Matcher", "Query"]

PDQ_GROUP_BITS = 4  # variants 0..8 (the original and its dihedral copies)
VPDQ_GROUP_BITS = 24  # frame numbers up to 16.7M
_GROUP_BITS = {"pdq": PDQ_GROUP_BITS, "vpdq": VPDQ_GROUP_BITS}
_EXACT = ("md5", "sha256")
_SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class Query:
    """One look-up: a hash, and for PDQ the largest distance and whether rotations count."""

    signal_type: str
    signal: str
    threshold: int = 31
    dihedral: bool = True


class Matcher:
    """The in-memory indexes of one bank database, and batched look-ups against them."""

    def __init__(self, store: BankStore, *, workers: int = 1) -> None:
        self.store = store
        self.workers = workers
        self.pdq = PDQIndex(group_bits=PDQ_GROUP_BITS)
        self.vpdq = PDQIndex(group_bits=VPDQ_GROUP_BITS)
        self.benign_pdq = PDQIndex()
        self.benign_exact: set[tuple[str, str]] = set()
        self._benign_count = -1
        self.cursor = 0
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- upkeep
    def load(self, snapshot: Path | None = None) -> bool:
        """Load the indexes: from ``snapshot`` (a folder :meth:`save` wrote for this bank) when it
        has one, else from one read of every active hash in the database; either way the feed
        position they belong to becomes the cursor. Returns whether the saved snapshot was used."""
        if snapshot is not None and self._load_saved(snapshot):
            return True
        self._load_from_store()
        return False

    def _load_saved(self, folder: Path) -> bool:
        meta_path = folder / _SNAPSHOT / "meta.json"
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            return False
        if meta.get("format") != 2 or meta.get("bank_id") != self.store.bank_id():
            return False
        if int(meta["cursor"]) > self.store.last_seq():
            return False  # not this database's history
        with self._lock:
            self.pdq = PDQIndex.load(folder / _SNAPSHOT / "pdq.npz")
            self.vpdq = PDQIndex.load(folder / _SNAPSHOT / "vpdq.npz")
            self.cursor = int(meta["cursor"])
            self._refresh_benign()
        return True

    def save(self, folder: Path) -> None:
        """Write the indexes and their feed position under ``folder`` (replacing the last)."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=folder))
        with self._lock:
            self.pdq.save(tmp / "pdq.npz")
            self.vpdq.save(tmp / "vpdq.npz")
            meta = {"format": 2, "bank_id": self.store.bank_id(), "cursor": self.cursor}
        (tmp / "meta.json").write_text(json.dumps(meta))
        old = folder / (_SNAPSHOT + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if (folder / _SNAPSHOT).exists():
            (folder / _SNAPSHOT).rename(old)
        tmp.rename(folder / _SNAPSHOT)
        shutil.rmtree(old, ignore_errors=True)

    def _load_from_store(self) -> None:
        with self._lock:
            parts: dict[str, tuple[list[Any], list[Any]]] = {"pdq": ([], []), "vpdq": ([], [])}

            def take(signal_type: str, rows: list[tuple[int, int, str]]) -> None:
                ids, codes = parts[signal_type]
                entry = np.fromiter((r[0] for r in rows), np.int64, len(rows))
                variant = np.fromiter((r[1] for r in rows), np.int64, len(rows))
                ids.append((entry << _GROUP_BITS[signal_type]) | variant)
                codes.append(pdq_to_bytes([r[2] for r in rows]))

            cursor = self.store.snapshot(("pdq", "vpdq"), take)
            for signal_type, index in (("pdq", self.pdq), ("vpdq", self.vpdq)):
                ids, codes = parts[signal_type]
                if ids:
                    all_ids, all_codes = np.concatenate(ids), np.concatenate(codes)
                    ids.clear()  # the index keeps all_codes itself: no other copy while it builds
                    codes.clear()
                    index.build(all_ids, all_codes)
            self.cursor = cursor
            self._refresh_benign()

    def follow(self, batch: int = 5000) -> int:
        """Apply every change after the cursor; returns how many were applied."""
        with self._lock:
            applied = 0
            while True:
                changes = self.store.changes(self.cursor, batch)
                if not changes:
                    break
                self._apply(changes)
                self.cursor = changes[-1].seq
                applied += len(changes)
            self._refresh_benign()
            return applied

    def _apply(self, changes: list[Change]) -> None:
        """Deletes first, then adds: in one consistent read of the feed an entry has an add event
        only if it is active now (the store compacts the adds of anything taken out)."""
        gone = [c.entry_id for c in changes if c.op == "delete"]
        self.pdq.remove(gone)
        self.vpdq.remove(gone)
        for signal_type, index in (("pdq", self.pdq), ("vpdq", self.vpdq)):
            rows = [
                (c.entry_id, s.variant, s.value)
                for c in changes
                if c.op == "add"
                for s in c.signals
                if s.signal_type == signal_type
            ]
            if rows:
                bits = _GROUP_BITS[signal_type]
                index.add([(e << bits) | v for e, v, _ in rows], pdq_to_bytes([r[2] for r in rows]))

    def _refresh_benign(self) -> None:
        count = self.store.counts()["benign"]
        if count == self._benign_count:
            return
        rows = self.store.benign("pdq")
        index = PDQIndex()
        if rows:
            index.build([i for i, _ in rows], pdq_to_bytes([v for _, v in rows]))
        exact = {(t, v) for t in _EXACT for _, v in self.store.benign(t)}  # type: ignore[arg-type]
        self.benign_pdq, self.benign_exact, self._benign_count = index, exact, count

    # ----------------------------------------------------------------- look-ups
    def lookup_many(self, queries: Sequence[Query]) -> list[dict[str, Any]]:
        """One answer per query, in order: ``{signal_type, signal, benign, matches}``.

        Matches are ``{entry_id, bank, signal_type, distance, variant}``, nearest first, one per
        bank entry; PDQ distances are capped by each bank's own threshold."""
        values = [self._check(q) for q in queries]
        # For each query: (entry, distance, variant) of every hit.
        found: list[list[tuple[int, int, int]]] = [[] for _ in queries]
        benign = [False] * len(queries)
        by_type: dict[str, list[int]] = defaultdict(list)
        for i, q in enumerate(queries):
            by_type[q.signal_type].append(i)
        for signal_type in _EXACT:
            wanted = []
            for i in by_type[signal_type]:
                if (signal_type, values[i]) in self.benign_exact:
                    benign[i] = True
                else:
                    wanted.append(i)
            st: SignalType = signal_type  # type: ignore[assignment]
            rows = self.store.find_exact(st, sorted({values[i] for i in wanted})) if wanted else []
            entries_by_value: dict[str, list[int]] = defaultdict(list)
            for row in rows:
                entries_by_value[row.value].append(row.entry_id)
            for i in wanted:
                found[i] = [(e, 0, 0) for e in entries_by_value.get(values[i], [])]
        pdq = by_type["pdq"]
        if pdq:
            codes = pdq_to_bytes([values[i] for i in pdq])
            asked: dict[int, list[int]] = defaultdict(list)
            for k, i in enumerate(pdq):
                asked[queries[i].threshold].append(k)
            by_threshold: dict[int, list[int]] = defaultdict(list)
            for threshold, ks in asked.items():  # the negative bank, one batch per threshold
                known = (
                    self.benign_pdq.search_many(codes[ks], threshold)
                    if len(self.benign_pdq)
                    else [[]] * len(ks)
                )
                for k, near in zip(ks, known, strict=True):
                    if near:
                        benign[pdq[k]] = True
                    else:
                        by_threshold[threshold].append(k)
            for threshold, ks in by_threshold.items():
                hits = self.pdq.search_many(codes[ks], threshold, workers=self.workers)
                for k, pairs in zip(ks, hits, strict=True):
                    found[pdq[k]] = [
                        (g >> PDQ_GROUP_BITS, d, g & ((1 << PDQ_GROUP_BITS) - 1)) for g, d in pairs
                    ]
        return self._answers(queries, values, found, benign)

    def _check(self, q: Query) -> str:
        if q.signal_type not in ("pdq", *_EXACT):
            raise BankError("look up pdq, md5 or sha256 hashes here; vPDQ videos by their frames")
        if not 0 <= q.threshold <= 63:
            raise BankError("the threshold is between 0 and 63 bits")
        return normalise(q.signal_type, q.signal)

    def _answers(
        self,
        queries: Sequence[Query],
        values: list[str],
        found: list[list[tuple[int, int, int]]],
        benign: list[bool],
    ) -> list[dict[str, Any]]:
        entries = self.store.entries(sorted({e for hits in found for e, _, _ in hits}))
        limits = {
            b: self.store.bank_settings(b).pdq_threshold for b in {e.bank for e in entries.values()}
        }
        out = []
        for q, value, hits, is_benign in zip(queries, values, found, benign, strict=True):
            best: dict[int, dict[str, Any]] = {}
            for entry_id, distance, variant in hits:
                entry = entries.get(entry_id)
                if entry is None or entry.status != "active":
                    continue
                if q.signal_type == "pdq" and (
                    distance > limits[entry.bank] or (variant and not q.dihedral)
                ):
                    continue
                old = best.get(entry_id)
                if old is None or distance < old["distance"]:
                    best[entry_id] = {
                        "entry_id": entry_id,
                        "bank": entry.bank,
                        "signal_type": q.signal_type,
                        "distance": distance,
                        "variant": variant,
                    }
            matches = sorted(best.values(), key=lambda m: (m["distance"], m["entry_id"]))
            out.append(
                {
                    "signal_type": q.signal_type,
                    "signal": value,
                    "benign": is_benign,
                    "matches": matches,
                }
            )
        return out

    def lookup_vpdq(
        self, frames: Sequence[str], threshold: int = 31, min_percent: float = 80.0
    ) -> list[dict[str, Any]]:
        """Videos whose frames match: both percentages of vPDQ's comparison, per bank entry."""
        if not frames:
            raise BankError("no frames to look up")
        if not 0 <= threshold <= 63:
            raise BankError("the threshold is between 0 and 63 bits")
        if not 0.0 <= min_percent <= 100.0:  # also refuses NaN
            raise BankError("min_percent is between 0 and 100")
        codes = pdq_to_bytes([normalise("vpdq", f) for f in frames])
        query_hits: dict[int, set[int]] = defaultdict(set)
        entry_frames: dict[int, set[int]] = defaultdict(set)
        mask = (1 << VPDQ_GROUP_BITS) - 1
        for q, hits in enumerate(self.vpdq.search_many(codes, threshold, workers=self.workers)):
            for gid, _ in hits:
                query_hits[gid >> VPDQ_GROUP_BITS].add(q)
                entry_frames[gid >> VPDQ_GROUP_BITS].add(gid & mask)
        entries = self.store.entries(sorted(query_hits))
        totals = self.store.entry_frame_counts(sorted(query_hits))
        out = []
        for entry_id, qset in query_hits.items():
            entry = entries.get(entry_id)
            if entry is None or entry.status != "active":
                continue
            query_pct = 100.0 * len(qset) / len(codes)
            compared_pct = 100.0 * len(entry_frames[entry_id]) / max(1, totals.get(entry_id, 1))
            out.append(
                {
                    "entry_id": entry_id,
                    "bank": entry.bank,
                    "signal_type": "vpdq",
                    "query_match_percent": round(query_pct, 2),
                    "compared_match_percent": round(compared_pct, 2),
                    "match": query_pct >= min_percent and compared_pct >= min_percent,
                }
            )
        return sorted(out, key=lambda m: (-m["query_match_percent"], m["entry_id"]))
