"""Fingerprinting into a case, and exporting an exhibit: what is stored and where it is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unshared.errors import InputFileError
from unshared.usecases.add import add_evidence
from unshared.usecases.case import create_case
from unshared.usecases.exhibits import export_exhibit
from unshared.usecases.fingerprint import (
    fingerprint_options,
    fingerprint_paths,
    fingerprint_upload,
    stored_fingerprints,
)


def _picture(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)).save(path)
    return path


def test_a_case_keeps_file_names_never_paths_and_one_event_shape(tmp_path: Path) -> None:
    folder = tmp_path / "private" / "photos"
    folder.mkdir(parents=True)
    first = _picture(folder / "IMG_0001.png", 1)
    second = _picture(tmp_path / "IMG_0002.png", 2)
    (folder / "notes.txt").write_text("not media")
    with create_case(tmp_path / "c.unshared", None) as case:
        run = fingerprint_paths([folder], case=case)
        assert run.files == 1 and run.failed == 0
        fingerprint_upload(second.read_bytes(), "/home/sam/private/IMG_0002.png", case=case)
        stored = stored_fingerprints(case)
        added = [e.data() for e in case.events() if e.type == "fingerprints_added"]
    assert [fp["path"] for fp in stored] == ["IMG_0001.png", "IMG_0002.png"]
    assert stored[0]["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert len(added) == 2
    assert set(added[0]) == set(added[1])  # the folder and the app's upload: one shape
    assert all(a["media_stored"] is False for a in added)
    assert str(tmp_path) not in repr(stored) + repr(added)


def test_full_paths_only_when_asked_and_not_in_a_case_by_default(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "a.png", 3)
    assert fingerprint_paths([picture]).prints[0].path == str(picture)
    named = fingerprint_options(in_case=True)
    assert fingerprint_paths([picture], named).prints[0].path == "a.png"
    with pytest.raises(InputFileError):
        fingerprint_options(names="everything")


def test_an_exhibit_is_written_only_where_asked_and_never_over_a_file(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("2026-03-02 23:13 Jess: pay or else\n")
    out = tmp_path / "out"
    out.mkdir()
    with create_case(tmp_path / "c.unshared", None) as case:
        (added,) = add_evidence(case, [chat], timezone="UTC")
        assert added.exhibit is not None
        info = export_exhibit(case, added.exhibit.sha256[:12], out / "copy.txt")
        taken = out / "taken.txt"
        taken.write_text("mine")
        with pytest.raises(InputFileError, match="refusing to overwrite"):
            export_exhibit(case, info.sha256, taken)
        exported = [e.data() for e in case.events() if e.type == "exhibit_exported"]
    assert (out / "copy.txt").read_bytes() == chat.read_bytes()
    assert taken.read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["copy.txt", "taken.txt"]
    assert exported == [{"sha256": info.sha256, "to": str((out / "copy.txt").resolve())}]
