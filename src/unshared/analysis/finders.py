"""One finder per kind of identifier. Each yields :class:`Identifier` records with offsets.

Finders may overlap (a 10-digit MTCN is also phone-shaped); :mod:`.identifiers` keeps the finding
with the higher priority. Validity: ``valid`` when a checksum or libphonenumber confirmed it,
``invalid`` when it has the shape but fails the check, ``shape`` when there is nothing to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

import phonenumbers
from stdnum import numdb

from unshared.analysis import checksums
from unshared.analysis import patterns as p
from unshared.model import Identifier

__all__ = [
    "Validity",
    "cashtags",
    "crypto",
    "emails",
    "gift_cards",
    "handles",
    "ibans",
    "money_transfers",
    "phones",
    "skype_live",
    "uk_bank_accounts",
]

Validity = Literal["valid", "shape", "invalid"]


def _ident(kind: str, value: str, raw: str, validity: Validity, start: int) -> Identifier:
    return Identifier(kind, value, raw, validity, start, start + len(raw))


# --------------------------------------------------------------------------- email, skype
def emails(text: str) -> Iterator[Identifier]:
    paypal = p.PAYPAL_CONTEXT.search(text) is not None
    for m in p.EMAIL.finditer(text):
        raw = m.group()
        value = raw.lower()
        local, _, domain = value.partition("@")
        if ".." in local or local.startswith(".") or local.endswith("."):
            continue
        if domain.endswith(p.NOT_EMAIL_DOMAINS):
            continue
        yield _ident("email", value, raw, "shape", m.start())
        if paypal:
            yield _ident("paypal", value, raw, "shape", m.start())


def skype_live(text: str) -> Iterator[Identifier]:
    for m in p.SKYPE_LIVE.finditer(text):
        raw = m.group()
        value = raw[2:] if raw.startswith("8:") else raw
        yield _ident("skype_id", value.lower(), raw, "shape", m.start())


# --------------------------------------------------------------------------- crypto
def _looks_random(token: str) -> bool:
    """Real addresses mix digits and both cases; used before calling a failed checksum a typo."""
    return (
        any(c.isdigit() for c in token)
        and any(c.islower() for c in token)
        and any(c.isupper() for c in token)
    )


def crypto(text: str) -> Iterator[Identifier]:
    if "0x" in text:
        for m in p.ETH.finditer(text):
            raw = m.group()
            body = raw[2:]
            validity: Validity
            if body.islower() or not any(c.isalpha() for c in body):
                validity = "shape"
            elif body.isupper():
                validity = "valid" if checksums.eip55_valid(raw) else "shape"
            else:
                validity = "valid" if checksums.eip55_valid(raw) else "invalid"
            yield _ident("eth_address", "0x" + body.lower(), raw, validity, m.start())
    for m in p.BTC_BASE58.finditer(text):
        raw = m.group()
        if checksums.btc_base58_valid(raw):
            yield _ident("btc_address", raw, raw, "valid", m.start())
        elif _looks_random(raw):
            yield _ident("btc_address", raw, raw, "invalid", m.start())
    for m in p.BTC_BECH32.finditer(text):
        raw = m.group()
        validity = "valid" if checksums.segwit_valid(raw) else "invalid"
        yield _ident("btc_address", raw.lower(), raw, validity, m.start())
    for m in p.TRON.finditer(text):
        raw = m.group()
        if checksums.tron_valid(raw):
            yield _ident("tron_address", raw, raw, "valid", m.start())
        elif _looks_random(raw):
            yield _ident("tron_address", raw, raw, "invalid", m.start())


# --------------------------------------------------------------------------- banks
_IBAN_DB = numdb.get("iban")
_BBAN_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_BBAN_CLASS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Za-z0-9]"}


@lru_cache(maxsize=256)
def _iban_shape(country: str) -> tuple[int, re.Pattern[str]] | None:
    """(length, BBAN regex) for a country in the IBAN registry, from python-stdnum's data."""
    info = _IBAN_DB.info(country)
    if not info or not info[0][1]:
        return None
    structure = str(info[0][1].get("bban", ""))
    if not structure:
        return None
    length = 4 + sum(int(n) for n, _ in _BBAN_PART.findall(structure))
    regex = _BBAN_PART.sub(lambda m: f"{_BBAN_CLASS[m.group(2)]}{{{m.group(1)}}}", structure)
    return length, re.compile(regex)


def _mod97(compact: str) -> bool:
    """ISO 13616 check: country and check digits moved to the end, letters as 10..35, mod 97."""
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def ibans(text: str) -> Iterator[Identifier]:
    for m in p.IBAN.finditer(text):
        raw = m.group()
        lower = not raw[:2].isupper()
        shape = _iban_shape(raw[:2].upper())
        if shape is None:
            continue
        length, bban = shape
        # Cut the candidate to the country's length (a following word may have been swallowed).
        count = 0
        cut = 0
        for i, char in enumerate(raw):
            if char != " ":
                count += 1
                if count == length:
                    cut = i + 1
                    break
        if not cut or (cut < len(raw) and raw[cut] != " "):
            continue
        raw = raw[:cut]
        compact = raw.replace(" ", "").upper()
        if not bban.fullmatch(compact[4:]):
            continue
        validity: Validity = "valid" if _mod97(compact) else "invalid"
        if lower and validity != "valid":
            continue  # lower-case text of the right length is only an IBAN if its check passes
        yield _ident("iban", compact, raw, validity, m.start())


def uk_bank_accounts(text: str) -> Iterator[Identifier]:
    if "-" in text:
        for m in p.SORT_THEN_ACCOUNT.finditer(text):
            value = f"{m.group(1)}-{m.group(2)}-{m.group(3)} {m.group(4)}"
            yield _ident("uk_bank_account", value, m.group(), "shape", m.start())
    low = text.lower()
    if not any(w in low for w in _BANK_WORDS) or not p.BANK_CONTEXT.search(text):
        return
    sorts = [(m.start(), m.end(), m.groups()) for m in p.SORT_CODE.finditer(text)]
    sorts += [(m.start(1), m.end(3), m.groups()) for m in p.SORT_CODE_PLAIN.finditer(text)]
    accounts = [(m.start(), m.end(), m.group()) for m in p.ACCOUNT_NUMBER.finditer(text)]
    used: set[int] = set()
    for m in p.SORT_PLAIN_THEN_ACCOUNT.finditer(text):
        value = f"{m.group(1)}-{m.group(2)}-{m.group(3)} {m.group(4)}"
        used.update(i for i, a in enumerate(accounts) if a[0] == m.start(4))
        yield Identifier("uk_bank_account", value, m.group(), "shape", m.start(), m.end())
    for s_start, s_end, groups in sorted(sorts):
        best = None
        for i, (a_start, a_end, number) in enumerate(accounts):
            gap = a_start - s_end if a_start >= s_end else s_start - a_end
            if i not in used and 0 <= gap <= 60 and (best is None or gap < best[0]):
                best = (gap, i, a_start, a_end, number)
        if best is None:
            continue
        _, i, a_start, a_end, number = best
        used.add(i)
        start, end = min(s_start, a_start), max(s_end, a_end)
        value = f"{groups[0]}-{groups[1]}-{groups[2]} {number}"
        yield Identifier("uk_bank_account", value, text[start:end], "shape", start, end)


# --------------------------------------------------------------------------- money transfers
_MTCN_WORDS = ("union", "wu", "mtcn", "control", "transfer")
_GIFT_WORDS = (
    "gift",
    "voucher",
    "redeem",
    "steam",
    "itunes",
    "apple",
    "google",
    "play",
    "amazon",
    "code",
    "card",
)
_PHONE_WORDS = (
    "call",
    "ring",
    "phone",
    "mob",
    "cell",
    "tel",
    "text",
    "txt",
    "sms",
    "whats",
    "wa",
    "viber",
    "signal",
)
_BANK_WORDS = ("sort", "acc", "bank", "s/c", "sc")


def money_transfers(text: str) -> Iterator[Identifier]:
    low = text.lower()
    if any(w in low for w in _MTCN_WORDS) and p.MTCN_CONTEXT.search(text):
        for m in p.MTCN.finditer(text):
            raw = m.group()
            yield _ident("mtcn", re.sub(r"\D", "", raw), raw, "shape", m.start())
    if "gram" in low and p.MONEYGRAM_CONTEXT.search(text):
        for m in p.MONEYGRAM.finditer(text):
            raw = m.group()
            yield _ident("moneygram_ref", re.sub(r"\D", "", raw), raw, "shape", m.start())


def _mixed(code: str) -> bool:
    return any(c.isdigit() for c in code) and any(c.isalpha() for c in code)


def gift_cards(text: str) -> Iterator[Identifier]:
    low = text.lower()
    if not any(w in low for w in _GIFT_WORDS) or not p.GIFT_CONTEXT.search(text):
        return
    named = [brand for brand, regex in p.GIFT_BRANDS if regex.search(text)]
    for shape, regex in p.GIFT_SHAPES:
        for m in regex.finditer(text):
            raw = m.group()
            code = re.sub(r"[ -]", "", raw)
            if not _mixed(code):
                continue
            if shape in ("steam", "amazon"):
                brand = shape
            elif len(code) == 16 and code.startswith("X") and "google_play" not in named:
                brand = "apple"
            elif len(named) == 1:
                brand = named[0]
            else:
                brand = "google_play" if shape == "grouped" else "unknown"
            yield _ident("gift_card", f"{brand}:{code}", raw, "shape", m.start())


def cashtags(text: str) -> Iterator[Identifier]:
    if "$" not in text and "£" not in text:
        return
    for m in p.CASHTAG.finditer(text):
        name = m.group(1).lower()
        if name in p.NOT_CASHTAGS:
            continue
        yield _ident("cashtag", "$" + name, m.group(), "shape", m.start())


# --------------------------------------------------------------------------- phones
def phones(text: str, region: str) -> Iterator[Identifier]:
    if not p.PHONE_DIGITS.search(text):
        return
    dialled_somewhere = p.PHONE_DIALLED.search(p.DATE_OR_TIME.sub(" ", text)) is not None
    low = text.lower()
    context = any(w in low for w in _PHONE_WORDS) and p.PHONE_CONTEXT.search(text) is not None
    if not (context or dialled_somewhere):
        return  # every number we would keep is dialled as written or said to be a phone
    # Dates and times are blanked (same length, so offsets hold) before libphonenumber reads it.
    masked = p.DATE_OR_TIME.sub(lambda m: " " * len(m.group()), text)
    matcher = phonenumbers.PhoneNumberMatcher(
        masked, region, leniency=phonenumbers.Leniency.POSSIBLE
    )
    for match in matcher:
        raw = match.raw_string
        number = match.number
        dialled = raw[0] in "+0("
        valid = phonenumbers.is_valid_number(number)
        # Without a leading + / 0 a digit run is too often an order number or an id.
        if not (dialled or context):
            continue
        if not valid and not (dialled and context) and not raw.startswith("+"):
            continue
        if not valid and len(str(number.national_number)) < 7:
            continue  # too short to be a mistyped phone number: a year, a code, a count
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        yield _ident("phone", e164, raw, "valid" if valid else "invalid", match.start)


# --------------------------------------------------------------------------- handles in words
def _cued(text: str, start: int, name: str) -> bool:
    """A short platform word (``sc``, ``ig``, ``tg``) after "add me on" / "my" / "on", followed
    by a name that looks like a handle: ``add me on sc kelvin.m22``."""
    return (
        _handle_like(name) and p.SHORT_WORD_CUE.search(text, max(0, start - 24), start) is not None
    )


def _handle_like(token: str) -> bool:
    return any(c.isdigit() or c in "_." for c in token)


def _after(text: str, pos: int) -> tuple[re.Match[str] | None, bool, bool]:
    """The first word after the platform name that is not a filler, and what stood between."""
    strong = False
    said_is = False
    for _ in range(5):
        token = p.HANDLE_TOKEN.search(text, pos)
        if token is None or text[pos : token.start()].strip(" \t"):
            return None, strong, said_is
        word = token.group()
        bare = word.lower().rstrip(":")
        if bare in p.FILLERS or word in (":", "-", "="):
            strong = strong or bare in p.STRONG_SEPARATORS or word.endswith(":")
            said_is = said_is or bare in ("is", "was")
            pos = token.end()
            continue
        return token, strong, said_is
    return None, strong, said_is


def handles(text: str) -> Iterator[Identifier]:
    """Handles written next to a platform name: ``my insta is @jess.h22``, ``snap: jess_h22``,
    ``@jessh22 on telegram``."""
    lowered = text.lower()
    for kind, words, regex in p.HANDLE_PLATFORMS:
        if not any(w in lowered for w in words):
            continue
        for m in regex.finditer(text):
            short = m.group().lower() in p.SHORT_PLATFORM_WORDS
            before = p.HANDLE_BEFORE.search(text, max(0, m.start() - 64), m.start())
            if before is not None:
                name = before.group(1).rstrip(".")
                if p.HANDLE_SHAPES[kind].fullmatch(name):
                    start = before.start()
                    yield Identifier(
                        kind, name.lower(), "@" + name, "shape", start, start + len(name) + 1
                    )
                    continue
            found, strong, said_is = _after(text, m.end())
            if found is None:
                continue
            word = found.group()
            at = word.startswith("@")
            name = word.lstrip("@").rstrip(".")
            if name.lower().startswith("live:") or not name:
                continue
            if short and not (at or strong or said_is or _cued(text, m.start(), name)):
                continue
            if not at and name.lower() in p.STOPWORDS:
                continue
            if not (at or strong or _handle_like(name)):
                continue
            if not p.HANDLE_SHAPES[kind].fullmatch(name):
                continue
            start = found.start()
            raw = text[start : start + len(word.rstrip("."))]
            yield Identifier(kind, name.lower(), raw, "shape", start, start + len(raw))
