"""Identifiers police need: found in text and in participant metadata, validated, normalised.

:func:`extract_identifiers` reads one message; :func:`participant_identifiers` reads the ids an
export gives for a person (a Skype ``8:live:...`` id, a Discord snowflake...). Both are pure: no
I/O, no network. Kinds and their normalised values are described in ``docs/identifiers.md``.

Speed: a cheap pre-filter (:data:`patterns.TRIGGER`, one regular expression) skips messages with nothing digit-, ``@``- or
link-like in them, which is most chat; each finder then has its own cheap gate.
"""

from __future__ import annotations

from dataclasses import replace

import phonenumbers

from unshared.analysis import finders
from unshared.analysis import patterns as p
from unshared.analysis.finders import Validity
from unshared.analysis.spans import Spans
from unshared.analysis.urls import url_identifiers
from unshared.model import Identifier, Participant

__all__ = ["CHECKSUM_KINDS", "KINDS", "extract_identifiers", "participant_identifiers"]

KINDS = p.KINDS
CHECKSUM_KINDS = p.CHECKSUM_KINDS


def _group(ident: Identifier, from_url: bool, from_words: bool) -> int:
    if from_url:
        return p.PRIORITY["url"]
    if from_words:
        return p.PRIORITY["handle"]
    if ident.kind == "paypal":  # the PayPal reading of an e-mail shares the e-mail's text
        return p.PRIORITY["email"]
    return p.PRIORITY[ident.kind]


def extract_identifiers(text: str, region: str = "GB") -> list[Identifier]:
    """Every identifier in ``text``; phone numbers are read for ``region`` (ISO 3166 alpha-2).

    Returned in text order. Where two findings overlap, the more specific one keeps the text
    (a link beats the handle inside it, an MTCN beats a phone-shaped reading of the same digits).
    """
    if not text:
        return []
    low = text.lower()
    if not (p.TRIGGER.search(low) or (len(text) >= 26 and p.LONG_TOKEN.search(text))):
        return []
    has_digit = p.DIGIT.search(text) is not None
    region = (region or "GB").upper()
    found: list[tuple[int, Identifier]] = []
    if "/" in text or "www." in low:
        found += [(_group(i, True, False), i) for i in url_identifiers(text, region)]
    if "@" in text:
        found += [(_group(i, False, False), i) for i in finders.emails(text)]
    if "live:" in low:
        found += [(_group(i, False, False), i) for i in finders.skype_live(text)]
    if "bc1" in low or "0x" in low or (len(text) >= 26 and p.LONG_TOKEN.search(text)):
        found += [(_group(i, False, False), i) for i in finders.crypto(text)]
    if has_digit:
        for finder in (
            finders.ibans,
            finders.uk_bank_accounts,
            finders.money_transfers,
            finders.gift_cards,
        ):
            found += [(_group(i, False, False), i) for i in finder(text)]
        # Digits already read as something more specific are hidden from the phone finder.
        chars = list(text)
        for _, ident in found:
            if ident.end > ident.start >= 0:
                chars[ident.start : ident.end] = " " * (ident.end - ident.start)
        masked = "".join(chars)
        found += [(_group(i, False, False), i) for i in finders.phones(masked, region)]
    if "$" in text or "£" in text:
        found += [(_group(i, False, False), i) for i in finders.cashtags(text)]
    if any(word in low for word in p.HANDLE_WORDS) or p.SHORT_WORDS.search(low):
        found += [(_group(i, False, True), i) for i in finders.handles(text)]
    return _resolve(found)


def _resolve(found: list[tuple[int, Identifier]]) -> list[Identifier]:
    """Keep the most specific finding where findings overlap (linear in the findings, bar the
    sort: the kept spans are looked up by position)."""
    kept: list[tuple[int, Identifier]] = []
    taken: Spans[int] = Spans()
    seen: set[tuple[str, str, int]] = set()
    email = p.PRIORITY["email"]
    for group, ident in sorted(found, key=lambda f: (f[0], f[1].start, -f[1].end)):
        key = (ident.kind, ident.value, ident.start)
        if key in seen:
            continue
        start = ident.start

        def same_email(span: tuple[int, int, int], group: int = group, start: int = start) -> bool:
            return span[2] == group == email and span[0] == start

        if taken.clashes(ident.start, ident.end, same_email):
            continue
        seen.add(key)
        kept.append((group, ident))
        taken.add(ident.start, ident.end, group)
    return sorted((ident for _, ident in kept), key=lambda i: (i.start, i.kind))


# --------------------------------------------------------------------------- participants
_PLATFORM_KIND = {
    "skype": "skype_id",
    "discord": "discord_user",
    "telegram": "telegram_handle",
    "instagram": "instagram_handle",
    "snapchat": "snapchat_handle",
    "tiktok": "tiktok_handle",
}


def _platform_id(platform: str, pid: str, region: str) -> Identifier | None:
    pid = pid.strip()
    if not pid:
        return None
    platform = platform.lower()
    if platform == "skype" or pid.startswith(("8:", "live:")):
        value = pid[2:] if pid.startswith("8:") else pid
        return Identifier("skype_id", value.lower(), pid, "shape", source="participant")
    if platform in ("whatsapp", "signal", "sms", "imessage") or pid.startswith("+"):
        try:
            number = phonenumbers.parse(pid, region)
        except phonenumbers.NumberParseException:
            return None
        validity: Validity = "valid" if phonenumbers.is_valid_number(number) else "invalid"
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Identifier("phone", e164, pid, validity, source="participant")
    if platform == "telegram" and (pid.isdigit() or (pid.startswith("user") and pid[4:].isdigit())):
        # Telegram exports name accounts by number ("user123456789"): an id, not a username.
        account = pid.removeprefix("user")
        return Identifier("telegram_id", account, pid, "shape", source="participant")
    if platform in ("facebook", "messenger") and pid.isdigit():
        value = f"facebook.com/profile.php?id={pid}"
        return Identifier("facebook_profile", value, pid, "shape", source="participant")
    kind = _PLATFORM_KIND.get(platform)
    if kind is None:
        return None
    return Identifier(kind, pid.lstrip("@").lower(), pid, "shape", source="participant")


def participant_identifiers(participant: Participant, region: str = "GB") -> list[Identifier]:
    """Identifiers from what an export says about a person: platform id and profile link.

    Skype ``8:live:...`` ids become ``skype_id`` (the ``8:`` is Skype's internal type prefix);
    Discord snowflakes ``discord_user``; Telegram ``user123...`` ids ``telegram_id`` (the number);
    WhatsApp ids phone numbers. Each has ``source="participant"`` and the participant's side.
    """
    out: list[Identifier] = []
    if participant.platform_id:
        ident = _platform_id(participant.platform, participant.platform_id, region)
        if ident is not None:
            out.append(ident)
    if participant.profile_url:
        out += extract_identifiers(participant.profile_url, region)
    result: list[Identifier] = []
    seen: set[tuple[str, str]] = set()
    for ident in out:
        if (ident.kind, ident.value) in seen:
            continue
        seen.add((ident.kind, ident.value))
        result.append(replace(ident, source="participant", side=participant.side))
    return result
