"""The report model: case data in, a :class:`ReportModel` out. Pure: no I/O, no clock.

Every renderer (HTML, PDF, JSON-LD, platform drafts) reads the same model, so they can never
disagree about what the case holds. The model never carries media: attachments are described
(kind, name, size, hash when known), intimate media appear only as fingerprints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unshared.guide.model import PLATFORMS as GUIDE_PLATFORMS
from unshared.report.timeline import Timeline

__all__ = [
    "ReportModel",
    "MessageRow",
    "IdentifierRow",
    "AccountRow",
    "ExhibitRow",
    "FingerprintRow",
    "ActionRow",
    "PaymentRow",
    "DemandRow",
    "LogHead",
    "normalise_platform",
    "KEY_STAGES",
    "THREAT_STAGES",
    "DEMAND_STAGES",
    "PLATFORMS",
]

PLATFORMS = GUIDE_PLATFORMS  # one list: the guide's platforms are the report's
_ALIASES = {
    "messenger": "facebook",
    "facebook_messenger": "facebook",
    "fb": "facebook",
    "twitter": "x",
    "ig": "instagram",
    "msteams": "skype",
}
_KIND_PLATFORM = {
    "skype_id": "skype",
    "facebook_profile": "facebook",
    "instagram_handle": "instagram",
    "snapchat_handle": "snapchat",
    "tiktok_handle": "tiktok",
    "telegram_handle": "telegram",
    "telegram_id": "telegram",
    "discord_user": "discord",
}
_DOMAIN_PLATFORM = {
    "instagram.com": "instagram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "m.me": "facebook",
    "messenger.com": "facebook",
    "snapchat.com": "snapchat",
    "skype.com": "skype",
    "join.skype.com": "skype",
    "tiktok.com": "tiktok",
    "discord.com": "discord",
    "discord.gg": "discord",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "wa.me": "whatsapp",
    "whatsapp.com": "whatsapp",
    "x.com": "x",
    "twitter.com": "x",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
}
KIND_LABELS = {
    "skype_id": "Skype ID",
    "facebook_profile": "Facebook profile",
    "instagram_handle": "Instagram username",
    "snapchat_handle": "Snapchat username",
    "tiktok_handle": "TikTok username",
    "telegram_handle": "Telegram username",
    "telegram_id": "Telegram user ID (number)",
    "discord_user": "Discord user",
    "phone": "Phone number",
    "email": "Email address",
    "mtcn": "Western Union MTCN",
    "moneygram_ref": "MoneyGram reference",
    "btc_address": "Bitcoin address",
    "eth_address": "Ethereum address",
    "tron_address": "TRON address",
    "iban": "IBAN",
    "uk_bank_account": "UK bank account",
    "cashtag": "Cash App $cashtag",
    "paypal": "PayPal",
    "gift_card": "Gift card code",
    "url": "Link",
}
PAYMENT_IDENTIFIER_KINDS = frozenset(
    {
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
    }
)
VALIDITY_LABELS = {
    "valid": "checked: valid",
    "shape": "right shape (no check exists)",
    "invalid": "failed its check",
}
THREAT_STAGES = frozenset({"threat", "escalation"})
DEMAND_STAGES = frozenset({"payment_demand", "deadline"})
KEY_STAGES = THREAT_STAGES | DEMAND_STAGES
STAGE_LABELS = {
    "contact": "first contact",
    "platform_switch": "move to another app",
    "image_request": "asks for images",
    "threat": "threat",
    "payment_demand": "demand for money",
    "deadline": "deadline",
    "escalation": "escalation",
}
PAYMENT_KINDS = frozenset({"payment", "paid", "payment_made", "payment_status"})


def normalise_platform(name: str | None) -> str | None:
    """The report's name for a platform (``messenger`` is Facebook, ``twitter`` is X)."""
    if not name:
        return None
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in PLATFORMS else None


def platform_of_identifier(kind: str, value: str) -> str | None:
    if kind in _KIND_PLATFORM:
        return _KIND_PLATFORM[kind]
    if kind == "url":
        host = value.split("//", 1)[-1].split("/", 1)[0].lower().split(":")[0]
        host = host.removeprefix("www.").removeprefix("m.") if host != "m.me" else host
        for domain, platform in _DOMAIN_PLATFORM.items():
            if host == domain or host.endswith("." + domain):
                return platform
    return None


@dataclass(frozen=True)
class MessageRow:
    number: int
    id: int
    time: str
    time_assumed: bool
    platform: str
    conversation: str
    sender: str
    sender_id: str | None
    side: str
    text: str
    attachments: tuple[str, ...]
    exhibit_no: int
    exhibit_sha256: str
    locator: str
    message_id: str | None
    stages: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    iso: str | None = None

    @property
    def key(self) -> bool:
        return bool(KEY_STAGES.intersection(self.stages))

    @property
    def where(self) -> str:
        """The exhibit locator: exhibit number, its SHA-256 and the place inside it."""
        return f"E{self.exhibit_no} sha256:{self.exhibit_sha256} {self.locator}"

    @property
    def short_where(self) -> str:
        return f"E{self.exhibit_no}, {self.locator}"


@dataclass(frozen=True)
class IdentifierRow:
    kind: str
    label: str
    value: str
    raw: str
    validity: str
    validity_label: str
    side: str
    shown_as: str | None
    platform: str | None
    count: int
    first_seen: str
    where: str


@dataclass(frozen=True)
class AccountRow:
    platform: str
    name: str | None
    platform_id: str | None
    profile_url: str | None
    side: str


@dataclass(frozen=True)
class ExhibitRow:
    number: int
    sha256: str
    size: int
    name: str
    acquired_at: str
    source_path: str
    acquisitions: int
    acquired_iso: str | None = None
    set_aside: str | None = None
    """Why the exhibit was set aside (kept in the case, left out of bundles), or None."""


@dataclass(frozen=True)
class FingerprintRow:
    name: str
    kind: str
    sha256: str
    md5: str
    pdq: str | None
    quality: int
    variants: int
    frames: int


@dataclass(frozen=True)
class ActionRow:
    seq: int
    at: str
    kind: str
    to: str | None
    ref: str | None
    detail: str | None
    status: str | None
    at_iso: str | None = None


@dataclass(frozen=True)
class PaymentRow:
    amount: str | None
    method: str | None
    ref: str | None
    paid_at: str | None
    status: str
    currency: str | None = None
    #: "recorded" (an action someone recorded) or "in the chat" (the person said so in a message).
    source: str = "recorded"
    #: For a payment found in the chat: the message where it was said.
    where: str | None = None


@dataclass(frozen=True)
class DemandRow:
    time: str
    amount: str | None
    method: str | None
    text: str
    where: str
    currency: str | None = None


@dataclass(frozen=True)
class LogHead:
    seq: int
    hash: str
    at: str
    events: int


@dataclass(frozen=True)
class ReportModel:
    case_name: str
    generated_at: str
    tool_version: str
    created_at: str | None
    encryption: str | None
    minor: bool
    age: int | None
    victim_names: tuple[str, ...]
    other_names: tuple[str, ...]
    platforms: tuple[str, ...]
    first_time: str | None
    last_time: str | None
    message_count: int
    threat_count: int
    first_threat: str | None
    demands: tuple[DemandRow, ...]
    payments: tuple[PaymentRow, ...]
    paid_said: str | None
    identifiers: tuple[IdentifierRow, ...]
    accounts: tuple[AccountRow, ...]
    key_messages: tuple[MessageRow, ...]
    messages: tuple[MessageRow, ...]
    timeline: Timeline
    exhibits: tuple[ExhibitRow, ...]
    fingerprints: tuple[FingerprintRow, ...]
    actions: tuple[ActionRow, ...]
    crime_refs: tuple[str, ...]
    log: LogHead | None
    stage_counts: dict[str, int] = field(default_factory=dict)
    #: The person's own messages that read as a threat or a demand alone (the analysis's count).
    own_flagged: int = 0
    images_embedded: bool = False
    generated_iso: str = ""
    case_key: str = ""
    identifier_messages: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)

    @property
    def key_identifiers(self) -> list[IdentifierRow]:
        """What the summary lists first: every payment reference (an MTCN is key whoever wrote
        it), then the other party's accounts, phone numbers and e-mail addresses; at most 8."""
        pay = [i for i in self.identifiers if i.kind in PAYMENT_IDENTIFIER_KINDS]
        theirs = [
            i
            for i in self.identifiers
            if i.kind not in PAYMENT_IDENTIFIER_KINDS and i.kind != "url" and i.side != "victim"
        ]
        return (pay + theirs)[:8]

    def platform_accounts(self, platform: str) -> list[AccountRow]:
        return [a for a in self.accounts if a.platform == platform]

    def platform_identifiers(self, platform: str) -> list[IdentifierRow]:
        return [i for i in self.identifiers if i.platform == platform]
