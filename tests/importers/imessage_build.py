"""Synthetic Apple Messages databases with the real tables and columns of chat.db / sms.db
(message, handle, chat, chat_message_join, chat_handle_join, attachment, message_attachment_join),
and an unencrypted iPhone backup folder zipped (Manifest.db + 3d/3d0d7e...)."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from pathlib import Path

NS = 1_000_000_000
T0 = 731_970_240  # 2024-03-12 21:04:00 UTC in seconds since 2001-01-01
PHOTO = b"\xff\xd8\xff\xe0 not a real picture \xff\xd9"

_SCHEMA = """
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
  replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT,
  attributedBody BLOB, service TEXT, date INTEGER, date_read INTEGER, date_delivered INTEGER,
  is_from_me INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
  associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0,
  date_edited INTEGER DEFAULT 0, date_retracted INTEGER DEFAULT 0, message_summary_info BLOB);
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,
  country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
  state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT,
  room_name TEXT, display_name TEXT);
CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER DEFAULT 0,
  PRIMARY KEY (chat_id, message_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
  created_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_name TEXT,
  total_bytes INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER,
  UNIQUE(message_id, attachment_id));
"""

PHOTO_PATH = "~/Library/SMS/Attachments/ab/11/AAAA-BBBB/IMG_0001.jpeg"


def typedstream(text: str) -> bytes:
    """An attributedBody as Messages writes it, reduced to what matters: the NSString part."""
    raw = text.encode()
    size = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00"
        b"\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
        + size
        + raw
        + b"\x86\x84\x02iI\x01"
    )


def chat_db(path: Path, nanoseconds: bool = True) -> Path:
    scale = NS if nanoseconds else 1
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO handle (ROWID, id, service) VALUES (1, '+447700900123', 'iMessage')")
    db.execute(
        "INSERT INTO handle (ROWID, id, service) VALUES (2, 'alex.pay@example.com', 'iMessage')"
    )
    db.execute(
        "INSERT INTO chat (ROWID, guid, chat_identifier, service_name, display_name) "
        "VALUES (1, 'iMessage;-;+447700900123', '+447700900123', 'iMessage', '')"
    )
    db.execute("INSERT INTO chat_handle_join VALUES (1, 1)")
    rows = [
        # rowid, guid, text, body, handle, from_me, minute, assoc_guid, assoc_type, edited, retracted, service
        (
            1,
            "G1",
            "I have your video. Pay £500 or it goes to everyone",
            None,
            1,
            0,
            0,
            None,
            0,
            0,
            0,
            "iMessage",
        ),
        (2, "G2", None, typedstream("please stop, I will pay"), 1, 1, 1, None, 0, 0, 0, "iMessage"),
        (3, "G3", "\ufffc", None, 1, 0, 2, None, 0, 0, 0, "iMessage"),
        (4, "G4", None, None, 1, 0, 3, "p:0/G2", 2001, 0, 0, "iMessage"),
        (5, "G5", "last warning", None, 1, 0, 4, None, 0, (T0 + 300) * scale, 0, "iMessage"),
        (6, "G6", "", None, 1, 0, 5, None, 0, 0, (T0 + 360) * scale, "iMessage"),
        (7, "G7", "sent as SMS", None, 1, 0, 6, None, 0, 0, 0, "SMS"),
    ]
    for rowid, guid, text, body, handle, me, minute, ag, at, ed, rt, service in rows:
        db.execute(
            "INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, is_from_me, date, "
            "associated_message_guid, associated_message_type, date_edited, date_retracted, service) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rowid,
                guid,
                text,
                body,
                handle,
                me,
                (T0 + minute * 60) * scale,
                ag,
                at,
                ed,
                rt,
                service,
            ),
        )
        db.execute(
            "INSERT INTO chat_message_join VALUES (1, ?, ?)", (rowid, (T0 + minute * 60) * scale)
        )
    db.execute(
        "INSERT INTO attachment (ROWID, guid, filename, mime_type, transfer_name, total_bytes) "
        "VALUES (1, 'A1', ?, 'image/jpeg', 'IMG_0001.jpeg', ?)",
        (PHOTO_PATH, len(PHOTO)),
    )
    db.execute("INSERT INTO message_attachment_join VALUES (3, 1)")
    db.commit()
    db.close()
    return path


def iphone_backup_zip(path: Path) -> Path:
    """An unencrypted backup folder (as Finder writes it), zipped: Manifest.db maps phone paths to
    the hashed names the backup stores them under."""
    work = path.with_suffix(".parts")
    work.mkdir(exist_ok=True)
    sms = chat_db(work / "sms.db")
    manifest = work / "Manifest.db"
    db = sqlite3.connect(manifest)
    db.execute(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)"
    )
    sms_id = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
    relative = PHOTO_PATH.removeprefix("~/")
    photo_id = hashlib.sha1(f"MediaDomain-{relative}".encode()).hexdigest()
    db.execute(
        "INSERT INTO Files VALUES (?, 'HomeDomain', 'Library/SMS/sms.db', 1, NULL)", (sms_id,)
    )
    db.execute("INSERT INTO Files VALUES (?, 'MediaDomain', ?, 1, NULL)", (photo_id, relative))
    db.commit()
    db.close()
    root = "00008110-001A2B3C4D5E801E"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{root}/Info.plist", "<plist/>")
        zf.write(manifest, f"{root}/Manifest.db")
        zf.write(sms, f"{root}/3d/{sms_id}")
        zf.writestr(f"{root}/{photo_id[:2]}/{photo_id}", PHOTO)
    return path
