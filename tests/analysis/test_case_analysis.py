"""Analysing a whole case's rows, with no case file: sides, sources, participant identifiers."""

from __future__ import annotations

from unshared.analysis.case_analysis import analyse, identifier_table
from unshared.casefile import Victims
from unshared.model import Attachment, Locator, Message, Participant

MARK = "8:live:.cid.3f2a9b7c1d0e4a58"


def _rows() -> tuple[list[Participant], list[tuple[int, Message]]]:
    people = [
        Participant("skype", "c", "Mark", platform_id=MARK),
        Participant("skype", "c", "Jess", platform_id="live:jess_h22"),
    ]
    messages = [
        (
            1,
            Message(
                "skype",
                "c",
                "Mark",
                "send £200 to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                Locator(line=1),
                sender_id=MARK,
            ),
        ),
        (
            2,
            Message(
                "skype", "c", "Jess", "my number is 07488 215390, please stop", Locator(line=2)
            ),
        ),
        (
            3,
            Message(
                "skype",
                "c",
                "Mark",
                "or I send the pics to everyone",
                Locator(line=3),
                sender_id=MARK,
            ),
        ),
        (
            4,
            Message(
                "skype",
                "c",
                "Mark",
                "look",
                Locator(line=4),
                attachments=(Attachment("link", uri="https://mega.nz/file/Ab3dEf#kL9mNoPq"),),
            ),
        ),
    ]
    return people, messages


def test_sides_come_from_the_one_answer_about_the_victim() -> None:
    people, messages = _rows()
    named = analyse(people, messages, Victims(("jess",), recorded=True))
    sides = {(i.kind, i.value): i.side for _, i in named.identifiers if i.kind == "skype_id"}
    assert sides == {
        ("skype_id", "live:.cid.3f2a9b7c1d0e4a58"): "other",
        ("skype_id", "live:jess_h22"): "victim",
    }
    nobody = analyse(people, messages, Victims())  # nobody named yet: sides stay unknown
    assert {i.side for _, i in nobody.identifiers} == {"unknown"}


def test_analyse_rows_without_a_case() -> None:
    people, messages = _rows()
    progress: list[int] = []
    found = analyse(
        people, messages, Victims(("jess",), recorded=True), "GB", progress=progress.append
    )
    assert progress == [4]
    assert found.summary["messages"] == 4 and found.summary["region"] == "GB"
    by_kind = {(i.kind, i.source): (mid, i) for mid, i in found.identifiers}
    mid, btc = by_kind[("btc_address", "message")]
    assert mid == 1 and btc.side == "other" and btc.validity == "valid"
    assert by_kind[("phone", "message")][1].side == "victim"
    url_mid, url = by_kind[("url", "message")]
    assert url_mid == 4 and url.start == -1  # a shared link has no offsets in the text
    skype = {(i.value, i.side) for mid, i in found.identifiers if i.kind == "skype_id"}
    assert skype == {("live:.cid.3f2a9b7c1d0e4a58", "other"), ("live:jess_h22", "victim")}
    assert {(mid, s.stage) for mid, s in found.signals} >= {(3, "threat")}


def test_identifier_table_groups_and_puts_the_offender_first() -> None:
    rows = [
        (2, {"kind": "phone", "value": "+447488215390", "side": "victim", "valid": "valid"}),
        (1, {"kind": "mtcn", "value": "5820194736", "side": "other", "raw": "MTCN 5820194736"}),
        (3, {"kind": "mtcn", "value": "5820194736", "side": "other", "raw": "MTCN 5820194736"}),
        (None, {"kind": "skype_id", "value": "live:x", "side": "other", "source": "participant"}),
    ]
    table = identifier_table(rows)
    assert [(r["kind"], r["uses"]) for r in table] == [("mtcn", 2), ("skype_id", 1), ("phone", 1)]
    assert table[0]["messages"] == [1, 3] and table[0]["raw"] == ["MTCN 5820194736"]
    assert table[1]["sources"] == {"participant": 1}
