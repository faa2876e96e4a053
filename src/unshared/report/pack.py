"""Write the evidence pack (report.html, report.pdf, case.jsonld) and log ``report_made``."""

from __future__ import annotations

import hashlib
import json
import os
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

__all__ = ["ReportFiles", "write_report", "model_of", "REPORT_FILES"]

REPORT_FILES = ("report.html", "report.pdf", "case.jsonld")


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    files: dict[str, str]
    """File name -> SHA-256 of the bytes written."""
    log_head: str | None
    event_seq: int

    def path(self, name: str) -> Path:
        return self.folder / name


def model_of(case: Case) -> ReportModel:
    """The report model of an open case."""
    return build_model(collect(case))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_report(
    case: Case,
    out_dir: Path,
    *,
    pdf: bool = True,
    step: Callable[[str], None] | None = None,
) -> ReportFiles:
    """Render the pack into ``out_dir`` and append a ``report_made`` event with each file's hash.

    Each file is written under a temporary name and renamed when complete, so a folder never
    holds a half-written report.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputFileError("this is a file, not a folder", path=str(out_dir))
    if not out_dir.parent.exists():
        raise InputFileError("the folder above it does not exist", path=str(out_dir.parent))
    out_dir.mkdir(exist_ok=True)

    def note(what: str) -> None:
        if step is not None:
            step(what)

    note("reading the case")
    model = model_of(case)
    note("writing report.html")
    html = render_html(model)
    tmp = out_dir / ".report.html.part"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out_dir / "report.html")
    if pdf:
        note("writing report.pdf")
        tmp = out_dir / ".report.pdf.part"
        render_pdf(render_html(model, compact=True), tmp)
        os.replace(tmp, out_dir / "report.pdf")
    note("writing case.jsonld")
    tmp = out_dir / ".case.jsonld.part"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(build_jsonld(model), fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    os.replace(tmp, out_dir / "case.jsonld")
    names = [n for n in REPORT_FILES if pdf or n != "report.pdf"]
    files = {name: _sha256(out_dir / name) for name in names}
    event = case.log(
        "report_made",
        {
            "files": files,
            "log_head": model.log.hash if model.log else None,
            "log_seq": model.log.seq if model.log else None,
            "messages": model.message_count,
            "images_embedded": False,
        },
    )
    return ReportFiles(out_dir, files, model.log.hash if model.log else None, event.seq)
