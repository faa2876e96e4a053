"""Links and clusters, attacked: common phrases, bought scripts, near pictures, stable ids."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from unshared.police import links as L
from unshared.police.clusters import build_clusters
from unshared.police.minhash import shingles, signatures, similar_groups


def _exact(a: str, b: str) -> float:
    sa, sb = set(shingles(a.split())), set(shingles(b.split()))
    return len(sa & sb) / len(sa | sb)


def _corpus(seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(2000)]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(10, 20))) for _ in range(300)]


def test_minhash_estimates_jaccard_like_datasketch() -> None:
    datasketch = pytest.importorskip("datasketch")
    rng = random.Random(5)
    texts = _corpus()
    pairs = []
    for t in texts[:100]:
        w = t.split()
        for _ in range(rng.randint(0, 4)):
            w[rng.randrange(len(w))] = "x" + str(rng.randrange(10))
        pairs.append((t, " ".join(w)))
    sig = signatures([x for p in pairs for x in p], num_perm=128)
    ours, theirs, exact = [], [], []
    for i, (a, b) in enumerate(pairs):
        ours.append(float((sig[2 * i] == sig[2 * i + 1]).mean()))
        ma, mb = datasketch.MinHash(num_perm=128), datasketch.MinHash(num_perm=128)
        for s in shingles(a.split()):
            ma.update(s.to_bytes(8, "little"))
        for s in shingles(b.split()):
            mb.update(s.to_bytes(8, "little"))
        theirs.append(ma.jaccard(mb))
        exact.append(_exact(a, b))
    err_ours = np.abs(np.array(ours) - np.array(exact)).mean()
    err_theirs = np.abs(np.array(theirs) - np.array(exact)).mean()
    assert err_ours < 0.05 and err_ours < err_theirs * 1.5 + 0.01


def test_near_duplicates_group_and_unrelated_lines_do_not() -> None:
    rng = random.Random(9)
    texts, base_of = [], []
    for b, t in enumerate(_corpus()):
        for _ in range(3):
            w = t.split()
            if rng.random() < 0.5:  # one typo at the end: Jaccard stays high
                w[-1] = w[-1] + "x"
            texts.append(" ".join(w))
            base_of.append(b)
    groups = similar_groups(signatures(texts), 0.7)
    same = dissimilar_merged = close_pairs = 0
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            jac = _exact(texts[i], texts[j])
            if jac >= 0.8:
                close_pairs += 1
                same += groups[i] == groups[j]
            elif jac < 0.3:
                dissimilar_merged += groups[i] == groups[j]
    assert close_pairs > 200
    assert same / close_pairs >= 0.98
    assert dissimilar_merged == 0


def _reason(kind: str, label: str, weight: float) -> L.Reason:
    return L.Reason(kind, label, weight, (label,))


def test_a_common_phrase_joins_nothing() -> None:
    found = []
    # Three networks, each held together by its own Skype ID ...
    for net in range(3):
        a, b = 10 * net, 10 * net + 1
        found.append((a, b, _reason("identifier", f"skype_id live:{net}", 0.9)))
    # ... all using "hello dear how are you doing today" and the same gift-card habit.
    for phrase in ("hello dear how are you doing today", "so you want to see me now or not"):
        found += [
            (0, 10, _reason("script", phrase, 0.35)),
            (0, 20, _reason("script", phrase, 0.35)),
        ]
    kept = L.filter_weak(found)
    assert {r.label for r in kept.generic} == {
        "hello dear how are you doing today",
        "so you want to see me now or not",
    }
    clusters = build_clusters({i: f"{i:012d}" for i in (0, 1, 10, 11, 20, 21)}, kept.kept)
    assert sorted(len(c.cases) for c in clusters) == [2, 2, 2]


def _two_networks_sharing_a_script() -> tuple[list[L.Reason], list[tuple[int, int, L.Reason]]]:
    """Cases 1-2 and 3-4 each joined by their own phone; 1 and 3 share three lines of a script
    sold to many groups."""
    script = [
        _reason("script", f"line {i} of a script sold to many groups", 0.35) for i in range(3)
    ]
    found = [
        (1, 2, _reason("identifier", "phone +2348011111111", 0.9)),
        (3, 4, _reason("identifier", "phone +2348022222222", 0.9)),
        *[(1, 3, r) for r in script],
    ]
    return script, found


def test_a_bought_script_never_merges_two_networks_but_is_shown() -> None:
    script, found = _two_networks_sharing_a_script()
    # A loose case (no identifier) with the same words joins one of them.
    found += [(1, 5, r) for r in script]
    kept = L.filter_weak(found)
    clusters = build_clusters({i: f"{i:012d}" for i in range(1, 6)}, kept.kept)
    assert sorted(sorted(c.cases) for c in clusters) == [[1, 2, 5], [3, 4]]
    assert [(a, b) for a, b, _ in kept.related] == [(1, 3)]


def test_pictures_near_and_far() -> None:
    rng = np.random.default_rng(1)
    base = int.from_bytes(rng.bytes(32), "big")
    near = base ^ sum(1 << int(i) for i in rng.choice(256, 10, replace=False))
    far = base ^ sum(1 << int(i) for i in rng.choice(256, 60, replace=False))
    found = L.image_links([(1, f"{base:064x}"), (2, f"{near:064x}"), (3, f"{far:064x}")])
    assert [(a, b) for a, b, _ in found] == [(1, 2)]
    assert "within 10 bits" in found[0][2].label


def test_cluster_ids_are_stable_and_the_older_id_wins() -> None:
    keys = {1: "aaaaaaaaaaaa", 2: "bbbbbbbbbbbb", 3: "cccccccccccc", 4: "dddddddddddd"}
    first = [
        (1, 2, _reason("identifier", "skype_id x", 0.9)),
        (3, 4, _reason("identifier", "skype_id y", 0.9)),
    ]
    before = {c.id for c in build_clusters(keys, first)}
    assert before == {"N-aaaaaaaaaa", "N-cccccccccc"}
    merged = build_clusters(keys, [*first, (2, 3, _reason("image", "picture", 0.8))])
    assert [c.id for c in merged] == ["N-aaaaaaaaaa"]
    assert [r.kind for r in merged[0].why(3)] in (["image"], ["identifier"])


def test_possibly_related_networks_are_listed_in_jsonl() -> None:
    from unshared.usecases.police import Network, render_clusters

    _, found = _two_networks_sharing_a_script()
    kept = L.filter_weak(found)
    keys = {i: f"{i:012d}" for i in range(1, 5)}
    net = Network(build_clusters(keys, kept.kept), {i: k[:12] for i, k in keys.items()}, {},
                  kept.related)  # fmt: skip
    lines = [json.loads(line) for line in render_clusters(net, "jsonl").splitlines()]
    assert len([line for line in lines if "cluster" in line]) == 2  # two networks, not merged
    related = [line for line in lines if "possibly_related" in line]
    assert related == [
        {
            "possibly_related": ["000000000001", "000000000003"],
            "why": [f"script: line {i} of a script sold to many groups" for i in range(3)],
        }
    ]
