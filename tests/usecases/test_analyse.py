"""Analysing a real (unencrypted) case file: stored, logged, and brought up to date only when
needed."""

from __future__ import annotations

import io
import json
from pathlib import Path

from unshared.casefile import Case
from unshared.model import Attachment, Locator, Message, Participant
from unshared.usecases.analyse import analyse_case as analyze_case
from unshared.usecases.analyse import analysis_state, bring_up_to_date

CHAT = [
    (
        "Mark",
        "8:live:.cid.3f2a9b7c1d0e4a58",
        "send £200 to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ),
    ("Jess", None, "my number is 07488 215390, please stop"),
    ("Mark", "8:live:.cid.3f2a9b7c1d0e4a58", "or western union, MTCN 5820194736"),
    ("Mark", "8:live:.cid.3f2a9b7c1d0e4a58", "hello"),
]


def make_case(path: Path) -> Case:
    case = Case.create(path, None)
    exhibit = case.add_exhibit(io.BytesIO(b"chat"), name="chat.json", source_path="chat.json")
    records: list[Message | Participant] = [
        Participant("skype", "c", "Mark", platform_id="8:live:.cid.3f2a9b7c1d0e4a58"),
        Participant("skype", "c", "Jess", platform_id="live:jess_h22"),
    ]
    for n, (sender, sid, text) in enumerate(CHAT, 1):
        records.append(Message("skype", "c", sender, text, Locator(line=n), sender_id=sid))
    records.append(
        Message(
            "skype",
            "c",
            "Mark",
            "look",
            Locator(line=9),
            attachments=(Attachment("link", uri="https://mega.nz/file/Ab3dEf#kL9mNoPq"),),
        )
    )
    case.record_import(exhibit, "test", iter(records))
    return case


def test_analyze_case_sides_sources_and_log(tmp_path: Path) -> None:
    with make_case(tmp_path / "c.case") as case:
        case.name_victims(["Someone", "jess"])
        summary = analyze_case(case, "GB")
        rows = list(case.identifiers())
        events = [e for e in case.events() if e.type == "analysis_run"]
    assert summary["messages"] == 5
    assert summary["identifier_kinds"] == {
        "btc_address": 1,
        "mtcn": 1,
        "phone": 1,
        "skype_id": 2,
        "url": 1,
    }
    by_kind = {body["kind"] + ":" + body["source"]: (mid, body) for mid, body in rows}
    mid, btc = by_kind["btc_address:message"]
    assert mid is not None and btc["side"] == "other" and btc["valid"] == "valid"
    assert by_kind["phone:message"][1]["side"] == "victim"
    skype = [body for mid, body in rows if body["kind"] == "skype_id"]
    assert {(b["value"], b["side"], b["source"]) for b in skype} == {
        ("live:.cid.3f2a9b7c1d0e4a58", "other", "participant"),
        ("live:jess_h22", "victim", "participant"),
    }
    assert by_kind["url:message"][1]["start"] == -1
    assert len(events) == 1 and json.loads(events[0].payload)["identifiers"] == 6


def test_analyze_again_replaces(tmp_path: Path) -> None:
    with make_case(tmp_path / "c.case") as case:
        analyze_case(case)
        analyze_case(case)
        assert len(list(case.identifiers())) == 6
        assert sum(1 for e in case.events() if e.type == "analysis_run") == 2


def test_sender_ids_without_participant_list(tmp_path: Path) -> None:
    with Case.create(tmp_path / "c.case", None) as case:
        exhibit = case.add_exhibit(io.BytesIO(b"d"), name="d.json", source_path="d.json")
        records = [
            Message("discord", "c", "mark", "hi", Locator(line=1), sender_id="312345678901234567"),
            Message("discord", "c", "mark", "yo", Locator(line=2), sender_id="312345678901234567"),
            Message(
                "discord", "c", "jess", "stop", Locator(line=3), sender_id="198765432109876543"
            ),
        ]
        case.record_import(exhibit, "test", iter(records))
        case.name_victims(["jess"])
        analyze_case(case)
        rows = [body for _, body in case.identifiers()]
    assert sorted((b["kind"], b["value"], b["side"], b["source"]) for b in rows) == [
        ("discord_user", "198765432109876543", "victim", "participant"),
        ("discord_user", "312345678901234567", "other", "participant"),
    ]


def test_bring_up_to_date_runs_only_when_the_case_changed(tmp_path: Path) -> None:
    with make_case(tmp_path / "c.case") as case:
        assert analysis_state(case).region is None
        first = bring_up_to_date(case)
        assert first is not None and first["region"] == "GB"
        assert bring_up_to_date(case) is None  # nothing new: no second run
        assert bring_up_to_date(case, "gb") is None
        again = bring_up_to_date(case, "US")  # another region reads phone numbers differently
        assert again is not None and again["region"] == "US"
        assert bring_up_to_date(case) is None  # the last region is kept
        exhibit = case.add_exhibit(io.BytesIO(b"more"), name="m.txt", source_path="m.txt")
        case.record_import(
            exhibit, "test", iter([Message("skype", "c", "Mark", "pay now", Locator(line=1))])
        )
        assert analysis_state(case).stale
        third = bring_up_to_date(case)
        assert third is not None and third["region"] == "US" and third["messages"] == 6
        assert sum(1 for e in case.events() if e.type == "analysis_run") == 3
