"""Fixtures for the fingerprint tests: generated media only (scikit-image samples, PyAV)."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

DATA = Path(__file__).resolve().parents[1] / "data" / "fingerprints"
BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import fingerprints_media  # noqa: E402

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def media() -> ModuleType:
    return fingerprints_media


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of small images in every supported format, a flat picture and a broken file."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    folder = tmp_path_factory.mktemp("media")
    im = Image.fromarray(fingerprints_media.photo("astronaut"))
    im.save(folder / "photo.jpg", quality=92)
    im.save(folder / "photo.png")
    im.save(folder / "photo.webp", quality=92)
    im.convert("P", palette=Image.Palette.ADAPTIVE).save(folder / "photo.gif")
    # HEIC encoding (x265) takes seconds, so this one is made once and kept in tests/data.
    shutil.copyfile(DATA / "astronaut.heic", folder / "photo.heic")
    from PIL import features

    if features.check("avif"):
        im.save(folder / "photo.avif", quality=92, speed=10)
    Image.new("RGB", (320, 240), (128, 128, 128)).save(folder / "flat.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20)
    return folder


@pytest.fixture(scope="session")
def video_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("video")
    frames = fingerprints_media.video_frames(seconds=3, fps=10)
    return fingerprints_media.write_video(folder / "clip.mp4", frames, fps=10)


@pytest.fixture(scope="session")
def vpdq() -> ModuleType:
    """Meta's vpdq reference package: skipped locally when missing, a failure in CI."""
    try:
        module = importlib.import_module("vpdq")
    except ImportError:
        if IN_CI:
            pytest.fail("vpdq is not installed; .ci/setup.d/fingerprints.sh must install it")
        pytest.skip("vpdq (reference vPDQ) is not installed")
    return module
