"""vPDQ-compatible video fingerprints through PyAV (its wheels carry FFmpeg).

The frames are chosen as Meta's ``vpdq`` chooses them: frames are counted in decoding output
order from 0, and frame ``n`` is hashed when ``n % int(seconds_per_hash * fps) == 0`` where ``fps``
is the stream's average frame rate (or its base rate when the average is unknown). Its timestamp is
``n / fps``. Each chosen frame is converted to RGB at full size and hashed with PDQ, which gives
the same frame hashes as ``vpdq.computeHash`` (``tests/fingerprints`` compares them).

The video is read in place from its path; no frame is written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.base import PixelHasher
from unshared.fingerprints.pdq import FastPdqHasher, PdqResult

__all__ = ["VIDEO_SUFFIXES", "VideoPrint", "VpdqFrame", "hash_video", "to_vpdq_lines"]

VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".3gp", ".ogv", ".wmv"}
)


@dataclass(frozen=True, slots=True)
class VpdqFrame:
    frame: int
    pdq: str
    quality: int
    timestamp: float


@dataclass(frozen=True, slots=True)
class VideoPrint:
    frames: tuple[VpdqFrame, ...]
    best: PdqResult
    fps: float
    decoded: int
    warning: str | None = None


def to_vpdq_lines(frames: tuple[VpdqFrame, ...] | list[VpdqFrame]) -> str:
    """The text format of Meta's ``vpdq-hash-video``: ``frame,quality,hash,timestamp`` lines."""
    return "".join(f"{f.frame},{f.quality},{f.pdq},{f.timestamp:.3f}\n" for f in frames)


def hash_video(
    path: Path,
    *,
    hasher: PixelHasher | None = None,
    seconds_per_hash: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> VideoPrint:
    """PDQ of one frame per ``seconds_per_hash`` of the first video stream in ``path``."""
    import av

    hasher = hasher or FastPdqHasher()
    spath = str(path)
    try:
        container = av.open(spath, mode="r")
    except av.FFmpegError as exc:
        raise UnsupportedMedia(
            f"not a video this tool can read ({_why(exc)})", path=spath
        ) from None
    with container:
        if not container.streams.video:
            raise UnsupportedMedia("the file has no video stream", path=spath)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = stream.average_rate or stream.base_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        if fps <= 0:
            raise UnsupportedMedia("the video does not say its frame rate", path=spath)
        every = max(1, int(seconds_per_hash * fps))
        frames: list[VpdqFrame] = []
        best: PdqResult | None = None
        count = 0
        warning = None
        try:
            for frame in container.decode(stream):
                if count % every == 0:
                    result = hasher.hash_rgb(frame.to_ndarray(format="rgb24"))
                    frames.append(VpdqFrame(count, result.hex, result.quality, count / fps))
                    if best is None or result.quality > best.quality:
                        best = result
                    if progress is not None:
                        progress(1)
                count += 1
        except av.FFmpegError as exc:
            if not frames:
                raise UnsupportedMedia(
                    f"the video cannot be decoded ({_why(exc)})", path=spath
                ) from None
            warning = (
                f"decoding stopped at frame {count} ({_why(exc)}); the frames before it are kept"
            )
    if best is None:
        raise UnsupportedMedia("no video frame could be decoded", path=spath)
    return VideoPrint(tuple(frames), best, fps, count, warning)


def _why(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(": '")[0]
