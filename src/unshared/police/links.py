"""What two cases share, as links with a strength and a reason. Pure: no I/O.

Four kinds of link, each from the other party's side of a case only:

* ``identifier``: the same normalised identifier (Skype ID, E.164 phone, e-mail, wallet, IBAN,
  cashtag, PayPal, gift-card code, profile link or numeric account id, MTCN...), weight 0.9
  (0.5 for a plain link, which may be a news page both were sent);
* ``image``: pictures the offender sent whose PDQ hashes are within :data:`PDQ_THRESHOLD` bits
  (found through 16 exact 16-bit bands: every pair within 15 bits is found for certain, pairs
  from 16 to 31 bits when a band agrees), weight 0.8;
* ``script``: near-duplicate offender messages of at least :data:`MIN_SCRIPT_WORDS` words
  (MinHash over word 3-grams with LSH, as datasketch does it, vectorised; Jaccard >=
  :data:`SCRIPT_JACCARD`),
  weight 0.35 per distinct script shared, so one shared line alone does not join two cases;
* ``payment``: the same payment instruction (method, amount, currency, deadline wording),
  weight 0.25.

Cases that share one thing are linked to the first case that had it (a star), so a value seen in
thousands of cases gives thousands of links, not millions. A pair's strength is
``1 - prod(1 - weight)`` over everything it shares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Link",
    "Reason",
    "identifier_links",
    "image_links",
    "payment_links",
    "script_links",
    "strength",
    "PDQ_THRESHOLD",
    "SCRIPT_JACCARD",
    "MIN_SCRIPT_WORDS",
]

PDQ_THRESHOLD = 31
SCRIPT_JACCARD = 0.7
MIN_SCRIPT_WORDS = 6
IDENTIFIER_WEIGHT = 0.9
WEAK_IDENTIFIER_KINDS = {"url": 0.5}
IMAGE_WEIGHT = 0.8
SCRIPT_WEIGHT = 0.35
PAYMENT_WEIGHT = 0.25


@dataclass(frozen=True, slots=True)
class Reason:
    """Why two cases are linked: ``kind`` (identifier, image, script, payment), what they share
    (``label``: ``skype_id live:.cid.1f``, a PDQ pair and distance, a script's words), its
    ``weight``, and ``keys`` the evidence look-ups use (entity, hashes)."""

    kind: str
    label: str
    weight: float
    keys: tuple[str, ...] = ()


@dataclass
class Link:
    a: int
    b: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return strength(r.weight for r in self.reasons)


def strength(weights: Iterable[float]) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return round(1.0 - miss, 4)


def _star(cases: Sequence[int], reason: Reason) -> Iterable[tuple[int, int, Reason]]:
    ordered = sorted(set(cases))
    for other in ordered[1:]:
        yield ordered[0], other, reason


def identifier_links(sightings: Iterable[tuple[int, str, str]]) -> list[tuple[int, int, Reason]]:
    """``sightings``: (case, kind, value) -> star links per shared value."""
    by_value: dict[tuple[str, str], set[int]] = defaultdict(set)
    for case, kind, value in sightings:
        by_value[(kind, value)].add(case)
    out: list[tuple[int, int, Reason]] = []
    for (kind, value), cases in by_value.items():
        if len(cases) < 2:
            continue
        weight = WEAK_IDENTIFIER_KINDS.get(kind, IDENTIFIER_WEIGHT)
        out.extend(
            _star(list(cases), Reason("identifier", f"{kind} {value}", weight, (kind, value)))
        )
    return out


def _popcount(x: int) -> int:
    return x.bit_count()


def image_links(images: Iterable[tuple[int, str]]) -> list[tuple[int, int, Reason]]:
    """``images``: (case, PDQ hex). Near-identical pictures in different cases, grouped."""
    items = [(case, int(pdq, 16), pdq) for case, pdq in images]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for band in range(16):
        buckets: dict[int, list[int]] = defaultdict(list)
        shift = band * 16
        for index, (_, bits, _) in enumerate(items):
            buckets[(bits >> shift) & 0xFFFF].append(index)
        for members in buckets.values():
            if len(members) < 2:
                continue
            for x in range(len(members)):
                i = members[x]
                for j in members[x + 1 :]:
                    if items[i][0] == items[j][0] or find(i) == find(j):
                        continue
                    distance = _popcount(items[i][1] ^ items[j][1])
                    if distance <= PDQ_THRESHOLD:
                        parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        groups[find(index)].append(index)
    out: list[tuple[int, int, Reason]] = []
    for members in groups.values():
        cases = {items[i][0] for i in members}
        if len(cases) < 2:
            continue
        hashes = tuple(sorted({items[i][2] for i in members}))
        first = items[members[0]][1]
        worst = max(_popcount(first ^ items[i][1]) for i in members)
        reason = Reason(
            "image",
            f"the same picture sent ({len(hashes)} PDQ hash(es), within {worst} bits)",
            IMAGE_WEIGHT,
            hashes,
        )
        out.extend(_star(list(cases), reason))
    return out


def script_links(texts: Iterable[tuple[int, str, str]]) -> list[tuple[int, int, Reason]]:
    """``texts``: (case, SHA-256 of the normalised text, normalised text). Near-duplicate
    offender lines across cases, grouped (MinHash and LSH, :mod:`unshared.police.minhash`); one
    star per group of lines."""
    from array import array

    import numpy as np

    from unshared.police.minhash import signatures, similar_groups

    index_of: dict[str, int] = {}
    lines: list[str] = []
    firsts: list[str] = []
    pair_text, pair_case = array("q"), array("q")
    for case, digest, norm in texts:
        index = index_of.get(digest)
        if index is None:
            if len(norm.split()) < MIN_SCRIPT_WORDS:
                continue
            index = index_of[digest] = len(lines)
            lines.append(norm)
            firsts.append(digest)
        pair_text.append(index)
        pair_case.append(case)
    del index_of
    groups = similar_groups(signatures(lines), SCRIPT_JACCARD)
    text_idx = np.frombuffer(pair_text, dtype=np.int64)
    cases = np.frombuffer(pair_case, dtype=np.int64)
    both = np.unique(np.stack([groups[text_idx], cases], axis=1), axis=0)
    group_ids, counts = np.unique(both[:, 0], return_counts=True)
    shared = set(group_ids[counts >= 2].tolist())
    if not shared:
        return []
    # The line shown for a group: its shortest (then first) text.
    shown: dict[int, int] = {}
    for index, group in enumerate(groups.tolist()):
        if group in shared:
            best = shown.get(group)
            if best is None or (len(lines[index]), lines[index]) < (len(lines[best]), lines[best]):
                shown[group] = index
    out: list[tuple[int, int, Reason]] = []
    starts = np.searchsorted(both[:, 0], group_ids)
    for group, start, count in zip(
        group_ids.tolist(), starts.tolist(), counts.tolist(), strict=True
    ):
        if count < 2:
            continue
        text = lines[shown[group]]
        label = text if len(text) <= 90 else text[:87] + "..."
        members = both[start : start + count, 1].tolist()
        out.extend(_star(members, Reason("script", label, SCRIPT_WEIGHT, (firsts[shown[group]],))))
    return out


def payment_links(payments: Iterable[tuple[int, str]]) -> list[tuple[int, int, Reason]]:
    """``payments``: (case, pattern ``method|amount|currency|deadline``) -> star links."""
    by_pattern: dict[str, set[int]] = defaultdict(set)
    for case, pattern in payments:
        method, amount = pattern.split("|")[:2]
        if method and amount:
            by_pattern[pattern].add(case)
    out: list[tuple[int, int, Reason]] = []
    for pattern, cases in by_pattern.items():
        if len(cases) >= 2:
            shown = " ".join(p for p in pattern.split("|") if p)
            out.extend(_star(list(cases), Reason("payment", shown, PAYMENT_WEIGHT, (pattern,))))
    return out


#: A script line or payment instruction shared by this many networks that nothing else joins is a
#: common phrase ("hello dear how are you"), not a signature; it links nothing.
GENERIC_NETWORKS = 3
STRONG_KINDS = frozenset({"identifier", "image"})


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}

    def find(self, x: int) -> int:
        if x not in self.parent:
            self.parent[x] = x
            self.size[x] = 1
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.size[ra] += self.size[rb]


@dataclass
class Filtered:
    """What joins cases (``kept``), the common phrases that join nothing (``generic``), and
    pairs of networks that share only words or payment habits (``related``: shown to the
    analyst as possibly related, never merged: scripts are sold and copied)."""

    kept: list[tuple[int, int, Reason]]
    generic: list[Reason]
    related: list[tuple[int, int, list[Reason]]]


def filter_weak(found: list[tuple[int, int, Reason]], *, min_strength: float = 0.5) -> Filtered:
    """Strong links (shared identifiers and pictures) always join. Weak ones (script, payment)
    join loose cases to each other or to a network, but never two networks that each hold two
    or more cases joined by strong links; and a weak reason spanning :data:`GENERIC_NETWORKS`
    such networks is a common phrase and is dropped."""
    strong = _Union()
    for a, b, reason in found:
        if reason.kind in STRONG_KINDS and reason.weight >= min_strength:
            strong.union(a, b)
    anchored = {strong.find(x) for x in strong.parent if strong.size[strong.find(x)] >= 2}
    spans: dict[Reason, set[int]] = defaultdict(set)
    for a, b, reason in found:
        if reason.kind not in STRONG_KINDS:
            for case in (a, b):
                if case in strong.parent and strong.find(case) in anchored:
                    spans[reason].add(strong.find(case))
    generic = {r for r, roots in spans.items() if len(roots) >= GENERIC_NETWORKS}
    kept = [t for t in found if t[2] not in generic]
    weak: dict[tuple[int, int], list[Reason]] = defaultdict(list)
    out: list[tuple[int, int, Reason]] = []
    for a, b, reason in kept:
        if reason.kind in STRONG_KINDS:
            out.append((a, b, reason))
        else:
            weak[(min(a, b), max(a, b))].append(reason)
    # Components as they grow: a component is anchored once it holds a strong network.
    joined = _Union()
    holds: dict[int, bool] = {}
    for x in strong.parent:
        root = joined.find(x)
        joined.union(root, joined.find(strong.find(x)))
    for x in strong.parent:
        holds[joined.find(x)] = holds.get(joined.find(x), False) or strong.find(x) in anchored
    related: list[tuple[int, int, list[Reason]]] = []
    ordered = sorted(weak.items(), key=lambda kv: (-strength(r.weight for r in kv[1]), kv[0]))
    for (a, b), reasons in ordered:
        if strength(r.weight for r in reasons) < min_strength:
            out.extend((a, b, r) for r in reasons)  # shown on the pair, joins nothing
            continue
        ra, rb = joined.find(a), joined.find(b)
        if ra == rb:
            out.extend((a, b, r) for r in reasons)
        elif holds.get(ra, False) and holds.get(rb, False):
            related.append((a, b, reasons))
        else:
            joined.union(ra, rb)
            holds[joined.find(a)] = holds.get(ra, False) or holds.get(rb, False)
            out.extend((a, b, r) for r in reasons)
    return Filtered(out, sorted(generic, key=lambda r: r.label), related)
