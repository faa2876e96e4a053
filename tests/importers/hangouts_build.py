"""Synthetic Google Hangouts Takeout files (Hangouts.json), in both layouts Google has written.

Shapes follow Takeout's documented structure and public parsers: ``conversations[].conversation
.conversation.participant_data`` and ``conversations[].events`` (2018 on), and
``conversation_state[].conversation_state.{conversation,event}`` (before)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

ME, ALEX, SMS = "111111111111111111111", "222222222222222222222", "333333333333333333333"
T0 = 1_710_277_440_000_000  # 2024-03-12 21:04:00 UTC in microseconds


def _person(gaia: str, name: str | None, phone: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"id": {"gaia_id": gaia, "chat_id": gaia}, "participant_type": "GAIA"}
    if name:
        person["fallback_name"] = name
    if phone:
        person["phone_number"] = {"e164": phone, "i18n_data": {"national_number": phone}}
    return person


def _event(n: int, sender: str, **extra: Any) -> dict[str, Any]:
    return {
        "conversation_id": {"id": "Ugz-abc"},
        "sender_id": {"gaia_id": sender, "chat_id": sender},
        "timestamp": str(T0 + n * 60_000_000),
        "event_id": f"7-H0Z7-{n}",
        "event_type": extra.pop("event_type", "REGULAR_CHAT_MESSAGE"),
        **extra,
    }


def _text(
    *segments: dict[str, Any], attachment: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    content: dict[str, Any] = {"segment": list(segments)}
    if attachment:
        content["attachment"] = attachment
    return {"chat_message": {"message_content": content}}


def events() -> list[dict[str, Any]]:
    return [
        _event(
            0,
            ALEX,
            **_text(
                {"type": "TEXT", "text": "I have your video."},
                {"type": "LINE_BREAK", "text": "\n"},
                {"type": "TEXT", "text": "Pay £500 or everyone sees it "},
                {
                    "type": "LINK",
                    "text": "wa.me/447700900123",
                    "link_data": {"link_target": "https://wa.me/447700900123"},
                },
            ),
        ),
        _event(1, ME, **_text({"type": "TEXT", "text": "please stop"})),
        _event(
            2,
            ALEX,
            **_text(
                attachment=[
                    {
                        "embed_item": {
                            "type": ["PLUS_PHOTO"],
                            "plus_photo": {
                                "url": "https://lh3.googleusercontent.com/photo123",
                                "media_type": "PHOTO",
                            },
                        },
                        "id": "a1",
                    }
                ]
            ),
        ),
        _event(
            3,
            ALEX,
            event_type="HANGOUT_EVENT",
            hangout_event={
                "event_type": "END_HANGOUT",
                "hangout_duration_secs": "42",
                "media_type": "AUDIO_VIDEO",
            },
        ),
        _event(
            4,
            ME,
            event_type="REMOVE_USER",
            membership_change={"type": "LEAVE", "participant_id": [{"gaia_id": ME, "chat_id": ME}]},
        ),
        _event(
            5,
            ALEX,
            event_type="RENAME_CONVERSATION",
            conversation_rename={"new_name": "pay up", "old_name": ""},
        ),
    ]


def header(participants: list[dict[str, Any]], name: str | None = None) -> dict[str, Any]:
    conv: dict[str, Any] = {
        "id": {"id": "Ugz-abc"},
        "type": "STICKY_ONE_TO_ONE",
        "self_conversation_state": {
            "self_read_state": {"participant_id": {"gaia_id": ME, "chat_id": ME}}
        },
        "participant_data": participants,
    }
    if name:
        conv["name"] = name
    return conv


def new_layout() -> dict[str, Any]:
    people = [_person(ME, "Sam Me"), _person(ALEX, "Alex Offender")]
    sms = [_person(ME, "Sam Me"), _person(SMS, None, "+447700900123")]
    return {
        "conversations": [
            {
                "conversation": {
                    "conversation_id": {"id": "Ugz-abc"},
                    "conversation": header(people),
                },
                "events": events(),
            },
            {
                "conversation": {"conversation_id": {"id": "Ugz-sms"}, "conversation": header(sms)},
                "events": [_event(9, SMS, **_text({"type": "TEXT", "text": "sms via hangouts"}))],
            },
        ]
    }


def old_layout() -> dict[str, Any]:
    people = [_person(ME, "Sam Me"), _person(ALEX, "Alex Offender")]
    return {
        "continuation_end_timestamp": "1710277440000000",
        "conversation_state": [
            {
                "conversation_id": {"id": "Ugz-abc"},
                "conversation_state": {
                    "conversation_id": {"id": "Ugz-abc"},
                    "conversation": header(people),
                    "event": events(),
                },
            }
        ],
    }


def hangouts_json(path: Path) -> Path:
    path.write_text(json.dumps(new_layout(), indent=2), encoding="utf-8")
    return path


def hangouts_old_json(path: Path) -> Path:
    path.write_text(json.dumps(old_layout()), encoding="utf-8")
    return path


def hangouts_takeout_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Takeout/archive_browser.html", "<html></html>")
        zf.writestr("Takeout/Hangouts/Hangouts.json", json.dumps(new_layout()))
    return path
