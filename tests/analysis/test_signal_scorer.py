"""The learned signal scorer: reproducible weights, context, reasons, threshold, no sklearn at run time."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from unshared.analysis.signal_reader import SignalReader, read_signals
from unshared.analysis.signal_rules import KEY_STAGES
from unshared.analysis.signal_scorer import (
    RULE_FEATURES,
    ScorerModel,
    featurise,
    load_scorer,
    normalise,
)
from unshared.cli import app

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "src" / "unshared" / "analysis" / "data" / "signals" / "scorer.npz"


def _stages(signals: list) -> set[str]:  # type: ignore[type-arg]
    return {s.stage for s in signals}


def test_the_committed_model_was_trained_on_the_corpus_and_settings_in_the_repo() -> None:
    """The model records the corpus it was fitted on; a changed corpus or setting means retrain.

    The full byte-for-byte retrain (`tools/train_signals.py --check`, about 10 minutes) runs in
    `.ci/run` before the tests; this catches a forgotten retrain in a second."""
    from unshared.analysis import signal_training as t
    from unshared.analysis.signal_corpus import corpus_hash

    with MODEL.open("rb") as fh:
        meta = ScorerModel.read(fh).meta
    hint = "run: PYTHONPATH=src python tools/train_signals.py"
    assert meta["corpus_sha256"] == corpus_hash(ROOT / "tests" / "data" / "signals"), hint
    assert (meta["C"], meta["count_floor"], meta["rule_scale"], meta.get("nb_alpha")) == (
        t.C,
        t.COUNT_FLOOR,
        t.RULE_SCALE,
        t.NB_ALPHA,
    ), hint
    from unshared.analysis.signal_choice import BY_SOURCE

    budget = meta["dev_benign_rate_by_source" if BY_SOURCE else "dev_benign_rate"]
    assert budget <= 0.05


def test_training_is_deterministic_and_keeps_to_the_benign_rate(tmp_path: Path) -> None:
    """Two trainings of the same lines give the same bytes (on a slice of the corpus, for time)."""
    pytest.importorskip("sklearn")
    import shutil

    from unshared.analysis.signal_choice import budget
    from unshared.analysis.signal_training import train

    src = ROOT / "tests" / "data" / "signals"
    (tmp_path / "corpus").mkdir()
    for name in ("en_dev.jsonl", "fr.jsonl", "es_blind.jsonl"):
        shutil.copy(src / name, tmp_path / name)
    for name in ("kinds.jsonl", "chat.jsonl", "conversations.jsonl", "public_quotes3.jsonl"):
        shutil.copy(src / "corpus" / name, tmp_path / "corpus" / name)
    made = []
    for _ in range(2):
        result = train(tmp_path, bits=16)
        buf = io.BytesIO()
        result.model.save(buf)
        made.append(buf.getvalue())
        assert budget(result.report["dev"]) <= 0.05
    assert made[0] == made[1]


def test_the_look_alike_budget_is_the_mean_over_sources() -> None:
    """One source of 90 look-alikes with 9 flagged beside one of 10 with none: pooled 9%, by
    source (10% + 0%) / 2 = 5%. The threshold is chosen on the second (BY_SOURCE)."""
    from unshared.analysis import signal_choice as t
    from unshared.analysis.signal_corpus import Row

    def row(origin: str, benign: bool) -> Row:
        stages = frozenset() if benign else frozenset({"threat"})
        return Row("x", stages, "en", origin, benign, origin=origin)

    rows = [row("hard", True)] * 90 + [row("easy", True)] * 10 + [row("offenders", False)] * 4
    got = [{"threat"}] * 9 + [set()] * 91 + [{"threat"}] * 3 + [set()]
    m = t.measure(rows, got)
    assert m["benign_rate"] == pytest.approx(0.09)
    assert m["benign_rate_by_source"] == pytest.approx(0.05)
    assert m["coercive_flagged"] == 3
    assert t.budget(m) == pytest.approx(0.05 if t.BY_SOURCE else 0.09)


def test_the_cli_never_imports_scikit_learn(tmp_path: Path) -> None:
    src = tmp_path / "lines.txt"
    src.write_text("I will make your video viral\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from unshared.cli import app\n"
        f"r = CliRunner().invoke(app, ['scan', {str(src)!r}, '--format', 'jsonl'])\n"
        "assert r.exit_code == 0, r.output\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')]\n"
        "print('threat' in r.output, bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "True []", out.stdout + out.stderr


def test_a_batch_hashes_each_message_as_if_alone() -> None:
    texts = ["Pay $500 NOW, or I'll send it…", "", "ok", "Tout le monde va savoir 😂\x00x"]
    together = featurise(texts, spans=True)
    for i, text in enumerate(texts):
        alone = featurise([text], spans=True)
        mine = together.message == i
        assert sorted(together.bucket[mine]) == sorted(alone.bucket)
        norm = normalise(text)
        for a, b in zip(alone.start, alone.end, strict=True):
            assert 0 <= a < b <= len(norm)


SPRAYED = "Thîș meanș that î can șee everythîng on your șcreen, ẚnd ṱurn on your camera"
PLAIN = "This means that i can see everything on your screen, and turn on your camera"


def test_sprayed_accents_read_as_the_plain_words() -> None:
    """Mass e-mails spray stray accents over English words; the scorer reads the words."""
    assert normalise(SPRAYED) == normalise(PLAIN).lower()
    assert sorted(featurise([SPRAYED]).bucket) == sorted(featurise([PLAIN]).bucket)
    model = load_scorer()
    assert model.features >= 2
    np.testing.assert_allclose(model.scores([SPRAYED]), model.scores([PLAIN]), atol=1e-6)
    # and the reasons point at the words as written
    words = model.weighty_words(SPRAYED, "coercion", top=5)
    assert words and all(w in SPRAYED.lower() or w in SPRAYED for w in words)


@pytest.mark.parametrize(
    "text",
    [
        "Vous avez 48 heures pour payer, sinon la vidéo sera envoyée à tes proches",
        "Tienes 24 horas, envíame el dinero o lo publico",
        "Du hast bis morgen Zeit, zahl oder ich schicke es deiner Familie, Straße",
        "Hai tempo fino a domani, pagami o la invio a tutti, perché",
        "cœur, sœur, œuvre et façade",  # letters of their own, not sprayed accents
    ],
)
def test_the_accents_of_french_spanish_german_italian_are_kept(text: str) -> None:
    norm = normalise(text)
    assert norm == normalise(text, features=1)  # as before sprayed accents were read
    assert any(ch in norm for ch in "éíßèçœ")


def test_a_model_of_the_first_featuriser_is_read_as_it_was_trained() -> None:
    """A model trained before sprayed accents were read (features 1) still hashes them as is."""
    old = featurise([SPRAYED], features=1)
    new = featurise([SPRAYED])
    assert sorted(old.bucket) != sorted(new.bucket)
    assert normalise(SPRAYED, features=1) != normalise(SPRAYED)


def test_the_model_file_is_small_and_complete() -> None:
    model = load_scorer()
    assert MODEL.stat().st_size < 5_000_000  # 4.60 MB on 21,565 lines (the whole table, float16)
    assert model.rule_weights.shape == (len(RULE_FEATURES), model.heads)
    assert model.weights.shape[1] == model.heads + 1 == len(model.stages) + 2
    assert 0.0 < model.threshold < 1.0
    assert model.examples and all(e["text"] and e["stages"] for e in model.examples)


def test_a_remark_about_the_neighbourhood_reads_as_escalation_only_after_a_threat() -> None:
    # The words alone read "nice neighbourhood you live in" as nothing alone; the sentence
    # encoder (no context) reads it as intimidation even alone (docs/signals.md, Limits), so the
    # context test uses a remark that both read as nothing alone.
    assert _stages(read_signals(["nice neighbourhood you live in"], use_encoder=False)[0]) == set()
    after = read_signals(
        ["I have your video and I will send it to your family", "your mum seems nice"],
        ["them", "them"],
        context=3,
    )
    alone = read_signals(["your mum seems nice"], ["them"], context=3)
    assert "escalation" in _stages(after[1])
    assert _stages(alone[0]) == set()
    (esc,) = [s for s in after[1] if s.stage == "escalation"]
    assert dict(esc.details)["context"].startswith("follows a threat")
    # The victim's own messages are not read in the offender's context.
    other = read_signals(
        ["I have your video and I will send it to your family", "your mum seems nice"],
        ["them", "me"],
        context=3,
    )
    assert _stages(other[1]) == set()


# Veiled remarks that no labelled line copies (checked with benchmarks/evaluation/signals.py's
# copies() when written): innocent alone, intimidation after the sender's threat.
VEILED = [
    "your little brother walks home by himself, right",
    "say hello to your grandma for me",
    "nice car your dad drives",
    "your sister's volleyball team plays on saturday huh",
    "how's your mom's new job at the bakery going",
    "your school lets out at 3 doesn't it",
    "that dog you walk every morning is cute",
    "your cousin posts a lot of family pics",
    "I've been admiring the garden your parents keep",
]
THREATS = [
    "I saved the pics you sent. $400 or your followers see every one of them",
    "if you block me the video goes to your whole contact list",
]


@pytest.mark.xfail(
    strict=True,
    reason="measured 2026-12-06: 6 of 9 with the models landed that night (5 with those before, "
    "6 with two retrainings that were not landed; docs/benchmarks/signals.md); 2026-12-07 "
    "morning: 6 of 9, and 3 of 9 flagged after a friendly message, with the models landed "
    "before al was folded in and with those after; remarks about "
    "school, a dog or a garden get no escalation probability from the stage head even after a "
    "threat",
)
def test_veiled_remarks_read_as_escalation_after_a_threat_and_as_nothing_alone() -> None:
    """The context promise on many remarks, not one: a single remark can sit at the edge of the
    stage pick, and one retraining tipped "your mum seems nice" over it (2026-12-06). Written
    before the retrainings of that evening with a bar of 7 of 9; strict, so the day a model
    meets it the mark must go."""
    after = alone = 0
    for i, remark in enumerate(VEILED):
        threat = THREATS[i % len(THREATS)]
        read = read_signals([threat, remark], ["them", "them"], context=3)
        after += "escalation" in _stages(read[1])
        first = read_signals(
            ["dinner was great, thanks again", remark], ["them", "them"], context=3
        )
        alone += bool(_stages(first[1]) & set(KEY_STAGES))
    assert after >= 7, f"{after} of {len(VEILED)} veiled remarks read as escalation after a threat"
    assert alone <= 2, f"{alone} of {len(VEILED)} veiled remarks flagged after a friendly message"


def test_context_zero_reads_every_line_alone() -> None:
    lines = [
        "I have your video and I will send it to your family",
        "your mum seems nice",
    ]
    assert _stages(read_signals(lines, context=0)[1]) == set()
    assert "escalation" in _stages(read_signals(lines, context=1)[1])


def test_reasons_are_a_rules_words_or_what_it_reads_like() -> None:
    (by_rule,) = read_signals(["pay $500 in gift cards or I post it"])
    pay = next(s for s in by_rule if s.stage == "payment_demand")
    assert '"gift cards"' in pay.reason
    assert dict(pay.details)["by"] == "rules+scorer"
    assert dict(pay.details)["rule"] == "gift_card"
    (by_scorer,) = read_signals(["I will make your video viral."])
    threat = next(s for s in by_scorer if s.stage == "threat")
    details = dict(threat.details)
    assert details["by"] == "scorer"
    assert "rule" not in details
    assert "reads like:" in threat.reason and "words that weighed most" in threat.reason
    weighed = threat.reason.split("words that weighed most: ")[1]
    words = [w.strip('"') for w in weighed.split(", ")]
    assert words and all(w in "I will make your video viral." for w in words)


def test_every_signal_carries_a_score_and_the_threshold_moves_the_line() -> None:
    text = "I will make your video viral."
    (found,) = read_signals([text])
    score = float(dict(next(s for s in found if s.stage == "threat").details)["score"])
    assert 0.0 < score <= 1.0
    assert _stages(read_signals([text], threshold=min(0.99, score + 0.01))[0]) == set()
    assert "threat" in _stages(read_signals([text], threshold=max(0.01, score - 0.01))[0])
    with pytest.raises(ValueError):
        SignalReader(threshold=1.5)


def test_rules_only_is_still_available() -> None:
    (found,) = read_signals(["I will make your video viral."], use_scorer=False)
    assert found == [] or all("score" not in dict(s.details) for s in found)


def test_scan_takes_context_and_threshold(tmp_path: Path) -> None:
    src = tmp_path / "chat.txt"
    src.write_text(
        "I have your video and I will send it to your family\nyour mum seems nice\n"
        "I will make your video viral.\n",
        encoding="utf-8",
    )
    runner = CliRunner()

    def stages(*args: str) -> list[set[str]]:
        result = runner.invoke(app, ["scan", str(src), "--format", "jsonl", *args])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        return [{s["stage"] for s in r["signals"]} for r in rows]

    assert "escalation" not in stages()[1]
    assert "escalation" in stages("--context", "2")[1]
    assert "threat" in stages()[2]
    assert "threat" not in stages("--threshold", "0.99")[2]
    bad = runner.invoke(app, ["scan", str(src), "--threshold", "2"])
    assert bad.exit_code != 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=6), st.integers(min_value=0, max_value=3))
def test_the_reader_never_raises(texts: list[str], context: int) -> None:
    out = SignalReader(context=context).read(texts, [None] * len(texts))
    assert len(out) == len(texts)
    for signals in out:
        for s in signals:
            assert 0.0 <= float(dict(s.details)["score"]) <= 1.0


def test_scores_match_a_plain_reference_sum() -> None:
    """The vectorised sum per message equals a plain loop over the features."""
    model = load_scorer()
    texts = ["pay now or else", "hello there", "", "I still have your picture"]
    own, _ = model.logits(texts)
    f = featurise(texts)
    ref = np.tile(model.bias, (len(texts), 1)).astype(np.float64)
    for b, m in zip(f.bucket, f.message, strict=True):
        ref[m] += model.weights[b] / np.sqrt(max(f.counts[m], model.count_floor))
    assert np.allclose(own, ref, atol=1e-4)


def test_a_giant_message_is_scored_on_its_first_pages_in_bounded_memory() -> None:
    """An 11 MB pasted line took `scan` past 10 minutes and 6.5 GB (features of every character,
    and a word-by-feature loop for the reasons); the scorer now reads the first SCORE_CHARS."""
    import tracemalloc

    from unshared.analysis.signal_scorer import SCORE_CHARS, load_scorer

    model = load_scorer()
    giant = "send me 500 or everyone sees the video " * 60_000  # about 2.3 MB
    tracemalloc.start()
    scores = model.scores([giant])
    words = model.weighty_words(giant, "threat")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 << 20, peak
    assert (scores == model.scores([giant[:SCORE_CHARS]])).all()
    assert words
