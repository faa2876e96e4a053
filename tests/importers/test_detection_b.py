"""Each sample is claimed by exactly its own importer among part B's, and naive times fall back
to this machine's timezone (marked assumed)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from unshared.errors import WrongFormat
from unshared.importers import FileSource, ImportOptions, get, registry
from unshared.model import Message

PART_B = {
    "skype",
    "telegram",
    "telegram-html",
    "discord",
    "discord-html",
    "discord-package",
    "snapchat",
    "google-chat",
    "screenshot",
}
DATA = Path(__file__).parents[1] / "data" / "importers"
OWN = [
    ("skype/messages.json", "skype"),
    ("telegram/result_account.json", "telegram"),
    ("telegram/messages.html", "telegram-html"),
    ("discord/dce_export.csv", "discord"),
    ("discord/dce_export.html", "discord-html"),
    ("discord/package.zip", "discord-package"),
    ("snapchat/chat_history_old.json", "snapchat"),
    ("snapchat/chat_history_new.json", "snapchat"),
    ("snapchat/chat_history.html", "snapchat"),
    ("google_chat/messages.json", "google-chat"),
    ("screenshot/chat.png", "screenshot"),
]
REAL = [
    ("telegram/chatanalytics_DM_2A_7M.json", "telegram"),
    ("telegram/chatminer_test_single_export.json", "telegram"),
    ("discord/chatanalytics_dce_DM_2A_2M.json", "discord"),
    ("discord/chatanalytics_dce_GC_3A_5M.json", "discord"),
]


def _claimants(path: Path) -> set[str]:
    found = set()
    for imp in registry():
        if imp.name not in PART_B:
            continue
        try:
            imp.sniff(FileSource(path))
        except WrongFormat:
            continue
        found.add(imp.name)
    return found


@pytest.mark.parametrize(("rel", "name"), OWN)
def test_own_samples_have_one_claimant(rel: str, name: str) -> None:
    assert _claimants(DATA / rel) == {name}


@pytest.mark.parametrize(("rel", "name"), REAL)
def test_real_samples_have_one_claimant(exports_dir: Path, rel: str, name: str) -> None:
    assert _claimants(exports_dir / rel) == {name}


def test_other_platforms_real_samples_are_not_claimed(exports_dir: Path) -> None:
    others = [
        p
        for p in sorted(exports_dir.rglob("*"))
        if p.is_file() and p.parent.name not in ("skype", "telegram", "discord")
    ]
    assert others
    for path in others:
        assert _claimants(path) == set(), path


def test_naive_times_default_to_this_machines_zone(exports_dir: Path) -> None:
    source = FileSource(exports_dir / "telegram" / "chatanalytics_DM_2A_7M.json")
    messages = [r for r in get("telegram").parse(source, ImportOptions()) if isinstance(r, Message)]
    local = datetime(2022, 3, 8, 13, 7, 42).astimezone().utcoffset()
    assert messages[2].time_assumed
    assert messages[2].sent_at is not None
    assert messages[2].sent_at.replace(tzinfo=None) == datetime(2022, 3, 8, 13, 7, 42)
    assert messages[2].sent_at.utcoffset() == local
