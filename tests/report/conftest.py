"""Fixtures of the report tests (the case itself is built in report_case.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_case import build_case

from unshared.casefile.store import Case


@pytest.fixture
def case_path(tmp_path: Path, data_dir: Path, passphrase: str) -> Path:
    path = tmp_path / "sam.case"
    build_case(path, data_dir, passphrase).close()
    return path


@pytest.fixture
def case(case_path: Path, passphrase: str) -> Iterator[Case]:
    opened = Case.open(case_path, passphrase)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One unencrypted case and its written report (with PDF), shared by read-only tests.

    Returns (case path, report folder). Tests must not change either.
    """
    from unshared.report.pack import write_report

    root = tmp_path_factory.mktemp("pack")
    path = root / "shared.case"
    case = build_case(path, Path(__file__).resolve().parents[1] / "data", None)
    try:
        write_report(case, root / "out")
    finally:
        case.close()
    return path, root / "out"
