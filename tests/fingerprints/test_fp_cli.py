"""``unshared fingerprint``: JSONL without a case, errors per file, folders, the case path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unshared.casefile.store import Case
from unshared.cli import app
from unshared.usecases.case import is_case_file

SRC = Path(__file__).resolve().parents[2] / "src"


def test_jsonl_one_object_per_file_and_errors_named(media_dir: Path, video_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["fingerprint", str(media_dir), str(video_path), "--format", "jsonl"]
    )
    assert result.exit_code == 1  # broken.jpg failed, the rest went on
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    by_name = {Path(x["path"]).name: x for x in lines}
    assert "broken.jpg" not in by_name and {"photo.jpg", "photo.png", "clip.mp4"} <= set(by_name)
    for item in lines:
        assert {"path", "kind", "sha256", "md5", "pdq", "quality", "pdq_dihedral"} <= set(item)
    photo = by_name["photo.jpg"]
    assert photo["kind"] == "image" and len(photo["pdq"]) == 64 and len(photo["pdq_dihedral"]) == 8
    assert by_name["clip.mp4"]["kind"] == "video" and by_name["clip.mp4"]["vpdq"]
    assert by_name["flat.png"]["pdq"] is None
    assert "broken.jpg" in result.stderr and "flat.png" in result.stderr


def test_subprocess_exit_codes(media_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "unshared",
            "fingerprint",
            str(media_dir / "photo.png"),
            "-f",
            "jsonl",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["kind"] == "image"
    bad = subprocess.run(
        [sys.executable, "-m", "unshared", "fingerprint", str(media_dir / "broken.jpg")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1 and "broken.jpg" in bad.stderr


def test_case_argument_is_recognised(tmp_path: Path, media_dir: Path, passphrase: str) -> None:
    case_path = tmp_path / "mine.unshared"
    Case.create(case_path, passphrase).close()
    assert is_case_file(case_path)
    assert not is_case_file(media_dir / "photo.jpg")
    result = CliRunner().invoke(
        app, ["fingerprint", str(case_path), str(media_dir / "photo.jpg"), "--names", "none"]
    )
    assert result.exit_code == 0, result.output
    with Case.open(case_path, passphrase) as case:
        (stored,) = case.fingerprints()
        assert stored["path"] == "" and len(stored["pdq"]) == 64
    alone = CliRunner().invoke(app, ["fingerprint", str(case_path)])
    assert alone.exit_code != 0


def test_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["fingerprint", str(tmp_path / "nope.jpg")])
    assert result.exit_code == 1
    assert "nope.jpg" in result.stderr


def test_a_folder_is_done_in_this_process(
    tmp_path: Path, media_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import subprocess as sp

    folder = tmp_path / "many"
    (folder / "sub").mkdir(parents=True)
    for i in range(24):
        shutil.copyfile(media_dir / "photo.png", folder / ("sub" if i % 2 else ".") / f"p{i}.png")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no process may be started per file")

    monkeypatch.setattr(sp, "Popen", refuse)
    monkeypatch.setattr(os, "fork", refuse)
    result = CliRunner().invoke(app, ["fingerprint", str(folder), "-f", "jsonl"])
    assert result.exit_code == 0, result.output
    assert len([x for x in result.stdout.splitlines() if x.startswith("{")]) == 24
