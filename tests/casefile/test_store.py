"""The case file: encryption, exhibits, append-only evidence, the hash-chained log."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
from pathlib import Path

import apsw
import pytest

from unshared.casefile import Case, check_chain, verify_case
from unshared.casefile.store import CHUNK_SIZE
from unshared.errors import CaseFileError, InputFileError, NotACaseFile, WrongPassphrase
from unshared.importers import BytesSource, ImportOptions, detect

CHAT = b"Alex: I have your video. Pay 300 or I send it to everyone\nSam: please no\n"


def _case(tmp_path: Path, secret: str | None = "pw one") -> Case:
    return Case.create(tmp_path / "c.unshared", secret)


def _import(case: Case, data: bytes = CHAT, name: str = "chat.txt") -> int:
    exhibit = case.add_exhibit(io.BytesIO(data), name=name, source_path=f"/evidence/{name}")
    source = BytesSource(data, name)
    importer = detect(source)
    return case.record_import(exhibit, importer.name, importer.parse(source, ImportOptions()))


def test_encrypted_case_has_no_plaintext_and_needs_the_passphrase(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        assert _import(case) == 2
        assert case.encrypted
        assert case.meta()["encryption"].startswith("chacha20")
    raw = (tmp_path / "c.unshared").read_bytes()
    for needle in (b"Pay 300", b"please no", b"Alex", b"chat.txt", b"SQLite format"):
        assert needle not in raw
    with Case.open(tmp_path / "c.unshared", "pw one") as case:
        assert [m.message.text for m in case.messages()][1] == "please no"


def test_wrong_passphrase_is_refused_and_leaves_the_file_untouched(tmp_path: Path) -> None:
    _case(tmp_path).close()
    path = tmp_path / "c.unshared"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(WrongPassphrase) as info:
        Case.open(path, "not it")
    assert info.value.exit_code == 2
    with pytest.raises(WrongPassphrase):
        Case.open(path, None)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.unshared"]


def test_unencrypted_case_is_recorded_as_such(tmp_path: Path) -> None:
    with _case(tmp_path, None) as case:
        assert not case.encrypted
        assert case.meta()["encryption"] == "none"
        assert "none" in next(iter(case.events())).payload
    assert (tmp_path / "c.unshared").read_bytes().startswith(b"SQLite format 3")


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    _case(tmp_path).close()
    with pytest.raises(CaseFileError):
        _case(tmp_path)


def test_same_bytes_twice_is_one_exhibit_with_two_acquisitions(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        a = case.add_exhibit(io.BytesIO(CHAT), name="a.txt", source_path="/x/a.txt")
        b = case.add_exhibit(io.BytesIO(CHAT), name="b.txt", source_path="/y/b.txt")
        assert a.new and not b.new
        assert a.sha256 == b.sha256 == hashlib.sha256(CHAT).hexdigest()
        [info] = case.exhibits()
        assert [acq.original_name for acq in info.acquisitions] == ["a.txt", "b.txt"]
        assert [acq.source_path for acq in info.acquisitions] == ["/x/a.txt", "/y/b.txt"]
        assert all(acq.size == len(CHAT) for acq in info.acquisitions)
        assert all(acq.acquired_at.endswith("Z") for acq in info.acquisitions)
        assert verify_case(case).ok


def test_multi_chunk_exhibit_round_trips_exactly(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE * 2 + 12345)
    with _case(tmp_path) as case:
        info = case.add_exhibit(io.BytesIO(data), name="big.bin", source_path="big.bin")
        assert info.size == len(data)
        with case.open_exhibit(info.sha256) as fh:
            assert fh.read() == data
        with case.open_exhibit(info.sha256[:12]) as fh:
            fh.seek(CHUNK_SIZE - 3)
            assert fh.read(10) == data[CHUNK_SIZE - 3 : CHUNK_SIZE + 7]


@pytest.mark.parametrize(
    "table", ["exhibits", "exhibit_chunks", "acquisitions", "events", "message_blocks"]
)
def test_evidence_tables_refuse_update_and_delete(tmp_path: Path, table: str) -> None:
    with _case(tmp_path, None) as case:
        _import(case)
    db = apsw.Connection(str(tmp_path / "c.unshared"))
    column = {"exhibit_chunks": "seq", "events": "seq", "message_blocks": "first_id"}.get(
        table, "id"
    )
    with pytest.raises(apsw.ConstraintError, match="append-only"):
        db.execute(f"UPDATE {table} SET {column} = {column} + 1000")
    with pytest.raises(apsw.ConstraintError, match="append-only"):
        db.execute(f"DELETE FROM {table}")
    db.close()


def test_log_chain_links_every_event(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        _import(case)
        case.log("note", {"text": "saved the chat before blocking"})
        events = list(case.events())
    assert [e.type for e in events] == ["case_created", "exhibit_added", "import_run", "note"]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert check_chain(events) == []
    forged = [*events[:2], events[3]]
    assert check_chain(forged)


def _flip(path: Path, needle: bytes) -> None:
    raw = bytearray(path.read_bytes())
    at = raw.find(needle)
    assert at >= 0, needle
    raw[at] ^= 0x01
    path.write_bytes(bytes(raw))


def test_tampered_exhibit_byte_is_named_by_verify(tmp_path: Path) -> None:
    with _case(tmp_path, None) as case:
        _import(case)
    path = tmp_path / "c.unshared"
    _flip(path, b"I have your video")
    with Case.open(path, None) as case:
        result = verify_case(case)
    assert not result.ok
    assert any(hashlib.sha256(CHAT).hexdigest() in p and "chat.txt" in p for p in result.problems)


def test_tampered_event_is_named_by_verify(tmp_path: Path) -> None:
    with _case(tmp_path, None) as case:
        _import(case)
        case.log("note", {"text": "crime reference 42/12345/26"})
    path = tmp_path / "c.unshared"
    _flip(path, b"42/12345/26")
    with Case.open(path, None) as case:
        result = verify_case(case)
    assert any(p.startswith("event 4 (note)") for p in result.problems)


def test_any_changed_byte_of_an_encrypted_case_fails(tmp_path: Path) -> None:
    with _case(tmp_path) as case:
        _import(case)
    path = tmp_path / "c.unshared"
    size = path.stat().st_size
    for offset in (100, size // 2, size - 10):
        copy = tmp_path / f"t{offset}.unshared"
        raw = bytearray(path.read_bytes())
        raw[offset] ^= 0x80
        copy.write_bytes(bytes(raw))
        try:
            with Case.open(copy, "pw one") as case:
                result = verify_case(case)
                failed = not result.ok
        except (WrongPassphrase, NotACaseFile):
            failed = True
        assert failed, f"a flipped byte at {offset} went unnoticed"


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda p: p.write_text("just some text\n"), NotACaseFile),
        (lambda p: p.write_bytes(b""), NotACaseFile),
        (lambda p: p.mkdir(), NotACaseFile),
        (lambda p: p.write_bytes(os.urandom(4096)), NotACaseFile),
    ],
    ids=["text", "empty", "folder", "random"],
)
def test_not_a_case_file(tmp_path: Path, make, error) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.unshared"
    make(path)
    with pytest.raises(error) as info:
        Case.open(path, "pw")
    assert str(path) in info.value.describe()


def test_missing_case_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such case file"):
        Case.open(tmp_path / "nope.unshared", None)


def test_truncated_case_file_is_refused(tmp_path: Path) -> None:
    with _case(tmp_path, None) as case:
        for i in range(20):
            _import(case, CHAT * (i + 50), f"chat{i}.txt")
    path = tmp_path / "c.unshared"
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    try:
        case = Case.open(path, None)
    except NotACaseFile as exc:
        assert "corrupted or truncated" in exc.describe()
        return
    with case:
        result = verify_case(case)
    assert not result.ok


def test_messages_come_oldest_first_even_from_newest_first_exports(tmp_path: Path) -> None:
    """Skype and Snapchat write the newest message first; a WhatsApp chat is oldest first.
    Both list oldest first, import by import, and untimed lines keep their place."""
    newest_first = (
        b"[2024-01-03 22:40] Chidi: leave me alone\n"
        b"[2024-01-03 09:00] Chidi: pay now\n"
        b"[2024-01-02 20:47] Chidi: hi\n"
    )
    oldest_first = (
        b"02/01/2024, 20:47 - Zoe: first\n02/01/2024, 20:48 - Zoe: second\n"
        b"03/01/2024, 09:00 - Zoe: third\n"
    )
    with _case(tmp_path, None) as case:
        _import(case, newest_first, "chat.md")
        _import(case, oldest_first, "WhatsApp Chat with Zoe.txt")
        texts = [s.message.text for s in case.messages()]
    assert texts == ["hi", "pay now", "leave me alone", "first", "second", "third"]
