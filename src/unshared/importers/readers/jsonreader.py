"""Streaming JSON reading for large exports (Skype, Telegram, DiscordChatExporter, ...).

A multi-gigabyte ``messages.json`` must not be loaded whole. :func:`walk` walks the document's
structure in Python and descends only into the containers the caller asks for (``descend``); every
other value is decoded whole by the C JSON decoder (``raw_decode``) from a bounded buffer. So memory
is bounded by the largest single value that is not descended into (one message), and speed stays
close to :func:`json.loads`.

Every value comes with its RFC 6901 JSON pointer and byte offset, which become the message's
:class:`~unshared.model.Locator`. Broken input raises :class:`ParseError` naming the line, column,
byte offset and the pointer being read. No third-party dependency (see docs/formats.md for why
not ijson).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from typing import IO, Any, NamedTuple

from unshared.errors import LimitExceeded, ParseError

__all__ = [
    "MAX_DEPTH",
    "MAX_VALUE",
    "Event",
    "expect_list",
    "json_head",
    "loads",
    "pointer",
    "too_deep",
    "walk",
]

Path = tuple[str | int, ...]

_WS = " \t\n\r"
_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
#: Nesting levels one JSON value may have. Real exports use under 10; 100,000 levels made the
#: decoder (and anything walking the value) recurse until Python gave up.
MAX_DEPTH = 100
TOO_DEEP = f"the JSON is nested more than {MAX_DEPTH} levels deep"
#: Characters one JSON value (one message, one header field) may hold.
MAX_VALUE = 256 << 20


def _brackets(text: str, start: int, end: int) -> int:
    """Opening brackets in ``text[start:end]``: a cheap upper bound of its nesting depth."""
    return text.count("[", start, end) + text.count("{", start, end)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests containers more than ``limit`` levels (checked without
    recursion)."""
    level: list[Any] = [value]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        nxt: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                nxt.extend(v for v in item.values() if isinstance(v, dict | list))
            elif isinstance(item, list):
                nxt.extend(v for v in item if isinstance(v, dict | list))
        level = nxt
    return False


def loads(data: bytes, name: str, member: str | None = None) -> Any:
    """A small JSON document read whole (a side file), with the same bounds as :func:`walk`:
    :class:`LimitExceeded` when nested too deep, :class:`ParseError` when broken."""
    where = member
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise LimitExceeded(TOO_DEEP, path=name, where=where) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"broken JSON ({exc})", path=name, where=where) from None
    if _brackets_bytes(data) > MAX_DEPTH and too_deep(value):
        raise LimitExceeded(TOO_DEEP, path=name, where=where)
    return value


def _brackets_bytes(data: bytes) -> int:
    return data.count(b"[") + data.count(b"{")


def pointer(path: Path) -> str:
    """RFC 6901 pointer for a path tuple."""
    if not path:
        return ""
    joined = "/" + "/".join(map(str, path))
    if "~" not in joined and joined.count("/") == len(path):
        return joined
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class Event(NamedTuple):
    """``kind`` is ``start`` / ``end`` for a descended container, ``value`` for a decoded value."""

    kind: str
    path: Path
    value: Any = None
    offset: int = 0

    @property
    def pointer(self) -> str:
        return pointer(self.path)


def expect_list(event: Event, name: str) -> None:
    """ParseError unless ``event`` opens a list (or is null, an empty export)."""
    if event.kind == "start" and event.value == "array":
        return
    if event.kind == "end" or (event.kind == "value" and event.value is None):
        return
    key = event.path[-1] if event.path else "document"
    raise ParseError(f'"{key}" is not a list', path=name, where=f"json {event.pointer}")


def json_head(head: bytes) -> str:
    """The decoded head of a JSON file (BOM skipped, a cut multi-byte character ignored)."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)


class _Reader:
    def __init__(self, stream: IO[bytes], name: str, member: str | None = None) -> None:
        self.stream = stream
        self.name = name
        self.member = member
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.first = True
        # byte offset and line number of buf[0]; for non-ASCII buffers, the byte offset of
        # buf[mark] is kept incrementally (positions only move forward)
        self.base_bytes = 0
        self.base_line = 1
        self.ascii = True
        self.mark = 0
        self.mark_bytes = 0
        self.path: Path = ()

    # -- buffer ---------------------------------------------------------------------------
    def fill(self, size: int = 0) -> bool:
        """Read one more chunk (``size`` characters, default one chunk); False at end of input."""
        if self.eof:
            return False
        size = size or _CHUNK
        if self.pos > _CHUNK:
            self.base_bytes = self.offset_at(self.pos)
            self.base_line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.mark, self.mark_bytes = 0, self.base_bytes
            self.pos = 0
        raw = self.stream.read(size)
        if self.first:
            self.first = False
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
                self.bytes_read = self.mark_bytes = self.base_bytes = 3
            elif raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                raise ParseError("UTF-16 JSON is not supported; expected UTF-8", path=self.name)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise ParseError(
                "not valid UTF-8 (is this the right file?)",
                path=self.name,
                where=f"byte {self.bytes_read + exc.start}",
            ) from None
        self.bytes_read += len(raw)
        if not raw:
            self.eof = True
        if self.ascii and not text.isascii():
            self.offset_at(self.pos)  # start counting bytes incrementally from here
            self.ascii = False
        self.buf += text
        return bool(raw) or bool(text)

    def offset_at(self, pos: int) -> int:
        """Byte offset of ``buf[pos]``; positions must not go backwards."""
        if self.ascii:
            return self.base_bytes + pos
        if pos > self.mark:
            piece = self.buf[self.mark : pos]
            self.mark_bytes += len(piece) if piece.isascii() else len(piece.encode("utf-8"))
            self.mark = pos
        return self.mark_bytes

    def error(
        self,
        message: str,
        pos: int | None = None,
        cls: type[ParseError | LimitExceeded] = ParseError,
    ) -> ParseError | LimitExceeded:
        pos = self.pos if pos is None else max(pos, self.mark)
        offset = self.offset_at(pos)
        line = self.base_line + self.buf.count("\n", 0, pos)
        col = pos - (self.buf.rfind("\n", 0, pos) + 1)
        where = f"line {line}, column {col + 1}, byte {offset}"
        if self.member:
            where = f"{self.member}, {where}"
        if self.path:
            where += f", json {pointer(self.path)}"
        return cls(message, path=self.name, where=where)

    def peek(self) -> str:
        """Next non-space character ('' at end of input); pos points at it."""
        while True:
            buf, pos, n = self.buf, self.pos, len(self.buf)
            while pos < n and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < n:
                return buf[pos]
            if not self.fill():
                return ""

    def expect(self, chars: str, what: str) -> str:
        ch = self.peek()
        if ch == "" or ch not in chars:
            if ch == "":
                raise self.error(f"the JSON ends early (truncated file?); expected {what}")
            raise self.error(f"broken JSON: expected {what}, found {ch!r}")
        self.pos += 1
        return ch

    def value(self) -> Any:
        """Decode one whole value at pos."""
        self.peek()
        want = _CHUNK
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > MAX_VALUE:
                    raise self.error(
                        f"one JSON value is larger than {MAX_VALUE >> 20} MiB", cls=LimitExceeded
                    ) from None
                if not self.eof and self.fill(want):
                    want *= 2  # a large value: read ahead faster than re-decoding it
                    continue
                if exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated"):
                    raise self.error("the JSON ends early (truncated file?)", exc.pos) from None
                raise self.error(f"broken JSON: {exc.msg}", exc.pos) from None
            except RecursionError:
                raise self.error(TOO_DEEP, cls=LimitExceeded) from None
            except ValueError as exc:  # e.g. huge integers
                raise self.error(f"broken JSON: {exc}") from None
            if end >= len(self.buf) and not self.eof and self.fill(want):
                continue  # a number may continue in the next chunk
            if _brackets(self.buf, self.pos, end) > MAX_DEPTH and too_deep(obj):
                raise self.error(TOO_DEEP, cls=LimitExceeded)
            self.pos = end
            return obj


def walk(
    stream: IO[bytes],
    name: str,
    descend: Callable[[Path], bool],
    max_depth: int = 16,
    *,
    member: str | None = None,
) -> Iterator[Event]:
    """Events for the document in ``stream``.

    ``descend(path)`` says whether the container at ``path`` is walked (yielding ``start``, its
    children, ``end``) or decoded whole (one ``value`` event). The root is always walked when it is
    a container and ``descend(())`` is true. ``member`` names the archive member being read, for
    errors.
    """
    r = _Reader(stream, name, member)
    yield from _walk(r, (), descend, max_depth)
    if r.peek() != "":
        raise r.error("unexpected data after the end of the JSON document")


def _walk(r: _Reader, path: Path, descend: Callable[[Path], bool], depth: int) -> Iterator[Event]:
    ch = r.peek()
    if ch == "":
        raise r.error("the JSON ends early (truncated or empty file?)")
    r.path = path
    offset = r.offset_at(r.pos)
    if ch not in "{[" or depth <= 0 or not descend(path):
        yield Event("value", path, r.value(), offset)
        return
    yield Event("start", path, "object" if ch == "{" else "array", offset)
    r.pos += 1
    if ch == "[":
        index = 0
        if r.peek() == "]":
            r.pos += 1
        else:
            while True:
                child = (*path, index)
                ch = r.peek()
                if ch and ch in "{[" and depth > 1 and descend(child):
                    yield from _walk(r, child, descend, depth - 1)
                else:  # a leaf: decoded whole, without a nested generator
                    r.path = child
                    if ch == "":
                        raise r.error("the JSON ends early (truncated file?)")
                    offset = r.offset_at(r.pos)
                    yield Event("value", child, r.value(), offset)
                index += 1
                r.path = path
                if r.expect(",]", "',' or ']'") == "]":
                    break
    else:
        if r.peek() == "}":
            r.pos += 1
        else:
            while True:
                r.path = path
                if r.peek() != '"':
                    raise r.error("broken JSON: expected a key in double quotes")
                key = r.value()
                r.expect(":", "':'")
                yield from _walk(r, (*path, key), descend, depth - 1)
                r.path = path
                if r.expect(",}", "',' or '}'") == "}":
                    break
    r.path = path
    yield Event("end", path, None, r.offset_at(r.pos))
