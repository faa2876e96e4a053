"""Quoted lines waiting in tests/data/signals/incoming/ to be folded into training.

Training does not read incoming/ (the model owner folds the files in and retrains), but the
files already make the corpus's promises: each line is labelled with known stages, says where it
was quoted from and when, is benign exactly when it has no stage and its source is not an
offender, and copies no line the scorer learns from, no blind-set line and no other incoming line
(a copy would sit on both sides of a fold, or leak a blind line into training).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.evaluation.signals import copies

from unshared.analysis.signal_rules import STAGES
from unshared.analysis.signal_training import load_corpus

LANGS = {"en", "fr", "es", "de", "it", "pt"}
FIELDS = {
    "id",
    "lang",
    "source",
    "is_benign",
    "stages",
    "kind",
    "text",
    "source_url",
    "source_date",
}


def _incoming(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    folder = data_dir / "signals" / "incoming"
    return {
        path.name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(folder.glob("*.jsonl"))
    }


@pytest.fixture(scope="module")
def incoming(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    files = _incoming(data_dir)
    assert files, "no incoming files"
    return files


def test_every_incoming_line_is_labelled_and_says_where_it_was_quoted_from(
    incoming: dict[str, list[dict[str, Any]]],
) -> None:
    ids: list[str] = []
    for name, rows in incoming.items():
        assert rows, name
        for r in rows:
            ids.append(r["id"])
            assert set(r) >= FIELDS, (name, r)
            assert r["text"].strip() == r["text"] and r["text"], (name, r)
            assert set(r["stages"]) <= set(STAGES), (name, r)
            assert r["lang"] in LANGS, (name, r)
            assert r["source_url"].startswith(("https://", "http://")), (name, r)
            assert r["source_date"].strip() and r["kind"].strip(), (name, r)
            if r["is_benign"]:
                assert not r["stages"] and r["source"] in ("benign", "victim"), (name, r)
            else:
                assert r["source"] == "offender", (name, r)
    assert len(ids) == len(set(ids))


def test_no_incoming_line_copies_a_learnt_blind_or_other_incoming_line(
    data_dir: Path, incoming: dict[str, list[dict[str, Any]]]
) -> None:
    known = [row.text for row in load_corpus(data_dir / "signals")]
    assert copies(known, [r["text"] for rows in incoming.values() for r in rows]) == []


def test_training_does_not_read_the_incoming_lines(
    data_dir: Path, incoming: dict[str, list[dict[str, Any]]]
) -> None:
    learnt = {row.text for row in load_corpus(data_dir / "signals")}
    assert not {r["text"] for rows in incoming.values() for r in rows} & learnt
