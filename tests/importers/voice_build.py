"""Synthetic Google Voice Takeout pages, in the layout of real ones (XHTML, Google's 2011 CSS
comment, hChatLog / haudio microformats; see docs/formats.md)."""

from __future__ import annotations

import zipfile
from pathlib import Path

_HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html xmlns="http://www.w3.org/1999/xhtml">'
    '<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
    '<title>{title}</title>\n<style type="text/css">\n/* Copyright 2011 Google Inc.  All Rights '
    "Reserved. */\nbody {{ font-size: 13px; }}\n</style></head>\n<body>"
)
_TAIL = (
    '<div class="tags">Labels:\n<a rel="tag" href="http://www.google.com/voice#sms">Text</a></div>\n'
    '<div class="deletedStatusContainer">User Deleted:\nFalse</div></body></html>\n'
)


def _msg(when: str, tel: str, name: str | None, text: str, extra: str = "") -> str:
    who = f'<span class="fn">{name}</span>' if name else '<abbr class="fn" title="">Me</abbr>'
    return (
        f'<div class="message"><abbr class="dt" title="{when}">a date\nPacific Time</abbr>:\n'
        f'<cite class="sender vcard"><a class="tel" href="tel:{tel}">{who}</a></cite>:\n'
        f"<q>{text}</q>\n{extra}</div> "
    )


TEXT_PAGE = (
    _HEAD.format(title="Me to\nAlex Offender")
    + '<div class="hChatLog hfeed">\n'
    + _msg(
        "2024-03-12T14:04:00.000-07:00",
        "+15550001111",
        "Alex Offender",
        "I have your video.<br><br>Pay $500 or it goes to your school &amp; family",
    )
    + _msg("2024-03-12T14:05:30.500-07:00", "+15550002222", None, "please don&#39;t")
    + _msg(
        "2024-03-12T14:06:00.000-07:00",
        "+15550001111",
        "Alex Offender",
        "MMS Received",
        '<div><img src="Alex Offender - Text - 2024-03-12T21_04_00Z-3-1" alt="Image MMS Attachment" /></div>',
    )
    + "</div>\n"
    + _TAIL
)

GROUP_PAGE = (
    _HEAD.format(title="Group Conversation")
    + '<div class="hChatLog hfeed"><div class="participants">Group conversation with:\n'
    '<cite class="sender vcard"><a class="tel" href="tel:+15550001111"><span class="fn">Alex Offender</span></a></cite>, '
    '<cite class="sender vcard"><a class="tel" href="tel:+15550003333"><span class="fn">Kim Other</span></a></cite></div>\n'
    + _msg("2024-03-13T09:00:00.000-07:00", "+15550003333", "Kim Other", "who is this?")
    + "</div>\n"
    + _TAIL
)

VOICEMAIL_PAGE = (
    _HEAD.format(title="Voicemail from\nAlex Offender")
    + '<div class="haudio"><span class="album">Call Log for\n</span>\n'
    '<span class="fn">Voicemail from\nAlex Offender</span>\n'
    '<div class="contributor vcard">Voicemail from\n<a class="tel" href="tel:+15550001111">'
    '<span class="fn">Alex Offender</span></a></div>\n'
    '<abbr class="published" title="2024-03-14T19:54:27.000-07:00">a date</abbr>\nTranscript:\n'
    '<span class="description"><span class="full-text">Last warning. Pay or everyone sees it.</span>\n'
    '<span class="word high">Last\n<span class="start-time">1.1</span></span></span>\n<br />\n'
    '<audio controls="controls" src="Alex Offender - Voicemail - 2024-03-15T02_54_27Z.mp3">'
    '<a rel="enclosure" href="Alex Offender - Voicemail - 2024-03-15T02_54_27Z.mp3">Audio</a></audio>\n'
    '<abbr class="duration" title="PT1M22S">(00:01:22)</abbr>\n</div></body></html>\n'
)

MISSED_PAGE = (
    _HEAD.format(title="Missed call from\n+15550001111")
    + '<div class="haudio"><span class="fn">Missed call from\n+15550001111</span>\n'
    '<div class="contributor vcard">Missed call from\n<a class="tel" href="tel:+15550001111">'
    '<span class="fn"></span></a></div>\n'
    '<abbr class="published" title="2024-03-14T20:00:00.000-07:00">a date</abbr>\n'
    '<abbr class="duration" title="PT0S">(00:00:00)</abbr>\n</div></body></html>\n'
)

PAGES = {
    "Alex Offender - Text - 2024-03-12T21_04_00Z.html": TEXT_PAGE,
    "Group Conversation - 2024-03-13T16_00_00Z.html": GROUP_PAGE,
    "Alex Offender - Voicemail - 2024-03-15T02_54_27Z.html": VOICEMAIL_PAGE,
    "+15550001111 - Missed - 2024-03-15T03_00_00Z.html": MISSED_PAGE,
}


def voice_text_page(path: Path) -> Path:
    path.write_text(TEXT_PAGE, encoding="utf-8")
    return path


def voice_takeout_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Takeout/archive_browser.html", "<html></html>")
        for name, page in PAGES.items():
            zf.writestr(f"Takeout/Voice/Calls/{name}", page)
        zf.writestr(
            "Takeout/Voice/Calls/Alex Offender - Voicemail - 2024-03-15T02_54_27Z.mp3", b"ID3"
        )
    return path
