"""Shared reading of Meta "Download Your Information" message exports (Facebook Messenger and
Instagram), JSON flavour.

Shapes read:

* DYI JSON: ``{"participants": [{"name"}], "messages": [{"sender_name", "timestamp_ms", "content",
  "photos", "videos", "audio_files", "files", "gifs", "sticker", "share", "reactions",
  "is_unsent", "call_duration", "type", ...}], "title", "thread_path", ...}``, one thread split over
  ``message_1.json``, ``message_2.json``... Meta writes every string as UTF-8 bytes escaped one by
  one as ``\\u00XX`` (mojibake); :func:`fix_text` repairs that.
* The separate export of end-to-end-encrypted Messenger chats: ``{"participants": ["name"],
  "threadName", "messages": [{"senderName", "timestamp", "text", "media": [{"uri"}],
  "reactions", "isUnsent", "type"}]}``.
* A single file, or the whole DYI zip (``messages/inbox/<thread>/message_N.json``, also under
  ``your_activity_across_facebook/``, ``your_facebook_activity/`` or
  ``your_instagram_activity/``); media in the zip are linked by SHA-256.

Each file is streamed with :mod:`..readers.jsonreader`, so memory stays bounded however large the export.
Timestamps are milliseconds since the epoch (UTC): exact, never assumed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from unshared.errors import ParseError, WrongFormat
from unshared.importers.base import ImportOptions, Source
from unshared.importers.readers.archive import Archive, is_zip, with_member, zip_names
from unshared.importers.readers.jsonreader import expect_list, walk
from unshared.importers.readers.text import sniff_text
from unshared.model import Attachment, Locator, Message, Participant, Reaction, Record, Side

__all__ = [
    "fix_text",
    "json_shape",
    "thread_members",
    "zip_platform",
    "head_platform",
    "sniff_meta",
    "parse_meta",
]

_THREAD = re.compile(
    r"(?:^|/)messages/(?:inbox|archived_threads|filtered_threads|message_requests|e2ee_cutover)"
    r"/[^/]+/message_(?P<n>\d+)\.json$"
)
_MEDIA_KINDS = {
    "photos": "photo",
    "videos": "video",
    "audio_files": "audio",
    "files": "file",
    "gifs": "gif",
}
_SYSTEM_TEXT = re.compile(
    r"(?: joined the group| left the group| added .+ to the group| removed .+ from the group"
    r"| named the group| changed the group photo| changed the theme| set the nickname"
    r"| set (?:his|her|their|your) own nickname| started (?:a video chat|an audio call|sharing)"
    r"|The video chat ended|The call ended|missed a (?:video|audio) call"
    r"| is now an admin| created the group| created a poll)\.?",
)
_EXT_KINDS = {
    "photo": {".jpg", ".jpeg", ".png", ".webp", ".heic"},
    "video": {".mp4", ".mov", ".webm", ".3gp"},
    "audio": {".m4a", ".aac", ".mp3", ".ogg", ".opus", ".wav"},
    "gif": {".gif"},
}


def fix_text(value: str) -> str:
    """Undo Meta's mojibake: UTF-8 bytes stored as latin-1 code points. Proper text is kept."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _s(value: Any) -> str | None:
    return fix_text(value) if isinstance(value, str) else None


def json_shape(head: bytes, name: str) -> str:
    """``dyi`` or ``e2ee`` for a Meta message JSON, else :class:`WrongFormat`."""
    text = sniff_text(head, name)
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start != "{" or '"messages"' not in text:
        raise WrongFormat("not a Meta message export (no messages object)", path=name)
    if '"sender_name"' in text and '"timestamp_ms"' in text:
        return "dyi"
    if '"senderName"' in text and '"timestamp"' in text:
        return "e2ee"
    if re.search(r'"messages"\s*:\s*\[\s*\]', text) and '"participants"' in text:
        return "dyi"
    raise WrongFormat("not a Meta message export (no sender_name/timestamp_ms)", path=name)


def origin_platform(origin: str) -> str | None:
    """``instagram``/``messenger`` when the file's original path says so (a lone message_1.json
    still sits in ``your_instagram_activity/`` or ``your_activity_across_facebook/``)."""
    low = origin.replace("\\", "/").lower()
    if "your_instagram_activity/" in low or "/instagram-" in low or "/instagram_" in low:
        return "instagram"
    if any(m in low for m in ("your_activity_across_facebook/", "your_facebook_activity/")):
        return "messenger"
    if "/facebook-" in low or "/messenger" in low:
        return "messenger"
    return None


def head_platform(head: bytes, origin: str = "") -> str:
    """``instagram`` or ``messenger`` for a lone JSON/HTML file: from where it came from when
    that says, else from what its start shows."""
    found = origin_platform(origin)
    if found is not None:
        return found
    text = head.decode("utf-8", "replace")
    if '"type": "Generic"' in text or '"type":"Generic"' in text or "facebook.com" in text:
        return "messenger"
    if re.search(r"instagram\.com|ig\.me/|your_instagram_activity|Instagram", text):
        return "instagram"
    return "messenger"


def thread_members(names: list[str]) -> list[str]:
    """The message_N.json members of a DYI zip, thread by thread, N ascending."""
    found = []
    for name in names:
        m = _THREAD.search(name)
        if m:
            found.append((str(PurePosixPath(name).parent), int(m.group("n")), name))
    return [name for _thread, _n, name in sorted(found)]


def zip_platform(names: list[str]) -> str | None:
    """``instagram``/``messenger`` when the zip is a DYI with message threads, else None."""
    if not thread_members(names):
        return None
    ig_markers = ("your_instagram_activity/", "followers_and_following/", "account_information/")
    if any(n.startswith(ig_markers) or "instagram" in n.lower() for n in names):
        return "instagram"
    return "messenger"


def sniff_meta(source: Source, platform: str) -> None:
    """Accept a Meta DYI zip or message JSON of ``platform``, else :class:`WrongFormat`."""
    if is_zip(source):
        names = zip_names(source)
        found = zip_platform(names)
        if found is None:
            raise WrongFormat("no message_N.json threads in this zip", path=source.name)
        if found != platform:
            raise WrongFormat(f"a {found} export, not {platform}", path=source.name)
        return
    head = source.head()
    json_shape(head, source.name)
    found = head_platform(head, getattr(source, "origin", ""))
    if found != platform:
        raise WrongFormat(f"looks like a {found} export", path=source.name)


class _Linker:
    """Finds media named by a message inside the same DYI zip and hashes them once."""

    def __init__(self, archive: Archive | None) -> None:
        self.archive = archive
        self.by_base: dict[str, list[str]] = {}
        self.hashes: dict[str, str] = {}
        if archive is not None:
            for name in archive.names():
                self.by_base.setdefault(PurePosixPath(name).name, []).append(name)

    def __call__(self, att: Attachment) -> Attachment:
        if self.archive is None or not att.uri or att.uri.startswith(("http://", "https://")):
            return att
        uri = att.uri.lstrip("/")
        found = next(
            (
                n
                for n in self.by_base.get(PurePosixPath(uri).name, [])
                if n == uri or n.endswith("/" + uri) or uri.endswith("/" + n)
            ),
            None,
        )
        if found is None:
            return att
        return with_member(self.archive, att, found, self.hashes)


def parse_meta(source: Source, options: ImportOptions, platform: str) -> Iterator[Record]:
    """Stream the records of a DYI zip or one message JSON file."""
    if is_zip(source):
        with Archive(source, options) as archive:
            members = thread_members(archive.names())
            if not members:
                raise ParseError("no message_N.json threads in this zip", path=source.name)
            link = _Linker(archive)
            seen: dict[str, set[str]] = {}
            for member in members:

                def opener(m: str = member) -> Any:
                    return archive.open(m)

                yield from _thread(opener, source.name, member, options, platform, link, seen)
        return
    yield from _thread(source.open, source.name, None, options, platform, _Linker(None), {})


def _thread(
    opener: Callable[[], Any],
    name: str,
    member: str | None,
    options: ImportOptions,
    platform: str,
    link: _Linker,
    seen_by_conv: dict[str, set[str]],
) -> Iterator[Record]:
    # Meta writes "title" after the messages: read it from the file's tail when the file can
    # seek, else (zip members, which Meta keeps small) in a first streaming pass.
    header: dict[str, Any] | None = _tail_keys(opener)
    if header is None:
        header = {}
        with opener() as fh:
            for key, index, value in _elements(fh, name, member):
                if index is None:
                    header[key] = value
    started = False
    conversation = ""
    e2ee = False
    seen: set[str] = set()
    with opener() as fh:
        for key, index, value in _elements(fh, name, member):
            if index is None:
                header.setdefault(key, value)
                continue
            if not started:
                started = True
                e2ee = "threadName" in header or any(
                    isinstance(p, str) for p in header.get("participants") or []
                )
                title = _s(header.get("title")) or _s(header.get("threadName"))
                conversation = title or _s(header.get("thread_path")) or (member or name)
                seen = seen_by_conv.setdefault(conversation, set())
                for p in header.get("participants") or []:
                    pname = _s(p.get("name")) if isinstance(p, dict) else _s(p)
                    if pname and pname not in seen:
                        seen.add(pname)
                        side: Side = "victim" if pname in options.me else "unknown"
                        yield Participant(platform, conversation, pname, side=side)
            if index < 0:
                continue
            pointer = f"/messages/{index}"
            if not isinstance(value, dict):
                raise ParseError(
                    "a message is not a JSON object",
                    path=name,
                    where=f"{member + ', ' if member else ''}json {pointer}",
                )
            msg = (_e2ee if e2ee or "senderName" in value else _dyi)(
                value, platform, conversation, Locator(member=member, pointer=pointer), link
            )
            if msg.sender and msg.sender not in seen:
                seen.add(msg.sender)
                side = "victim" if msg.sender in options.me else "unknown"
                yield Participant(platform, conversation, msg.sender, side=side)
            yield msg
    if not started:
        raise ParseError("no messages array in this JSON", path=name, where=member)


_TAIL_KEYS = re.compile(
    r'\]\s*,\s*(?="(?:title|is_still_participant|thread_type|thread_path|magic_words'
    r'|joinable_mode|image|threadName)"\s*:)'
)


def _elements(stream: Any, name: str, member: str | None) -> Iterator[tuple[str, int | None, Any]]:
    """(key, None, value) for each top-level key of the thread object; ("messages", -1, None)
    where the messages array starts, then ("messages", i, message) for each message, streamed."""
    events = walk(stream, name, lambda path: path in ((), ("messages",)), member=member)
    for event in events:
        path = event.path
        if not path:
            if event.kind != "end" and event.value != "object":
                where = f"{member}, json" if member else None
                raise ParseError("the JSON is not an object", path=name, where=where)
            continue
        if len(path) == 1:
            if event.kind == "value":
                yield str(path[0]), None, event.value
            elif event.kind == "start":
                expect_list(event, name)
                yield "messages", -1, None
        elif event.kind == "value":
            yield "messages", int(path[1]), event.value


def _tail_keys(opener: Callable[[], Any]) -> dict[str, Any] | None:
    """The top-level keys written after the messages array, read from the last 64 KiB."""
    with opener() as fh:
        if not (hasattr(fh, "seekable") and fh.seekable()):
            return None
        size = fh.seek(0, 2)
        fh.seek(max(0, size - 65536))
        tail = fh.read().decode("utf-8", "replace")
    for found in _TAIL_KEYS.finditer(tail):
        try:
            value = json.loads("{" + tail[found.end() :])
        except (ValueError, RecursionError):
            continue  # the streaming pass reads it, within its bounds
        if isinstance(value, dict):
            return value
    return None


def _when(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _reactions(items: Any) -> tuple[Reaction, ...]:
    out = []
    for r in items if isinstance(items, list) else []:
        if isinstance(r, dict):
            out.append(Reaction(_s(r.get("actor")) or "", _s(r.get("reaction")) or ""))
    return tuple(out)


def _kind_for_uri(uri: str) -> str:
    suffix = PurePosixPath(uri).suffix.lower()
    return next((k for k, exts in _EXT_KINDS.items() if suffix in exts), "file")


def _dyi(
    m: dict[str, Any], platform: str, conversation: str, loc: Locator, link: _Linker
) -> Message:
    flags: set[str] = set()
    atts: list[Attachment] = []
    for key, kind in _MEDIA_KINDS.items():
        for item in m.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("uri"), str):
                uri = fix_text(item["uri"])
                atts.append(Attachment(kind=kind, name=PurePosixPath(uri).name, uri=uri))
    sticker = m.get("sticker")
    if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
        uri = fix_text(sticker["uri"])
        atts.append(Attachment(kind="sticker", name=PurePosixPath(uri).name, uri=uri))
    share = m.get("share")
    if isinstance(share, dict) and (share.get("link") or share.get("share_text")):
        atts.append(
            Attachment(
                kind="share", uri=_s(share.get("link")), name=_s(share.get("share_text")) or None
            )
        )
    text = _s(m.get("content")) or ""
    kind = "message"
    mtype = m.get("type")
    if mtype in ("Subscribe", "Unsubscribe") or "users" in m or _SYSTEM_TEXT.search(text):
        kind = "system"
    if mtype == "Call" or "call_duration" in m:
        kind = "system"
        flags.add("call")
        if m.get("missed") or m.get("call_duration") == 0:
            flags.add("missed_call")
    if m.get("is_unsent"):
        flags.add("unsent")
    return Message(
        platform=platform,
        conversation=conversation,
        sender=_s(m.get("sender_name")),
        text=text,
        locator=loc,
        sent_at=_when(m.get("timestamp_ms")),
        kind=kind,  # type: ignore[arg-type]
        attachments=tuple(link(a) for a in atts) if atts and link.archive else tuple(atts),
        reactions=_reactions(m.get("reactions")),
        flags=frozenset(flags),
    )


def _e2ee(
    m: dict[str, Any], platform: str, conversation: str, loc: Locator, link: _Linker
) -> Message:
    flags: set[str] = set()
    atts = []
    for item in m.get("media") or []:
        if isinstance(item, dict) and isinstance(item.get("uri"), str):
            uri = fix_text(item["uri"])
            atts.append(Attachment(kind=_kind_for_uri(uri), name=PurePosixPath(uri).name, uri=uri))
    if m.get("isUnsent"):
        flags.add("unsent")
    mtype = str(m.get("type") or "").lower()
    kind = (
        "system" if mtype in ("call", "system", "admin", "subscribe", "unsubscribe") else "message"
    )
    return Message(
        platform=platform,
        conversation=conversation,
        sender=_s(m.get("senderName")),
        text=_s(m.get("text")) or "",
        locator=loc,
        sent_at=_when(m.get("timestamp")),
        kind=kind,  # type: ignore[arg-type]
        attachments=tuple(link(a) for a in atts) if atts and link.archive else tuple(atts),
        reactions=_reactions(m.get("reactions")),
        flags=frozenset(flags),
    )
