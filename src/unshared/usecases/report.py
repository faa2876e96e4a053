"""Make the report, the evidence bundle and platform report drafts.

Each one first brings the case's analysis up to date (:func:`~unshared.usecases.analyse.
bring_up_to_date`), so a report made straight after adding evidence carries every threat and
demand in it. Files are written only where asked. When this machine cannot make PDFs (WeasyPrint
needs the Pango library), the report is made without one and the result says why.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unshared.casefile import Case
from unshared.usecases.analyse import bring_up_to_date

if TYPE_CHECKING:
    from unshared.report.bundle import BundleResult
    from unshared.report.pack import ReportFiles

__all__ = [
    "DOWNLOADS",
    "Draft",
    "ReportMade",
    "ReportOverview",
    "default_report_folder",
    "made_files",
    "make_bundle",
    "make_report",
    "make_report_and_bundle",
    "make_private_pack",
    "remove_pack",
    "pdf_problem",
    "platform_drafts",
    "report_overview",
]

Step = Callable[[str], None]

#: What a report folder can hold, with each file's media type.
DOWNLOADS = {
    "report.pdf": "application/pdf",
    "report.html": "text/html",
    "case.jsonld": "application/ld+json",
    "bundle.zip": "application/zip",
}
BUNDLE_NAME = "bundle.zip"


@dataclass(frozen=True)
class ReportMade:
    """What was written: the report files (name -> SHA-256), the log head and event recorded,
    the bundle when one was made, and why there is no PDF when there is none."""

    folder: Path
    files: dict[str, str]
    log_head: str | None
    event_seq: int | None
    seal: str = ""
    bundle: BundleResult | None = None
    no_pdf: str | None = None
    notes: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return self.folder / name


def default_report_folder(case_path: Path) -> Path:
    """Where a case's report goes unless another folder is asked for: ``NAME-report``."""
    return case_path.with_name(case_path.stem + "-report")


def made_files(folder: Path) -> list[str]:
    """The report files already in ``folder``, in download order."""
    return [name for name in DOWNLOADS if (folder / name).is_file()]


def pdf_problem() -> str | None:
    """Why this machine cannot make a PDF (WeasyPrint or its Pango library missing), or None."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        return f"no PDF on this machine: {exc}"
    return None


def _pdf(wanted: bool) -> tuple[bool, str | None]:
    if not wanted:
        return False, None
    problem = pdf_problem()
    return problem is None, problem


def make_report(
    case: Case,
    out_dir: Path,
    *,
    pdf: bool = True,
    region: str | None = None,
    step: Step | None = None,
) -> ReportMade:
    """``unshared report``: analysis brought up to date, then report.html, report.pdf and
    case.jsonld written into ``out_dir`` and recorded in the log (``report_made``)."""
    from unshared.report.pack import write_report

    _analyse(case, region, step)
    with_pdf, no_pdf = _pdf(pdf)
    made: ReportFiles = write_report(case, out_dir, pdf=with_pdf, step=step)
    return ReportMade(
        made.folder, made.files, made.log_head, made.event_seq, made.seal, no_pdf=no_pdf
    )


def make_bundle(
    case: Case,
    out: Path,
    *,
    pdf: bool = True,
    region: str | None = None,
    step: Step | None = None,
) -> BundleResult:
    """``unshared bundle``: analysis brought up to date, then one zip anyone can check."""
    from unshared.report.bundle import make_bundle as write_bundle

    _analyse(case, region, step)
    with_pdf, _ = _pdf(pdf)
    return write_bundle(case, out, pdf=with_pdf, step=step)


def make_report_and_bundle(
    case: Case,
    folder: Path,
    *,
    pdf: bool = True,
    region: str | None = None,
    step: Step | None = None,
) -> ReportMade:
    """The app's report step: the bundle, and the same report beside it to open or download.

    The report is rendered once, inside the bundle, and its files are copied out of the bundle
    into ``folder``: one ``report_made`` event, and the downloads are byte for byte what the
    bundle holds. An earlier bundle in ``folder`` is replaced (it is a derived copy; the evidence
    stays in the case).
    """
    from unshared.errors import InputFileError

    if folder.exists() and not folder.is_dir():
        raise InputFileError("this is a file, not a folder", path=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / BUNDLE_NAME
    target.unlink(missing_ok=True)
    bundle = make_bundle(case, target, pdf=pdf, region=region, step=step)
    files = _extract_report(target, folder)
    no_pdf = None if "report.pdf" in files or not pdf else pdf_problem()
    seq, seal = _last_event(case, "report_made")
    return ReportMade(folder, files, bundle.log_head, seq, seal, bundle=bundle, no_pdf=no_pdf)


def _extract_report(bundle: Path, folder: Path) -> dict[str, str]:
    import hashlib

    files: dict[str, str] = {}
    with zipfile.ZipFile(bundle) as zf:
        for member in zf.namelist():
            if not member.startswith("report/") or member.endswith("/"):
                continue
            name = member.removeprefix("report/")
            if name not in DOWNLOADS or "/" in name:
                continue
            tmp = folder / f".{name}.part"
            digest = hashlib.sha256()
            with zf.open(member) as src, tmp.open("wb") as dst:
                while block := src.read(1 << 20):
                    digest.update(block)
                    dst.write(block)
            os.replace(tmp, folder / name)
            files[name] = digest.hexdigest()
    for name in ("report.html", "report.pdf", "case.jsonld"):
        if name not in files:  # an older report's file would not match this bundle
            (folder / name).unlink(missing_ok=True)
    return files


def _last_event(case: Case, kind: str) -> tuple[int | None, str]:
    found: tuple[int | None, str] = (None, "")
    for event in case.events():
        if event.type == kind:
            found = (event.seq, event.hash)
    return found


def _analyse(case: Case, region: str | None, step: Step | None) -> None:
    if step is not None:
        step("bringing the analysis up to date")
    bring_up_to_date(case, region)


def make_private_pack(
    case: Case, folder: Path, *, region: str | None = None, step: Step | None = None
) -> ReportMade:
    """The app's evidence pack, written only to ``folder`` (the person chose it), readable by
    this user alone: the folder is made mode 0700 when new, every file is mode 0600."""
    from unshared.errors import InputFileError

    if not folder.is_absolute():
        raise InputFileError("give the whole path of a folder, for example /home/me/Documents/pack")
    created = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if created:
        folder.chmod(0o700)
    old = os.umask(0o077)  # files appear 0600 from the start, never readable by others
    try:
        made = make_report_and_bundle(case, folder, region=region, step=step)
    finally:
        os.umask(old)
    for name in (*made.files, BUNDLE_NAME):
        target = folder / name
        if target.is_file():
            target.chmod(0o600)
    return made


def remove_pack(folder: Path) -> list[str]:
    """Remove the pack's files from ``folder`` (and the folder when that leaves it empty).

    The evidence stays in the case: these are derived copies."""
    removed: list[str] = []
    for name in (*DOWNLOADS, BUNDLE_NAME):
        target = folder / name
        if target.is_file():
            target.unlink()
            removed.append(name)
    try:
        folder.rmdir()
    except OSError:
        pass
    return removed


@dataclass(frozen=True)
class Draft:
    """A platform report draft: the platform's key and name, the text to paste, and where its
    report form is (``where`` in words, ``url`` when it has one)."""

    platform: str
    name: str
    text: str
    where: str = ""
    url: str | None = None


def platform_drafts(
    case: Case, platforms: Sequence[str] = ("all",), *, region: str | None = None
) -> list[Draft]:
    """Drafts for platform report forms (``all``: every platform in the case). Nothing is sent.

    Analysis is brought up to date first, so the drafts quote the threats and demands.
    """
    from unshared.report.pack import model_of
    from unshared.report.platforms import platform_draft, platform_info, platforms_in

    bring_up_to_date(case, region)
    model = model_of(case)
    names = platforms_in(model) if "all" in platforms else list(platforms)
    drafts = []
    for name in names:
        info = platform_info(name)
        link = re.search(r"https://[^\s\"')]+", info.where)
        url = link.group(0).rstrip(".,") if link else None
        drafts.append(Draft(name, info.name, platform_draft(model, name), info.where, url))
    return drafts


@dataclass(frozen=True)
class ReportOverview:
    """The app's report step: files already made, platform drafts, actions recorded."""

    made: list[str]
    drafts: list[Draft]
    actions: list[dict[str, Any]]


def report_overview(case: Case, folder: Path, *, region: str | None = None) -> ReportOverview:
    """What the report step shows (the drafts reflect an up-to-date analysis)."""
    from unshared.usecases.records import actions

    return ReportOverview(made_files(folder), platform_drafts(case, region=region), actions(case))
