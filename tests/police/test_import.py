"""Importing bundles into a force database: verified first, idempotent, audited, and nothing of
the victim's side stored (issue 19)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import apsw
import pytest

from unshared.errors import UnsharedError, WrongPassphrase
from unshared.usecases import police as P

from .conftest import FORCE_PASS, Bundles, run


def _force(tmp_path: Path, name: str = "force.db") -> str:
    url = f"sqlite:///{tmp_path / name}"
    P.init(url, FORCE_PASS)
    return url


def _dump(path: Path) -> str:
    """Every value in every table, as text (the file is opened with the passphrase)."""
    store = P.open_force(f"sqlite:///{path}", FORCE_PASS)
    try:
        tables = [
            r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return json.dumps({t: store.db.execute(f"SELECT * FROM {t}") for t in tables}, default=str)
    finally:
        store.close()


def test_import_is_idempotent_and_audited(bundles: Bundles, tmp_path: Path) -> None:
    url = _force(tmp_path)
    store = P.open_force(url, FORCE_PASS)
    try:
        first = P.import_bundles(store, [bundles.a, bundles.b])
        assert [d.status for d in first.done] == ["imported", "imported"]
        assert first.done[0].identifiers >= 1 and first.done[0].messages >= 3
        again = P.import_bundles(store, [bundles.a])
        assert [d.status for d in again.done] == ["already imported"]
        counts = store.db.execute("SELECT COUNT(*) FROM bundles")[0][0]
        assert counts == 2
        actions = [(r.action, r.actor) for r in store.audit_rows()]
        assert actions.count(("import", actions[-1][1])) == 3
        assert store.check_audit() == []
    finally:
        store.close()


def test_a_tampered_bundle_is_refused_and_nothing_of_it_is_stored(
    bundles: Bundles, tmp_path: Path
) -> None:
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(bundles.c) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("originals/"):
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]
            dst.writestr(info, data)
    url = _force(tmp_path)
    result = run(
        "police", "import", "--db", url, str(forged), str(bundles.a), cwd=tmp_path, check=False
    )
    assert result.returncode == 3
    assert "refused" in result.stderr and "forged.zip" in result.stderr
    assert "imported: case" in result.stdout  # the good bundle beside it still goes in
    store = P.open_force(url, FORCE_PASS)
    try:
        assert store.db.execute("SELECT COUNT(*) FROM bundles")[0][0] == 1
        refused = [r for r in store.audit_rows() if r.action == "import refused"]
        assert refused and refused[0].target == "forged.zip"
    finally:
        store.close()


def test_the_victims_side_never_enters(bundles: Bundles, tmp_path: Path) -> None:
    url = _force(tmp_path)
    store = P.open_force(url, FORCE_PASS)
    try:
        P.import_bundles(store, [bundles.a, bundles.b])
    finally:
        store.close()
    text = _dump(tmp_path / "force.db")
    for victim_word in ("Sam", "Jo ", "scared", "who is this", "a-bundle", "b-bundle"):
        assert victim_word not in text
    assert "[victim]" in text  # the offender's "hey Sam" is kept as "hey [victim]"
    assert "live:.cid.8f3a2b1c9d" in text and "Western Union" in text


def test_the_force_database_is_encrypted_and_append_only(bundles: Bundles, tmp_path: Path) -> None:
    url = _force(tmp_path)
    store = P.open_force(url, FORCE_PASS)
    try:
        P.import_bundles(store, [bundles.a])
        with pytest.raises(apsw.ConstraintError, match="append-only"):
            store.db.execute("UPDATE entities SET value = 'someone-else'")
        with pytest.raises(apsw.ConstraintError, match="append-only"):
            store.db.execute("DELETE FROM audit")
    finally:
        store.close()
    raw = (tmp_path / "force.db").read_bytes()
    assert b"SQLite format 3" not in raw[:16] and b"live:.cid" not in raw
    with pytest.raises(WrongPassphrase):
        P.open_force(url, "not the passphrase at all")


def test_an_edited_audit_row_breaks_the_chain(bundles: Bundles, tmp_path: Path) -> None:
    url = _force(tmp_path)
    store = P.open_force(url, FORCE_PASS)
    try:
        P.import_bundles(store, [bundles.a])
        P.entity_view(store, "live:.cid.8f3a2b1c9d")
        store.db.execute("DROP TRIGGER audit_no_update")
        store.db.execute("UPDATE audit SET actor = 'nobody' WHERE action = 'read entity'")
    finally:
        store.close()
    result = run("police", "audit", "--db", url, cwd=tmp_path, check=False)
    assert result.returncode == 3
    assert "does not chain" in result.stderr


def test_real_exports_of_four_formats_are_read_again(bundles: Bundles, tmp_path: Path) -> None:
    """The bundle's originals are re-read by the importer each import_run names: every message
    the case imported is read again (none are lost or invented)."""
    with zipfile.ZipFile(bundles.real) as zf:
        events = [json.loads(line) for line in zf.read("log.jsonl").splitlines()]
    runs = [e["payload"] for e in events if e["type"] == "import_run"]
    assert {r["format"] for r in runs} >= {"whatsapp", "telegram", "messenger", "discord"}
    url = _force(tmp_path)
    result = run("police", "import", "--db", url, str(bundles.real), cwd=tmp_path)
    assert "imported: case" in result.stdout
    store = P.open_force(url, FORCE_PASS)
    try:
        total = store.db.execute("SELECT messages_total FROM bundles")[0][0]
    finally:
        store.close()
    assert total == sum(r["messages"] for r in runs) > 0


def test_a_file_that_is_not_a_force_database(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(UnsharedError, match="not a force database"):
        P.open_force(f"sqlite:///{other}", FORCE_PASS)
    with pytest.raises(UnsharedError, match="no force database"):
        P.open_force(f"sqlite:///{tmp_path / 'missing.db'}", FORCE_PASS)


def test_bad_requests_get_one_clear_line(bundles: Bundles, tmp_path: Path) -> None:
    url = _force(tmp_path)
    run("police", "import", "--db", url, str(bundles.a), cwd=tmp_path)
    short = run("police", "case", "abc", "--db", url, cwd=tmp_path, check=False)
    assert short.returncode == 1 and "at least 6 characters" in short.stderr
    assert "Traceback" not in short.stderr
    missing = run("police", "case", "ffffffffffff", "--db", url, cwd=tmp_path, check=False)
    assert "no case with a key starting ffffffffffff" in missing.stderr
    unseen = run("police", "entity", "live:nobody", "--db", url, cwd=tmp_path)
    assert "Not seen in any case." in unseen.stdout
    not_a_bundle = tmp_path / "notes.zip"
    not_a_bundle.write_bytes(b"not a zip at all")
    refused = run("police", "import", "--db", url, str(not_a_bundle), cwd=tmp_path, check=False)
    assert refused.returncode == 3 and "notes.zip" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_log_line_holding_a_unicode_line_separator_is_read_as_one_event(
    tmp_path: Path,
) -> None:
    """Canonical JSON keeps U+2028 and U+0085 as they are, so a bundle's log.jsonl may hold them
    inside a line (here in the export's file name): the police reader splits lines as the
    verifier does, on newlines only, and reads the bundle."""
    from unshared.police.bundle_reader import read_bundle

    from .builders import network_chat
    from .conftest import make_bundle

    export = network_chat(
        tmp_path / "chat\u2028with\u0085Alex.zip",
        "Sam",
        "Alex",
        1,
        skype="live:.cid.1",
        picture_seed=3,
    )
    bundle = make_bundle(tmp_path, "sep", export, me="Sam")
    with zipfile.ZipFile(bundle) as zf:
        assert "\u2028".encode() in zf.read("log.jsonl")
    digest = read_bundle(bundle)
    assert digest.messages_total == 6
    assert ("skype_id", "live:.cid.1") in {(i.kind, i.value) for i in digest.identifiers}
