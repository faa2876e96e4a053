"""Context as a change of odds: after a threat or demand from the same sender, the coercion head
starts from odds fitted on whole labelled conversations (``context_shift``), and nowhere else."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from unshared.analysis.signal_context import SHIFT_LIMIT, fit_context_shift
from unshared.analysis.signal_corpus import Row, from_conversation, load_corpus
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_scorer import ScorerModel, load_scorer
from unshared.errors import ParseError

KEY = {"threat", "payment_demand", "deadline", "escalation"}
THREAT = "I have your video and I will send it to your family"


def _conversation(cid: str, lang: str = "en", stages: list[str] | None = None) -> str:
    messages = [
        {"sender": "offender", "text": THREAT, "stages": ["threat"]},
        {"sender": "victim", "text": "please don't", "stages": []},
        {
            "sender": "offender",
            "text": "nice street you live on",
            "stages": stages or ["escalation"],
        },
    ]
    return json.dumps({"id": cid, "lang": lang, "messages": messages})


def test_conversation_files_are_read_in_the_corpus_and_in_folded_blind_sets(
    tmp_path: Path,
) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "conversations_written.jsonl").write_text(
        _conversation("w1", lang="it") + "\n", encoding="utf-8"
    )
    (tmp_path / "blind_x").mkdir()
    (tmp_path / "blind_x" / "conversations.jsonl").write_text(
        _conversation("b1") + "\n", encoding="utf-8"
    )
    rows = load_corpus(tmp_path)
    assert len(rows) == 6 and all(from_conversation(r) for r in rows)
    # The offender's remark follows their threat; the threat and the victim's reply do not.
    assert [r.context for r in rows] == [False, False, True] * 2
    # A language with no pattern file is read with the English rules, as single lines are.
    assert {r.lang for r in rows} == {"en"}
    # Each conversation is one fold group: its messages never sit on both sides.
    assert len({r.group for r in rows}) == 2


def test_a_conversation_with_an_unknown_stage_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "conversations.jsonl").write_text(
        _conversation("c1") + "\n" + _conversation("c2", stages=["demand"]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as err:
        load_corpus(tmp_path)
    message = str(err.value)
    assert "conversations.jsonl" in message and "line 2" in message and "demand" in message


def _rows(
    n: int, coercive: int, *, context: bool = True, origin: str = "conversations"
) -> list[Row]:
    return [
        Row(
            f"message {i}",
            frozenset({"escalation"} if i < coercive else ()),
            "en",
            f"g{i}",
            False,
            context,
            True,
            "",
            origin,
        )
        for i in range(n)
    ]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_the_shift_is_the_change_of_odds_the_conversations_show() -> None:
    # Every message scored 0.2 alone, but 80% of them are coercive read in their conversation.
    rows = _rows(100, 80)
    shift, report = fit_context_shift(rows, np.full(100, 0.2))
    assert shift == pytest.approx(_logit(0.8) - _logit(0.2), abs=0.01)
    assert report["messages"] == 100 and report["coercive"] == 80


def test_the_shift_ignores_single_lines_and_messages_read_alone() -> None:
    rows = _rows(50, 40) + _rows(50, 0, context=False) + _rows(50, 0, origin="public_benign")
    shift, report = fit_context_shift(rows, np.full(150, 0.2))
    assert report["messages"] == 50
    assert shift == pytest.approx(_logit(0.8) - _logit(0.2), abs=0.01)


def test_context_never_lowers_a_score_and_the_shift_is_bounded() -> None:
    assert fit_context_shift(_rows(40, 0), np.full(40, 0.5))[0] == 0.0
    assert fit_context_shift(_rows(40, 40), np.full(40, 1e-4))[0] == SHIFT_LIMIT
    assert fit_context_shift([], np.zeros(0))[0] == 0.0


def _with_shift(model: ScorerModel, shift: float) -> ScorerModel:
    return dataclasses.replace(model, meta={**model.meta, "context_shift": shift})


LINES = [
    "say hi to your little sister for me",
    "I know which bus you take",
    "nice neighbourhood you live in",
    "you think blocking me will help?",
    "cry about it",
    "I see you're online",
    "your school looks nice",
    "go ahead, ignore me",
    "why so quiet now",
    "your dad drives a blue ford right",
    "pretty house",
    "I can see your followers",
    "you should have thought about that",
    # short follow-ups whose words say little: what the shift is for
    "u there?",
    "still waiting",
    "hello??",
    "answer me",
    "your choice",
    "i'm not joking",
]
NEUTRAL = ["ok", "sent", "thanks", "see you soon", "got it", "let me check"]


def test_the_shift_adds_to_the_coercion_head_only_when_the_message_follows_coercion() -> None:
    base = _with_shift(load_scorer(), 0.0)
    lifted = _with_shift(base, 2.5)
    own0, ctx0 = base.logits(LINES)
    own1, ctx1 = lifted.logits(LINES)
    assert np.array_equal(own0, own1)  # read alone: nothing changes
    coercion = base.coercion
    assert np.allclose(ctx1[:, coercion] - ctx0[:, coercion], 2.5)
    others = [j for j in range(ctx0.shape[1]) if j != coercion]
    assert np.array_equal(ctx0[:, others], ctx1[:, others])  # which stage it is: unchanged


def test_a_remark_flagged_only_thanks_to_the_shift_is_the_offenders_after_their_threat() -> None:
    # A strict threshold, so that whatever the packaged model's words and context features make
    # of these remarks, some are left below it for the shift to lift (the threat stays above).
    base = _with_shift(dataclasses.replace(load_scorer(), threshold=0.9), 0.0)
    lifted = _with_shift(base, SHIFT_LIMIT)

    def flags(model: ScorerModel, senders: list[str], context: int) -> list[bool]:
        texts = [THREAT, *LINES]
        out = SignalReader(context=context, model=model).read(texts, senders)
        return [bool({s.stage for s in sig} & KEY) for sig in out[1:]]

    assert SignalReader(context=0, model=base).read([THREAT])[0]  # the threat is flagged
    them = ["them"] * (len(LINES) + 1)
    me = ["them"] + ["me"] * len(LINES)
    window = len(LINES)  # every remark follows the threat
    before = flags(base, them, window)
    after = flags(lifted, them, window)
    # The shift lifts some remarks that the words alone did not, and never drops one.
    assert sum(after) > sum(before)
    assert all(a or not b for a, b in zip(after, before, strict=True))
    # A neutral reply after a threat is not made a threat, however large the shift: context
    # raises the odds, but the stage must still come from the words.
    neutral = SignalReader(context=len(NEUTRAL), model=lifted).read(
        [THREAT, *NEUTRAL], ["them"] * (len(NEUTRAL) + 1)
    )
    assert neutral[1:] == [[]] * len(NEUTRAL)
    # The victim's replies are never read in the offender's context, and context 0 reads alone.
    without_threat = SignalReader(context=window, model=lifted).read(LINES, me[1:])
    assert flags(lifted, me, window) == [bool({s.stage for s in g} & KEY) for g in without_threat]
    assert flags(lifted, them, 0) == flags(base, them, 0)


def test_the_victims_own_messages_get_no_stage_and_colour_nothing_when_known() -> None:
    model = _with_shift(load_scorer(), SHIFT_LIMIT)
    texts = [THREAT, *LINES]
    senders = ["them"] * len(texts)
    as_victim = [False] + [True] * len(LINES)  # say the same sender is the victim
    read = SignalReader(context=len(texts), model=model)
    alone = SignalReader(context=0, model=model).read(texts, senders)
    assert any(alone[1:]), "some of the lines read alone do show a stage"
    got = read.read(texts, senders, as_victim)
    assert got[0] == alone[0] and got[1:] == [[]] * len(LINES)
    # a victim's plea that quotes the threat does not put the next lines in context
    without = SignalReader(context=3, model=model).read(LINES, senders[1:])
    plea = SignalReader(context=3, model=model).read(texts, senders, [True] + [False] * len(LINES))
    assert plea[0] == [] and plea[1:] == without


def test_the_packaged_model_carries_a_fitted_shift() -> None:
    model = load_scorer()
    assert 0.0 < model.context_shift <= SHIFT_LIMIT


def test_senders_or_victim_marks_that_do_not_match_the_texts_are_a_clear_error() -> None:
    reader = SignalReader(context=3)
    with pytest.raises(ValueError, match="one entry per text"):
        reader.read([THREAT, "ok"], ["them", "me"], [False])
    with pytest.raises(ValueError, match="one entry per text"):
        reader.read([THREAT, "ok"], ["them"])
