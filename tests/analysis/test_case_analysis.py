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


def _chat(*lines: tuple[str, str, str]) -> list[tuple[int, Message]]:
    """(conversation, sender, text) lines as numbered messages."""
    return [
        (n, Message("whatsapp", conv, who, text, Locator(line=n)))
        for n, (conv, who, text) in enumerate(lines, 1)
    ]


def test_the_case_is_read_with_the_scorer_as_scan_and_signals_read_it() -> None:
    """A threat no rule knows is still found, with its score, the way ``scan`` finds it."""
    from unshared.analysis.signal_reader import read_signals
    from unshared.analysis.signals import detect_signals

    text = "watch my next move"
    assert detect_signals(text) == []  # the rules alone miss it
    found = analyse([], _chat(("c", "Max", text)), Victims())
    signals = [s for _, s in found.signals]
    assert [s.stage for s in signals] == [s.stage for s in read_signals([text])[0]] == ["threat"]
    details = dict(signals[0].details)
    assert details["by"] == "scorer" and 0.0 < float(details["score"]) <= 1.0
    assert "reads like" in signals[0].reason


def test_context_is_the_same_senders_earlier_messages_in_the_same_conversation() -> None:
    threat = "send me 500 or your nudes go to all your friends"
    remark = "your mum seems nice"  # nothing alone, escalation after the sender's threat

    def stages_of_remark(*lines: tuple[str, str, str]) -> set[str]:
        found = analyse([], _chat(*lines), Victims())
        last = len(lines)
        return {s.stage for mid, s in found.signals if mid == last}

    # After the same sender's threat, the remark about where they live is escalation ...
    assert "escalation" in stages_of_remark(("c", "Max", threat), ("c", "Max", remark))
    # ... but not after someone else's threat, nor after a threat in another conversation,
    assert "escalation" not in stages_of_remark(("c", "Max", threat), ("c", "Sam", remark))
    assert "escalation" not in stages_of_remark(("c", "Max", threat), ("d", "Max", remark))
    # ... nor once more than three of the sender's messages have passed since.
    filler = [("c", "Max", "ok") for _ in range(3)]
    assert "escalation" not in stages_of_remark(("c", "Max", threat), *filler, ("c", "Max", remark))


def test_a_payment_the_person_made_is_not_read_as_a_demand() -> None:
    """The scorer alone would call "I sent 100 by Western Union" a demand; the rules know it is a
    payment made, and the person must not become the one who demanded money."""
    found = analyse(
        [],
        _chat(
            ("c", "Alex", "Pay £500 by Western Union or everyone sees it"),
            ("c", "Sam", "I sent 100 by Western Union, MTCN 4839201746"),
        ),
        Victims(),
    )
    assert {(mid, s.stage) for mid, s in found.signals if s.stage == "payment_demand"} == {
        (1, "payment_demand")
    }


def test_system_lines_get_no_signals_as_in_the_signals_command() -> None:
    text = "pay £500 or everyone sees it"
    message = Message("whatsapp", "c", None, text, Locator(line=1), kind="system")
    assert analyse([], [(1, message)], Victims()).signals == []
