"""Behaviour of extract_identifiers and participant_identifiers beyond the labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.analysis.identifiers import extract_identifiers, participant_identifiers
from unshared.model import Participant


def kinds(text: str, region: str = "GB") -> list[tuple[str, str, str]]:
    return [(i.kind, i.value, i.validity) for i in extract_identifiers(text, region)]


def test_offsets_point_at_the_raw_text() -> None:
    text = "pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq then call +44 7488 215390, ok?"
    found = extract_identifiers(text)
    assert [i.kind for i in found] == ["btc_address", "phone"]
    for ident in found:
        assert text[ident.start : ident.end] == ident.raw
        assert ident.source == "message"


def test_region_decides_national_numbers() -> None:
    assert kinds("call me on (415) 555-2671", "US") == [("phone", "+14155552671", "valid")]
    assert kinds("call me on 07488 215390", "GB") == [("phone", "+447488215390", "valid")]
    assert kinds("call me on 07488 215390", "gb") == [("phone", "+447488215390", "valid")]


def test_mtcn_needs_transfer_context() -> None:
    assert kinds("ref 5820194736") == []
    assert kinds("western union mtcn 5820194736") == [("mtcn", "5820194736", "shape")]


def test_link_beats_the_digits_inside_it() -> None:
    assert kinds("https://wa.me/447488215390") == [("phone", "+447488215390", "valid")]
    found = kinds("https://www.facebook.com/profile.php?id=100087654321098")
    assert found == [("facebook_profile", "facebook.com/profile.php?id=100087654321098", "shape")]


def test_paypal_email_is_both() -> None:
    assert sorted(kinds("my paypal is a.b@mail.com")) == [
        ("email", "a.b@mail.com", "shape"),
        ("paypal", "a.b@mail.com", "shape"),
    ]


def test_eth_case_rules() -> None:
    assert kinds("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")[0][2] == "valid"
    assert kinds("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")[0][2] == "shape"
    assert kinds("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")[0][2] == "shape"
    assert kinds("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")[0][2] == "invalid"


def test_empty_and_plain_text() -> None:
    assert extract_identifiers("") == []
    assert extract_identifiers("please stop messaging me") == []


def test_participant_skype_id() -> None:
    person = Participant("skype", "chat", "Mark", platform_id="8:live:.cid.3f2a9b7c1d0e4a58")
    found = participant_identifiers(person)
    assert [(i.kind, i.value, i.source) for i in found] == [
        ("skype_id", "live:.cid.3f2a9b7c1d0e4a58", "participant")
    ]


def test_participant_discord_telegram_whatsapp_and_profile() -> None:
    discord = Participant("discord", "c", "mark", platform_id="312345678901234567", side="other")
    assert [(i.kind, i.value, i.side) for i in participant_identifiers(discord)] == [
        ("discord_user", "312345678901234567", "other")
    ]
    telegram = Participant("telegram", "c", "Mark", platform_id="user123456789")
    # A Telegram export's account number is an id, not a username (issue 22).
    assert [(i.kind, i.value) for i in participant_identifiers(telegram)] == [
        ("telegram_id", "123456789")
    ]
    named = Participant("telegram", "c", "Mark", platform_id="mark_r1990")
    assert participant_identifiers(named)[0].kind == "telegram_handle"
    whatsapp = Participant("whatsapp", "c", "Mark", platform_id="+2348031234567")
    assert participant_identifiers(whatsapp)[0].value == "+2348031234567"
    insta = Participant("instagram", "c", "Jess", profile_url="https://www.instagram.com/jess.h22/")
    assert [(i.kind, i.value) for i in participant_identifiers(insta)] == [
        ("instagram_handle", "jess.h22")
    ]
    assert participant_identifiers(Participant("text", "c", "Mark")) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for ident in extract_identifiers(text):
        assert text[ident.start : ident.end] == ident.raw


alphabet = st.sampled_from(list("0123456789 +-()./:@$£#_abcXTbc1qlive0xGB"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=alphabet, max_size=120), st.sampled_from(["GB", "US", "NG", "ZZ", ""]))
def test_never_raises_on_identifier_like_text(text: str, region: str) -> None:
    for ident in extract_identifiers(text, region):
        assert ident.validity in ("valid", "shape", "invalid")


def test_dates_times_and_internal_ids_are_not_identifiers() -> None:
    assert extract_identifiers("06.08.2016, 13:45 - Ash: we have a WhatsApp group") == []
    assert extract_identifiers("Event/Call at datetime.datetime(2020, 7, 3)") == []
    assert extract_identifiers("id='19:xyz@oneToOne.skype'") == []
    assert extract_identifiers("abcdef..@thread.skype") == []
    assert kinds("text me 07488 215390 at 10:30 on 01.05.2024") == [
        ("phone", "+447488215390", "valid")
    ]


def test_real_export_samples_give_no_false_identifiers(exports_dir: Path) -> None:
    # Public sample exports hold ordinary chat: the only identifiers in them are the senders'
    # phone numbers that WhatsApp writes in place of a name ("+12 345 578 created group").
    lines = []
    for folder in ("whatsapp", "signal"):
        for path in sorted((exports_dir / folder).glob("*.txt")):
            lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(lines) > 100
    for line in lines:
        for ident in extract_identifiers(line):
            assert ident.kind == "phone" and ident.raw.startswith("+"), (line, ident)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("snap is " * 2000, []),
        ("x@" + "a." * 3000 + "-", []),
        ("0 " * 3000, []),
        ("western union " + "1 " * 3000, []),
        ("GB82 " + "WEST " * 2000, []),
        ("http://a.com/" + "(" * 3000, ["url"]),
    ],
)
def test_long_repetitive_input_is_handled(text: str, expected: list[str]) -> None:
    # Shapes that make naive patterns backtrack; these must stay linear (no timing asserted),
    # find nothing made up in the noise, and still find a real identifier after it.
    assert [i.kind for i in extract_identifiers(text)] == expected
    tail = " add me on skype live:.cid.3f2a9b7c1d0e4a58"
    found = extract_identifiers(text + tail)
    assert [i.kind for i in found] == [*expected, "skype_id"]
    last = found[-1]
    assert last.value == "live:.cid.3f2a9b7c1d0e4a58"
    assert (text + tail)[last.start : last.end].endswith("3f2a9b7c1d0e4a58")
