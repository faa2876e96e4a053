"""Links in text, and what they point at: a Facebook profile, a handle, a PayPal.Me page, ...

A link to a known platform becomes the identifier police ask for (``facebook_profile``,
``instagram_handle``, ``paypal``, a WhatsApp ``wa.me`` number as ``phone``...); any other link is a
``url``. Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal
from urllib.parse import parse_qs, urlsplit

import phonenumbers

from unshared.analysis import patterns as p
from unshared.analysis.spans import Spans
from unshared.model import Identifier

Validity = Literal["valid", "shape", "invalid"]

__all__ = ["classify_url", "find_urls", "normalise_url", "url_identifiers"]


def _trim(raw: str) -> str:
    """Drop sentence punctuation after a link, keeping a closing bracket that opened inside it."""
    while raw:
        unbalanced = raw[-1] == ")" and raw.count(")") > raw.count("(")
        if raw[-1] in p.URL_TRAILING or unbalanced:
            raw = raw[:-1]
        else:
            break
    return raw


def find_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, raw) of every link, scheme, ``www.`` or bare ``host.tld/path``."""
    taken: Spans[None] = Spans()
    low = text.lower()
    regexes = [p.URL_SCHEME] if "://" in text else []
    if "www." in low:
        regexes.append(p.URL_WWW)
    if "/" in text:
        regexes.append(p.URL_BARE)
    for regex in regexes:
        for m in regex.finditer(text):
            raw = _trim(m.group())
            start, end = m.start(), m.start() + len(raw)
            if "." not in raw or taken.clashes(start, end):
                continue
            taken.add(start, end, None)
            yield start, end, raw


def normalise_url(raw: str) -> str:
    """Scheme and host lower-cased; ``https://`` added when the link had no scheme."""
    if "://" not in raw:
        raw = "https://" + raw
    scheme, rest = raw.split("://", 1)
    host, sep, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{sep}{path}"


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _handle(kind: str, name: str) -> str | None:
    name = name.lstrip("@").rstrip(".")
    shape = p.HANDLE_SHAPES[kind]
    return name.lower() if shape.fullmatch(name) else None


def classify_url(raw: str, region: str = "GB") -> tuple[str, str, Validity]:
    """(kind, value, validity) for one link."""
    url = normalise_url(raw)
    try:
        parts = urlsplit(url)
    except ValueError:
        return "url", url, "shape"
    host = (parts.hostname or "").lower()
    segs = _segments(parts.path)
    first = segs[0] if segs else ""
    low = first.lower()
    if host in p.FACEBOOK_HOSTS:
        if low == "profile.php":
            ids = parse_qs(parts.query).get("id", [""])
            if ids[0].isdigit():
                return "facebook_profile", f"facebook.com/profile.php?id={ids[0]}", "shape"
        elif low == "people" and len(segs) >= 3 and segs[2].isdigit():
            return "facebook_profile", f"facebook.com/profile.php?id={segs[2]}", "shape"
        elif first and low not in p.FACEBOOK_RESERVED and p.FACEBOOK_VANITY.fullmatch(first):
            return "facebook_profile", f"facebook.com/{low}", "shape"
    elif host in p.INSTAGRAM_HOSTS:
        name = segs[1] if low == "stories" and len(segs) > 1 else first
        if name and name.lower() not in p.INSTAGRAM_RESERVED:
            handle = _handle("instagram_handle", name)
            if handle:
                return "instagram_handle", handle, "shape"
    elif host in p.SNAPCHAT_HOSTS:
        name = segs[1] if low == "add" and len(segs) > 1 else first if first.startswith("@") else ""
        handle = _handle("snapchat_handle", name) if name else None
        if handle:
            return "snapchat_handle", handle, "shape"
    elif host in p.TIKTOK_HOSTS:
        if first.startswith("@"):
            handle = _handle("tiktok_handle", first)
            if handle:
                return "tiktok_handle", handle, "shape"
    elif host in p.TELEGRAM_HOSTS:
        if first and low not in p.TELEGRAM_RESERVED and not first.startswith("+"):
            handle = _handle("telegram_handle", first)
            if handle:
                return "telegram_handle", handle, "shape"
    elif host in p.DISCORD_HOSTS:
        if low == "users" and len(segs) > 1 and p.SNOWFLAKE.fullmatch(segs[1]):
            return "discord_user", segs[1], "shape"
    elif host in p.PAYPAL_ME_HOSTS or (host in p.PAYPAL_HOSTS and low == "paypalme"):
        name = first if host in p.PAYPAL_ME_HOSTS else (segs[1] if len(segs) > 1 else "")
        if name and name.replace("_", "").replace("-", "").isalnum():
            return "paypal", f"paypal.me/{name.lower()}", "shape"
    elif host in p.WHATSAPP_HOSTS and first.lstrip("+").isdigit():
        try:
            number = phonenumbers.parse("+" + first.lstrip("+"), None)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return "phone", e164, "valid" if phonenumbers.is_valid_number(number) else "invalid"
    return "url", url, "shape"


def url_identifiers(text: str, region: str = "GB") -> Iterator[Identifier]:
    for start, end, raw in find_urls(text):
        kind, value, validity = classify_url(raw, region)
        yield Identifier(kind, value, raw, validity, start, end)
