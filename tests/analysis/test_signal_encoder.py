"""The sentence encoder beside the n-gram scorer: the packaged file, its numpy reading, the blend
and the reader's gate for it (issue 17)."""

from __future__ import annotations

import dataclasses
import io
import math
import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from unshared.analysis.signal_blend import ORDINARY_SHARE, Blend, budget_weights, choose_blend
from unshared.analysis.signal_corpus import corpus_hash, load_corpus
from unshared.analysis.signal_encoder import (
    DEV_FOLD,
    EncoderModel,
    latin,
    load_encoder,
    preload_encoder,
    reads,
    text_key,
)
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_scorer import load_scorer
from unshared.analysis.signal_training import _fold, encoder_rows
from unshared.model import Signal

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


@pytest.fixture(scope="module")
def encoder() -> EncoderModel:
    model = load_encoder()
    assert model is not None, "the package ships analysis/data/signals/encoder.npz"
    return model


def test_the_encoder_was_trained_on_this_corpus_and_the_scorer_blends_with_it(
    encoder: EncoderModel,
) -> None:
    # A corpus change needs tools/train_encoder.py, then tools/train_signals.py.
    assert encoder.meta["corpus_sha256"] == corpus_hash(DATA)
    assert encoder.meta["dev_fold"] == DEV_FOLD
    scorer = load_scorer()
    assert scorer.meta["encoder_sha256"] == encoder.sha256
    blend = Blend.from_meta(scorer.meta["blend"])
    assert blend is not None and 0.0 < blend.weight <= 1.0


def test_it_never_trained_on_its_dev_fold(encoder: EncoderModel) -> None:
    rows = load_corpus(DATA)
    dev = {text_key(r.text) for r in rows if _fold(r.group) == DEV_FOLD}
    trained = {text_key(r.text) for r in rows if _fold(r.group) != DEV_FOLD}
    assert set(encoder.dev) == dev
    # tools/train_encoder.py trains on encoder_rows(), and the file says how many it read
    train = encoder_rows(rows)
    assert encoder.meta["trained_on"] == len(train)
    assert all(_fold(r.group) != DEV_FOLD for r in train)
    # lines read alone only: not a conversation's message that follows its sender's threat
    assert not any(r.context for r in train)
    # and never a line in a script it reads letter by letter: it is never asked about one
    assert all(latin(r.text) for r in train)
    kept = {id(r) for r in train}
    left_out = [
        r for r in rows if _fold(r.group) != DEV_FOLD and not r.context and id(r) not in kept
    ]
    assert left_out and not any(latin(r.text) for r in left_out)
    # Lines found in both (the same words on two pages) are the only overlap.
    assert len(dev & trained) < 0.05 * len(dev)


def test_numpy_reading_gives_the_stored_dev_scores(encoder: EncoderModel) -> None:
    rows = [r for r in load_corpus(DATA) if _fold(r.group) == DEV_FOLD]
    sample = random.Random(7).sample(sorted({r.text for r in rows}), 40)
    got = encoder.logits(sample)
    want = np.array([encoder.dev[text_key(t)] for t in sample])
    assert np.allclose(got, want, atol=1e-3)
    # The scores mean something: coercive dev lines above the benign ones, most of the time.
    coercive = [encoder.dev[text_key(r.text)] for r in rows if r.stages and not r.is_benign]
    benign = [encoder.dev[text_key(r.text)] for r in rows if r.is_benign]
    assert np.median(coercive) > np.quantile(benign, 0.9)


def test_it_reads_the_plain_form_and_any_length(encoder: EncoderModel) -> None:
    plain, disguised = encoder.logits(
        ["send the money or I post your video", "ѕеnd thе mоnеу оr I pоѕt уоur vіdео"]
    )
    assert plain == pytest.approx(disguised, abs=1e-5)
    long = encoder.logits(["pay now or everyone sees it " * 5000, "", "   ", "🙂" * 300])
    assert np.isfinite(long).all()
    # Batching does not change a message's reading.
    texts = ["hi", "I will ruin your life", "where are you " * 40]
    one_by_one = np.concatenate([encoder.logits([t]) for t in texts])
    assert np.allclose(encoder.logits(texts), one_by_one, atol=1e-4)


def test_the_file_round_trips_and_names_its_parts(encoder: EncoderModel, tmp_path: Path) -> None:
    ref = Path(__file__).resolve().parents[2] / "src/unshared/analysis/data/signals/encoder.npz"
    meta = EncoderModel.read_meta(ref)
    assert "all-MiniLM-L6-v2" in meta["base"] and meta["max_tokens"] == encoder.max_tokens
    again = EncoderModel.read(io.BytesIO(ref.read_bytes()))
    assert np.array_equal(again.logits(["pay me"]), encoder.logits(["pay me"]))


# ---------------------------------------------------------------------------- the blend
def test_choose_blend_keeps_to_the_benign_budget_and_maps_its_cut_onto_the_threshold() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    coercive = rng.random(n) < 0.5
    benign = ~coercive
    z = rng.normal(0, 1, n) + coercive * 0.5  # weak words
    e = rng.normal(0, 1, n) + coercive * 3.0  # a strong sentence reading
    blend, report = choose_blend(z, e, coercive, benign, threshold=0.6, max_benign=0.05)
    assert blend.weight >= 0.7
    mixed = blend.mix_all(z, e)
    cut = math.log(0.6 / 0.4)
    assert (mixed[benign] >= cut).mean() <= 0.05
    assert report["blended"]["recall"] > report["scorer_alone"]["recall"] + 0.3
    # Worthless encoder: the weight goes to the words.
    noise = rng.normal(0, 1, n)
    z2 = rng.normal(0, 1, n) + coercive * 3.0
    assert choose_blend(z2, noise, coercive, benign, 0.6, 0.05)[0].weight <= 0.2


def test_with_sources_the_budget_is_the_mean_over_sources_so_one_big_hard_set_cannot_set_it() -> (
    None
):
    """A folded-in set of 900 hard look-alikes (scoring like offenders' lines) beside nine sets
    of 100 easy ones. Pooled, the hard set spends the whole budget and the cut rises above most
    offenders' lines; by source, it weighs a tenth, and the cut keeps each easy set's share low."""
    rng = np.random.default_rng(3)
    coercive = np.r_[np.ones(1000, bool), np.zeros(1800, bool)]
    benign = ~coercive
    sources = (
        ["offenders"] * 1000 + ["hard"] * 900 + [f"easy{k}" for k in range(9) for _ in range(100)]
    )
    z = np.r_[rng.normal(2.0, 1, 1000), rng.normal(1.5, 1, 900), rng.normal(-2.0, 1, 900)]
    e = z.copy()
    pooled, rp = choose_blend(z, e, coercive, benign, 0.5, 0.05)
    mean, rm = choose_blend(z, e, coercive, benign, 0.5, 0.05, sources=sources)
    weights = budget_weights(benign, sources)
    assert math.isclose(weights.sum(), 1.0) and math.isclose(weights[1000:1900].sum(), 0.1)
    assert math.isclose(weights[1900:2000].sum(), 0.1)
    for blend, report in ((pooled, rp), (mean, rm)):
        flags = blend.mix_all(z, e) >= 0.0
        assert flags[benign].mean() == pytest.approx(report["blended"]["benign_rate"])
    flags = mean.mix_all(z, e) >= 0.0
    hard = flags[1000:1900].mean()
    by_source = (hard + sum(flags[1900 + 100 * k : 2000 + 100 * k].mean() for k in range(9))) / 10
    assert by_source <= 0.05 + 1e-9
    assert rm["blended"]["budget_rate"] <= 0.05 + 1e-9
    assert rm["blended"]["recall"] > rp["blended"]["recall"] + 0.2
    # Pooled weights are one over the benign rows, and give the pooled cut.
    assert np.allclose(budget_weights(benign)[benign], 1 / 1800)


def test_choose_blend_keeps_everyday_chat_under_its_share_of_the_budget() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    kind = rng.integers(0, 3, n)  # 0 coercive, 1 look-alike, 2 everyday chat
    coercive, benign, ordinary = kind == 0, kind == 1, kind == 2
    z = rng.normal(0, 1, n) + coercive * 2.0 - ordinary * 3.0  # words: chat is far below
    e = rng.normal(0, 1, n) + coercive * 3.0 + ordinary * 3.5  # the encoder fires on chat
    free, _ = choose_blend(z, e, coercive, benign, 0.6, 0.05)
    held, report = choose_blend(z, e, coercive, benign, 0.6, 0.05, ordinary=ordinary)
    cut = math.log(0.6 / 0.4)
    cap = ORDINARY_SHARE * 0.05
    assert (free.mix_all(z, e)[ordinary] >= cut).mean() > 2 * cap  # unconstrained, chat is flagged
    asked = z >= (math.log(held.gate / (1 - held.gate)) if held.gate > 0 else -np.inf)
    got = np.where(asked, held.mix_all(z, e), z) >= cut
    assert got[ordinary].mean() <= cap
    assert report["blended"]["ordinary_rate"] == got[ordinary].mean()


def test_the_everyday_cap_does_not_tighten_when_the_words_grow_quieter() -> None:
    """The cap on everyday chat is a share of the budget, not a multiple of what the words alone
    flag: when new training made the words flag fewer everyday messages (1.5% to 1.05%), a
    relative cap fell with them and forced the encoder's weight from 0.5 to 0.1, and the next
    blind set lost recall (2026-12-06, sets ab-af)."""
    rng = np.random.default_rng(2)
    n = 6000
    kind = rng.integers(0, 3, n)
    coercive, benign, ordinary = kind == 0, kind == 1, kind == 2
    e = rng.normal(0, 1, n) + coercive * 3.0 + ordinary * 0.5
    base = rng.normal(0, 1, n) + coercive * 1.5
    loud = base - ordinary * 0.5  # the words flag about 1.3% of chat
    quiet = base - ordinary * 1.3  # the words flag about 0.3%
    a, _ = choose_blend(loud, e, coercive, benign, 0.84, 0.05, ordinary=ordinary)
    b, report = choose_blend(quiet, e, coercive, benign, 0.84, 0.05, ordinary=ordinary)
    assert report["scorer_alone"]["ordinary_rate"] < 0.005
    assert b.weight >= a.weight
    assert b.weight >= 0.5
    assert report["blended"]["ordinary_rate"] <= ORDINARY_SHARE * 0.05


@pytest.mark.parametrize("seed", range(40))
def test_the_stored_blend_keeps_to_the_benign_budget_at_its_gate(seed: int) -> None:
    """The blend as stored (its offset rounded for the file) and read as the reader reads it
    (``mix`` of the unshifted logit, the shift added after) flags at most the budget of benign
    rows at the gate chosen, and that gate keeps the recall within GATE_LOSS: one benign row
    on the cut's edge, flipped by the offset's arithmetic, once made every gate fail, and
    training fell back to asking the encoder about every message (2026-12-06)."""
    from unshared.analysis.signal_blend import GATE_LOSS

    rng = np.random.default_rng(seed)
    n = int(rng.integers(300, 3000))
    kind = rng.integers(0, 3, n)
    coercive, benign, ordinary = kind == 0, kind == 1, kind == 2
    z = rng.normal(-1, 1.5, n) + coercive * 2.0 - ordinary * 2.0
    e = rng.normal(-1, 1.5, n) + coercive * 2.5
    shift = np.where(rng.random(n) < 0.1, 3.7, 0.0)
    short = (rng.random(n) < 0.1) & ~benign  # the words alone keep the budget on their own
    threshold = float(rng.uniform(0.4, 0.7))
    blend, report = choose_blend(z, e, coercive, benign, threshold, 0.05, shift, ordinary, short)
    stored = Blend.from_meta(blend.as_meta())
    assert stored == blend
    tz = math.log(threshold / (1 - threshold))
    asked = (z + shift >= stored.gate_logit) & ~short
    mixed = np.array([stored.mix(float(a), float(b)) for a, b in zip(z, e, strict=True)]) + shift
    got = np.where(asked, mixed, z + shift) >= tz
    assert got[benign].sum() <= math.floor(0.05 * benign.sum() + 1e-9)
    assert got[coercive].mean() >= report["blended"]["recall"] - 1e-12
    assert "asked" in report["blended"], "a gate was found that keeps the budget"
    ungated = report["recall_per_weight"][str(blend.weight)]["recall"]
    assert got[coercive].mean() >= ungated - GATE_LOSS - 1e-4


def test_blend_meta_round_trips() -> None:
    b = Blend(0.7, -1.25, 0.05)
    assert Blend.from_meta(b.as_meta()) == b
    assert Blend.from_meta(None) is None
    assert b.mix(1.0, 2.0) == pytest.approx(0.3 + 1.4 - 1.25)


# ---------------------------------------------------------------------------- the reader
class _AskingEvery(SignalReader):
    """A reader whose encoder is asked about every message (no gate for it)."""

    def _encoder_logits(
        self, texts: Sequence[str], asked: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float32] | None:
        return super()._encoder_logits(texts, np.ones_like(asked))


def _reference(texts: list[str], context: int) -> list[list[Signal]]:
    """The reader with the encoder asked about every message (no gate for it)."""
    reader = _AskingEvery(context=context)
    return reader.read(texts, ["them"] * len(texts))


@pytest.mark.parametrize("context", [0, 3])
def test_asking_the_encoder_only_past_its_gate_changes_nothing(context: int) -> None:
    rows = load_corpus(DATA)
    pool = sorted({r.text for r in rows if r.lang == "en"})
    texts = random.Random(context).sample(pool, 250)
    new = SignalReader(context=context).read(texts, ["them"] * len(texts))
    assert new == _reference(texts, context)
    assert any(new)


def test_a_scorer_blended_with_another_encoder_reads_with_ngrams_alone() -> None:
    model = load_scorer()
    other = dataclasses.replace(model, meta={**model.meta, "encoder_sha256": "0" * 64})
    texts = ["I will make your video viral", "see you at 6", "pay or everyone sees it"]
    assert SignalReader(model=other).read(texts) == SignalReader(use_encoder=False).read(texts)


# Written for this test on 2026-12-05, after the model was trained (so not a blind measure): offender
# sentences in words unlike the corpus's, and look-alikes that borrow their phrasing.
COERCIVE = [
    "Think carefully about what happens to your reputation when your boss opens my email.",
    "Every person on your friend list is one click away from seeing what you did on camera.",
    "Your little show is saved on my drive and your classmates would love a copy.",
    "I wonder how your girlfriend will react when the clip lands in her inbox.",
    "It would be a shame if your church group found out what you get up to at night.",
    "The recording stays private only as long as you cooperate with me.",
    "Your employer's HR department will receive the full folder unless we settle this.",
    "You can end this quietly with a small contribution, or loudly without one.",
    "Transfer the agreed sum and I disappear from your life forever.",
    "Ignore me again and your mother gets the first preview.",
    "I have screenshots of everyone who follows you and they are all getting the pictures.",
    "Keep pretending you did not see my messages and watch what I do next.",
    "Your nudes, your name, your school, all on one page by Friday.",
    "We can do this the easy way: five hundred dollars and it all goes away.",
    "I know which bus you take to school every morning.",
    "Nobody will believe you when the video is everywhere.",
    "Send another one or the first one goes to your cousins.",
    "The countdown has started and you are wasting your chances.",
    "You really thought blocking me would make me go away?",
    "I will make sure this follows you to every job you ever apply for.",
]
LOOKALIKES = [
    "My sister said someone threatened to send her pictures to her school unless she paid.",
    "Police say the man demanded money and threatened to share the images with the boy's family.",
    "If anyone asks you for money to keep pictures private, stop replying and tell an adult.",
    "Can you send me 20 quid before Friday, I'll pay you back next week.",
    "Ignore me again and I'm eating your leftovers lol",
    "The recording of the concert is on my drive if you want a copy.",
    "Your employer's HR department will send the contract by Friday.",
    "I know which bus you take, want to ride together tomorrow?",
    "The countdown has started! Only 3 days until our holiday.",
    "Nobody will believe you caught a fish that big.",
    "He told me he would post the video everywhere if I didn't pay him.",
    "Transfer the rent to the landlord by the end of the month please.",
    "Scammers often say they will ruin your reputation unless you pay in gift cards.",
    "Send me another photo of the puppy!",
    "The article explains how blackmailers pressure teenagers with countdowns.",
    "We can do this the easy way: you wash, I dry.",
    "Your mum called, she wants you home by 9.",
    "Keep pretending you did not see my messages and I will stop inviting you haha",
    "The victim was told that everyone on her friend list would see the pictures.",
    "It would be a shame if it rained on your birthday.",
]


def _key_flags(reader: SignalReader, texts: list[str]) -> int:
    keys = {"threat", "payment_demand", "deadline", "escalation"}
    return sum(1 for found in reader.read(texts) if {s.stage for s in found} & keys)


# Four words or more, in scripts whose letters the encoder's English vocabulary splits one by one:
# its reading of them is noise (a Hebrew verse once read like a threat), so the words read them.
UNREADABLE = [
    "בראשית ברא אלוהים את השמיים ואת הארץ",
    "ادفع لي وإلا سأنشر صورك لكل أصدقائك",
    "Если не заплатишь, видео увидят все твои друзья",
    "스마트폰으로 모르는 사람과 영상 통화를 하지 마세요",
    "Αν δεν πληρώσεις θα το δουν όλοι οι φίλοι σου",
]
# The languages the encoder learned (English, French, Spanish, German, and Nigerian Pidgin, which
# it reads through its English), in Latin script, with accents, or disguised with look-alike
# letters: the encoder reads these.
READABLE = [
    "Si tu ne paies pas, tout le monde verra la vidéo",
    "Wenn du nicht zahlst, schicke ich das Video an alle",
    "Si no pagas hoy, todos tus amigos verán el video",
    "if you no pay i go send am to all your contacts",
    "Раy mе nоw оr I sеnd thе vidео tо уоur fаmilу",  # Cyrillic look-alikes
    "pay me or the video goes to всем твоим друзьям",
    "u better pay b4 tmrw or ur done",
]
# Latin script, but languages it did not learn: it reads them like noise (it flagged Turkish text
# messages the words left alone, and more Italian and Portuguese chat than the words did), so the
# words read them, as they read other scripts.
OTHER_LATIN = [
    "Jeśli nie zapłacisz, wyślę zdjęcia wszystkim znajomym",
    "Nếu không trả tiền, tôi sẽ gửi video cho bạn bè",
    "Yarın akşam annemlerle yemeğe gidiyoruz, sen de gelir misin",
    "Nanti sore aku jemput kamu di depan kantor ya",
    "Stasera non posso venire, ci vediamo domani mattina al bar",
    "Vou chegar um pouco atrasado hoje, guarda um lugar pra mim",
    "Morgen gaan we met de kinderen naar het strand",
]


def test_the_encoder_reads_the_languages_it_learned_and_leaves_the_rest_to_the_words() -> None:
    assert not any(latin(t) for t in UNREADABLE)
    assert not any(reads(t) for t in UNREADABLE)
    assert all(latin(t) and reads(t) for t in READABLE)
    assert all(latin(t) for t in OTHER_LATIN)
    assert not [t for t in OTHER_LATIN if reads(t)]
    assert latin("") and latin("12:30 ✅ 👍")  # no letters: nothing against it
    assert not reads("hello world")  # too short, whatever the script


class _Counting(SignalReader):
    asked: list[str]

    def _encoder_logits(
        self, texts: Sequence[str], asked: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float32] | None:
        self.asked = [
            *getattr(self, "asked", []),
            *(t for t, a in zip(texts, asked, strict=True) if a),
        ]
        return super()._encoder_logits(texts, asked)


@pytest.mark.parametrize("context", [0, 3])
def test_a_message_the_encoder_cannot_read_is_never_read_by_it(context: int) -> None:
    # each line twice (after a threat too), so the reader's context path is walked as well
    unread = [*UNREADABLE, *OTHER_LATIN]
    texts = [*unread, "pay me or everyone sees the video", *unread]
    reader = _Counting(context=context)
    found = reader.read(texts, ["them"] * len(texts))
    assert not set(getattr(reader, "asked", [])) & set(unread)
    words = SignalReader(context=context, use_encoder=False).read(texts, ["them"] * len(texts))
    assert found[: len(unread)] == words[: len(unread)]
    assert found[-len(unread) :] == words[-len(unread) :]


def test_the_encoder_finds_unseen_wording_the_words_alone_miss() -> None:
    words, blended = SignalReader(use_encoder=False), SignalReader()
    assert _key_flags(blended, COERCIVE) > _key_flags(words, COERCIVE)
    assert _key_flags(blended, COERCIVE) >= 18
    # It borrows no licence from them: look-alikes stay mostly unflagged.
    assert _key_flags(blended, LOOKALIKES) <= _key_flags(words, LOOKALIKES) + 3
    assert _key_flags(blended, LOOKALIKES) <= 4


def test_the_encoder_is_read_once_whichever_thread_asks_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A reader starts reading the encoder in a thread when it is built; a slow read makes the
    # threads asking for it overlap: each must get the same model, read once (two copies would
    # hold its weights twice, and the reader would wait for both).
    from unshared.analysis import signal_encoder

    reads_done: list[int] = []
    original = EncoderModel.read

    def slow(fh: Any) -> EncoderModel:
        reads_done.append(1)
        time.sleep(0.2)
        return original(fh)

    monkeypatch.setattr(EncoderModel, "read", staticmethod(slow))
    signal_encoder._packaged.cache_clear()
    try:
        preload_encoder()
        got: list[EncoderModel | None] = []
        threads = [threading.Thread(target=lambda: got.append(load_encoder())) for _ in range(4)]
        for t in threads:
            t.start()
        got.append(load_encoder())
        for t in threads:
            t.join()
        assert len(reads_done) == 1
        assert len(got) == 5 and got[0] is not None
        assert all(m is got[0] for m in got)
        preload_encoder()  # already read: nothing more
        assert len(reads_done) == 1
    finally:
        signal_encoder._packaged.cache_clear()
