"""Issue 14, case file: verify recomputes what the report prints, and cannot be fooled.

Each test is an attack by someone who has the passphrase (or a careless copy that damaged the
file) and the promise it breaks: "any changed byte fails verify".
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw
import pytest

from unshared.casefile import Case, crypto, verify_case
from unshared.casefile.log import GENESIS, event_hash
from unshared.errors import NotACaseFile, UnsharedError, WrongPassphrase
from unshared.usecases.analyse import analyse_case
from unshared.usecases.exhibits import verify_case_file

PASS = "a long passphrase"
CHAT = (
    "12/07/2025, 22:35 - Alex: I have your video. Pay £500 or I send it to everyone\n"
    "12/07/2025, 22:36 - Sam: please no\n"
    "12/07/2025, 22:40 - Alex: send it to alex.pay@example.com, you have 2 hours\n"
    "12/07/2025, 22:41 - Alex: or call +44 7700 900123\n"
).encode()


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSHARED_SCRYPT_LOG2N", "14")


def _make(path: Path, secret: str | None = PASS) -> None:
    from unshared.importers import ImportOptions, detect

    with Case.create(path, secret) as case:
        exhibit = case.add_exhibit(
            io.BytesIO(CHAT), name="WhatsApp Chat with Alex.txt", source_path="/e/chat.txt"
        )
        source = case.exhibit_source(exhibit.sha256)
        importer = detect(source)
        case.record_import(
            exhibit,
            importer.name,
            importer.parse(source, ImportOptions()),
            extra={"original_name": "WhatsApp Chat with Alex.txt"},
        )
        case.name_victims(["Sam"])
        analyse_case(case, "GB")
        case.set_bank_token("https://bank.example", "secret-token")
        case.log("note", {"text": "saved before blocking"})


def _raw(path: Path, secret: str | None = PASS) -> apsw.Connection:
    db = apsw.Connection(str(path))
    if secret is not None:
        header = path.read_bytes()[:16]
        db.pragma("cipher", "chacha20")
        db.execute(f"PRAGMA key=\"x'{crypto.derive_key(secret, header).hex()}'\"")
    return db


def _unguarded(db: apsw.Connection, table: str, change: Callable[[apsw.Connection], None]) -> None:
    """Drop the table's append-only triggers, change it, put the triggers back."""
    triggers = list(
        db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name=?", (table,)
        )
    )
    with db:
        for name, _ in triggers:
            db.execute(f"DROP TRIGGER {name}")
        change(db)
        for _, sql in triggers:
            db.execute(sql)


def _tables(db: apsw.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _edit_message_text(db: apsw.Connection, old: str, new: str) -> None:
    """Change a message's text wherever this version stores it."""
    changed = 0
    if "message_blocks" in _tables(db):

        def blocks(db: apsw.Connection) -> None:
            nonlocal changed
            for first, data in list(db.execute("SELECT first_id, data FROM message_blocks")):
                text = zlib.decompress(data).decode()
                if old in text:
                    db.execute(
                        "UPDATE message_blocks SET data=? WHERE first_id=?",
                        (zlib.compress(text.replace(old, new).encode()), first),
                    )
                    changed += 1

        _unguarded(db, "message_blocks", blocks)
    if "messages" in _tables(db):

        def rows(db: apsw.Connection) -> None:
            nonlocal changed
            db.execute("UPDATE messages SET body=replace(body, ?, ?)", (old, new))
            changed += db.changes()

        _unguarded(db, "messages", rows)
    assert changed, "the attack found no message to change"


def _texts(path: Path, secret: str | None = PASS) -> list[str]:
    with Case.open(path, secret) as case:
        return [m.message.text for m in case.messages()]


def test_a_message_changed_under_the_triggers_fails_verify(tmp_path: Path) -> None:
    path = tmp_path / "c.unshared"
    _make(path)
    with Case.open(path, PASS) as case:
        head = case.head().hash
    db = _raw(path)
    _edit_message_text(db, "£500", "£900")
    db.close()
    assert "£900" in _texts(path)[0]  # what messages and report would now show
    with Case.open(path, PASS) as case:
        assert case.head().hash == head  # the chain itself is untouched
        plain = verify_case(case)
        full = verify_case_file(case)
    assert not plain.ok, "the stored rows no longer match the digest chained at import"
    assert not full.ok
    assert any("exhibit" in p and "message" in p for p in full.problems), full.problems


def test_a_rechained_log_still_fails_against_the_exhibit(tmp_path: Path) -> None:
    """Change the message, then rewrite the digest in import_run and re-chain every event: the
    head hash changes, and re-reading the exhibit still shows the message was not in it."""
    path = tmp_path / "c.unshared"
    _make(path)
    db = _raw(path)
    _edit_message_text(db, "£500", "£900")

    def rechain(db: apsw.Connection) -> None:
        from unshared.casefile.store import Case as _Case  # noqa: F401 (same process, same rules)

        rows = list(db.execute("SELECT seq, at, type, payload FROM events ORDER BY seq"))
        db.execute("DELETE FROM events")
        prev = GENESIS
        for seq, at, type_, payload in rows:
            if type_ == "import_run":
                payload = payload.replace('"messages_sha256":"', '"messages_sha256":"0')[:-1]
                payload = (
                    payload[: payload.index('"messages_sha256":"0') + 20]
                    + payload[payload.index('"messages_sha256":"0') + 21 :]
                    + "}"
                )
            digest = event_hash(prev, seq, at, type_, payload)
            db.execute(
                "INSERT INTO events VALUES (?,?,?,?,?,?)", (seq, at, type_, payload, prev, digest)
            )
            prev = digest

    _unguarded(db, "events", rechain)
    db.close()
    with Case.open(path, PASS) as case:
        result = verify_case_file(case)
    assert not result.ok
    assert any("exhibit" in p for p in result.problems), result.problems


def test_a_changed_identifier_fails_verify(tmp_path: Path) -> None:
    path = tmp_path / "c.unshared"
    _make(path)
    db = _raw(path)
    with db:
        db.execute("UPDATE identifiers SET body=replace(body, 'alex.pay', 'sam.pay')")
        assert db.changes()
    db.close()
    with Case.open(path, PASS) as case:
        assert not verify_case(case).ok


def test_a_forged_analysis_logged_through_the_api_fails_verify(tmp_path: Path) -> None:
    """Appending a fake analysis is a legal append; only analysing again shows it is false."""
    from unshared.model import Identifier

    path = tmp_path / "c.unshared"
    _make(path)
    from unshared.analysis.case_analysis import analyser

    with Case.open(path, PASS) as case:
        fake = Identifier("email", "someone.else@example.com", "someone.else@example.com", "shape")
        case.replace_analysis([(1, fake)], [], {"region": "GB", "analyser": analyser()})
        assert verify_case(case).ok  # the rows match their own digest...
        result = verify_case_file(case)  # ...but not a new analysis of the same messages
    assert not result.ok
    assert any("analysis" in p for p in result.problems), result.problems


def test_a_forged_analysis_claiming_an_older_version_is_never_used(tmp_path: Path) -> None:
    """An analysis logged as made by another version cannot be analysed again as it was: verify
    says so, and nothing uses it: the next command that reads the analysis makes a new one."""
    from unshared.model import Identifier
    from unshared.usecases.analyse import bring_up_to_date, identifiers

    path = tmp_path / "c.unshared"
    _make(path)
    with Case.open(path, PASS) as case:
        fake = Identifier("email", "someone.else@example.com", "someone.else@example.com", "shape")
        case.replace_analysis([(1, fake)], [], {"region": "GB", "analyser": "1999-01-01"})
        result = verify_case_file(case)
        assert result.ok, result.problems
        assert any("another version of the analysis (1999-01-01)" in n for n in result.notes)
        assert bring_up_to_date(case) is not None  # analysed again before any use
        values = {row["value"] for row in identifiers(case)}
        assert "someone.else@example.com" not in values
        assert verify_case_file(case).ok and not verify_case_file(case).notes


def test_an_analysis_by_this_version_is_not_run_again(tmp_path: Path) -> None:
    from unshared.usecases.analyse import bring_up_to_date

    path = tmp_path / "c.unshared"
    _make(path)
    with Case.open(path, PASS) as case:
        assert bring_up_to_date(case) is None


@pytest.mark.parametrize(
    "table, sql",
    [
        ("acquisitions", "UPDATE acquisitions SET original_name='innocent.txt'"),
        ("settings", "UPDATE settings SET value='attacker-token'"),
        ("meta", "UPDATE meta SET value='2020-01-01' WHERE key='created_at'"),
        ("participants", "UPDATE participants SET body=replace(body, 'Alex', 'Bob')"),
        ("imports", "UPDATE imports SET format='plaintext'"),
    ],
)
def test_every_other_row_the_report_prints_is_covered(tmp_path: Path, table: str, sql: str) -> None:
    path = tmp_path / "c.unshared"
    _make(path)
    db = _raw(path)

    def change(db: apsw.Connection) -> None:
        db.execute(sql)

    _unguarded(db, table, change)
    db.close()
    with Case.open(path, PASS) as case:
        assert not verify_case_file(case).ok


def _dump(case: Case) -> Any:
    return (
        case.meta(),
        [(m.id, m.exhibit_sha256, m.message) for m in case.messages()],
        case.participants(),
        list(case.identifiers()),
        list(case.signals()),
        case.fingerprints(),
        [(e.sha256, e.size, e.acquisitions, e.set_aside) for e in case.exhibits()],
        [case.open_exhibit(e.sha256).read() for e in case.exhibits()],
        [(e.seq, e.at, e.type, e.payload, e.hash) for e in case.events()],
        case.settings(),
        case.victims(),
        case.bank_token("https://bank.example"),
        [(i.id, i.format, i.messages, i.event_seq) for i in case.imports()],
    )


def test_random_byte_flips_in_an_unencrypted_case_never_pass_with_changed_data(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.unshared"
    _make(path, None)
    with Case.open(path, None) as case:
        before = _dump(case)
    raw = path.read_bytes()
    rng = random.Random(14)
    silent = []
    for round_no in range(200):
        at = rng.randrange(len(raw))
        damaged = bytearray(raw)
        damaged[at] ^= rng.randrange(1, 256)
        copy = tmp_path / "flip.unshared"
        copy.write_bytes(bytes(damaged))
        try:
            with Case.open(copy, None) as case:
                result = verify_case_file(case)
                if result.ok and _dump(case) != before:
                    silent.append((round_no, at))
        except UnsharedError as exc:
            assert "\n" not in exc.describe()
        finally:
            for leftover in tmp_path.glob("flip.unshared*"):
                leftover.unlink()
    assert not silent, f"flips that changed data and passed verify: {silent}"


def test_verify_of_a_damaged_file_is_one_line_on_the_command_line(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    path = tmp_path / "c.unshared"
    _make(path, None)
    db = _raw(path, None)
    _edit_message_text(db, "£500", "£900")
    db.close()
    result = cli("verify", str(path))
    assert result.code == 3, result
    assert "Traceback" not in result.err
    assert "message" in result.err


_HOT = """
import sys, apsw
sys.path.insert(0, {src!r})
from unshared.casefile import crypto
path, secret = sys.argv[1], sys.argv[2]
db = apsw.Connection(path)
header = open(path, "rb").read(16)
db.pragma("cipher", "chacha20")
db.execute("PRAGMA key=\\"x'" + crypto.derive_key(secret, header).hex() + "'\\"")
db.pragma("cache_size", 2)  # spill changed pages into the file before commit
db.execute("BEGIN")
db.execute("CREATE TABLE filler (x BLOB)")
for _ in range(2000):  # the file grows; a rollback must cut it back to its old size
    db.execute("INSERT INTO filler VALUES (randomblob(4000))")
import os
os._exit(0)  # a crash in the middle of a transaction: the journal stays hot
"""


def _hot_journal(path: Path) -> Path:
    src = str(Path(__file__).resolve().parents[2] / "src")
    subprocess.run(
        [sys.executable, "-c", _HOT.format(src=src), str(path), PASS], check=True, timeout=120
    )
    journal = path.with_name(path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0
    return journal


def test_a_wrong_passphrase_never_writes_even_with_a_hot_journal(tmp_path: Path) -> None:
    path = tmp_path / "c.unshared"
    _make(path)
    with Case.open(path, PASS) as case:
        case.add_exhibit(io.BytesIO(bytes(range(256)) * 8000), name="b.bin", source_path="b.bin")
        good = _dump(case)
    journal = _hot_journal(path)
    db_before, journal_before = path.read_bytes(), journal.read_bytes()
    for wrong in ("a long passphrasE", "", "x"):
        with pytest.raises(WrongPassphrase) as info:
            Case.open(path, wrong)
        assert "nothing was changed" in info.value.describe()
        assert path.read_bytes() == db_before
        assert journal.read_bytes() == journal_before
    with Case.open(path, PASS) as case:  # the right passphrase rolls the crash back
        assert _dump(case) == good
        assert verify_case_file(case).ok


def test_a_wrong_passphrase_never_writes_to_an_older_case_without_a_key_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases made before the key check: the key is tried on an immutable read-only copy of
    page 1 first, which never rolls a journal back."""

    def legacy_salt(passphrase: str) -> tuple[bytes, bytes]:
        salt = b"L" * 12 + crypto.MARKER + bytes([14, 8])
        return salt, crypto.derive_key(passphrase, salt)

    monkeypatch.setattr(crypto, "new_salt", legacy_salt)
    path = tmp_path / "c.unshared"
    _make(path)
    assert path.read_bytes()[12:14] == crypto.MARKER
    journal = _hot_journal(path)
    db_before, journal_before = path.read_bytes(), journal.read_bytes()
    with pytest.raises(WrongPassphrase, match="wrong passphrase, or the file is damaged"):
        Case.open(path, "not it")
    assert path.read_bytes() == db_before
    assert journal.read_bytes() == journal_before
    with Case.open(path, PASS) as case:
        assert verify_case_file(case).ok


def test_damage_in_page_one_is_told_apart_from_a_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "c.unshared"
    _make(path)
    raw = bytearray(path.read_bytes())
    raw[300] ^= 0x01  # inside page 1, past the unencrypted header
    path.write_bytes(bytes(raw))
    with pytest.raises(NotACaseFile, match="passphrase is right but the case file is damaged"):
        Case.open(path, PASS)
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        Case.open(path, "not it")
    assert path.read_bytes() == bytes(raw)
