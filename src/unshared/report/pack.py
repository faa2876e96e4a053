"""Make the evidence pack (report.html, report.pdf, case.jsonld) and log ``report_made``.

The report carries its own seal: the hash of the ``report_made`` event that records the SHA-256
of report.html and case.jsonld. A seal cannot sit inside the bytes it covers, so each file is
hashed with the seal's 64 characters as zeros and the event records where they are; the printed
seal is then the event's hash. Changing a single character of the report means re-chaining that
event, which changes the seal the report prints (docs/security.md). The PDF is laid out after the
seal is known, prints it, and its bytes are recorded by ``report_pdf_made`` right after.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from unshared.casefile.store import Case
from unshared.errors import InputFileError
from unshared.report.build import build_model
from unshared.report.data import collect
from unshared.report.jsonld import build_jsonld
from unshared.report.model import ReportModel
from unshared.report.render import render_html, render_pdf

__all__ = [
    "Pack",
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
    """The rendered report, in memory, already recorded in the case log."""

    files: dict[str, bytes]
    """File name -> the final bytes, in :data:`REPORT_FILES` order."""
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


def _jsonld_bytes(model: ReportModel, seal: str) -> bytes:
    text = json.dumps(build_jsonld(model, seal=seal), ensure_ascii=False, indent=1) + "\n"
    return text.encode("utf-8")


def _place(data: bytes, marker: bytes, name: str) -> int:
    at = data.find(marker)
    if at < 0 or data.find(marker, at + 1) >= 0:  # a random marker appears exactly once
        raise RuntimeError(f"{name}: the seal's place is not unique")
    return at


def make_pack(case: Case, *, pdf: bool = True, step: Callable[[str], None] | None = None) -> Pack:
    """Render the report in memory and log ``report_made`` (and ``report_pdf_made``)."""

    def note(what: str) -> None:
        if step is not None:
            step(what)

    note("reading the case")
    model = model_of(case)
    marker = secrets.token_hex(32)
    note("writing report.html")
    rendered = {
        "report.html": render_html(model, seal=marker).encode("utf-8"),
        "case.jsonld": _jsonld_bytes(model, marker),
    }
    places = {name: _place(data, marker.encode(), name) for name, data in rendered.items()}
    zeroed = {
        name: data[: places[name]] + SEAL_ZERO + data[places[name] + 64 :]
        for name, data in rendered.items()
    }
    event = case.log(
        "report_made",
        {
            "case": case.path.name,
            "files": {name: sha256_hex(data) for name, data in zeroed.items()},
            "sizes": {name: len(data) for name, data in zeroed.items()},
            "seal_at": places,
            "log_head": model.log.hash if model.log else None,
            "log_seq": model.log.seq if model.log else None,
            "messages": model.message_count,
            "images_embedded": False,
            "pdf": pdf,
        },
    )
    seal = event.hash.encode()
    sealed = {
        name: data[: places[name]] + seal + data[places[name] + 64 :]
        for name, data in zeroed.items()
    }
    last = event.seq
    files: dict[str, bytes] = {"report.html": sealed["report.html"]}
    if pdf:
        note("writing report.pdf")
        pdf_bytes = render_pdf(render_html(model, compact=True, seal=event.hash))
        files["report.pdf"] = pdf_bytes
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
    files["case.jsonld"] = sealed["case.jsonld"]
    return Pack(files, event.hash, event.seq, model.log.hash if model.log else None, last)


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
    pack = make_pack(case, pdf=pdf, step=step)
    for name, data in pack.files.items():
        tmp = out_dir / f".{name}.part"
        try:
            tmp.write_bytes(data)
            os.replace(tmp, out_dir / name)
        finally:
            tmp.unlink(missing_ok=True)
    files = {name: sha256_hex(data) for name, data in pack.files.items()}
    return ReportFiles(out_dir, files, pack.log_head, pack.seal_seq, pack.seal)
