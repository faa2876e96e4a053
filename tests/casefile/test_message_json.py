"""The direct JSON writer for stored messages gives exactly the generic canonical form.

Imports store ``message_json(m)`` and verify compares the stored line with ``message_json`` of the
message read again, so a difference from ``canonical_json(m.to_dict())`` would change what the case
holds; this holds the two to each other on generated messages, including the awkward values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.model import Attachment, Locator, Message, Reaction, canonical_json, message_json

_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=_SURROGATES)
    | st.sampled_from('"\\\n\t\x00\u2028\u200e<>&')
)
_OPT = st.none() | _TEXT
_ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
)

_LOCATORS = st.builds(
    Locator,
    member=_OPT,
    line=st.none() | st.integers(min_value=0, max_value=2**40),
    offset=st.none() | st.integers(min_value=0, max_value=2**62),
    pointer=_OPT,
    bbox=st.none() | st.tuples(*[st.integers(min_value=0, max_value=10**5)] * 4),
)
_ATTACHMENTS = st.builds(
    Attachment,
    kind=st.sampled_from(["photo", "video", "file"]),
    name=_OPT,
    uri=_OPT,
    size=st.none() | st.integers(min_value=0, max_value=2**40),
    omitted=st.booleans(),
)
_MESSAGES = st.builds(
    Message,
    platform=_TEXT,
    conversation=_TEXT,
    sender=_OPT,
    text=_TEXT,
    locator=_LOCATORS,
    sent_at=st.none()
    | st.builds(
        lambda d, z: d.replace(tzinfo=z),
        st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
        _ZONES,
    ),
    time_assumed=st.booleans(),
    sender_id=_OPT,
    kind=st.sampled_from(["message", "system"]),
    attachments=st.lists(_ATTACHMENTS, max_size=2).map(tuple),
    message_id=_OPT,
    reply_to=_OPT,
    reactions=st.lists(st.builds(Reaction, actor=_TEXT, reaction=_TEXT), max_size=2).map(tuple),
    flags=st.frozensets(_TEXT, max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(_MESSAGES)
def test_direct_writer_equals_generic_form(message: Message) -> None:
    assert message_json(message) == canonical_json(message.to_dict())


def test_unexpected_value_types_take_the_generic_path() -> None:
    odd = Message(
        platform="x",
        conversation="c",
        sender=12345,  # type: ignore[arg-type]  # a number where a name belongs
        text="hi",
        locator=Locator(line=3),
    )
    assert message_json(odd) == canonical_json(odd.to_dict())
    assert '"sender":12345' in message_json(odd)


def test_plain_chat_lines_match_the_generic_form() -> None:
    zone = timezone(timedelta(hours=1))
    for sender, text in [("Alex", 'I have your "video" \\ pay'), (None, "\x00\u2028é😀"), ("", "")]:
        plain = Message(
            platform="whatsapp",
            conversation="Chat with Alex",
            sender=sender,
            text=text,
            locator=Locator(line=12, offset=3456),
            sent_at=datetime(2024, 3, 12, 21, 4, tzinfo=zone),
            time_assumed=True,
        )
        assert message_json(plain) == canonical_json(plain.to_dict())
    flagged = Message("x", "c", "a", "t", Locator(line=True), time_assumed=True)
    assert message_json(flagged) == canonical_json(flagged.to_dict())
