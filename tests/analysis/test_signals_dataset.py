"""The labelled set in tests/data/signals: its shape, and the accuracy targets of issue 5.

Targets on threat, payment_demand, deadline and escalation: recall >= 0.9 and at most 5% of
benign look-alikes flagged with one of those stages. The English set has five splits, written
in this order: dev (rules were written against it), heldout, blind, blind2, blind3 (each written
before the rules were run on it; blind3 by a separate author who never saw the rules). docs/signals.md reports the first-look figures of each split too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.evaluation.signals import evaluate

from unshared.analysis.signals import KEY_STAGES, STAGES

SPLITS = ("en_dev", "en_heldout", "en_blind", "en_blind2", "en_blind3")
STARTER = ("de", "es", "fr")


def _load(data_dir: Path, name: str) -> list[dict[str, Any]]:
    path = data_dir / "signals" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_set_is_large_and_well_formed(data_dir: Path) -> None:
    rows = [r for name in SPLITS + STARTER for r in _load(data_dir, name)]
    english = [r for r in rows if r["lang"] == "en"]
    assert len(english) >= 400
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert r["text"].strip()
        assert set(r["stages"]) <= set(STAGES), r
        assert isinstance(r["is_benign"], bool)
        assert r["source"] in ("offender", "victim", "benign")
        if r["is_benign"]:
            # Benign look-alikes never carry a key stage; an app move or photo ask may be literal.
            assert not set(r["stages"]) & set(KEY_STAGES), r
    benign = [r for r in english if r["is_benign"]]
    offender = [r for r in english if r["source"] == "offender"]
    assert len(benign) >= 150 and len(offender) >= 250


@pytest.mark.parametrize("split", SPLITS)
def test_targets_per_english_split(data_dir: Path, split: str) -> None:
    ev = evaluate(_load(data_dir, split))
    for stage in KEY_STAGES:
        score = ev.stages[stage]
        assert score.support > 0
        assert score.recall >= 0.9, f"{split} {stage}: {score.recall:.2f}\n{ev.table()}"
    assert ev.benign_flag_rate <= 0.05, ev.table()


def test_targets_on_all_english(data_dir: Path) -> None:
    ev = evaluate([r for split in SPLITS for r in _load(data_dir, split)])
    for stage in KEY_STAGES:
        assert ev.stages[stage].recall >= 0.9, ev.table()
        assert ev.stages[stage].precision >= 0.85, ev.table()
    assert ev.benign_flag_rate <= 0.05, ev.table()


@pytest.mark.parametrize("lang", STARTER)
def test_starter_languages(data_dir: Path, lang: str) -> None:
    rows = _load(data_dir, lang)
    assert {r["lang"] for r in rows} == {lang}
    ev = evaluate(rows)
    assert ev.benign_flagged == 0, ev.table()
    found = sum(ev.stages[s].tp for s in KEY_STAGES)
    expected = sum(ev.stages[s].support for s in KEY_STAGES)
    assert found / expected >= 0.85, ev.table()


@pytest.mark.parametrize(("split", "lang"), [("fr_blind", "fr"), ("es_blind", "es")])
def test_blind_batches_of_other_languages(data_dir: Path, split: str, lang: str) -> None:
    """fr_blind (France, Belgium, Quebec) and es_blind (US, Mexico, Spain) were written by
    someone who had not seen those rules; the rules were widened after a first look (figures
    in docs/signals.md)."""
    rows = _load(data_dir, split)
    assert {r["lang"] for r in rows} == {lang} and len(rows) >= 100
    ev = evaluate(rows)
    for stage in KEY_STAGES:
        assert ev.stages[stage].recall >= 0.9, ev.table()
    assert ev.benign_flag_rate <= 0.05, ev.table()
