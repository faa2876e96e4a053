"""Translations (corpus/translated_*.jsonl: quoted offenders' words and look-alikes;
corpus/ordinary_sms_*.jsonl: ordinary text messages) in French, German, Spanish, Italian,
Portuguese and Dutch.

They keep every promise of the line they translate: its labels, its source page and date, its
kind; they are never the English text again; they land in the same fold as their original (the
fold group is the source page), so no fold scores a line whose translation it learnt; and they
do not count in the dev figures the threshold is chosen on (those stay on lines as found).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unshared.analysis.signal_corpus import TRAIN_ONLY, load_corpus
from unshared.analysis.signal_training import _fold

LANGS = {"fr", "de", "es", "it", "pt", "nl"}
COPIED = ("stages", "is_benign", "source", "source_url", "source_date")


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def originals(data_dir: Path) -> dict[str, dict[str, Any]]:
    corpus = data_dir / "signals" / "corpus"
    paths = [*sorted(corpus.glob("public_*.jsonl")), corpus / "ordinary_sms.jsonl"]
    return {r["id"]: r for p in paths for r in _read(p)}


@pytest.fixture(scope="module")
def translated(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    corpus = data_dir / "signals" / "corpus"
    out: dict[str, list[dict[str, Any]]] = {}
    for lang in sorted(LANGS):
        out[lang] = _read(corpus / f"translated_{lang}.jsonl")
        out[lang] += _read(corpus / f"ordinary_sms_{lang}.jsonl")
    return out


def test_each_language_file_translates_offenders_and_look_alikes(
    translated: dict[str, list[dict[str, Any]]],
) -> None:
    for lang, rows in translated.items():
        assert sum(bool(r["stages"]) for r in rows) >= 250, lang
        assert sum(r["is_benign"] and r["id"].startswith(f"tr-{lang}-pb") for r in rows) >= 250
        assert sum(r["id"].startswith(f"tr-{lang}-sms") for r in rows) >= 100, lang
        assert {r["lang"] for r in rows} == {lang}


def test_a_translation_keeps_its_originals_labels_source_and_kind(
    translated: dict[str, list[dict[str, Any]]], originals: dict[str, dict[str, Any]]
) -> None:
    ids: list[str] = []
    for lang, rows in translated.items():
        for r in rows:
            ids.append(r["id"])
            orig = originals[r["translated_from"]]
            assert orig["lang"] == "en", r
            assert r["id"] == f"tr-{lang}-{orig['id']}", r
            assert {k: r[k] for k in COPIED} == {k: orig.get(k) for k in COPIED}, r
            assert r["text"].strip() == r["text"] and r["text"], r
            assert "\t" not in r["text"] and "\n" not in r["text"], r
            assert orig["id"] in r["kind"], r
    assert len(ids) == len(set(ids))
    # Only a handful of very short lines ("ok", a name) may read the same in both languages.
    same = [
        r["id"]
        for rows in translated.values()
        for r in rows
        if r["text"].casefold() == originals[r["translated_from"]]["text"].casefold()
    ]
    assert len(same) <= sum(map(len, translated.values())) // 100, same


def test_a_translation_is_learnt_in_the_same_fold_as_its_original(
    data_dir: Path, translated: dict[str, list[dict[str, Any]]]
) -> None:
    rows = load_corpus(data_dir / "signals")
    fold_of = {(r.origin, r.text): _fold(r.group) for r in rows if not r.context}
    found_at: dict[str | None, tuple[str, Any]] = {}  # original id -> (file, text)
    for path in (data_dir / "signals" / "corpus").glob("*.jsonl"):
        if not path.stem.startswith(("translated_", "ordinary_sms_")):
            found_at.update({r.get("id"): (path.stem, r.get("text")) for r in _read(path)})
    checked = 0
    for lang, lines in translated.items():
        for r in lines:
            sms = r["id"].startswith(f"tr-{lang}-sms")
            stem = f"ordinary_sms_{lang}" if sms else f"translated_{lang}"
            assert fold_of[(stem, r["text"])] == fold_of[found_at[r["translated_from"]]], r
            checked += 1
    assert checked >= 6 * 700


def test_translations_train_but_the_dev_figures_stay_on_lines_as_found(data_dir: Path) -> None:
    rows = load_corpus(data_dir / "signals")
    for lang in LANGS:
        assert f"ordinary_sms_{lang}" in TRAIN_ONLY  # weighs as the SMS it translates
        assert f"translated_{lang}" not in TRAIN_ONLY  # weighs 1, grouped by its page
    translated = [r for r in rows if r.origin.startswith(("translated_", "ordinary_sms_"))]
    assert len(translated) >= 6 * 740
    assert not any(r.evaluate for r in translated)
    assert any(r.evaluate for r in rows if r.origin.startswith("public_"))


def test_reads_like_never_cites_a_translation(data_dir: Path) -> None:
    """A reason quotes a line with its source page; a translation's page has other words."""
    from unshared.analysis.signal_scorer import load_scorer

    shown = {e["text"] for e in load_scorer().examples}
    for lang in LANGS:
        path = data_dir / "signals" / "corpus" / f"translated_{lang}.jsonl"
        assert not shown & {r["text"] for r in _read(path)}, lang


def test_no_translation_copies_a_line_found_in_that_language_or_another_translation(
    data_dir: Path,
) -> None:
    """A mass e-mail translated back into Italian can be the Italian e-mail already quoted; it
    would then sit in two folds (two source pages). Such translations were left out."""
    from benchmarks.evaluation.signals import copies

    rows = load_corpus(data_dir / "signals")
    found = [r.text for r in rows if not r.origin.startswith(("translated_", "ordinary_sms_"))]
    new = [r.text for r in rows if r.origin.startswith("translated_") and not r.context]
    assert copies(found, new) == []
