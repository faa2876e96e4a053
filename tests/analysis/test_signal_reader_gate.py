"""The reader skips a message only when nothing can come of it, so every signal, span, score and
reason is the same as the reader before the skip (kept here as ``_reference_read``): on every
labelled line and conversation (each under one of four settings), chat lines with random edits,
random text, with and without context, at the default and other thresholds, in every language."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unshared.analysis.signal_reader as reader_module
from unshared.analysis.signal_decision import decide
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_rules import KEY_STAGES, available_languages
from unshared.analysis.signal_scorer import RULE_FEATURES, logit, sigmoid
from unshared.analysis.signals import rule_reading
from unshared.model import Signal

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


def _reference_read(
    self: SignalReader, texts: Sequence[str], senders: Sequence[str | None] | None = None
) -> list[list[Signal]]:
    """SignalReader.read without the quiet messages skipped: every message is scored, and the
    rules run whenever the gate and the heads allow (as before e9996e5; the decision itself,
    ``decide``, is the reader's own, since it is not what this test is about)."""
    model = self.model
    assert model is not None
    who: Sequence[str | None] = senders if senders is not None else [None] * len(texts)
    cut, other, pick, logit_cuts = self._cuts(model)
    own, ctx = model.logits(texts, None if self.context else [False] * len(texts))
    boost = np.maximum(model.rule_weights, 0.0).sum(axis=0)
    heads = model.heads
    gate = logit(float(model.meta.get("gate", 0.0))) if model.meta.get("gate") else -np.inf
    out: list[list[Signal]] = []
    for i, text in enumerate(texts):
        sender = who[i]
        if not text or not text.strip():
            out.append([])
            self._remember(sender, False)
            continue
        after = self._follows_coercion(sender)
        zg = own[i] + ctx[i] if after else own[i]
        z = zg[:heads]
        rules: dict[str, Signal] = {}
        if zg[heads] >= gate and bool((z + boost >= logit_cuts).any()):
            fired, about = self._rules(text)
            rules = {s.stage: s for s in fired}
            inputs = np.zeros(len(RULE_FEATURES), dtype=np.float32)
            for s in fired:
                inputs[RULE_FEATURES.index(f"rule:{s.stage}")] = 1.0
            inputs[RULE_FEATURES.index("about_sextortion")] = float(about)
            z = z + inputs @ model.rule_weights
        bare = (
            float(sigmoid(z - np.float32(model.context_shift))[model.coercion]) if after else None
        )
        signals = [
            self._signal(
                text,
                stage,
                score,
                rules.get(stage),
                after,
                None,
                "" if stage in rules else self._scorer_reasons([key := (text, stage, after)])[key],
            )
            for stage, score in decide(
                sigmoid(z), model.stages, KEY_STAGES, cut, other, pick, bare, rules.keys()
            )
            if not (stage == "payment_demand" and stage not in rules and self._paid(text))
        ]
        out.append(signals)
        self._remember(sender, any(s.stage in reader_module.COERCION for s in signals))
    return out


def _both(
    texts: list[str], senders: list[str | None] | None = None, **kwargs: object
) -> tuple[list[list[Signal]], list[list[Signal]]]:
    kwargs.setdefault("use_encoder", False)  # the encoder's own gate: test_signal_encoder.py
    new = SignalReader(**kwargs).read(texts, senders)  # type: ignore[arg-type]
    old = _reference_read(SignalReader(**kwargs), texts, senders)  # type: ignore[arg-type]
    return new, old


def _labelled() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in sorted(DATA.glob("*.jsonl")) + sorted(DATA.glob("corpus/*.jsonl")):
        lang = path.name.split("_")[0].split(".")[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row_lang = row.get("lang", lang)
            for text in [m["text"] for m in row.get("messages", ())] or [row["text"]]:
                out.append((text, row_lang if row_lang in available_languages() else "en"))
    for path in sorted(DATA.glob("blind_*/*.tsv")):
        for row in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = row.split("\t")
            out.append((cols[1], cols[4] if cols[4] in available_languages() else "en"))
    return out


def _edited(texts: list[str], n: int, seed: int) -> list[str]:
    """Lines with random words of the others put in, swapped or dropped (no two alike)."""
    rng = random.Random(seed)
    vocab = sorted({w for t in texts for w in t.split()})
    out: dict[str, None] = {}
    while len(out) < n:
        words = rng.choice(texts).split()
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(words) + 1)
            if rng.random() < 0.6 or not words:
                words.insert(at, rng.choice(vocab))
            else:
                del words[min(at, len(words) - 1)]
        out[" ".join(words)] = None
    return list(out)


SETTINGS = [(0, None), (3, None), (2, 0.2), (0, 0.9)]


@pytest.mark.parametrize("part", range(len(SETTINGS)))
def test_every_labelled_line_reads_as_before(part: int) -> None:
    """Each setting reads every fourth line of each language (a different quarter each), so the
    four together read every labelled line once, at a quarter of the cost of reading all four times."""
    context, threshold = SETTINGS[part]
    rows = _labelled()
    assert len(rows) > 2000
    for lang in sorted({lang for _, lang in rows}):
        texts = [t for t, row_lang in rows if row_lang == lang][part :: len(SETTINGS)]
        senders: list[str | None] = [str(i % 2) for i in range(len(texts))]
        new, old = _both(texts, senders, lang=lang, context=context, threshold=threshold)
        assert new == old, lang
        assert any(new), lang


@pytest.mark.parametrize("context", [0, 3])
def test_edited_chat_lines_read_as_before(context: int) -> None:
    texts = [t for t, lang in _labelled() if lang == "en"]
    edited = _edited(texts, 3000, seed=context)
    new, old = _both(edited, [None] * len(edited), context=context)
    assert new == old
    assert sum(map(bool, new)) > 100


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(), max_size=80), max_size=12),
    st.sampled_from([0, 2]),
    st.sampled_from([None, 0.05, 0.5]),
)
def test_random_text_reads_as_before(
    texts: list[str], context: int, threshold: float | None
) -> None:
    new, old = _both(texts, None, context=context, threshold=threshold)
    assert new == old


def test_quiet_lines_are_not_read_by_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(t: str, lang: str = "en") -> tuple[list[Signal], bool]:
        calls.append(t)
        return rule_reading(t, lang)

    monkeypatch.setattr(reader_module, "rule_reading", counting)
    # Ordinary lines the scorer alone cannot rule out (the rules ran on each before).
    texts = [
        "I see the letter B on my car",
        "Tell where you reached",
        "Yup next stop.",
        "pay $500 in gift cards or I post it",
    ]
    plain = SignalReader(use_encoder=False)
    assert all(_reference_read(plain, [t]) == [[]] for t in texts[:3]) and len(calls) == 3
    calls.clear()
    found = SignalReader(use_encoder=False).read(texts)
    assert found[:3] == [[], [], []] and found[3]
    assert calls == ["pay $500 in gift cards or I post it"]
