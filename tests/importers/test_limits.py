"""Compressed and nested input cannot make an import take unbounded memory or time.

Each test reproduces an attack from issue #14 ("Importers: compressed input"):

* a zip whose one member expands hugely: every importer streams members, so the first message
  comes out long before the member has been read (a whole-member read holds all of it at once);
* many members that each stay under the per-member ratio check (6,000 x 1 MiB): the total
  expansion of the archive is bounded, and the error names the member where the budget ran out;
* JSON nested 100,000 deep: the nesting depth is bounded in every JSON path, with the same
  one-line error (LimitExceeded) instead of a RecursionError.

The zips are built on the fly and kept small: the budgets are set low through ImportOptions.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from unshared.errors import LimitExceeded, UnsharedError
from unshared.importers import BytesSource, FileSource, ImportOptions, get
from unshared.model import Message

MiB = 1 << 20


# -- exports whose main member can be made as large as wanted --------------------------------


def _repeat(unit: Callable[[int], str], size: int, sep: str = "") -> str:
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        piece = unit(i)
        parts.append(piece)
        total += len(piece) + len(sep)
        i += 1
    return sep.join(parts)


def _whatsapp(size: int) -> str:
    return _repeat(lambda i: f"[12/07/2023, 22:{i % 60:02d}:00] Jo Bloggs: pay now {i}\n", size)


def _meta(size: int) -> str:
    body = _repeat(
        lambda i: json.dumps(
            {"sender_name": "Kai", "timestamp_ms": 1_700_000_000_000 + i, "content": f"pay {i}"}
        ),
        size,
        ",",
    )
    return f'{{"participants": [{{"name": "Kai"}}], "messages": [{body}], "title": "Kai"}}'


def _telegram_html(size: int) -> str:
    unit = (
        '<div class="message default clearfix" id="message{i}"><div class="body">'
        '<div class="pull_right date details" title="07.05.2021 12:03:44 UTC+02:00">12:03</div>'
        '<div class="from_name">Max R</div><div class="text">pay now {i}</div></div></div>\n'
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>Exported Data</title></head>'
        '<body><div class="page_wrap"><div class="page_header"><div class="content">'
        '<div class="text bold">Max R</div></div></div><div class="page_body chat_page">'
        '<div class="history">\n'
        + _repeat(lambda i: unit.format(i=i), size)
        + "</div></div></div></body></html>"
    )


def _snapchat_json(size: int) -> str:
    body = _repeat(
        lambda i: json.dumps(
            {
                "From": "cool.guy.22",
                "Media Type": "TEXT",
                "Created": "2023-11-02 21:10:05 UTC",
                "Content": f"send more {i}",
                "Conversation Title": None,
                "IsSender": False,
            }
        ),
        size,
        ",",
    )
    return f'{{"cool.guy.22": [{body}]}}'


def _snapchat_html(size: int) -> str:
    unit = (
        "<tr><td>cool.guy.22</td><td>TEXT</td><td>2022-07-22 19:28:21 UTC</td>"
        "<td>hey {i}</td></tr>\n"
    )
    return (
        "<html><head><title>Chat History</title></head><body><h1>Chat History</h1>"
        "<h3>Received Saved Chat History</h3><table><tbody>"
        "<tr><th><b>From</b></th><th><b>Media Type</b></th><th><b>Created</b></th>"
        "<th><b>Text</b></th></tr>\n"
        + _repeat(lambda i: unit.format(i=i), size)
        + "</tbody></table></body></html>"
    )


def _google_chat(size: int) -> str:
    body = _repeat(
        lambda i: json.dumps(
            {
                "creator": {"name": "Sam", "email": "sam@example.org", "user_type": "Human"},
                "created_date": "Monday, 3 July 2023 at 14:02:11 UTC",
                "text": f"I know who your family is {i}",
                "topic_id": f"t{i}",
                "message_id": f"x/t{i}/t{i}",
            }
        ),
        size,
        ",",
    )
    return f'{{"messages": [{body}]}}'


def _discord_package(size: int) -> str:
    body = _repeat(
        lambda i: json.dumps(
            {"ID": str(i), "Timestamp": "2024-01-04 17:52:39", "Contents": f"pay {i}"}
        ),
        size,
        ",",
    )
    return f"[{body}]"


#: importer -> (member that grows, its content for a size, other members)
ZIPPED: dict[str, tuple[str, Callable[[int], str], dict[str, str]]] = {
    "whatsapp": ("_chat.txt", _whatsapp, {}),
    "messenger": ("your_facebook_activity/messages/inbox/kai_1/message_1.json", _meta, {}),
    "instagram": ("your_instagram_activity/messages/inbox/kai_1/message_1.json", _meta, {}),
    "telegram-html": ("ChatExport_2024-01-04/messages.html", _telegram_html, {}),
    "snapchat": ("json/chat_history.json", _snapchat_json, {}),
    "snapchat-html": ("html/chat_history.html", _snapchat_html, {}),
    "google-chat": ("Takeout/Google Chat/Groups/DM 1/messages.json", _google_chat, {}),
    "discord-package": (
        "messages/c1/messages.json",
        _discord_package,
        {"messages/c1/channel.json": '{"id": "1", "type": 1}'},
    ),
}


def _importer(key: str) -> str:
    return key.removesuffix("-html") if key == "snapchat-html" else key


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _export_zip(tmp_path: Path, key: str, size: int, junk: dict[str, bytes] | None = None) -> Path:
    member, content, others = ZIPPED[key]
    members = {member: content(size).encode()}
    members.update({k: v.encode() for k, v in others.items()})
    members.update(junk or {})
    return _zip(tmp_path / f"{key}.zip", members)


def _messages(fmt: str, path: Path, options: ImportOptions | None = None) -> list[Message]:
    imp = get(fmt)
    source = FileSource(path)
    imp.sniff(source)
    return [r for r in imp.parse(source, options or ImportOptions()) if isinstance(r, Message)]


# -- streaming ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(ZIPPED))
def test_small_export_zips_import(tmp_path: Path, key: str) -> None:
    """The builders make real exports: a small one imports (so the tests below test limits)."""
    assert len(_messages(_importer(key), _export_zip(tmp_path, key, 2000))) >= 5


@pytest.mark.parametrize("key", list(ZIPPED))
def test_members_are_streamed_not_read_whole(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No importer reads a 12 MiB member in one piece: every read of a member returns at most a
    few MiB (a whole-member ``read()`` returns all 12 MiB at once)."""
    path = _export_zip(tmp_path, key, 12 * MiB)
    largest = [0]
    real_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int | None = -1) -> bytes:
        data = real_read(self, n)
        largest[0] = max(largest[0], len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    records = get(_importer(key)).parse(FileSource(path), ImportOptions())
    try:
        first = next(r for r in records if isinstance(r, Message))
    finally:
        records.close()  # type: ignore[attr-defined]
    assert first.text
    assert 0 < largest[0] <= 4 * MiB, f"one read took {largest[0] / MiB:.1f} MiB of the member"


#: Run in a fresh interpreter. ru_maxrss of a process carries over the peak of the process that
#: started it (Linux keeps it across fork and exec), so the import runs in a forked child and its
#: peak is read as RUSAGE_CHILDREN, beside an idle child forked from the same state.
PEAK = """
import os, resource, sys
from pathlib import Path
from unshared.importers import FileSource, ImportOptions, get
from unshared.model import Message

def child_peak(work):
    pid = os.fork()
    if pid == 0:
        work()
        os._exit(0)
    os.waitpid(pid, 0)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

imp = get(sys.argv[1])
source = FileSource(Path(sys.argv[2]))
imp.sniff(source)

def run():
    count = sum(1 for r in imp.parse(source, ImportOptions()) if isinstance(r, Message))
    print(count, flush=True)

idle = child_peak(lambda: None)
busy = child_peak(run)
print((busy - idle) // 1024)
"""


@pytest.mark.parametrize("key", ["telegram-html", "snapchat-html"])
def test_html_members_import_in_flat_memory(tmp_path: Path, key: str) -> None:
    """Issue #14: a large HTML member took the Telegram and Snapchat HTML importers to 5-6 GB.
    Reading an 8 MiB member whole (bytes, text and a tree of every element) costs well over
    100 MiB; streamed, the peak grows by a few MiB."""
    path = _export_zip(tmp_path, key, 8 * MiB)
    out = subprocess.run(
        [sys.executable, "-c", PEAK, _importer(key), str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.split()
    count, grown_mib = int(out[0]), int(out[1])
    assert count > 20_000
    assert grown_mib < 32, f"peak memory grew by {grown_mib} MiB"


# -- total expansion ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(ZIPPED))
def test_a_member_past_the_expansion_budget_is_refused_by_name(tmp_path: Path, key: str) -> None:
    path = _export_zip(tmp_path, key, 3 * MiB)
    with pytest.raises(LimitExceeded) as caught:
        _messages(_importer(key), path, ImportOptions(max_expanded=2 * MiB))
    err = caught.value
    assert err.where is not None and ZIPPED[key][0] in err.where
    assert "expand" in err.message


def test_many_members_each_under_the_ratio_check_are_refused_with_default_limits(
    tmp_path: Path,
) -> None:
    """Issue #14: 6,000 members of exactly 1 MiB escaped the per-member ratio check. Here 300
    of them (300 MiB from a zip under 1 MB) next to a real chat: refused before reading, by
    default, naming the member where the budget ran out."""
    junk = {f"media/pad{i:04d}.bin": bytes(MiB) for i in range(300)}
    path = _export_zip(tmp_path, "whatsapp", 2000, junk)
    assert path.stat().st_size < MiB
    with pytest.raises(LimitExceeded) as caught:
        _messages("whatsapp", path)
    assert caught.value.where is not None and caught.value.where.startswith("media/pad")


def test_the_budget_can_be_raised_for_a_genuine_large_export(tmp_path: Path) -> None:
    junk = {f"media/pad{i:04d}.bin": bytes(MiB) for i in range(300)}
    path = _export_zip(tmp_path, "whatsapp", 2000, junk)
    assert _messages("whatsapp", path, ImportOptions(max_expanded=400 * MiB))


def test_the_number_of_members_is_bounded(tmp_path: Path) -> None:
    junk = {f"media/{i}.txt": b"x" for i in range(60)}
    path = _export_zip(tmp_path, "whatsapp", 2000, junk)
    with pytest.raises(LimitExceeded, match="files"):
        _messages("whatsapp", path, ImportOptions(max_members=50))


def test_a_member_larger_than_it_says_is_stopped_at_its_declared_size(tmp_path: Path) -> None:
    """A lying central directory cannot get past the budget: reading stops at the declared size."""
    path = _export_zip(tmp_path, "whatsapp", 64 * 1024)
    data = bytearray(path.read_bytes())
    member = b"_chat.txt"
    # shrink the declared uncompressed size in both headers (local at 22, central at 24)
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    for at, off in ((local, 22), (central, 24)):
        data[at + off : at + off + 4] = (1000).to_bytes(4, "little")
    assert member in data
    with pytest.raises(UnsharedError):
        _messages("whatsapp", _write(tmp_path / "lying.zip", bytes(data)))


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- JSON nesting ------------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def _deep_meta() -> bytes:
    return (
        '{"participants": [{"name": "Kai"}], "messages": [{"sender_name": "Kai", '
        f'"timestamp_ms": 1700000000000, "content": {DEEP}}}], "title": "Kai"}}'
    ).encode()


def _deep_meta_tail() -> bytes:
    return (
        '{"participants": [{"name": "Kai"}], "messages": [{"sender_name": "Kai", '
        f'"timestamp_ms": 1700000000000, "content": "hi"}}], "title": {DEEP}}}'
    ).encode()


DEEP_JSON: dict[str, tuple[str, str, bytes]] = {
    "messenger": ("messenger", "message_1.json", _deep_meta()),
    "messenger-tail": ("messenger", "message_1.json", _deep_meta_tail()),
    "messenger-e2ee": (
        "messenger",
        "kai_1.json",
        (
            '{"participants": ["Kai", "Me"], "threadName": "Kai", "messages": [{"senderName": '
            f'"Kai", "timestamp": 1700000000000, "text": {DEEP}, "type": "text"}}]}}'
        ).encode(),
    ),
    "telegram": (
        "telegram",
        "result.json",
        (
            '{"name": "Max", "type": "personal_chat", "id": 1, "messages": [{"id": 1, '
            f'"type": "message", "date": "2024-05-01T12:03:00", "from": "Max", "text": {DEEP}}}]}}'
        ).encode(),
    ),
    "discord": (
        "discord",
        "dm.json",
        (
            '{"guild": {"id": "0", "name": "Direct Messages"}, "channel": {"id": "1", "type": '
            '"DirectTextChat", "name": "x"}, "messages": [{"id": "1", "type": "Default", '
            '"timestamp": "2019-01-04T17:52:39.762+00:00", "author": {"id": "2", "name": "m"}, '
            f'"content": {DEEP}}}]}}'
        ).encode(),
    ),
    "skype": (
        "skype",
        "messages.json",
        (
            '{"userId": "8:live:me", "exportDate": "2024-03-02T10:15", "conversations": [{"id": '
            '"8:a", "displayName": "A", "MessageList": [{"id": "1", "from": "8:a", '
            '"originalarrivaltime": "2024-03-01T19:20:00.000Z", "messagetype": "RichText", '
            f'"content": {DEEP}}}]}}]}}'
        ).encode(),
    ),
    "snapchat": (
        "snapchat",
        "chat_history.json",
        (
            '{"cool.guy.22": [{"From": "cool.guy.22", "Media Type": "TEXT", "Created": '
            '"2023-11-02 21:10:05 UTC", "IsSender": false, "Conversation Title": null, '
            f'"Content": {DEEP}}}]}}'
        ).encode(),
    ),
    "google-chat": (
        "google-chat",
        "messages.json",
        (
            '{"messages": [{"creator": {"name": "Sam", "email": "s@example.org"}, '
            '"created_date": "Monday, 3 July 2023 at 14:02:11 UTC", "topic_id": "t", '
            f'"text": {DEEP}}}]}}'
        ).encode(),
    ),
}


@pytest.mark.parametrize("case", list(DEEP_JSON))
def test_json_nested_100000_deep_is_a_clear_error(case: str) -> None:
    fmt, name, data = DEEP_JSON[case]
    with pytest.raises(LimitExceeded, match="nested") as caught:
        list(get(fmt).parse(BytesSource(data, name=name), ImportOptions()))
    assert caught.value.path == name


def test_json_nested_deep_in_a_zip_member_names_the_member(tmp_path: Path) -> None:
    member = "messages/c1/messages.json"
    deep = f'[{{"ID": "1", "Timestamp": "2024-01-04 17:52:39", "Contents": {DEEP}}}]'
    path = _zip(
        tmp_path / "package.zip",
        {member: deep.encode(), "messages/c1/channel.json": b'{"id": "1", "type": 1}'},
    )
    with pytest.raises(LimitExceeded, match="nested") as caught:
        _messages("discord-package", path)
    assert member in str(caught.value)


def test_json_nesting_in_small_member_files_is_bounded(tmp_path: Path) -> None:
    """Side files read whole (a channel's channel.json) are bounded the same way."""
    path = _zip(
        tmp_path / "package.zip",
        {
            "messages/c1/messages.json": b'[{"ID": "1", "Timestamp": "2024-01-04", "Contents": "x"}]',
            "messages/c1/channel.json": f'{{"id": "1", "name": {DEEP}}}'.encode(),
        },
    )
    with pytest.raises(LimitExceeded, match="nested"):
        _messages("discord-package", path)


def test_ordinary_nesting_still_imports() -> None:
    nested = "[" * 40 + '"x"' + "]" * 40
    data = (
        '{"name": "Max", "type": "personal_chat", "id": 1, "messages": [{"id": 1, '
        f'"type": "message", "date": "2024-05-01T12:03:00", "from": "Max", "text": "hi", '
        f'"extra": {nested}}}]}}'
    ).encode()
    found = [r for r in get("telegram").parse(BytesSource(data, "result.json"), ImportOptions())]
    assert any(isinstance(r, Message) and r.text == "hi" for r in found)


def test_deep_json_fails_the_import_cleanly_and_logs_it(tmp_path: Path) -> None:
    """Issue #14: the 100,000-deep Meta content raised RecursionError and logged no
    import_failed. Now the add reports one line, keeps the exhibit and logs the failure."""
    from unshared.casefile import Case
    from unshared.usecases.add import add_files

    path = tmp_path / "message_1.json"
    path.write_bytes(_deep_meta())
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [path], ImportOptions())
        assert isinstance(result.error, LimitExceeded)
        assert "nested" in str(result.error)
        assert result.exhibit is not None
        failed = [e for e in case.events() if e.type == "import_failed"]
        assert len(failed) == 1 and "nested" in failed[0].payload


def test_a_utf16_chat_member_is_streamed_too(tmp_path: Path) -> None:
    """Text exports in UTF-16 (some Windows tools) were decoded in one whole read: all 16 MiB
    of bytes and their text held at once. Streamed, a few MiB whatever the size."""
    import tracemalloc

    text = "\ufeff" + _whatsapp(8 * MiB)
    path = _zip(tmp_path / "w16.zip", {"_chat.txt": text.encode("utf-16-le")})
    records = get("whatsapp").parse(FileSource(path), ImportOptions())
    tracemalloc.start()
    try:
        first = next(r for r in records if isinstance(r, Message))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        records.close()  # type: ignore[attr-defined]
    assert first.text.startswith("pay now 0")
    assert peak < 10 * MiB, f"{peak / MiB:.1f} MiB held before the first message"
