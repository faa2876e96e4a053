"""Synthetic offender networks for `unshared police` (issue 19): N cases from M groups.

Each group has what real groups have: a few Skype IDs, phones, wallets and gift-card channels it
rotates through (a case sees one or two of them, never all), a few profile pictures (re-sent with
small changes: each copy's PDQ differs by up to 10 bits), and its own script of 8-14 lines, which
its members type with typos, dropped and swapped words and the victim's name. Every group also
uses lines everyone uses ("hello dear how are you", "send it now"), some groups buy the same
script as another group, amounts and gift-card methods repeat across groups, and a share of
cases carries no identifier at all (only words), or only a picture. The truth (group of each
case) comes with the cases, to measure what ``police clusters`` recovers.

Cases are built as :class:`unshared.police.model.CaseDigest` objects directly (what a verified
bundle gives after reading), so 100,000 cases can be made in minutes; the per-bundle cost of
verifying and reading real bundles is measured separately by police_bench.py.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

from unshared.police.model import (
    CaseDigest,
    Evidence,
    OffenderIdentifier,
    OffenderImage,
    OffenderMessage,
    PaymentInstruction,
)

WORDS = [
    "money",
    "pay",
    "send",
    "now",
    "video",
    "picture",
    "friends",
    "family",
    "school",
    "everyone",
    "life",
    "ruin",
    "post",
    "share",
    "follow",
    "list",
    "screenshot",
    "account",
    "bitcoin",
    "card",
    "steam",
    "apple",
    "google",
    "amazon",
    "western",
    "union",
    "gift",
    "code",
    "hours",
    "minutes",
    "tonight",
    "tomorrow",
    "last",
    "chance",
    "warning",
    "police",
    "cant",
    "help",
    "nobody",
    "will",
    "believe",
    "you",
    "your",
    "mom",
    "dad",
    "sister",
    "brother",
    "teacher",
    "boss",
    "wife",
    "girlfriend",
    "boyfriend",
    "cousin",
    "instagram",
    "facebook",
    "snapchat",
    "tiktok",
    "group",
    "chat",
    "viral",
    "page",
    "news",
    "article",
    "shame",
    "regret",
    "careful",
    "listen",
    "understand",
    "quickly",
    "remember",
    "promise",
    "delete",
    "after",
    "payment",
    "confirm",
    "receipt",
]
COMMON = [
    "hello dear how are you doing today",
    "send it now",
    "are you there",
    "why are you not answering me",
    "ok",
    "i am waiting for you",
    "you have to pay now or everyone will see",
    "do you understand what i am saying to you",
    "i will not tell you again",
    "just do what i say and nothing will happen",
]
METHODS = ["western union", "gift card", "bitcoin", "cash app", "paypal", "moneygram"]


@dataclass
class Group:
    skypes: list[str]
    phones: list[str]
    wallets: list[str]
    cards: list[str]
    pictures: list[int]
    script: list[str]
    method: str
    amount: str


def _line(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16)))


def make_groups(m: int, rng: random.Random) -> list[Group]:
    groups = []
    for _ in range(m):
        script = [_line(rng) for _ in range(rng.randint(8, 14))]
        groups.append(
            Group(
                [f"live:.cid.{rng.getrandbits(48):012x}" for _ in range(rng.randint(1, 4))],
                [f"+2348{rng.randint(10**8, 10**9 - 1)}" for _ in range(rng.randint(0, 3))],
                [f"bc1q{rng.getrandbits(160):040x}" for _ in range(rng.randint(0, 2))],
                [f"{rng.getrandbits(64):016X}" for _ in range(rng.randint(0, 2))],
                [rng.getrandbits(256) for _ in range(rng.randint(1, 3))],
                script,
                rng.choice(METHODS),
                str(rng.choice([100, 200, 250, 300, 500, 1000])),
            )
        )
    # Some groups buy the same script: a third of another group's lines.
    for g in range(0, m, 7):
        other = groups[(g + 3) % m]
        groups[g].script[: len(other.script) // 3] = other.script[: len(other.script) // 3]
    return groups


def _noisy(text: str, rng: random.Random, victim: str) -> str:
    words = text.split()
    for _ in range(rng.randint(0, 2)):
        op = rng.random()
        i = rng.randrange(len(words))
        if op < 0.3 and len(words) > 6:
            del words[i]
        elif op < 0.6:
            j = rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        elif op < 0.8:
            w = words[i]
            if len(w) > 3:
                k = rng.randrange(len(w) - 1)
                words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
        else:
            words.insert(i, rng.choice(WORDS))
    if rng.random() < 0.3:
        words.insert(0, victim)
    return " ".join(words)


def _flip(bits: int, rng: random.Random, most: int) -> str:
    for _ in range(rng.randint(0, most)):
        bits ^= 1 << rng.randrange(256)
    return f"{bits:064x}"


def make_case(
    index: int, group_id: int, group: Group, rng: random.Random, *, messages: int = 100
) -> CaseDigest:
    key = hashlib.sha256(f"case {index}".encode()).hexdigest()
    exhibit = hashlib.sha256(f"exhibit {index}".encode()).hexdigest()
    victim = "[victim]"
    offender_lines: list[str] = []
    kind = rng.random()
    script_share = 0.15 if kind < 0.1 else rng.uniform(0.3, 0.9)  # some cases are mostly small talk
    n_off = messages // 2
    for _ in range(n_off):
        r = rng.random()
        if r < script_share:
            offender_lines.append(_noisy(rng.choice(group.script), rng, victim))
        elif r < script_share + 0.3:
            offender_lines.append(rng.choice(COMMON))
        else:
            offender_lines.append(_line(rng))  # unique chatter
    msgs = [
        OffenderMessage(
            2 * i + 1, text, Evidence(exhibit, f"line {2 * i + 1}", 2 * i + 1, None), "offender"
        )
        for i, text in enumerate(offender_lines)
    ]
    idents: list[OffenderIdentifier] = []
    if kind > 0.15:  # 15% of cases: no identifier at all, words (and maybe a picture) only
        pools = [
            ("skype_id", group.skypes),
            ("phone", group.phones),
            ("btc_address", group.wallets),
            ("gift_card", group.cards),
        ]
        for kind_name, pool in pools:
            if pool and rng.random() < 0.5:
                value = rng.choice(pool)
                n = rng.randrange(len(msgs))
                idents.append(OffenderIdentifier(kind_name, value, (msgs[n].evidence,)))
    images = []
    if rng.random() < 0.6:
        pic = rng.choice(group.pictures)
        images.append(
            OffenderImage(
                _flip(pic, rng, 10),
                90,
                hashlib.sha256(f"img {index}".encode()).hexdigest(),
                msgs[0].evidence,
            )
        )
    if rng.random() < 0.2:  # an unrelated picture (a meme, a stock photo)
        images.append(
            OffenderImage(
                _flip(rng.getrandbits(256), rng, 0),
                90,
                hashlib.sha256(f"meme {index}".encode()).hexdigest(),
                msgs[0].evidence,
            )
        )
    payments = []
    if rng.random() < 0.7:
        amount = group.amount if rng.random() < 0.8 else str(rng.choice([100, 200, 500]))
        payments.append(PaymentInstruction(msgs[-1].evidence, group.method, amount, "GBP", None))
    return CaseDigest(
        case_key=key,
        seal=hashlib.sha256(f"seal {index}".encode()).hexdigest(),
        log_head=hashlib.sha256(f"head {index}".encode()).hexdigest(),
        bundle_sha256=hashlib.sha256(f"bundle {index}".encode()).hexdigest(),
        platforms=("whatsapp",),
        messages_total=messages,
        identifiers=idents,
        messages=msgs,
        images=images,
        payments=payments,
    )


def generate(
    n: int, m: int, seed: int = 1, messages: int = 100
) -> Iterator[tuple[int, CaseDigest]]:
    """(true group, case) for ``n`` cases from ``m`` groups of uneven size (a few big groups,
    many small ones, as in reporting)."""
    rng = random.Random(seed)
    groups = make_groups(m, rng)
    weights = [1.0 / (g + 1) ** 0.8 for g in range(m)]
    for index in range(n):
        g = rng.choices(range(m), weights)[0]
        yield g, make_case(index, g, groups[g], rng, messages=messages)
