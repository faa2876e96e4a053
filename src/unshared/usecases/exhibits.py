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
    "TimelineEntry",
    "VerifyResult",
    "WhoIsWho",
    "case_log",
    "conversation_size",
    "set_aside_exhibit",
    "who_is_who",
    "export_exhibit",
    "list_exhibits",
    "message_page",
    "messages",
    "name_me",
    "people",
    "timeline",
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


def set_aside_exhibit(case: Case, sha256: str, reason: str = "added by mistake") -> ExhibitInfo:
    """Set a file added by mistake aside: kept and logged (append-only), but left out of the
    messages, the analysis, the report and the bundle."""
    return case.set_aside(sha256, reason)


def conversation_size(case: Case) -> int:
    """How many messages the conversation holds (each once, files set aside left out)."""
    return sum(1 for _ in case.messages())


@dataclass(frozen=True)
class WhoIsWho:
    """The people in the conversation, and which of them the person said they are."""

    names: list[str]
    me: tuple[str, ...]
    recorded: bool


def who_is_who(case: Case) -> WhoIsWho:
    """For "which of these is you?": each participant's name once, and the recorded answer."""
    names: list[str] = []
    for person in case.participants():
        name = person.name or person.platform_id
        if name and name not in names:
            names.append(name)
    victims = case.victims()
    return WhoIsWho(names, victims.names, victims.recorded)


def messages(case: Case) -> Iterator[StoredMessage]:
    """Every imported message, in the order of the conversation."""
    return case.messages()


@dataclass(frozen=True)
class TimelineEntry:
    """One message in the case's single timeline, with the name of the file it came from and
    whether the person reporting sent it."""

    stored: StoredMessage
    source: str
    mine: bool


def timeline(case: Case) -> list[TimelineEntry]:
    """Every message of every exhibit as one timeline, oldest first. A message without a time
    keeps its place after the message before it in the same file."""
    names = {
        e.sha256: (e.acquisitions[0].original_name if e.acquisitions else e.sha256[:12])
        for e in case.exhibits()
    }
    victims = case.victims()
    keyed: list[tuple[tuple[float, int], TimelineEntry]] = []
    last: dict[str, float] = {}
    for n, stored in enumerate(case.messages()):
        msg = stored.message
        when = msg.sent_at.timestamp() if msg.sent_at else last.get(stored.exhibit_sha256, 0.0)
        last[stored.exhibit_sha256] = when
        mine = victims.side(msg.sender, msg.sender_id) == "victim"
        entry = TimelineEntry(stored, names.get(stored.exhibit_sha256, ""), mine)
        keyed.append(((when, n), entry))
    keyed.sort(key=lambda pair: pair[0])
    return [entry for _, entry in keyed]


@dataclass(frozen=True)
class People:
    """Every name in the conversations, and who is the person reporting."""

    names: list[str]
    me: tuple[str, ...]
    recorded: bool


def people(case: Case) -> People:
    """The names to choose from for "which of these is you?", and the current answer."""
    victims = case.victims()
    return People(case.people(), victims.names, victims.recorded)


def name_me(case: Case, names: list[str]) -> People:
    """Record which names or ids are the person reporting (``victims_named``). A name that is in
    none of the conversations is refused, so a typo is not recorded as evidence."""
    known = case.people()
    folded = {n.casefold() for n in known}
    folded |= {p.platform_id.casefold() for p in case.participants() if p.platform_id}
    unknown = [n for n in names if n.strip() and n.strip().casefold() not in folded]
    if unknown:
        raise InputFileError(
            f"{unknown[0]!r} is not a name in this case's conversations "
            f"(names: {', '.join(known) or 'none yet'})"
        )
    victims = case.name_victims(names)
    return People(known, victims.names, victims.recorded)


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
        reanalyse=lambda seq, run: reanalyse_as_of(case, seq, run),
    )


def _read_again(source: ExhibitSource, run: ImportRun) -> Iterator[Record]:
    """The records the importer named by ``run`` reads from the stored exhibit, with the same
    options as when it was imported."""
    from unshared.importers import ImportOptions, get
    from unshared.importers.readers.times import timezone_from_name

    options = ImportOptions(timezone=timezone_from_name(run.timezone), me=frozenset(run.me))
    return iter(get(run.format).parse(source, options))


def verify_bundle(path: Path) -> BundleCheck:
    """Check an evidence bundle, without the case or its passphrase."""
    from unshared.report.bundle import verify_bundle as check

    return check(path)
