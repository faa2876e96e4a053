"""Media is read in place: no copy in a temp folder, a cache, a log or the case file."""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.fingerprints.media import fingerprint_file


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path)] = (st.st_size, st.st_mtime_ns)
    return out


def _forbid(monkeypatch: pytest.MonkeyPatch, written: list[str], media: list[Path]) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"media code tried to copy or make a temp file: {args!r}")

    for name in ("copy", "copy2", "copyfile", "copyfileobj", "move"):
        monkeypatch.setattr(shutil, name, refuse)
    for name in (
        "mkstemp",
        "mkdtemp",
        "NamedTemporaryFile",
        "TemporaryFile",
        "TemporaryDirectory",
        "SpooledTemporaryFile",
    ):
        monkeypatch.setattr(tempfile, name, refuse)
    real_open = builtins.open

    def watched_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)


@pytest.fixture
def watched_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR, HOME and XDG_CACHE_HOME pointed at empty folders under one watched root."""
    root = tmp_path / "watched"
    for sub in ("tmp", "home", "cache"):
        (root / sub).mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(root / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(root / "tmp"))
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    return root


def test_fingerprinting_writes_nothing(
    media_dir: Path,
    video_path: Path,
    watched_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    files = [*sorted(p for p in media_dir.iterdir() if p.name != "broken.jpg"), video_path]
    assert {p.suffix for p in files} >= {".jpg", ".png", ".webp", ".gif", ".heic", ".mp4"}
    base = tmp_path_factory.getbasetemp()
    before = _snapshot(base)
    written: list[str] = []
    _forbid(monkeypatch, written, files)
    prints = [fingerprint_file(path) for path in files]
    monkeypatch.undo()
    assert len(prints) == len(files)
    assert written == []
    # Nothing appeared or changed anywhere under the test's temp root (media, temp, home, cache).
    assert _snapshot(watched_tmp) == {}
    assert _snapshot(base) == before
    for fp in prints:  # and the fingerprints carry no pixels: only short hex strings and numbers
        assert len(repr(fp.to_dict())) < 40_000


def test_case_holds_fingerprints_not_media(
    media_dir: Path, video_path: Path, tmp_path: Path, watched_tmp: Path
) -> None:
    case_path = tmp_path / "case.unshared"
    Case.create(case_path, None).close()  # unencrypted, so media bytes would be visible
    files = [media_dir / "photo.jpg", media_dir / "photo.png", video_path]
    result = CliRunner().invoke(app, ["fingerprint", str(case_path), *map(str, files)])
    assert result.exit_code == 0, result.output
    raw = case_path.read_bytes()
    for path in files:
        data = path.read_bytes()
        for start in range(0, len(data) - 64, max(1, len(data) // 40)):
            chunk = data[start : start + 64]
            if len(set(chunk)) > 8:  # skip runs of padding bytes
                assert chunk not in raw, f"bytes of {path.name} at {start} found in the case"
    with Case.open(case_path, None) as case:
        stored = case.fingerprints()
        assert {fp["kind"] for fp in stored} == {"image", "video"}
        assert len(stored) == 3
        assert all(
            set(fp)
            <= {
                "path",
                "kind",
                "sha256",
                "md5",
                "pdq",
                "quality",
                "pdq_dihedral",
                "vpdq",
                "size",
                "pdq_crops",
                "warnings",
                "format",
                "pdq_method",
                "fps",
                "frames_decoded",
            }
            for fp in stored
        )
        assert {fp["path"] for fp in stored} == {p.name for p in files}
        assert [e.type for e in case.events()][-1] == "fingerprints_added"
    assert _snapshot(watched_tmp) == {}
