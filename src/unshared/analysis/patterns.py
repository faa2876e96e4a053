"""Identifier patterns as data: shapes, context words and reserved paths.

Kept apart from the code that uses them so that a reviewer can read what is matched, and a new
platform or payment provider is a data change. Every regex here is compiled once at import.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


__all__ = [
    "CHECKSUM_KINDS",
    "FILLERS",
    "HANDLE_PLATFORMS",
    "HANDLE_SHAPES",
    "KINDS",
    "PRIORITY",
    "STOPWORDS",
    "STRONG_SEPARATORS",
    "TRIGGER_CHARS",
    "TRIGGER_WORDS",
]

#: Every kind, with the names used in all output.
KINDS = (
    "skype_id",
    "facebook_profile",
    "instagram_handle",
    "snapchat_handle",
    "tiktok_handle",
    "telegram_handle",
    "telegram_id",
    "discord_user",
    "phone",
    "email",
    "mtcn",
    "moneygram_ref",
    "btc_address",
    "eth_address",
    "tron_address",
    "iban",
    "uk_bank_account",
    "cashtag",
    "paypal",
    "gift_card",
    "url",
)
PARTICIPANT_ONLY_KINDS = frozenset({"telegram_id"})
"""Kinds that come only from what an export says about a person, never from message text."""

#: Kinds whose validity comes from a checksum (precision/recall targets apply).
CHECKSUM_KINDS = ("btc_address", "eth_address", "tron_address", "iban")

#: When two findings overlap, the one from the earlier group keeps the text.
PRIORITY = {
    "url": 0,  # and everything read out of a URL (profiles, handles, paypal.me, wa.me)
    "email": 1,
    "skype_id": 2,
    "btc_address": 3,
    "eth_address": 3,
    "tron_address": 3,
    "iban": 4,
    "uk_bank_account": 5,
    "gift_card": 6,
    "mtcn": 7,
    "moneygram_ref": 7,
    "phone": 8,
    "cashtag": 9,
    "handle": 10,  # a handle read from words around a platform name
}

#: The cheap pre-filter: a message with none of these characters or words (lower-cased) holds
#: no identifier we look for. Plain substring tests: far cheaper than one regex with words in it.
TRIGGER_CHARS = re.compile(r"[0-9@$£/]")
TRIGGER_WORDS = (
    "insta",
    "snap",
    "tiktok",
    "tik tok",
    "telegram",
    "discord",
    "skype",
    "paypal",
    "live:",
    "www.",
)
SHORT_WORDS = re.compile(r"\b(?:ig|sc|tg|pp)\b")
#: The three tests above in one pass over the lower-cased text: the same answer, since
#: lower-casing never makes nor removes a digit, ``@``, ``$``, ``£`` or ``/`` (checked over every
#: character by the tests).
TRIGGER = re.compile(
    "|".join([TRIGGER_CHARS.pattern, *map(re.escape, TRIGGER_WORDS), SHORT_WORDS.pattern])
)
HANDLE_WORDS = ("insta", "snap", "tiktok", "tik tok", "telegram", "discord", "skype")
#: Crypto addresses are long runs of letters and digits.
LONG_TOKEN = re.compile(r"[0-9A-Za-z]{26}")
DIGIT = re.compile(r"\d")

# --------------------------------------------------------------------------- text shapes
EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
#: Address-shaped ids that are not mailboxes (Skype's internal conversation ids).
NOT_EMAIL_DOMAINS = (".skype", "thread.v2", "thread.tacv2")
URL_SCHEME = re.compile(r"\bhttps?://[^\s<>\"'\[\]{}]+", re.IGNORECASE)
URL_WWW = re.compile(
    r"(?<![\w./@-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>\"'()\[\]{}]*", re.I
)
#: Scheme-less links: a host with a common TLD (or a known short host) and a path.
URL_BARE = re.compile(
    r"(?<![\w./@:-])(?:[A-Za-z0-9-]+\.)*"
    r"(?:[A-Za-z0-9-]+\.(?:com|net|org|io|me|ly|nz|co|uk|gg|ru|info|xyz|app|am|tv|to|cc|de|fr)"
    r"|t\.me|wa\.me|fb\.com|instagr\.am)"
    r"/[^\s<>\"'()\[\]{}]*",
    re.IGNORECASE,
)
URL_TRAILING = ".,;:!?'\"*"

SKYPE_LIVE = re.compile(r"(?<![\w:.])(?:8:)?live:[A-Za-z0-9._-]*[A-Za-z0-9_-]", re.IGNORECASE)

ETH = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
BTC_BASE58 = re.compile(r"(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])")
BTC_BECH32 = re.compile(r"(?<![0-9A-Za-z])bc1[0-9a-z]{6,87}(?![0-9A-Za-z])", re.IGNORECASE)
TRON = re.compile(r"(?<![0-9A-Za-z])T[1-9A-HJ-NP-Za-km-z]{33}(?![0-9A-Za-z])")

IBAN = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){2,9}|[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{1,4}){2,9})"
)

SORT_CODE = re.compile(r"(?<![\d-])(\d{2})-(\d{2})-(\d{2})(?![\d-])")
SORT_CODE_PLAIN = re.compile(
    r"\bsort\s*code\s*(?:is|:|-)?\s*(\d{2})[ ]?(\d{2})[ ]?(\d{2})(?![\d-])", re.IGNORECASE
)
ACCOUNT_NUMBER = re.compile(r"(?<![\d-])\d{8}(?![\d-])")
BANK_CONTEXT = re.compile(r"sort\s*code|\bsort\b|\bs/?c\b|\bacc(?:ount)?\b|\bbank\b", re.I)
#: An undashed sort code written right before "acc no" and the account: ``309634 acc no 55667788``.
SORT_PLAIN_THEN_ACCOUNT = re.compile(
    r"(?<![\d-])(\d{2})(\d{2})(\d{2})[ \t]*[,/|;-]?[ \t]*"
    r"acc(?:ount|t)?\.?[ \t]*(?:no\.?|num(?:ber)?|#)?[ \t]*:?[ \t]*(\d{8})(?![\d-])",
    re.IGNORECASE,
)
#: Sort code directly followed by an account number needs no other context.
SORT_THEN_ACCOUNT = re.compile(r"(?<![\d-])(\d{2})-(\d{2})-(\d{2})[ /,:|]{1,4}(\d{8})(?![\d-])")

MTCN_CONTEXT = re.compile(
    r"western\s*union|\bwu\b|\bmtcn\b|money\s*transfer\s*control|control\s*n(?:umber|o)", re.I
)
MTCN = re.compile(r"(?<![\d+])(?<!\d[ -])\d(?:[ -]?\d){9}(?![ -]?\d)")
MONEYGRAM_CONTEXT = re.compile(r"money\s*gram", re.IGNORECASE)
MONEYGRAM = re.compile(r"(?<![\d+])(?<!\d[ -])\d(?:[ -]?\d){7}(?![ -]?\d)")

GIFT_CONTEXT = re.compile(
    r"gift|voucher|redeem|steam|itunes|apple|google\s*play|play\s*store|amazon|\bcodes?\b|\bcards?\b",
    re.IGNORECASE,
)
#: Brand-specific shapes; the code must mix letters and digits.
GIFT_SHAPES = (
    ("steam", re.compile(r"(?<![\w-])[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![\w-])")),
    ("amazon", re.compile(r"(?<![\w-])[A-Z0-9]{4}-[A-Z0-9]{6}-[A-Z0-9]{4,5}(?![\w-])")),
    ("grouped", re.compile(r"(?<![\w-])[A-Z0-9]{4}(?:[ -][A-Z0-9]{4}){3,4}(?![\w-])")),
    ("plain", re.compile(r"(?<![\w-])(?:[A-Z0-9]{16}|[A-Z0-9]{20})(?![\w-])")),
)
GIFT_BRANDS = (
    ("steam", re.compile(r"steam", re.I)),
    ("apple", re.compile(r"apple|itunes", re.I)),
    ("google_play", re.compile(r"google|play\s*store|\bplay\b", re.I)),
    ("amazon", re.compile(r"amazon", re.I)),
)

CASHTAG = re.compile(r"(?<![\w$£])[$£]([A-Za-z][A-Za-z0-9_-]{0,19})(?![\w$£-])")
#: ``$USD`` and friends are currencies, not Cash App accounts.
NOT_CASHTAGS = _words("usd cad aud nzd hkd sgd gbp eur btc eth usdt usdc xrp sol doge ltc trx")

PAYPAL_CONTEXT = re.compile(r"pay\s*pal|\bpp\b", re.IGNORECASE)

PHONE_DIGITS = re.compile(r"\d(?:[\s().-]{0,3}\d){6}")
#: A number dialled as written: starts with +, 00, 0 or a bracket, then six more digits.
PHONE_DIALLED = re.compile(r"(?:\+|(?<![\w.,/-])\(?0)[\s().-]{0,3}\d(?:[\s().-]{0,3}\d){5}")
#: Dates and times are masked before looking for dialled numbers (01.05.2024 is not a phone).
DATE_OR_TIME = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b")
PHONE_CONTEXT = re.compile(
    r"\b(?:call|ring|phone|mobile|mob|cell|tel|text|txt|sms|whats\s*app|wa|viber|signal)\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- handles in words
#: Platform words and the kind they introduce. Short words need ``@``, ``:`` or ``is``.
HANDLE_PLATFORMS = (
    ("instagram_handle", ("insta", "ig"), re.compile(r"\b(?:instagram|insta|ig)\b", re.I)),
    ("snapchat_handle", ("snap", "sc"), re.compile(r"\b(?:snapchat|snap|sc)\b", re.I)),
    ("tiktok_handle", ("tik",), re.compile(r"\btik\s?tok\b", re.I)),
    ("telegram_handle", ("telegram", "tg"), re.compile(r"\b(?:telegram|tg)\b", re.I)),
    ("discord_user", ("discord",), re.compile(r"\bdiscord\b", re.I)),
    ("skype_id", ("skype",), re.compile(r"\bskype\b", re.I)),
)
SHORT_PLATFORM_WORDS = frozenset({"ig", "sc", "tg"})
#: What may stand before a short platform word so that a handle-like name after it counts.
SHORT_WORD_CUE = re.compile(
    r"(?:\b(?:on|my|add me on|follow me on|find me on|hit me on)[ \t]+)$", re.I
)
#: Valid account names per platform (after ``@`` is dropped, before lower-casing).
HANDLE_SHAPES = {
    "instagram_handle": re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"),
    "snapchat_handle": re.compile(r"[A-Za-z][A-Za-z0-9._-]{1,13}[A-Za-z0-9]"),
    "tiktok_handle": re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,22}[A-Za-z0-9_])?"),
    "telegram_handle": re.compile(r"[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]"),
    "discord_user": re.compile(r"[A-Za-z0-9_.]{2,32}(?:#\d{4})?"),
    "skype_id": re.compile(r"[A-Za-z][A-Za-z0-9.,_-]{5,31}"),
}
#: ``@jessh22 on telegram``: a handle written just before the platform name.
HANDLE_BEFORE = re.compile(
    r"(?<![\w@])@([A-Za-z0-9_.#-]+)[ \t]+(?:on|at|via|for)[ \t]+(?:my[ \t]+)?$"
)
HANDLE_TOKEN = re.compile(r"[^\s,;!?()\[\]{}<>\"']+")
#: Words that may stand between the platform name and the handle.
FILLERS = _words("is was = : - name username user handle id acc account me on my its it's add")
#: Fillers after which any well-shaped word is taken as the handle.
STRONG_SEPARATORS = _words(": = - name username user handle id")
STOPWORDS = _words(
    """me you him her it is was the a an and or but not now later too so pls please lol then
    there here this that yes no ok okay call chat video account app only instead anymore again
    already today tonight tomorrow yesterday at to for with from of in on by up down out off
    story stories post posts dm dms message messages pic pics photo photos nudes group link
    number acc profile page"""
)

# --------------------------------------------------------------------------- URL paths
FACEBOOK_HOSTS = frozenset(
    {
        "facebook.com",
        "fb.com",
        "m.facebook.com",
        "web.facebook.com",
        "mbasic.facebook.com",
        "touch.facebook.com",
        "www.facebook.com",
        "www.fb.com",
        "m.fb.com",
    }
)
FACEBOOK_RESERVED = _words(
    """groups events pages page watch marketplace share story.php photo.php permalink.php help
    login reel reels hashtag gaming messages notifications settings policies privacy business ads
    fundraisers live media photo photos video videos sharer sharer.php dialog plugins l.php
    home.php friends search bookmarks saved memories stories p places legal terms careers
    recover checkpoint login.php r.php messenger_media"""
)
FACEBOOK_VANITY = re.compile(r"[A-Za-z0-9.]{5,50}")
INSTAGRAM_HOSTS = frozenset(
    {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"}
)
INSTAGRAM_RESERVED = _words(
    "p reel reels tv explore accounts direct about legal developer web s challenge"
)
TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "www.t.me", "www.telegram.me", "telegram.dog"})
TELEGRAM_RESERVED = _words(
    "joinchat addstickers share proxy socks iv s c addtheme setlanguage login confirmphone"
    " addlist boost"
)
SNAPCHAT_HOSTS = frozenset({"snapchat.com", "www.snapchat.com"})
TIKTOK_HOSTS = frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"})
DISCORD_HOSTS = frozenset(
    {
        "discord.com",
        "discordapp.com",
        "www.discord.com",
        "www.discordapp.com",
        "ptb.discord.com",
        "canary.discord.com",
    }
)
PAYPAL_ME_HOSTS = frozenset({"paypal.me", "www.paypal.me"})
PAYPAL_HOSTS = frozenset({"paypal.com", "www.paypal.com"})
WHATSAPP_HOSTS = frozenset({"wa.me", "www.wa.me"})
SNOWFLAKE = re.compile(r"\d{15,20}")
