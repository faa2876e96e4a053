"""Read a case back: its exhibits, messages and log; export an exhibit; verify the case or a
bundle. Nothing here changes the evidence."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from unshared.casefile import (
    Case,
    Event,
    ExhibitInfo,
    ExhibitSource,
    StoredMessage,
    VerifyResult,
    verify_case,
)
from unshared.casefile.events import ExhibitExported, ImportRun
from unshared.errors import InputFileError
from unshared.model import Record

if TYPE_CHECKING:
    from unshared.report.bundle import BundleCheck

__all__ = [
    "BundleCheck",
    "ExhibitInfo",
    "MessagePage",
    "StoredMessage",
    "VerifyResult",
    "case_log",
    "export_exhibit",
    "list_exhibits",
    "message_page",
    "messages",
    "verify_bundle",
    "verify_case_file",
    "victim_names",
]


def list_exhibits(case: Case) -> list[ExhibitInfo]:
    """Every exhibit with its SHA-256, size and acquisitions."""
    return case.exhibits()


def export_exhibit(case: Case, sha256: str, out: Path) -> ExhibitInfo:
    """Write an exhibit's bytes back out, exactly as added, to ``out`` and nowhere else.

    An existing file is never overwritten; the bytes go to ``OUT.part`` first and are renamed when
    complete; ``exhibit_exported`` is logged.
    """
    if out.exists():
        raise InputFileError("refusing to overwrite an existing file", path=str(out))
    info = case.exhibit(sha256)
    tmp = out.with_name(out.name + ".part")
    try:
        with case.open_exhibit(info.sha256) as src, tmp.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    case.record(ExhibitExported(info.sha256, str(out.resolve())))
    return info


def messages(case: Case) -> Iterator[StoredMessage]:
    """Every imported message, in the order of the conversation."""
    return case.messages()


def victim_names(case: Case) -> set[str]:
    """The names and ids that are the person reporting (the case's one answer)."""
    return set(case.victims().names)


@dataclass(frozen=True)
class MessagePage:
    """One page of the conversation, and which senders are the victim."""

    messages: list[StoredMessage]
    total: int
    page: int
    pages: int
    me: set[str]


def message_page(case: Case, page: int, per_page: int) -> MessagePage:
    """The app's conversation view: page ``page`` (from 1) of ``per_page`` messages."""
    stored = list(case.messages())
    total = len(stored)
    page = max(1, page)
    start = (page - 1) * per_page
    return MessagePage(
        stored[start : start + per_page],
        total,
        page,
        max(1, -(-total // per_page)),
        victim_names(case),
    )


def case_log(case: Case) -> list[Event]:
    """Every event of the case log, in order, with its hash chain."""
    return list(case.events())


def verify_case_file(
    case: Case,
    *,
    starting: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Check every byte of the case: exhibits, the log chain, and every stored message,
    identifier and signal, read again from the exhibits and analysed again (docs/casefile.md).
    ``starting`` gets the bytes to read."""
    from unshared.usecases.analyse import reanalyse_as_of

    if starting is not None:
        starting(sum(e.size for e in case.exhibits()))
    return verify_case(
        case,
        progress=progress,
        rederive=_read_again,
        reanalyse=lambda seq, run: reanalyse_as_of(case, seq, run.region or "GB"),
    )


def _read_again(source: ExhibitSource, run: ImportRun) -> Iterator[Record]:
    """The records the importer named by ``run`` reads from the stored exhibit, with the same
    options as when it was imported."""
    from unshared.importers import ImportOptions, get
    from unshared.usecases.stream import timezone_from_name

    options = ImportOptions(timezone=timezone_from_name(run.timezone), me=frozenset(run.me))
    return iter(get(run.format).parse(source, options))


def verify_bundle(path: Path) -> BundleCheck:
    """Check an evidence bundle, without the case or its passphrase."""
    from unshared.report.bundle import verify_bundle as check

    return check(path)
