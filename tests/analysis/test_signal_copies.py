"""The copy check that keeps the corpus and blind sets apart gives the answer of comparing every
pair of lines (it compares only lines sharing a rare word, for speed)."""

from __future__ import annotations

import random

from benchmarks.evaluation.signals import copies, line_key


def _every_pair(known: list[str], new: list[str]) -> list[str]:
    seen = {line_key(t) for t in known}
    pool = [w for w in (frozenset(line_key(t).split()) for t in known) if len(w) >= 4]
    found = []
    for text in new:
        key = line_key(text)
        words = frozenset(key.split())
        if key in seen or (
            len(words) >= 4 and any(len(words & w) >= 0.8 * len(words | w) for w in pool)
        ):
            found.append(text)
        seen.add(key)
        if len(words) >= 4:
            pool.append(words)
    return found


def test_the_same_copies_as_comparing_every_pair() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(60)]
    found = 0
    for _ in range(300):
        known = [" ".join(rng.choices(vocab, k=rng.randint(1, 18))) for _ in range(30)]
        new = [" ".join(rng.choices(vocab, k=rng.randint(1, 18))) for _ in range(30)]
        for _ in range(15):  # near copies: a word changed, a word added, other case
            words = rng.choice(known + new).split()
            words[rng.randrange(len(words))] = rng.choice(vocab)
            if rng.random() < 0.5:
                words.append(rng.choice(vocab))
            new.append(" ".join(words).upper())
        expected = _every_pair(known, new)
        assert copies(known, new) == expected
        found += len(expected)
    assert found > 1000  # the check had near copies to find


def test_a_near_copy_at_the_edge_of_80_percent() -> None:
    base = "one two three four five six seven eight nine ten"
    one_changed = base.replace("ten", "eleven")  # 9 shared of 11: 82%
    two_changed = one_changed.replace("nine", "twelve")  # 8 shared of 12: 67%
    assert copies([base], [one_changed.upper()]) == [one_changed.upper()]
    assert copies([base], [two_changed]) == []
    assert copies([], ["All good", "all good!"]) == ["all good!"]  # same key, short line
