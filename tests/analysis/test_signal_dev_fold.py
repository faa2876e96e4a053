"""The dev fold written as a blind TSV: the lines two model pairs are compared on."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.evaluation.dev_fold import dev_fold_tsv

from unshared.analysis.signal_encoder import DEV_FOLD
from unshared.analysis.signal_training import _fold


def _corpus(root: Path) -> Path:
    (root / "corpus").mkdir(parents=True)
    lines = []
    for n in range(60):
        url = f"https://example.org/page/{n}"
        stages = ["threat", "payment_demand"] if n % 2 else []
        text = f"line {n}: pay me or everyone sees it" if n % 2 else f"line {n}: see you at six"
        lines.append(
            {
                "id": f"x-{n}",
                "lang": "en",
                "source": "offender" if n % 2 else "benign",
                "is_benign": not stages,
                "stages": stages,
                "kind": "test",
                "text": text,
                "source_url": url,
                "source_date": "2026-12-07",
            }
        )
    (root / "corpus" / "public_quotes.jsonl").write_text(
        "\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    # train-only everyday lines never count in the dev figures
    (root / "corpus" / "ordinary_sms.jsonl").write_text(
        json.dumps({"id": "s-1", "lang": "en", "is_benign": True, "stages": [], "text": "ok"})
        + "\n",
        encoding="utf-8",
    )
    return root


def test_it_holds_exactly_the_dev_fold_and_reads_back_as_a_blind_set(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "signals")
    lines = dev_fold_tsv(corpus)
    assert lines[0] == "labels\ttext\tsource_url\tsource_date\tlang"
    expected = {n for n in range(60) if _fold(f"https://example.org/page/{n}") == DEV_FOLD}
    assert 0 < len(expected) < 60  # the fixture spreads over the folds
    got = {int(line.split("\t")[1].split(":")[0].split()[1]) for line in lines[1:]}
    assert got == expected
    for line in lines[1:]:
        labels, text, url, _date, lang = line.split("\t")
        n = int(text.split(":")[0].split()[1])
        # labels as blind sets spell them: demand for payment_demand, benign for none
        assert labels == ("demand,threat" if n % 2 else "benign")
        assert url == f"https://example.org/page/{n}" and lang == "en"
