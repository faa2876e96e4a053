"""The case commands as a user runs them: exit codes, one-line errors, outputs."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

import pytest

from unshared import __version__

CHAT = "2026-03-02 21:04 Jess: hi\n2026-03-02 23:13 Jess: pay £500 or I send it\nSam: no\n"
ENV = {"UNSHARED_PASSPHRASE": "a long passphrase"}


@pytest.fixture
def case(tmp_path: Path, cli) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "lee.unshared"
    result = cli("new", str(path), env=ENV)
    assert result.code == 0, result
    return path


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"unshared {__version__}"


def test_new_add_messages_jsonl(tmp_path: Path, cli, case: Path) -> None:  # type: ignore[no-untyped-def]
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT)
    added = cli("add", str(case), str(chat), "--timezone", "Europe/London", env=ENV)
    assert added.code == 0, added
    assert "read 3 messages" in added.out
    listed = cli("messages", str(case), "--format", "jsonl", env=ENV)
    assert listed.code == 0, listed
    rows = [json.loads(line) for line in listed.out.splitlines()]
    assert len(rows) == 3
    keys = {
        "platform",
        "conversation",
        "sender",
        "sender_id",
        "sent_at",
        "text",
        "attachments",
        "kind",
    }
    assert keys <= set(rows[0])
    assert rows[1]["text"] == "pay £500 or I send it"
    assert rows[1]["sent_at"] == "2026-03-02T23:13:00+00:00"
    assert rows[1]["time_assumed"] is True
    assert rows[0]["exhibit"] == hashlib.sha256(chat.read_bytes()).hexdigest()
    assert rows[2]["locator"] == {"line": 3, "offset": CHAT.encode().index(b"Sam")}


def test_wrong_passphrase_exit_2_one_line(cli, case: Path) -> None:  # type: ignore[no-untyped-def]
    before = case.read_bytes()
    result = cli("messages", str(case), env={"UNSHARED_PASSPHRASE": "wrong"})
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "wrong passphrase" in result.err and str(case) in result.err
    assert case.read_bytes() == before


def test_no_encryption_is_explicit(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "open.unshared"
    result = cli("new", str(path), "--no-encryption", env={"UNSHARED_PASSPHRASE": ""})
    assert result.code == 0, result
    assert "unencrypted" in result.out
    log = cli("log", str(path), "--format", "jsonl")
    assert json.loads(log.out.splitlines()[0])["payload"]["encryption"] == "none"


def test_log_note_action_verify(tmp_path: Path, cli, case: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("note", str(case), "Saved the chat before blocking", env=ENV).code == 0
    done = cli(
        "action",
        str(case),
        "reported-to-police",
        "--ref",
        "41/123456/26",
        "--detail",
        "Online report",
        env=ENV,
    )
    assert done.code == 0, done
    events = [
        json.loads(x) for x in cli("log", str(case), "--format", "jsonl", env=ENV).out.splitlines()
    ]
    assert [e["type"] for e in events] == ["case_created", "note", "action"]
    assert events[2]["payload"] == {
        "kind": "reported-to-police",
        "ref": "41/123456/26",
        "detail": "Online report",
    }
    verified = cli("verify", str(case), env=ENV)
    assert verified.code == 0, verified
    assert f"Log head: {events[-1]['hash']}" in verified.out


def test_exhibit_export_gives_the_bytes_back(tmp_path: Path, cli, case: Path) -> None:  # type: ignore[no-untyped-def]
    blob = tmp_path / "photo-of-screen.bin"
    blob.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    added = cli("add", str(case), str(blob), env=ENV)
    assert added.code == 1  # kept as an exhibit, but no messages in random bytes
    assert "Kept" in added.out and "could not read messages" in added.err
    sha = hashlib.sha256(blob.read_bytes()).hexdigest()
    out = tmp_path / "back.bin"
    result = cli("exhibit", "export", str(case), sha, str(out), env=ENV)
    assert result.code == 0, result
    assert out.read_bytes() == blob.read_bytes()
    refused = cli("exhibit", "export", str(case), sha, str(out), env=ENV)
    assert refused.code != 0 and "overwrite" in refused.err
    log = cli("log", str(case), "--format", "jsonl", env=ENV).out
    types = [json.loads(x)["type"] for x in log.splitlines()]
    assert types == ["case_created", "exhibit_added", "import_failed", "exhibit_exported"]


def test_bad_inputs_are_one_line_errors_and_lose_nothing(tmp_path: Path, cli, case: Path) -> None:  # type: ignore[no-untyped-def]
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT)
    assert cli("add", str(case), str(chat), env=ENV).code == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    folder = tmp_path / "folder"
    folder.mkdir()
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for bad, words in [
            (empty, "empty"),
            (folder, "folder"),
            (tmp_path / "missing.txt", "no such file"),
            (sock_path, "not a regular file"),
        ]:
            result = cli("add", str(case), str(bad), env=ENV)
            assert result.code == 1, result
            assert words in result.err and str(bad) in result.err
    finally:
        sock.close()
    listed = cli("messages", str(case), "--format", "jsonl", env=ENV)
    assert len(listed.out.splitlines()) == 3
    assert cli("verify", str(case), env=ENV).code == 0


@pytest.mark.parametrize("kind", ["text", "folder", "empty", "truncated"])
def test_bad_case_files(tmp_path: Path, cli, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.unshared"
    if kind == "text":
        path.write_text("not a case\n")
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        assert cli("new", str(path), "--no-encryption").code == 0
        chat = tmp_path / "chat.txt"
        chat.write_text(CHAT * 4000)
        assert cli("add", str(path), str(chat)).code == 0
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) * 2 // 3])
    result = cli("verify", str(path), env=ENV)
    assert result.code != 0
    assert "Traceback" not in result.err
    assert str(path) in result.err or "damaged" in result.err


def test_demo_ends_with_a_report_and_a_verifiable_bundle(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo", "--out", str(tmp_path / "d"), env={"UNSHARED_PASSPHRASE": "demo pw"})
    assert result.code == 0, result
    report = tmp_path / "d" / "report"
    assert (report / "report.html").is_file() and (report / "case.jsonld").is_file()
    assert "live:.cid.jess_h2026" in (report / "report.html").read_text(encoding="utf-8")
    bundle = cli("verify", str(tmp_path / "d" / "demo-evidence.zip"))
    assert bundle.code == 0, bundle
    assert "intact" in bundle.out
    assert "demo.unshared" in result.out
    case = cli(
        "verify", str(tmp_path / "d" / "demo.unshared"), env={"UNSHARED_PASSPHRASE": "demo pw"}
    )
    assert case.code == 0, case
