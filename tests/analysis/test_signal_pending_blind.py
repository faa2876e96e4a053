"""Blind sets measured once and not yet folded in (tests/data/signals/pending): they read as
the corpus reads a blind set, and training has not seen them (else their figures would not be
first-look ones). Folding one in moves its folder up, and the encoder and scorer are retrained.
When none is waiting, only the labelling guide the next helper reads is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from unshared.analysis.signal_corpus import Row, _blind_sets, load_corpus
from unshared.analysis.signal_rules import KEY_STAGES

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"
PENDING = DATA / "pending"


def _sets() -> list[Path]:
    return sorted(p for p in PENDING.glob("blind_*") if p.is_dir())


def _rows(folder: Path) -> list[Row]:
    return [r for r in _blind_sets(PENDING) if r.origin == folder.name]


def test_the_labelling_guide_for_the_next_set_is_there() -> None:
    guide = (PENDING / "labels.md").read_text(encoding="utf-8")
    for label in ("threat", "demand", "deadline", "escalation", "benign"):
        assert f"`{label}`" in guide


@pytest.mark.parametrize("folder", _sets(), ids=lambda p: p.name)
def test_a_pending_set_has_offender_lines_and_look_alikes(folder: Path) -> None:
    # single lines (its .tsv files) and whole conversations (conversations.jsonl), read as the
    # corpus reads them once the set is folded in
    rows = _rows(folder)
    if (folder / "conversations.jsonl").exists():
        rows += [r for r in load_corpus(PENDING) if r.origin == f"{folder.name}/conversations"]
    assert any(r.stages & set(KEY_STAGES) for r in rows), folder.name
    assert any(r.is_benign or not r.stages for r in rows), folder.name
    # quoted lines name their page; lines a helper wrote are kept apart, in written.tsv
    written = f"{folder.name} written line "
    assert all(r.source.startswith(("http", written)) for r in _rows(folder)), folder.name
    assert {p.name for p in folder.glob("*.tsv")} <= {"public_quotes.tsv", "written.tsv"}
    if (folder / "public_quotes.tsv").exists():
        quoted = (folder / "public_quotes.tsv").read_text(encoding="utf-8").splitlines()[1:]
        assert all(line.split("\t")[2].startswith("http") for line in quoted), folder.name
    assert (folder / "README.md").is_file()


@pytest.mark.parametrize("folder", _sets(), ids=lambda p: p.name)
def test_a_pending_set_was_not_trained_on(folder: Path) -> None:
    trained = {" ".join(r.text.lower().split()) for r in load_corpus(DATA)}
    rows = _rows(folder)
    seen = [r.text for r in rows if " ".join(r.text.lower().split()) in trained]
    # A few short lines ("Hello!") may be in the corpus from elsewhere; the set as a whole is not.
    assert len(seen) <= 0.1 * len(rows), seen
    assert not (DATA / folder.name).exists(), "folded in already: remove it from pending/"
