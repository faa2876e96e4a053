"""The scorer's reasons ("reads like", "words that weighed most") are the same as the slower code
they replaced (kept here): for every stage, with and without context, on labelled lines, edited
chat lines and random text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.analysis.disguise import undisguise
from unshared.analysis.signal_features import scored_part as _head
from unshared.analysis.signal_features import word_spans as _word_spans
from unshared.analysis.signal_scorer import (
    ScorerModel,
    Similar,
    context_bucket,
    featurise,
    load_scorer,
    normalise,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


def _weighty_before(
    self: ScorerModel, text: str, stage: str, top: int = 3, *, context: bool = False
) -> list[str]:
    j = self.stages.index(stage)
    text = undisguise(_head(text)).text  # the reasons quote the words as read (plain letters)
    f = featurise([text], self.bits, spans=True)
    norm = normalise(text)
    w = self.weights[f.bucket, j]
    if context:
        w = w + self.weights[context_bucket(f.bucket, self.bits), j]
    words: dict[tuple[int, int], float] = {}
    spans = _word_spans(norm)
    for weight, a, b in zip(w.tolist(), f.start.tolist(), f.end.tolist(), strict=True):
        covered = [sp for sp in spans if sp[0] < b and a < sp[1]]
        for sp in covered:
            words[sp] = words.get(sp, 0.0) + weight / len(covered)
    ranked = sorted(words.items(), key=lambda kv: -kv[1])
    out: list[str] = []
    same = len(text.lower()) == len(text)
    for (a, b), weight in ranked:
        word = text[a - 1 : b - 1] if same else norm[a:b]
        if weight <= 0 or word in out or len(word) < 2:
            continue
        out.append(word)
        if len(out) == top:
            break
    return out


def _similar_before(self: ScorerModel, text: str, stage: str, top: int = 1) -> list[Similar]:
    j = self.stages.index(stage)
    ex_bucket, ex_owner, ex_stage_mask = self._example_index()
    f = featurise([_head(text)], self.bits)
    query = np.unique(f.bucket)
    pos = np.maximum(self.weights[query, j], 0.0)
    keep = pos > 0
    query, pos = query[keep], pos[keep]
    if len(query) == 0:
        return []
    lo = np.searchsorted(ex_bucket, query, "left")
    hi = np.searchsorted(ex_bucket, query, "right")
    lengths = hi - lo
    if lengths.sum() == 0:
        return []
    rep = np.repeat(np.arange(len(query)), lengths)
    flat = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True) if b > a])
    gain = np.bincount(ex_owner[flat], weights=pos[rep], minlength=len(self.examples))
    gain = gain * ((ex_stage_mask >> j) & 1)
    best = np.argsort(-gain, kind="stable")[:top]
    return [
        Similar(self.examples[i]["text"], self.examples[i].get("source", ""), float(gain[i]))
        for i in best
        if gain[i] > 0
    ]


def _check(texts: list[str]) -> None:
    model = load_scorer()
    for text in texts:
        for stage in model.stages:
            for context in (False, True):
                got = model.weighty_words(text, stage, context=context)
                assert got == _weighty_before(model, text, stage, context=context), text
            for top in (1, 3):
                assert model.similar(text, stage, top) == _similar_before(model, text, stage, top)
            # what the reader asks for a flagged message: both, from one reading of the features
            for context in (False, True):
                assert model.reasons(text, stage, context=context) == (
                    _similar_before(model, text, stage, 1),
                    _weighty_before(model, text, stage, context=context),
                )


def test_example_index_is_every_bucket_example_pair_once_in_order() -> None:
    """The index "reads like" searches: each (bucket, example) pair of the examples' features
    once, sorted by bucket then example, as np.unique over the pairs gives it."""
    model = load_scorer()
    bucket, owner, _mask = model._example_index()
    f = featurise([e["text"] for e in model.examples], model.bits, features=model.features)
    pairs = np.unique(np.stack([f.bucket, f.message]), axis=1)
    assert np.array_equal(bucket, pairs[0]) and np.array_equal(owner, pairs[1])


def test_labelled_lines_get_the_same_reasons() -> None:
    texts = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("en_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(texts) > 500
    _check(texts[::3])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["pay", "now", "or", "I", "post", "ſend", "İ", "  ", "$500", "—"]),
            st.text(alphabet=st.characters(), max_size=10),
        ),
        max_size=15,
    )
)
def test_random_text_gets_the_same_reasons(words: list[str]) -> None:
    _check([" ".join(words)])
