"""Bundles for the police tests, made as a person makes them: ``unshared new``, ``add``, ``me``,
``bundle`` in a subprocess. Built once per session (read-only for the tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .builders import network_chat

ROOT = Path(__file__).resolve().parents[2]
IN_CI = bool(os.environ.get("CI"))
CASE_PASS = "correct horse battery staple"
FORCE_PASS = "force passphrase for tests"


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        COLUMNS="200",
        UNSHARED_PASSPHRASE=CASE_PASS,
        UNSHARED_FORCE_PASSPHRASE=FORCE_PASS,
        UNSHARED_OFFICER="DC Test 1234",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "unshared", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"unshared {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_bundle(
    root: Path,
    name: str,
    export: Path | list[Path],
    me: str | None = None,
    intimate: Path | None = None,
) -> Path:
    case = root / f"{name}.case"
    run("new", str(case), cwd=root)
    for one in export if isinstance(export, list) else [export]:
        run("add", str(case), str(one), cwd=root)
    if me:
        run("me", str(case), me, cwd=root)
    if intimate is not None:
        run("fingerprint", str(case), str(intimate), cwd=root)
    out = root / f"{name}-bundle.zip"
    run("bundle", str(case), "--out", str(out), "--no-pdf", cwd=root)
    return out


@dataclass(frozen=True)
class Bundles:
    a: Path  # network X, victim Sam (named with `me`)
    b: Path  # network X, victim Jo (not named: sides read from the threats)
    c: Path  # another offender altogether
    real: Path  # real public exports: WhatsApp, Telegram, Messenger, Discord
    root: Path


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory, exports_dir: Path) -> Bundles:
    root = tmp_path_factory.mktemp("police")
    a = network_chat(root / "a.zip", "Sam", "Alex", 1, skype="live:.cid.8f3a2b1c9d", picture_seed=7)
    b = network_chat(
        root / "b.zip", "Jo", "Emma", 10, skype="live:.cid.8f3a2b1c9d", picture_seed=7, quality=80
    )
    c = network_chat(
        root / "c.zip", "Kim", "Zed", 20, skype="live:.cid.77aa00bb11", picture_seed=99, script=1
    )
    real = []
    for folder, name in (
        ("whatsapp", "chatistics_ios__chat.txt"),
        ("telegram", "chatanalytics_DM_2A_7M.json"),
        ("messenger", "chatminer_testlog.json"),
        ("discord", "chatanalytics_dce_DM_2A_2M.json"),
    ):
        copy = root / f"{folder}-{name}"
        shutil.copyfile(exports_dir / folder / name, copy)
        real.append(copy)
    return Bundles(
        make_bundle(root, "a", a, me="Sam"),
        make_bundle(root, "b", b),
        make_bundle(root, "c", c),
        make_bundle(root, "real", real),
        root,
    )
