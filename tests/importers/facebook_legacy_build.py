"""Synthetic old Facebook downloads: html/messages.htm (until 2016) and messages/<n>.html (2017),
in the markup public parsers of those files document (see docs/formats.md)."""

from __future__ import annotations

import zipfile
from pathlib import Path


def _message(user: str, meta: str, text: str) -> str:
    return (
        '<div class="message"><div class="message_header">'
        f'<span class="user">{user}</span><span class="meta">{meta}</span></div></div>\n'
        f"<p>{text}</p>\n"
    )


MESSAGES_HTM = (
    "<html><head><title>Sam Victim - Messages</title></head><body>"
    '<div class="nav"><ul><li><a href="messages.htm">Messages</a></li></ul></div>'
    '<div class="contents"><h1>Sam Victim</h1><div>'
    '<div class="thread">Sam Victim, Alex Offender\n'
    + _message(
        "Alex Offender",
        "Tuesday, 3 January 2017 at 21:06 UTC+01",
        "Pay &pound;300 or the video goes to your family<br />last chance",
    )
    + _message("Sam Victim", "Tuesday, 3 January 2017 at 21:05 UTC+01", "please no")
    + _message(
        "100004321098765@facebook.com", "Wednesday, November 12, 2008 at 8:53pm UTC+01", "old one"
    )
    + "</div>"
    '<div class="thread">Sam Victim, Kim Friend\n'
    + _message("Kim Friend", "Monday, January 2, 2017 at 9:04pm PST", "see you")
    + "</div></div></div></body></html>"
)

THREAD_2017 = (
    "<html><head><title>Conversation with Alex Offender</title></head><body>"
    '<a href="../html/messages.htm">Back</a><div class="thread">'
    "<h3>Conversation with Alex Offender</h3>Participants: Alex Offender\n"
    + _message("Alex Offender", "Tuesday, 3 January 2017 at 21:06 UTC+01", "send the money")
    + "</div></body></html>"
)


def facebook_messages_htm(path: Path) -> Path:
    path.write_text(MESSAGES_HTM, encoding="utf-8")
    return path


def facebook_legacy_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("facebook-samvictim/index.htm", "<html></html>")
        zf.writestr("facebook-samvictim/html/messages.htm", MESSAGES_HTM)
        zf.writestr("facebook-samvictim/messages/1234567.html", THREAD_2017)
    return path
