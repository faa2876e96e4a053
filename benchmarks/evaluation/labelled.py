"""Precision and recall of :func:`extract_identifiers` against a labelled set (JSONL).

Each line: ``{"text": ..., "expected": [{"kind", "value", "valid"}, ...]}``. A finding counts as
right when kind and normalised value match an expected one on the same line (as a multiset).
Validity agreement is counted separately over the right findings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unshared.model import Identifier

__all__ = ["Counts", "KindScore", "Score", "load_labelled", "score"]


@dataclass
class Counts:
    """True positives, false positives and false negatives, with precision and recall."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class KindScore(Counts):
    validity_right: int = 0

    @property
    def validity(self) -> float:
        return self.validity_right / self.tp if self.tp else 1.0


@dataclass
class Score:
    lines: int = 0
    kinds: dict[str, KindScore] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def kind(self, name: str) -> KindScore:
        return self.kinds.setdefault(name, KindScore())

    def total(self) -> KindScore:
        out = KindScore()
        for k in self.kinds.values():
            out.tp += k.tp
            out.fp += k.fp
            out.fn += k.fn
            out.validity_right += k.validity_right
        return out

    def markdown(self) -> str:
        rows = [
            "| kind | expected | found | precision | recall | validity agrees |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in sorted(self.kinds):
            k = self.kinds[name]
            rows.append(
                f"| {name} | {k.tp + k.fn} | {k.tp + k.fp} | {k.precision:.3f} | "
                f"{k.recall:.3f} | {k.validity:.3f} |"
            )
        t = self.total()
        rows.append(
            f"| **all** | {t.tp + t.fn} | {t.tp + t.fp} | {t.precision:.3f} | {t.recall:.3f} | "
            f"{t.validity:.3f} |"
        )
        return "\n".join(rows)


def load_labelled(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def score(rows: Iterable[dict[str, Any]], extract: Callable[[str], list[Identifier]]) -> Score:
    result = Score()
    for number, row in enumerate(rows, 1):
        result.lines += 1
        expected = Counter((e["kind"], e["value"]) for e in row["expected"])
        validity = {(e["kind"], e["value"]): e["valid"] for e in row["expected"]}
        found = extract(row["text"])
        got = Counter((i.kind, i.value) for i in found)
        got_validity = {(i.kind, i.value): i.validity for i in found}
        for key in expected | got:
            k = result.kind(key[0])
            hit = min(expected[key], got[key])
            k.tp += hit
            k.fp += got[key] - hit
            k.fn += expected[key] - hit
            if hit and got_validity.get(key) == validity.get(key):
                k.validity_right += hit
            if got[key] != expected[key] or (hit and got_validity.get(key) != validity.get(key)):
                result.errors.append(
                    {
                        "line": number,
                        "text": row["text"],
                        "key": key,
                        "expected": expected[key],
                        "found": got[key],
                        "validity": (validity.get(key), got_validity.get(key)),
                    }
                )
    return result
