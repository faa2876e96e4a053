"""Read one large JSON object without loading it whole.

:func:`stream_object` walks the top-level object of a UTF-8 JSON stream. Values of ordinary keys
are decoded whole (they are small: participants, title); the array under the keys named in
``arrays`` is yielded element by element, each decoded with the C scanner
(:meth:`json.JSONDecoder.raw_decode`) from a sliding buffer. Memory stays bounded by the largest
single element plus one read chunk, whatever the file size.

Errors become :class:`~unshared.errors.ParseError` naming the byte offset (and the JSON pointer of
the element being read).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from unshared.errors import ParseError

__all__ = ["Element", "stream_object"]

_CHUNK = 1 << 20
_MAX_ELEMENT = 256 << 20  # characters: one message or header value larger than this is refused
_WS = " \t\r\n"
_DECODER = json.JSONDecoder()
_SKIP = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True, slots=True)
class Element:
    """A top-level key with its whole value, or one element of a streamed array.

    ``index`` is None for an ordinary key, -1 where a streamed array starts, else the element's
    position in the array.
    """

    key: str
    index: int | None
    value: Any
    offset: int
    """Character (not byte) offset in the stream, cheap to keep; errors name byte offsets."""


class _Reader:
    def __init__(self, stream: IO[bytes], name: str, where: str | None) -> None:
        self.stream = stream
        self.name = name
        self.where = where
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.base = 0  # byte offset of buf[0]
        self.base_chars = 0  # character offset of buf[0]
        self.eof = False
        self.first = True

    def fail(self, message: str, pos: int | None = None) -> ParseError:
        at = self.byte_offset(self.pos if pos is None else pos)
        where = f"{self.where}, byte {at}" if self.where else f"byte {at}"
        return ParseError(message, path=self.name, where=where)

    def byte_offset(self, pos: int) -> int:
        return self.base + len(self.buf[:pos].encode("utf-8", "surrogatepass"))

    def fill(self) -> bool:
        """Read one more chunk; False at end of input."""
        if self.eof:
            return False
        raw = self.stream.read(_CHUNK)
        try:
            if self.first:
                self.first = False
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                    self.base = 3
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise self.fail(f"not valid UTF-8 ({exc.reason})", len(self.buf)) from None
        if not raw:
            self.eof = True
        # Drop what has been consumed so the buffer stays small.
        if self.pos > _CHUNK:
            self.base += len(self.buf[: self.pos].encode("utf-8", "surrogatepass"))
            self.base_chars += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return bool(raw)

    def peek(self) -> str:
        while True:
            m = _SKIP.match(self.buf, self.pos)
            if m is not None:
                self.pos = m.end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                raise self.fail("the JSON ends too early (truncated file?)")

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r} in JSON, found {self.buf[self.pos]!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # Probably cut by the chunk boundary: read more and retry; at the end it is real.
                # A number at the very end of the buffer may also be cut ("12" of "123").
                if len(self.buf) - self.pos < _MAX_ELEMENT and self.fill():
                    continue
                raise self.fail(f"broken JSON ({exc.msg})", exc.pos) from None
            if end >= len(self.buf) and not self.eof and self.fill():
                continue
            self.pos = end
            return value


def stream_object(
    stream: IO[bytes], name: str, arrays: frozenset[str], where: str | None = None
) -> Iterator[Element]:
    """Yield the top-level keys of a JSON object; the ``arrays`` keys element by element."""
    r = _Reader(stream, name, where)
    r.expect("{")
    if r.peek() == "}":
        r.pos += 1
        return
    while True:
        offset = r.base_chars + r.pos
        key = r.value()
        if not isinstance(key, str):
            raise r.fail("expected a key in the JSON object")
        r.expect(":")
        if key in arrays and r.peek() == "[":
            r.pos += 1
            index = 0
            yield Element(key, -1, None, offset)  # the array starts (it may be empty)
            if r.peek() == "]":
                r.pos += 1
            else:
                while True:
                    at = r.base_chars + r.pos
                    yield Element(key, index, r.value(), at)
                    index += 1
                    sep = r.peek()
                    r.pos += 1
                    if sep == "]":
                        break
                    if sep != ",":
                        raise r.fail(f"expected ',' or ']' in the {key!r} array", r.pos - 1)
        else:
            yield Element(key, None, r.value(), offset)
        sep = r.peek()
        r.pos += 1
        if sep == "}":
            break
        if sep != ",":
            raise r.fail("expected ',' or '}' in the JSON object", r.pos - 1)
    while r.pos < len(r.buf) or r.fill():
        if r.buf[r.pos :].strip(_WS):
            raise r.fail("unexpected data after the JSON object", r.pos)
        r.pos = len(r.buf)
