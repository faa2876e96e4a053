"""Synthetic exports built at test time (zips would be opaque binaries in the repository)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message, Participant

from .facebook_legacy_build import facebook_legacy_zip, facebook_messages_htm
from .hangouts_build import hangouts_json, hangouts_old_json, hangouts_takeout_zip
from .imessage_build import chat_db, iphone_backup_zip
from .voice_build import voice_takeout_zip, voice_text_page

# Not an image anyone could mind: a few bytes shaped like a JPEG header.
FAKE_JPEG = b"\xff\xd8\xff\xe0" + b"unshared test media" * 10 + b"\xff\xd9"
FAKE_OPUS = b"OggS" + b"\x00voice" * 20

IOS_CHAT = (
    "\u200e[12/07/2023, 22:35:01] Tes: \u200eMessages and calls are end-to-end encrypted. "
    "No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
    "[12/07/2023, 22:35:10] Tes: \u200eYou created group \u201cTes\u201d\n"
    "[12/07/2023, 22:36:00] Jo Bloggs: look\n"
    "[12/07/2023, 22:36:05] Jo Bloggs: \u200e<attached: 00000012-PHOTO-2023-07-12-22-36-05.jpg>\n"
    "[13/07/2023, 09:00:00] Me Myself: \u200eimage omitted\n"
    "[13/07/2023, 09:01:00] Jo Bloggs: \u200e<attached: 00000013-AUDIO-2023-07-13-09-01-00.opus>\n"
)

ANDROID_CHAT = (
    "13/07/2023, 09:12 - Messages and calls are end-to-end encrypted. No one outside of this "
    "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "13/07/2023, 09:12 - Jo Bloggs: IMG-20230713-WA0001.jpg (file attached)\n"
    "the caption\n"
    "13/07/2023, 09:13 - Jo Bloggs: <Media omitted>\n"
    "14/07/2023, 10:00 - Me Myself: ok\n"
)


def whatsapp_ios_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_chat.txt", IOS_CHAT.encode())
        zf.writestr("00000012-PHOTO-2023-07-12-22-36-05.jpg", FAKE_JPEG)
        zf.writestr("00000013-AUDIO-2023-07-13-09-01-00.opus", FAKE_OPUS)
    return path


def whatsapp_android_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat with Jo Bloggs.txt", ANDROID_CHAT.encode())
        zf.writestr("IMG-20230713-WA0001.jpg", FAKE_JPEG)
    return path


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _thread(title: str, first: int, count: int, media_root: str) -> dict[str, object]:
    messages: list[dict[str, object]] = []
    for i in range(first + count - 1, first - 1, -1):  # Meta writes newest first
        msg: dict[str, object] = {
            "sender_name": _mojibake("Kai Sämple" if i % 2 else "Robin"),
            "timestamp_ms": 1_700_000_000_000 + i * 60_000,
            "content": _mojibake(f"message {i} ❤️"),
            "is_geoblocked_for_viewer": False,
        }
        if i == first:
            msg["photos"] = [
                {"uri": f"{media_root}/photos/p{i}.jpg", "creation_timestamp": 1_700_000_000}
            ]
            del msg["content"]
        messages.append(msg)
    return {
        "participants": [{"name": _mojibake("Kai Sämple")}, {"name": "Robin"}],
        "messages": messages,
        "title": _mojibake("Kai Sämple"),
        "is_still_participant": True,
        "thread_path": "inbox/kaisample_10",
        "magic_words": [],
    }


def meta_zip(path: Path, platform: str) -> Path:
    """A DYI zip with one thread split over message_1.json and message_2.json, one photo."""
    root = "your_instagram_activity/" if platform == "instagram" else "your_facebook_activity/"
    thread = f"{root}messages/inbox/kaisample_10"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{thread}/message_1.json", json.dumps(_thread("k", 3, 3, thread), indent=2))
        zf.writestr(f"{thread}/message_2.json", json.dumps(_thread("k", 0, 3, thread), indent=2))
        zf.writestr(f"{thread}/photos/p0.jpg", FAKE_JPEG)
        zf.writestr(f"{thread}/photos/p3.jpg", FAKE_JPEG + b"3")
    return path


def zip_bomb(path: Path, member: str = "_chat.txt", size: int = 24 << 20) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, b"1/1/21, 12:00 - A: x\n" + b"\x00" * size)
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "chat.db": chat_db,
    "iphone-backup.zip": iphone_backup_zip,
    "messages.htm": facebook_messages_htm,
    "facebook-legacy.zip": facebook_legacy_zip,
    "Alex Offender - Text - 2024-03-12T21_04_00Z.html": voice_text_page,
    "takeout-voice.zip": voice_takeout_zip,
    "hangouts.json": hangouts_json,
    "hangouts_old.json": hangouts_old_json,
    "takeout-hangouts.zip": hangouts_takeout_zip,
    "whatsapp_ios.zip": whatsapp_ios_zip,
    "whatsapp_android.zip": whatsapp_android_zip,
    "messenger_dyi.zip": lambda p: meta_zip(p, "messenger"),
    "instagram_dyi.zip": lambda p: meta_zip(p, "instagram"),
}


def read_as(path: Path, importer_name: str) -> tuple[list[Message], list[Participant]]:
    """Detect ``path`` (it must be read by ``importer_name``) and split what it yields."""
    source = FileSource(path)
    importer = detect(source)
    assert importer.name == importer_name
    records = list(importer.parse(source, ImportOptions()))
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Participant)],
    )
