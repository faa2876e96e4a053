"""Add an export folder as one exhibit (many exports are folders once unzipped)."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, cast

from unshared.casefile import Case
from unshared.casefile.events import FolderManifest
from unshared.errors import InputFileError, UnsharedError
from unshared.importers import ImportOptions
from unshared.usecases.stream import AddResult, add_stream

__all__ = ["add_folder", "folder_files"]

ZIP_CONTEXT_LEVELS = 3


def folder_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, in a stable order (symbolic links are not followed:
    they may point outside the export)."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def add_folder(
    case: Case,
    folder: Path,
    options: ImportOptions,
    *,
    fmt: str | None = None,
    progress: Callable[[int], Any] | None = None,
    keep_path: bool = False,
) -> AddResult:
    """Store an export folder as one exhibit, then import it (its full path recorded only with
    ``keep_path``, else its name).

    Many exports are folders once unzipped (Telegram Desktop, Google Takeout, Meta and Discord
    packages). The folder's files are streamed, byte for byte and uncompressed, into one zip
    exhibit named after the folder; nothing is written to disk on the way. A ``folder_manifest``
    event then lists every original file with its size and SHA-256, so each can be checked
    against the exhibit and against the folder itself.
    """
    spath = str(folder)
    files = folder_files(folder)
    if not files:
        return AddResult(spath, error=InputFileError("the folder has no files in it", path=spath))
    manifest: list[dict[str, Any]] = []
    failure: list[BaseException] = []
    # Names inside the zip keep the folder's last few ancestors: formats are often recognised by
    # where a file sits ("Google Chat/Groups/<group>/messages.json", "your_instagram_activity/").
    base = folder.resolve()
    for _ in range(ZIP_CONTEXT_LEVELS + 1):
        if base.parent == base:
            break
        base = base.parent
    read_fd, write_fd = os.pipe()

    def write_zip() -> None:
        out = os.fdopen(write_fd, "wb")
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for path in files:
                    arcname = path.resolve().relative_to(base).as_posix()
                    info = zipfile.ZipInfo.from_file(path, arcname)
                    info.compress_type = zipfile.ZIP_STORED
                    digest = hashlib.sha256()
                    size = 0
                    with path.open("rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                        while chunk := src.read(1 << 20):
                            digest.update(chunk)
                            size += len(chunk)
                            dst.write(chunk)
                    manifest.append({"path": arcname, "size": size, "sha256": digest.hexdigest()})
        except BaseException as exc:  # reported by the reading side, before it sees the end
            failure.append(exc)
        finally:
            try:
                out.close()
            except OSError:  # the reader has gone: the failure is already known
                pass

    writer = threading.Thread(target=write_zip, name="folder-zip", daemon=True)
    writer.start()
    try:
        with os.fdopen(read_fd, "rb") as stream:
            result = add_stream(
                case,
                cast(BinaryIO, io.BufferedReader(_Checked(stream, failure, spath), 1 << 20)),
                name=folder.name + ".zip",
                source_path=str(folder.resolve()) if keep_path else folder.name,
                origin=str(folder.resolve()),
                options=options,
                fmt=fmt,
                progress=progress,
            )
    except UnsharedError as exc:
        result = AddResult(spath, error=exc)
    finally:
        writer.join()
    result.path = spath
    if failure and result.error is None:  # a failed writer makes the reading side raise first
        result.error = InputFileError(f"cannot read the folder ({_reason(failure[0])})", path=spath)
    if result.error is not None:
        # Keep the first error: when the reading side stops first (the case refused the bytes),
        # the writer only meets a broken pipe, which would hide why.
        return result
    if result.exhibit is not None:
        case.record(FolderManifest(result.exhibit.sha256, str(folder.resolve()), tuple(manifest)))
    return result


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


class _Checked(io.RawIOBase):
    """The zip being written, as a stream that fails if the writer failed (an unreadable file
    must not leave a silently shortened exhibit)."""

    def __init__(self, stream: BinaryIO, failure: list[BaseException], folder: str) -> None:
        self._stream = stream
        self._failure = failure
        self._folder = folder

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        if not data and self._failure:
            raise InputFileError(
                f"cannot read the folder ({_reason(self._failure[0])})", path=self._folder
            )
        buffer[: len(data)] = data
        return len(data)
