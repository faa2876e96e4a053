"""The case file's vocabulary: the events catalogue, typed settings, the one answer to "who is the
person reporting?", exhibits set aside, and evidence that arrives twice."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import fields
from pathlib import Path

import pytest

from unshared.casefile import Case, Event, events, verify_case
from unshared.casefile.events import CATALOGUE, Payload
from unshared.errors import CaseFileError
from unshared.importers import BytesSource, ImportOptions, detect
from unshared.model import canonical_json

CHAT = (
    b"12/07/2023, 22:35 - Alex: I have your video. Pay 500 or I send it to everyone\n"
    b"12/07/2023, 22:36 - Sam: please no\n"
    b"12/07/2023, 22:36 - Sam: please no\n"
    b"12/07/2023, 22:40 - Alex: 2 hours\n"
)


def _case(tmp_path: Path) -> Case:
    return Case.create(tmp_path / "c.unshared", None)


def _add(case: Case, data: bytes, name: str) -> int:
    exhibit = case.add_exhibit(io.BytesIO(data), name=name, source_path=f"/evidence/{name}")
    source = case.exhibit_source(exhibit.sha256, name)
    importer = detect(source)
    return case.record_import(exhibit, importer.name, importer.parse(source, ImportOptions()))


def _sample(cls: type[Payload]) -> Payload:
    values: dict[str, object] = {}
    for spec in fields(cls):
        kind = str(spec.type)
        if kind.startswith("int"):
            values[spec.name] = 3
        elif kind.startswith("float"):
            values[spec.name] = 1.5
        elif kind.startswith("bool"):
            values[spec.name] = True
        elif kind.startswith("dict"):
            values[spec.name] = {"k": 1}
        elif kind.startswith("tuple"):
            values[spec.name] = ("a", "b")
        else:
            values[spec.name] = f"{spec.name} value"
    return cls(**values)


@pytest.mark.parametrize("type_", sorted(CATALOGUE))
def test_every_event_type_round_trips_through_the_log(tmp_path: Path, type_: str) -> None:
    payload = _sample(CATALOGUE[type_])
    with _case(tmp_path) as case:
        as_logged = Event(9, "t", type_, canonical_json(payload.to_dict()), "0" * 64, "x")
        assert events.read(as_logged) == payload
        if payload.INTERNAL:
            with pytest.raises(CaseFileError, match="written by the case itself"):
                case.record(payload)
            return
        event = case.record(payload)
        assert event.type == type_
        [(stored, back)] = [
            (e, p) for e, p in case.events_of(CATALOGUE[type_]) if e.seq == event.seq
        ]
        assert back == payload
        assert events.read(stored) == payload
        assert json.loads(stored.payload) == payload.to_dict()
        assert verify_case(case).ok


def test_log_refuses_unknown_types_and_fields(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        with pytest.raises(CaseFileError, match="unknown event type"):
            case.log("notte", {"text": "typo"})
        with pytest.raises(CaseFileError, match="no field"):
            case.log("note", {"text": "x", "kind": "step-done"})
        assert [e.type for e in case.events()] == ["case_created"]


def test_settings_are_typed_logged_and_checked(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        assert case.settings().age is None
        case.update_settings(age=15, region="gb")
        assert case.settings().age == 15 and case.settings().region == "GB"
        case.update_settings(age=None)
        assert case.settings().age is None and case.settings().region == "GB"
        for bad in ({"age": "15"}, {"age": 0}, {"region": "Britain"}, {"colour": "red"}):
            with pytest.raises(CaseFileError):
                case.update_settings(**bad)
        changes = [p.changes for _, p in case.events_of(events.SettingsChanged)]
        assert changes == [{"age": 15, "region": "GB"}, {"age": None}]


def test_victims_is_one_answer_recorded_in_the_log(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        _add(case, CHAT, "WhatsApp Chat with Alex.txt")
        assert case.people() == ["Alex", "Sam"]
        guessed = case.victims()
        assert not guessed.recorded
        # Nobody known yet: no one is called the victim or "the other party".
        assert guessed.side("Alex") == "unknown"
        case.name_victims(["Alex"])  # a slip, then corrected: the newest answer counts
        case.name_victims(["sam "])
        victims = case.victims()
        assert victims.recorded and victims.names == ("sam",)
        assert victims.side("Sam") == "victim"
        assert victims.side("Alex") == "other"
        assert victims.side(None, None) == "unknown"
        assert [p.names for _, p in case.events_of(events.VictimsNamed)] == [("Alex",), ("sam",)]
        # Naming changes who is who, so the analysis must be brought up to date.
        case.replace_analysis([], [], {"region": "GB"})
        assert not case.needs_analysis("GB")
        case.name_victims(["Sam"])
        assert case.needs_analysis("GB")
        with pytest.raises(CaseFileError):
            case.name_victims([" "])


def test_a_recorded_answer_overrides_the_exports_guess(tmp_path: Path) -> None:
    from unshared.model import Participant

    alice = Participant("telegram", "chat", "Alice", platform_id="user1", side="victim")
    bob = Participant("telegram", "chat", "Bob", platform_id="user2", side="other")
    with _case(tmp_path) as case:
        exhibit = case.add_exhibit(io.BytesIO(b"{}"), name="t.json", source_path="t.json")
        case.record_import(exhibit, "telegram", iter([alice, bob]))
        assert case.victims().names == ("Alice", "user1")
        victims = case.name_victims(["Bob"])
        assert victims.participant(alice).side == "other"
        assert victims.participant(bob).side == "victim"


def test_set_aside_exhibit_is_kept_but_left_out(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        _add(case, CHAT, "chat.txt")
        photo = case.add_exhibit(
            io.BytesIO(b"\xff\xd8\xff\xe0 a jpeg"), name="IMG.jpg", source_path="IMG.jpg"
        )
        other = b"13/07/2023, 09:00 - Alex: photo sent\n"
        mistake = case.add_exhibit(io.BytesIO(other), name="other.txt", source_path="other.txt")
        source = case.exhibit_source(mistake.sha256)
        case.record_import(mistake, "whatsapp", detect(source).parse(source, ImportOptions()))
        assert len(list(case.messages())) == 5
        case.set_aside(photo.sha256, "a photo chosen as a chat by mistake")
        case.set_aside(mistake.sha256, "")
        old = [m.message.text for m in case.messages()]
        assert old[-1] == "2 hours"
        assert len(list(case.messages(include_set_aside=True))) == 5
        kept = case.exhibits(include_set_aside=False)
        assert [e.name for e in kept] == ["chat.txt"]
        every = {e.name: e.set_aside for e in case.exhibits()}
        assert every == {
            "chat.txt": None,
            "IMG.jpg": "a photo chosen as a chat by mistake",
            "other.txt": "added by mistake",
        }
        with case.open_exhibit(photo.sha256) as fh:  # never deleted
            assert fh.read().startswith(b"\xff\xd8")
        asides = [p.sha256 for _, p in case.events_of(events.ExhibitSetAside)]
        assert asides == [photo.sha256, mistake.sha256]
        assert verify_case(case).ok


def test_same_file_twice_is_recorded_once_and_told(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        assert _add(case, CHAT, "chat.txt") == 4
        again = case.add_exhibit(io.BytesIO(CHAT), name="chat.txt", source_path="/x/chat.txt")
        assert not again.new and case.is_imported(again)
        assert len(case.exhibits()) == 1
        # Even a caller that reads it again does not multiply the messages.
        source = case.exhibit_source(again.sha256)
        case.record_import(again, "whatsapp", detect(source).parse(source, ImportOptions()))
        texts = [m.message.text for m in case.messages()]
        assert texts.count("please no") == 2  # sent twice, kept twice
        assert len(texts) == 4


def test_same_chat_in_a_zip_and_its_txt_counts_once(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("WhatsApp Chat with Alex.txt", CHAT)
    more = CHAT + b"12/07/2023, 23:00 - Alex: last chance\n"
    with _case(tmp_path) as case:
        _add(case, buffer.getvalue(), "WhatsApp Chat with Alex.zip")
        _add(case, more, "WhatsApp Chat with Alex.txt")
        texts = [m.message.text for m in case.messages()]
        assert texts == [
            "I have your video. Pay 500 or I send it to everyone",
            "please no",
            "please no",
            "2 hours",
            "last chance",
        ]
        assert case.message_count() == 9  # every stored row is still there


def test_no_raw_sql_outside_the_case_file() -> None:
    assert not hasattr(Case, "execute")
    src = Path(__file__).resolve().parents[2] / "src" / "unshared"
    # The iMessage importer queries Apple's Messages database (an exhibit), never a case file.
    foreign = {"importers/formats/imessage_db.py"}
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        # The bank and the force database are databases of their own, with their own stores.
        if path.parts[len(src.parts)] not in ("casefile", "bank", "police")
        and str(path.relative_to(src)) not in foreign
        and (".execute(" in path.read_text() or "json.loads(event.payload" in path.read_text())
    ]
    assert offenders == []


def test_a_case_made_before_message_blocks_is_upgraded_and_still_verifies(tmp_path: Path) -> None:
    """Cases from before schema 2 kept one row per message; they open, read and verify."""
    import hashlib

    import apsw

    from unshared.casefile import database
    from unshared.casefile.events import CaseCreated, ImportRun
    from unshared.casefile.exhibits import ExhibitStore
    from unshared.casefile.logstore import LogStore
    from unshared.casefile.schema import MIGRATIONS

    path = tmp_path / "old.unshared"
    db = apsw.Connection(str(path))
    with db:
        db.execute(MIGRATIONS[0][1]())
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
        db.execute("INSERT INTO schema_migrations VALUES (1, 'then')")
        db.execute("INSERT INTO meta VALUES ('format', 'unshared-case')")
        LogStore(db).append(CaseCreated(encryption="none", tool_version="0.old"))
    exhibit = ExhibitStore(db, LogStore(db), str(path)).add(
        io.BytesIO(CHAT), name="chat.txt", source_path="chat.txt"
    )
    source = BytesSource(CHAT, "chat.txt")
    bodies = [canonical_json(m.to_dict()) for m in detect(source).parse(source, ImportOptions())]
    with db:
        event = LogStore(db).append(
            ImportRun(
                exhibit=exhibit.sha256,
                format="whatsapp",
                messages=len(bodies),
                participants=0,
                messages_sha256=hashlib.sha256("".join(bodies).encode()).hexdigest(),
            )
        )
        db.execute(
            "INSERT INTO imports VALUES (1, ?, 'whatsapp', ?, ?)",
            (exhibit.id, len(bodies), event.seq),
        )
        db.executemany(
            "INSERT INTO messages (import_id, exhibit_id, platform, conversation, kind, body) "
            "VALUES (1, ?, 'whatsapp', 'c', 'message', ?)",
            [(exhibit.id, b) for b in bodies],
        )
    db.close()
    with Case.open(path, None) as case:
        old = [m.message.text for m in case.messages()]
        assert old[-1] == "2 hours"
        assert [e.type for e in case.events()][-1] == "schema_migrated"
        _add(case, b"13/07/2023, 09:00 - Alex: one more\n", "more.txt")
        ids = [m.id for m in case.messages()]
        assert ids == list(range(1, len(old) + 2))  # new blocks go on from the old rows
        result = verify_case(case)
        assert result.ok, result.problems
    assert database.FORMAT_NAME == "unshared-case"


def test_adding_the_same_file_again_tells_and_reads_nothing_twice(tmp_path: Path) -> None:
    from unshared.usecases.stream import add_stream

    with _case(tmp_path) as case:
        first = add_stream(
            case,
            io.BytesIO(CHAT),
            name="chat.txt",
            source_path="/a/chat.txt",
            options=ImportOptions(),
        )
        again = add_stream(
            case,
            io.BytesIO(CHAT),
            name="chat (1).txt",
            source_path="/b/chat (1).txt",
            options=ImportOptions(),
        )
        assert first.messages == 4 and again.messages == 0 and again.ok
        assert any("already in the case" in note for note in again.notes)
        assert len(case.imports()) == 1
        assert [len(e.acquisitions) for e in case.exhibits()] == [2]
