"""The second batch of lines quoted from public sources (corpus/public_*2.jsonl) and the second
and third blind sets (blind_2026_12b, blind_2026_12c), all folded into training.

These tests hold the promises the files make: every quoted line is labelled with known stages
and says where it was quoted from; no line is an exact or near copy of another line the scorer
learns from (a copy would sit on both sides of a fold and flatter the dev figures); training
reads them all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.evaluation.signals import copies

from unshared.analysis.signal_rules import KEY_STAGES, STAGES
from unshared.analysis.signal_training import load_corpus

QUOTED = ("public_quotes2", "public_benign2")
LANGS = {"en", "fr", "es", "de"}


def _rows(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = data_dir / "signals" / "corpus" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def quoted(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: _rows(data_dir, name) for name in QUOTED}


def test_every_line_is_labelled_and_says_where_it_was_quoted_from(
    quoted: dict[str, list[dict[str, Any]]],
) -> None:
    ids: list[str] = []
    for name, rows in quoted.items():
        assert len(rows) >= 150, name
        for r in rows:
            ids.append(r["id"])
            assert r["text"].strip() == r["text"] and r["text"], r
            assert set(r["stages"]) <= set(STAGES), r
            assert r["lang"] in LANGS, r
            assert r["source_url"].startswith(("https://", "http://")), r
            assert r["source_date"].strip(), r
            if name == "public_benign2":
                assert r["is_benign"] is True and r["source"] in ("benign", "victim"), r
                assert not r["stages"], r
            else:
                assert r["is_benign"] is False and r["source"] == "offender", r
    assert len(ids) == len(set(ids))
    quotes = quoted["public_quotes2"]
    for stage in KEY_STAGES:
        assert sum(stage in r["stages"] for r in quotes) >= 10, stage


def test_no_line_copies_one_already_learnt_or_another_quoted_line(
    data_dir: Path, quoted: dict[str, list[dict[str, Any]]]
) -> None:
    new = [r["text"] for rows in quoted.values() for r in rows]
    known = [row.text for row in load_corpus(data_dir / "signals") if row.text not in set(new)]
    assert copies(known, new) == []


def test_training_reads_the_quoted_lines_and_the_folded_blind_sets(
    data_dir: Path, quoted: dict[str, list[dict[str, Any]]]
) -> None:
    rows = load_corpus(data_dir / "signals")
    learnt = {row.text for row in rows}
    assert {r["text"] for rows in quoted.values() for r in rows} <= learnt
    for origin in ("blind_2026_12b", "blind_2026_12c"):
        blind = [r for r in rows if r.origin == origin]
        assert len(blind) >= 600, origin
        assert sum(not r.is_benign for r in blind) >= 250, origin
