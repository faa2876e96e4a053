"""Make the evidence pack (report.html, report.pdf, case.jsonld) and log ``report_made``.

The report carries its own seal: the hash of the ``report_made`` event that records the SHA-256
of report.html and case.jsonld. A seal cannot sit inside the bytes it covers, so each file is
hashed with the seal's 64 characters as zeros and the event records where they are; the printed
seal is then the event's hash. Changing a single character of the report means re-chaining that
event, which changes the seal the report prints (docs/security.md). The PDF is laid out after the
seal is known, prints it, and its bytes are recorded by ``report_pdf_made`` right after.

report.html and case.jsonld are written as they are rendered, into files the caller gives, with
the seal's place as zeros; the seal is written into its place once the event is logged. Neither
document is ever whole in memory.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO

from unshared.casefile.store import Case
from unshared.errors import InputFileError
from unshared.report.build import build_model
from unshared.report.data import collect
from unshared.report.jsonld import stream_jsonld
from unshared.report.model import ReportModel
from unshared.report.render import render_html, render_pdf, stream_html

__all__ = [
    "Pack",
    "file_sha256",
    "ReportFiles",
    "make_pack",
    "write_report",
    "model_of",
    "REPORT_FILES",
    "SEALED_FILES",
    "SEAL_ZERO",
]

REPORT_FILES = ("report.html", "report.pdf", "case.jsonld")
SEALED_FILES = ("report.html", "case.jsonld")
"""The files whose bytes the seal covers (report.pdf is recorded by the event after it)."""
SEAL_ZERO = b"0" * 64
"""How the seal's place reads when the file is hashed for the ``report_made`` event."""


@dataclass(frozen=True)
class Pack:
    """The rendered report, already recorded in the case log."""

    files: dict[str, IO[bytes]]
    """File name -> the file (one the caller gave) holding its final bytes, in
    :data:`REPORT_FILES` order. The caller closes them."""
    seal: str
    seal_seq: int
    log_head: str | None
    last_seq: int


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    files: dict[str, str]
    """File name -> SHA-256 of the bytes written."""
    log_head: str | None
    event_seq: int
    seal: str = ""

    def path(self, name: str) -> Path:
        return self.folder / name


def model_of(case: Case) -> ReportModel:
    """The report model of an open case."""
    return build_model(collect(case))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(fh: IO[bytes]) -> str:
    """SHA-256 of the whole of ``fh`` (read from its start)."""
    fh.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _write_zeroed(
    pieces: Iterable[str], fh: IO[bytes], marker: str, name: str
) -> dict[str, int | str]:
    """Write the text to ``fh`` with ``marker`` (random, so it appears exactly once) as zeros.

    Returns the SHA-256 and size of what was written and where the marker was."""
    mark = marker.encode()
    keep = len(mark) - 1
    digest = hashlib.sha256()
    size = 0
    at: int | None = None
    held = b""
    for piece in pieces:
        buf = held + piece.encode("utf-8")  # buf starts at byte ``size`` of the file
        found = buf.find(mark)
        if found >= 0:
            if at is not None or buf.find(mark, found + 1) >= 0:
                raise RuntimeError(f"{name}: the seal's place is not unique")
            at = size + found
            buf = buf[:found] + SEAL_ZERO + buf[found + len(mark) :]
        cut = max(len(buf) - keep, 0)  # the marker may begin in the last bytes
        fh.write(buf[:cut])
        digest.update(buf[:cut])
        size += cut
        held = buf[cut:]
    fh.write(held)
    digest.update(held)
    size += len(held)
    if at is None:
        raise RuntimeError(f"{name}: the seal's place is not unique")
    return {"sha256": digest.hexdigest(), "size": size, "at": at}


def make_pack(
    case: Case,
    files: Callable[[str], IO[bytes]],
    *,
    pdf: bool = True,
    step: Callable[[str], None] | None = None,
) -> Pack:
    """Render the report into ``files(name)`` (a new, empty, seekable file for each name) and
    log ``report_made`` (and ``report_pdf_made``)."""

    def note(what: str) -> None:
        if step is not None:
            step(what)

    note("reading the case")
    model = model_of(case)
    marker = secrets.token_hex(32)
    note("writing report.html")
    opened = {"report.html": files("report.html")}
    written = {
        "report.html": _write_zeroed(
            stream_html(model, seal=marker), opened["report.html"], marker, "report.html"
        )
    }
    opened["case.jsonld"] = files("case.jsonld")
    written["case.jsonld"] = _write_zeroed(
        chain(stream_jsonld(model, seal=marker), ["\n"]),
        opened["case.jsonld"],
        marker,
        "case.jsonld",
    )
    event = case.log(
        "report_made",
        {
            "case": case.path.name,
            "files": {name: w["sha256"] for name, w in written.items()},
            "sizes": {name: w["size"] for name, w in written.items()},
            "seal_at": {name: w["at"] for name, w in written.items()},
            "log_head": model.log.hash if model.log else None,
            "log_seq": model.log.seq if model.log else None,
            "messages": model.message_count,
            "images_embedded": False,
            "pdf": pdf,
        },
    )
    for name, fh in opened.items():
        fh.seek(int(written[name]["at"]))
        fh.write(event.hash.encode())
        fh.flush()
    last = event.seq
    out: dict[str, IO[bytes]] = {"report.html": opened["report.html"]}
    if pdf:
        note("writing report.pdf")
        pdf_bytes = render_pdf(render_html(model, compact=True, seal=event.hash))
        out["report.pdf"] = files("report.pdf")
        out["report.pdf"].write(pdf_bytes)
        out["report.pdf"].flush()
        last = case.log(
            "report_pdf_made",
            {
                "file": "report.pdf",
                "sha256": sha256_hex(pdf_bytes),
                "size": len(pdf_bytes),
                "seal": event.hash,
                "report_event": event.seq,
            },
        ).seq
        del pdf_bytes
    out["case.jsonld"] = opened["case.jsonld"]
    return Pack(out, event.hash, event.seq, model.log.hash if model.log else None, last)


def write_report(
    case: Case,
    out_dir: Path,
    *,
    pdf: bool = True,
    step: Callable[[str], None] | None = None,
) -> ReportFiles:
    """Render the pack into ``out_dir``; the case log records each file's hash and the seal.

    Each file is written under a temporary name and renamed when complete, so a folder never
    holds a half-written report.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError("this is a file, not a folder", path=str(out_dir))
    if not out_dir.parent.exists():
        raise InputFileError("the folder above it does not exist", path=str(out_dir.parent))
    out_dir.mkdir(exist_ok=True)
    parts: dict[str, tuple[Path, IO[bytes]]] = {}

    def part(name: str) -> IO[bytes]:
        tmp = out_dir / f".{name}.part"
        parts[name] = (tmp, tmp.open("w+b"))
        return parts[name][1]

    try:
        pack = make_pack(case, part, pdf=pdf, step=step)
        files = {name: file_sha256(fh) for name, fh in pack.files.items()}
        for name, (tmp, fh) in parts.items():
            fh.close()
            os.replace(tmp, out_dir / name)
    finally:
        for tmp, fh in parts.values():
            fh.close()
            tmp.unlink(missing_ok=True)
    return ReportFiles(out_dir, files, pack.log_head, pack.seal_seq, pack.seal)
