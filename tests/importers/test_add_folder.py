"""Export folders are added as one exhibit, byte for byte, with a manifest of every original."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from datetime import UTC
from pathlib import Path

import pytest

from unshared.casefile import Case, verify_case
from unshared.importers import ImportOptions
from unshared.usecases import folders
from unshared.usecases.add import add_files
from unshared.usecases.exhibits import verify_case_file

from .builders import _thread

DATA = Path(__file__).parents[1] / "data" / "importers"
OPTIONS = ImportOptions(timezone=UTC)


def _takeout(root: Path) -> Path:
    group = root / "Takeout" / "Google Chat" / "Groups" / "DM 4gZk3wAAAAE"
    group.mkdir(parents=True)
    for name in ("messages.json", "group_info.json"):
        shutil.copyfile(DATA / "google_chat" / name, group / name)
    (group / "File-IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a real picture")
    return group


def test_a_takeout_folder_is_one_exhibit_with_its_files_unchanged(tmp_path: Path) -> None:
    group = _takeout(tmp_path / "export")
    (group / "outside").symlink_to(tmp_path)  # never followed: it points out of the export
    originals = {p.name: p.read_bytes() for p in group.iterdir() if p.is_file()}
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [group], OPTIONS)
        assert result.error is None, result.error
        assert result.format == "google-chat" and result.messages > 0
        assert result.exhibit is not None and result.path == str(group)
        with case.open_exhibit(result.exhibit.sha256) as fh:
            stored = fh.read()
        events = [e for e in case.events() if e.type == "folder_manifest"]
        assert verify_case(case).ok
    with zipfile.ZipFile(io.BytesIO(stored)) as zf:
        names = zf.namelist()
        # The folder's last ancestors are kept: they are how Takeout is recognised.
        assert all(n.startswith("Takeout/Google Chat/Groups/DM 4gZk3wAAAAE/") for n in names)
        inside = {n.rsplit("/", 1)[1]: zf.read(n) for n in names}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
    assert inside == originals
    (event,) = events
    manifest = json.loads(event.payload)
    assert manifest["exhibit"] == result.exhibit.sha256
    assert {f["path"].rsplit("/", 1)[1]: f["sha256"] for f in manifest["files"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in originals.items()
    }


def test_an_empty_folder_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [tmp_path / "empty"], OPTIONS)
        assert result.error is not None and "folder has no files" in result.error.describe()
        assert str(tmp_path / "empty") in result.error.describe()
        assert case.exhibits() == []


def test_a_lone_meta_thread_file_is_told_apart_by_where_it_came_from(tmp_path: Path) -> None:
    thread = _thread("k", 0, 4, "x")
    messages = thread["messages"]
    assert isinstance(messages, list)
    # An Instagram link in a Messenger chat used to make the file look like Instagram.
    messages[0]["content"] = "look https://www.instagram.com/zoe.ashworth/followers/"
    found = {}
    for root, platform in (
        ("facebook-me-2024/your_activity_across_facebook", "messenger"),
        ("instagram-me-2024/your_instagram_activity", "instagram"),
    ):
        folder = tmp_path / root / "messages" / "inbox" / "kaisample_10"
        folder.mkdir(parents=True)
        path = folder / "message_1.json"
        path.write_text(json.dumps(thread), encoding="utf-8")
        with Case.create(tmp_path / f"{platform}.unshared", None) as case:
            (result,) = add_files(case, [path], OPTIONS)
            assert result.error is None, result.error
            found[platform] = result.format
            # Only the file name is recorded; reading it again (verify) needs no path.
            assert all("/" not in a.source_path for e in case.exhibits() for a in e.acquisitions)
            assert verify_case_file(case).ok
    assert found == {"messenger": "messenger", "instagram": "instagram"}


def test_a_file_that_cannot_be_read_stores_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = _takeout(tmp_path / "export")
    listed = folders.folder_files(group)
    # A file that disappears between listing and reading (root can read any mode in CI).
    monkeypatch.setattr(folders, "folder_files", lambda _f: [*listed, group / "gone.json"])
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [group], OPTIONS)
        assert result.error is not None
        assert "cannot read the folder (No such file or directory)" in result.error.describe()
        assert str(group) in result.error.describe()
        assert case.exhibits() == []
        assert not [e for e in case.events() if e.type == "folder_manifest"]
        assert verify_case(case).ok
