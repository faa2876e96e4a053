"""What two cases share, as links with a strength and a reason. Pure: no I/O.

Four kinds of link, each from the other party's side of a case only:

* ``identifier``: the same normalised identifier (Skype ID, E.164 phone, e-mail, wallet, IBAN,
  cashtag, PayPal, gift-card code, profile link or numeric account id, MTCN...), weight 0.9
  (0.5 for a plain link, which may be a news page both were sent);
* ``image``: pictures the offender sent whose PDQ hashes are within :data:`PDQ_THRESHOLD` bits
  (found through 16 exact 16-bit bands: every pair within 15 bits is found for certain, pairs
  from 16 to 31 bits when a band agrees), weight 0.8;
* ``script``: near-duplicate offender messages of at least :data:`MIN_SCRIPT_WORDS` words
  (MinHash over word 3-grams with LSH, datasketch; Jaccard >= :data:`SCRIPT_JACCARD`),
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


def _shingles(words: list[str]) -> set[bytes]:
    return {" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)}


def script_links(
    texts: Iterable[tuple[int, str, str]], *, num_perm: int = 64
) -> list[tuple[int, int, Reason]]:
    """``texts``: (case, SHA-256 of the normalised text, normalised text). Near-duplicate
    offender lines across cases, grouped; one star per group of lines."""
    from datasketch import MinHash, MinHashLSH

    cases_of: dict[str, set[int]] = defaultdict(set)
    text_of: dict[str, str] = {}
    for case, digest, norm in texts:
        if digest not in text_of:
            if len(norm.split()) < MIN_SCRIPT_WORDS:
                continue
            text_of[digest] = norm
        cases_of[digest].add(case)
    lsh = MinHashLSH(threshold=SCRIPT_JACCARD, num_perm=num_perm)
    hashes: dict[str, MinHash] = {}
    digests = list(text_of)
    sets = [_shingles(text_of[d].split()) for d in digests]
    for digest, mh in zip(digests, MinHash.bulk(sets, num_perm=num_perm), strict=True):
        hashes[digest] = mh
        lsh.insert(digest, mh)
    parent = {d: d for d in digests}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for digest in digests:
        mh = hashes[digest]
        for other in lsh.query(mh):
            if (
                other != digest
                and find(other) != find(digest)
                and mh.jaccard(hashes[other]) >= SCRIPT_JACCARD
            ):
                parent[find(other)] = find(digest)
    groups: dict[str, list[str]] = defaultdict(list)
    for digest in digests:
        groups[find(digest)].append(digest)
    out: list[tuple[int, int, Reason]] = []
    for members in groups.values():
        cases: set[int] = set()
        for d in members:
            cases |= cases_of[d]
        if len(cases) < 2:
            continue
        shown = min((text_of[d] for d in members), key=len)
        label = shown if len(shown) <= 90 else shown[:87] + "..."
        out.extend(
            _star(list(cases), Reason("script", label, SCRIPT_WEIGHT, tuple(sorted(members))))
        )
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
