"""The importer interface.

An importer turns one exhibit (a file as it was added to the case) into a stream of
:class:`~unshared.model.Message` and :class:`~unshared.model.Participant` records.

* ``sniff(source)`` looks at the start of the input and raises :class:`WrongFormat` when the file is
  not its format. It must be cheap: it reads ``source.head()`` or a few archive member names.
* ``parse(source, options)`` yields records lazily, never loading a large export whole. It raises
  :class:`ParseError` naming the place (line, byte offset or JSON pointer) when the input is broken.

Importers never touch storage: :func:`unshared.usecases.add.add_files` stores what they yield, in one
transaction per exhibit. Register an importer with :func:`register`; :func:`detect` tries each in
priority order (specific formats before the plain-text fallback).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import BinaryIO, ClassVar, Protocol

from unshared.errors import WrongFormat
from unshared.model import Record

__all__ = [
    "Source",
    "FileSource",
    "BytesSource",
    "ExpectedForm",
    "ImportOptions",
    "Importer",
    "register",
    "registry",
    "detect",
    "get",
]


class Source(Protocol):
    """Read access to one exhibit's bytes. ``name`` is the original file name."""

    name: str

    def open(self) -> BinaryIO: ...

    def head(self, size: int = 65536) -> bytes: ...

    @property
    def size(self) -> int: ...


@dataclass
class FileSource:
    """A file on disk (used before the bytes are in the case, and by ``unshared scan``)."""

    path: Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.path.name

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    def head(self, size: int = 65536) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(size)

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass
class BytesSource:
    """In-memory bytes (tests, fuzzing, members of small archives)."""

    data: bytes
    name: str = "input"

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data)

    def head(self, size: int = 65536) -> bytes:
        return self.data[:size]

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ImportOptions:
    """What the user told us about the export.

    ``timezone`` is applied to times that have no offset (and those messages are marked
    ``time_assumed``). ``me`` names the victim's own display names or ids, used to tell the sides
    apart. ``region`` is the ISO country used to read phone numbers.

    Archives (zip, tar) are bounded before anything is read: ``max_expanded`` is the total number
    of bytes all members may expand to (None: 100 times the archive's own size, at least 256 MiB
    and at most 64 GiB), ``max_members`` the number of members. An archive past either is refused
    with :class:`~unshared.errors.LimitExceeded` naming the member where the budget ran out.
    Raise them for a genuine export that is larger.
    """

    timezone: tzinfo | None = None
    me: frozenset[str] = field(default_factory=frozenset)
    region: str = "GB"
    max_expanded: int | None = None
    max_members: int = 200_000


class ExpectedForm(WrongFormat):
    """Raised by a fallback importer (pasted text) when the input is of its kind but not in the
    form it reads; :func:`detect` then says which form is expected instead of a bare refusal."""


class Importer(Protocol):
    name: ClassVar[str]
    """Short format name: ``whatsapp``, ``messenger``, ``plaintext``, ..."""
    platform: ClassVar[str]
    """Platform written into each message: ``whatsapp``, ``instagram``, ``skype``, ..."""
    priority: ClassVar[int]
    """Lower runs first in :func:`detect`. Plain-text fallbacks use 1000."""

    def sniff(self, source: Source) -> None: ...

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]: ...


_REGISTRY: dict[str, Callable[[], Importer]] = {}


def register(factory: Callable[[], Importer]) -> Callable[[], Importer]:
    """Class decorator: ``@register`` on an importer class adds it to the registry.

    A second importer under a name already taken is refused (ValueError): it would silently
    replace the first, and exports of that format would be read by the wrong code.
    """
    instance = factory()
    known = _REGISTRY.get(instance.name)
    if known is not None and known is not factory:
        raise ValueError(
            f"an importer named {instance.name!r} is already registered "
            f"({known.__module__}.{getattr(known, '__qualname__', known)})"
        )
    _REGISTRY[instance.name] = factory
    return factory


#: The built-in format modules (``unshared.importers.formats.<name>``) that register importers,
#: imported on first use of the registry.
BUILTIN = (
    "discord",
    "discord_html",
    "discord_package",
    "facebook_legacy",
    "google_chat",
    "google_voice",
    "hangouts",
    "imessage_db",
    "imessage_html",
    "imessage_txt",
    "line",
    "mail",
    "meta",
    "plaintext",
    "screenshot",
    "signal",
    "skype",
    "sms_backup",
    "snapchat",
    "telegram",
    "telegram_html",
    "whatsapp",
    "x_dms",
)


def registry() -> list[Importer]:
    """Every registered importer, in detection order."""
    for module in BUILTIN:
        importlib.import_module(f"unshared.importers.formats.{module}")
    found = [factory() for factory in _REGISTRY.values()]
    return sorted(found, key=lambda imp: (imp.priority, imp.name))


def get(name: str) -> Importer:
    for imp in registry():
        if imp.name == name:
            return imp
    known = ", ".join(imp.name for imp in registry())
    raise WrongFormat(f"unknown format {name!r}; known formats: {known}")


def detect(source: Source) -> Importer:
    """The first importer whose ``sniff`` accepts the source, else :class:`WrongFormat`."""
    expected: ExpectedForm | None = None
    for imp in registry():
        try:
            imp.sniff(source)
        except ExpectedForm as exc:
            expected = expected or exc
            continue
        except WrongFormat:
            continue
        return imp
    if expected is not None:
        raise WrongFormat(
            f"not a chat export this tool can read; {expected.message}", path=source.name
        )
    raise WrongFormat(
        "not a chat export or screenshot this tool can read",
        path=source.name,
    )
