"""Fixtures for the guide tests: the packaged data, an answers strategy, offline readability."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from unshared.guide.content import GuideData
from unshared.guide.loader import data_dir, load_guide


@pytest.fixture(scope="session")
def guide() -> GuideData:
    return load_guide()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged YAML files, to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target
