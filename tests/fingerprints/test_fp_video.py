"""Video fingerprints through PyAV, compared frame by frame with Meta's vpdq reference."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.media import fingerprint_file
from unshared.fingerprints.pdq import hamming
from unshared.fingerprints.video import hash_video, to_vpdq_lines

CONTAINERS = [
    ("clip.mp4", "libx264"),
    ("clip.mkv", "libx264"),
    ("clip.mov", "mpeg4"),
    ("clip.webm", "libvpx-vp9"),
]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, media: ModuleType) -> list[Path]:
    import av

    folder = tmp_path_factory.mktemp("clips")
    frames = media.video_frames(seconds=3, fps=12)
    out = []
    for name, codec in CONTAINERS:
        if codec not in av.codecs_available:
            continue
        out.append(media.write_video(folder / name, frames, fps=12, codec=codec))
    assert len(out) >= 3
    return out


def test_frames_match_the_vpdq_reference(clips: list[Path], vpdq: ModuleType) -> None:
    for path in clips:
        ours = hash_video(path).frames
        ref = vpdq.computeHash(str(path))
        assert [f.frame for f in ours] == [f.frame_number for f in ref], path.name
        for a, b in zip(ours, ref, strict=True):
            assert hamming(a.pdq, b.hex) <= 10, path.name
            assert abs(a.quality - b.quality) <= 5
            assert a.timestamp == pytest.approx(b.timestamp, abs=1e-3)


def test_one_frame_per_second(clips: list[Path]) -> None:
    vp = hash_video(clips[0])
    assert vp.fps == pytest.approx(12)
    assert [f.frame for f in vp.frames] == [0, 12, 24]
    assert [f.timestamp for f in vp.frames] == pytest.approx([0.0, 1.0, 2.0])
    assert vp.decoded == 36
    lines = to_vpdq_lines(vp.frames).splitlines()
    assert lines[1].startswith("12,") and lines[1].endswith(",1.000")
    _, quality, pdq, _ = lines[1].split(",")
    assert len(pdq) == 64 and int(quality) == vp.frames[1].quality


def test_video_fingerprint_record(video_path: Path) -> None:
    fp = fingerprint_file(video_path)
    data = fp.to_dict()
    assert data["kind"] == "video" and len(data["sha256"]) == 64 and len(data["md5"]) == 32
    assert [v["frame"] for v in data["vpdq"]] == [0, 10, 20]
    assert set(data["vpdq"][0]) == {"frame", "pdq", "quality", "timestamp"}
    assert data["pdq"] in {v["pdq"] for v in data["vpdq"]}
    assert len(data["pdq_dihedral"]) == 8


def test_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "fake.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    with pytest.raises(UnsupportedMedia) as info:
        fingerprint_file(path)
    assert "fake.mp4" in str(info.value)
