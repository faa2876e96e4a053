"""The domain model: plain frozen dataclasses, no I/O.

Importers produce :class:`Message` and :class:`Participant` records; analysis produces
:class:`Identifier` and :class:`Signal`; the case file stores them next to the untouched exhibit
they came from (see :class:`Locator`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Locator",
    "Attachment",
    "Reaction",
    "Message",
    "Participant",
    "Conversation",
    "Record",
    "Identifier",
    "Signal",
    "Fingerprint",
    "Action",
    "MessageKind",
    "Side",
    "canonical_json",
    "message_json",
]

MessageKind = Literal["message", "system"]
Side = Literal["victim", "other", "unknown"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no insignificant white space and UTF-8 kept as is.

    Used for everything that is hashed, so the same value always gives the same bytes.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


_STR: Any = json.encoder.encode_basestring
"""The JSON string encoder ``json.dumps(ensure_ascii=False)`` uses (its C version when present)."""


def _js(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is not str:
        raise TypeError(value)
    return str(_STR(value))


def _int(value: object) -> str:
    if type(value) is not int:
        raise TypeError(value)
    return str(value)


def _locator_json(loc: Locator) -> str:
    # Keys in sorted order: bbox, line, member, offset, pointer.
    parts: list[str] = []
    if loc.bbox is not None:
        parts.append('"bbox":[' + ",".join(_int(v) for v in loc.bbox) + "]")
    if loc.line is not None:
        parts.append('"line":' + _int(loc.line))
    if loc.member is not None:
        parts.append('"member":' + _js(loc.member))
    if loc.offset is not None:
        parts.append('"offset":' + _int(loc.offset))
    if loc.pointer is not None:
        parts.append('"pointer":' + _js(loc.pointer))
    return "{" + ",".join(parts) + "}"


def message_json(m: Message) -> str:
    """``canonical_json(m.to_dict())``, byte for byte, written directly.

    Every stored message goes through this on import and again on verify, so it skips building the
    dictionary and json's generic walk; a test holds it to the generic form on generated messages.
    A value of an unexpected type takes the generic path.
    """
    try:
        return _message_json(m)
    except TypeError:
        return canonical_json(m.to_dict())


def _message_json(m: Message) -> str:
    # Keys in sorted order, as canonical_json writes them.
    loc = m.locator
    if not (
        m.attachments
        or m.flags
        or m.reactions
        or m.message_id is not None
        or m.reply_to is not None
        or loc.member is not None
        or loc.pointer is not None
        or loc.bbox is not None
        or type(loc.line) is not int
        or type(loc.offset) is not int
        or type(m.time_assumed) is not bool
    ):
        # The shape of most chat lines, in one expression; _STR refuses a value that is not text.
        s, sender, sid, at = _STR, m.sender, m.sender_id, m.sent_at
        return (
            f'{{"attachments":[],"conversation":{s(m.conversation)},"kind":{s(m.kind)},'
            f'"locator":{{"line":{loc.line},"offset":{loc.offset}}},"platform":{s(m.platform)},'
            f'"sender":{"null" if sender is None else s(sender)},'
            f'"sender_id":{"null" if sid is None else s(sid)},'
            f'"sent_at":{"null" if at is None else s(at.isoformat())},"text":{s(m.text)},'
            f'"time_assumed":{"true" if m.time_assumed else "false"}}}'
        )
    items = ",".join(canonical_json(a.to_dict()) for a in m.attachments)
    parts = ['{"attachments":[' + items + "]", '"conversation":' + _js(m.conversation)]
    if m.flags:
        parts.append('"flags":[' + ",".join(_js(f) for f in sorted(m.flags)) + "]")
    parts.append('"kind":' + _js(m.kind))
    parts.append('"locator":' + _locator_json(m.locator))
    if m.message_id is not None:
        parts.append('"message_id":' + _js(m.message_id))
    parts.append('"platform":' + _js(m.platform))
    if m.reactions:
        parts.append(
            '"reactions":[' + ",".join(canonical_json(r.to_dict()) for r in m.reactions) + "]"
        )
    if m.reply_to is not None:
        parts.append('"reply_to":' + _js(m.reply_to))
    parts.append('"sender":' + _js(m.sender))
    parts.append('"sender_id":' + _js(m.sender_id))
    parts.append('"sent_at":' + (_js(m.sent_at.isoformat()) if m.sent_at else "null"))
    parts.append('"text":' + _js(m.text))
    if type(m.time_assumed) is not bool:
        raise TypeError(m.time_assumed)
    parts.append('"time_assumed":' + ("true" if m.time_assumed else "false") + "}")
    return ",".join(parts)


@dataclass(frozen=True, slots=True)
class Locator:
    """Where a record came from inside an exhibit.

    ``member`` names a file inside an archive exhibit (zip/tar); then one of ``line`` (1-based),
    ``offset`` (byte offset), ``pointer`` (RFC 6901 JSON pointer) or ``bbox`` (x, y, w, h in pixels
    for OCR text) pins the place.
    """

    member: str | None = None
    line: int | None = None
    offset: int | None = None
    pointer: str | None = None
    bbox: tuple[int, int, int, int] | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.member:
            parts.append(self.member)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        if self.pointer is not None:
            parts.append(f"json {self.pointer}")
        if self.bbox is not None:
            x, y, w, h = self.bbox
            parts.append(f"box {x},{y},{w},{h}")
        return ", ".join(parts) or "whole file"

    def to_dict(self) -> dict[str, Any]:
        # Spelled out rather than dataclasses.asdict: this runs once per stored message.
        data: dict[str, Any] = {}
        if self.member is not None:
            data["member"] = self.member
        if self.line is not None:
            data["line"] = self.line
        if self.offset is not None:
            data["offset"] = self.offset
        if self.pointer is not None:
            data["pointer"] = self.pointer
        if self.bbox is not None:
            data["bbox"] = self.bbox
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Locator:
        bbox = data.get("bbox")
        return cls(
            member=data.get("member"),
            line=data.get("line"),
            offset=data.get("offset"),
            pointer=data.get("pointer"),
            bbox=(int(bbox[0]), int(bbox[1]), int(bbox[2]), int(bbox[3])) if bbox else None,
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file, sticker, link or share attached to a message.

    ``kind`` is one of photo, video, audio, file, sticker, gif, share, link, contact, location,
    other. ``uri`` is the path inside the export (or URL); ``member_sha256`` is filled when the media
    file was found inside the same exhibit. ``omitted`` is true when the export left the media out.
    """

    kind: str
    name: str | None = None
    uri: str | None = None
    mime: str | None = None
    size: int | None = None
    member_sha256: str | None = None
    omitted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("kind", self.kind),
                ("name", self.name),
                ("uri", self.uri),
                ("mime", self.mime),
                ("size", self.size),
                ("member_sha256", self.member_sha256),
                ("omitted", self.omitted),
            )
            if v not in (None, False)  # as before: a size of 0 is left out too
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        return cls(**{k: data[k] for k in data if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class Reaction:
    actor: str
    reaction: str

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "reaction": self.reaction}


@dataclass(frozen=True, slots=True)
class Message:
    """One message or system line from a conversation export.

    ``sent_at`` is timezone-aware. When the export gave no offset the importer applies the user's
    timezone and sets ``time_assumed``. ``flags`` carries format facts worth keeping, for example
    ``unsent``, ``edited``, ``ambiguous_date``, ``forwarded``.
    """

    platform: str
    conversation: str
    sender: str | None
    text: str
    locator: Locator
    sent_at: datetime | None = None
    time_assumed: bool = False
    sender_id: str | None = None
    kind: MessageKind = "message"
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    reply_to: str | None = None
    reactions: tuple[Reaction, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape (``unshared messages --format jsonl``)."""
        data: dict[str, Any] = {
            "platform": self.platform,
            "conversation": self.conversation,
            "sender": self.sender,
            "sender_id": self.sender_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "time_assumed": self.time_assumed,
            "text": self.text,
            "attachments": [a.to_dict() for a in self.attachments],
            "kind": self.kind,
            "locator": self.locator.to_dict(),
        }
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        if self.reactions:
            data["reactions"] = [r.to_dict() for r in self.reactions]
        if self.flags:
            data["flags"] = sorted(self.flags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        sent = data.get("sent_at")
        return cls(
            platform=data["platform"],
            conversation=data["conversation"],
            sender=data.get("sender"),
            sender_id=data.get("sender_id"),
            text=data.get("text") or "",
            locator=Locator.from_dict(data.get("locator") or {}),
            sent_at=datetime.fromisoformat(sent) if sent else None,
            time_assumed=bool(data.get("time_assumed")),
            kind=data.get("kind", "message"),
            attachments=tuple(Attachment.from_dict(a) for a in data.get("attachments", [])),
            message_id=data.get("message_id"),
            reply_to=data.get("reply_to"),
            reactions=tuple(Reaction(**r) for r in data.get("reactions", [])),
            flags=frozenset(data.get("flags", [])),
        )


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in a conversation, as the export names them.

    ``platform_id`` is the stable id when the export has one (Skype ``8:live:...``, Discord snowflake,
    Telegram ``user123``); ``name`` is the display name. ``profile_url`` when the export gives one.
    """

    platform: str
    conversation: str
    name: str | None
    platform_id: str | None = None
    profile_url: str | None = None
    side: Side = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class Conversation:
    platform: str
    title: str
    participants: tuple[Participant, ...] = ()


Record = Message | Participant


@dataclass(frozen=True, slots=True)
class Identifier:
    """Something police need: a Skype ID, a phone number, an MTCN, a wallet...

    ``validity`` is ``valid`` (a checksum or parser confirmed it), ``shape`` (right shape, nothing
    to check) or ``invalid`` (looked right but failed its checksum). ``source`` is where it was
    found (message, participant, ocr) and ``side`` who used it.
    """

    kind: str
    value: str
    raw: str
    validity: Literal["valid", "shape", "invalid"]
    start: int = -1
    end: int = -1
    source: str = "message"
    side: Side = "unknown"

    @property
    def valid(self) -> bool:
        return self.validity != "invalid"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "raw": self.raw,
            "valid": self.validity,
        }


@dataclass(frozen=True, slots=True)
class Signal:
    """A sextortion stage seen in a message, with the reason shown to the user."""

    stage: str
    reason: str
    start: int = -1
    end: int = -1
    details: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"stage": self.stage, "reason": self.reason}
        if self.details:
            data["details"] = dict(self.details)
        return data


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Private fingerprints of one media file; the media itself is never stored."""

    path: str
    kind: Literal["image", "video"]
    sha256: str
    md5: str
    pdq: str | None
    quality: int
    pdq_dihedral: tuple[str, ...] = ()
    vpdq: tuple[tuple[int, str, int, float], ...] = ()
    size: int | None = None
    extra: tuple[tuple[str, str], ...] = ()
    pdq_crops: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "sha256": self.sha256,
            "md5": self.md5,
            "pdq": self.pdq,
            "quality": self.quality,
            "pdq_dihedral": list(self.pdq_dihedral),
        }
        if self.kind == "video":
            data["vpdq"] = [
                {"frame": f, "pdq": h, "quality": q, "timestamp": t} for f, h, q, t in self.vpdq
            ]
        if self.size is not None:
            data["size"] = self.size
        if self.pdq_crops:
            data["pdq_crops"] = list(self.pdq_crops)
        if self.warnings:
            data["warnings"] = list(self.warnings)
        for key, value in self.extra:
            data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class Action:
    """Something the victim or a helper did: reported to police, suspended an account, ..."""

    kind: str
    ref: str | None = None
    detail: str | None = None
