"""Streaming line reading shared by the text-based importers.

Yields each line with its 1-based number and byte offset, so every message keeps a locator back
into the exhibit. Decoding is strict UTF-8 (a BOM is skipped); UTF-16 exports (some Windows tools)
are detected by their BOM. A byte sequence that is not valid text raises :class:`ParseError` naming
the line.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import BinaryIO, NamedTuple

from unshared.errors import ParseError, WrongFormat

__all__ = ["Block", "iter_blocks", "iter_decoded", "iter_lines", "looks_like_text", "sniff_text"]


def _encoding_for(head: bytes) -> tuple[str, int]:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return "utf-8", 0


def looks_like_text(head: bytes) -> bool:
    """True when ``head`` decodes as text and has no NUL bytes (binary garbage, images, zips)."""
    encoding, skip = _encoding_for(head)
    body = head[skip:]
    if encoding == "utf-8" and b"\x00" in body:
        return False
    try:
        # A multi-byte character may be cut at the end of the head; ignore the last 3 bytes.
        codecs.getincrementaldecoder(encoding)("strict").decode(body, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff_text(head: bytes, name: str) -> str:
    """Decoded head of a text file, or :class:`WrongFormat` for binary input."""
    if not head.strip():
        raise WrongFormat("the file is empty", path=name)
    if not looks_like_text(head):
        raise WrongFormat("not a text file", path=name)
    encoding, skip = _encoding_for(head)
    return codecs.getincrementaldecoder(encoding)("replace").decode(head[skip:], final=False)


def iter_decoded(read: Callable[[int], bytes], name: str, size: int = 1 << 20) -> Iterator[str]:
    """Strict UTF-8 text of a stream, a chunk at a time, for parsers fed piece by piece (HTML).
    Invalid bytes, or text cut inside a character, are a :class:`ParseError` naming the byte."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    done = 0
    while True:
        chunk = read(size)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise ParseError(
                "not valid UTF-8 text", path=name, where=f"byte {done + exc.start}"
            ) from None
        done += len(chunk)
        if text:
            yield text
        if not chunk:
            return


class Block(NamedTuple):
    """Whole lines of text; ``line`` is the number of its first line and ``offset`` its byte
    offset in the file (None for UTF-16 text, whose lines were joined again)."""

    text: str
    line: int
    offset: int | None


def iter_blocks(stream: BinaryIO, name: str, size: int = 1 << 20) -> Iterator[Block]:
    """The text of ``stream`` in blocks of whole lines (about 1 MiB each), for a caller that
    searches it with one regular expression instead of Python work per line. Decoding errors are
    reported as :func:`iter_lines` reports them, by line and byte. ``size`` is the read size."""
    head = stream.read(4)
    encoding, skip = _encoding_for(head)
    if encoding != "utf-8":
        lines: list[str] = []
        held, first = 0, 1
        for number, _, line in _utf16_lines(stream, name, encoding, head[skip:], skip):
            lines.append(line)
            held += len(line) + 1
            if held >= size:
                yield Block("\n".join(lines) + "\n", first, None)
                lines, held, first = [], 0, number + 1
        if lines:
            yield Block("\n".join(lines), first, None)
        return
    offset, number, pending, eof = skip, 1, head[skip:], False
    while not eof:
        chunk = stream.read(size)
        eof = not chunk
        pending += chunk
        cut = len(pending) if eof else pending.rfind(b"\n") + 1
        if cut <= 0:
            continue
        raw, pending = pending[:cut], pending[cut:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = number + raw.count(b"\n", 0, exc.start)
            raise ParseError(
                "not valid UTF-8 text (is this the right file?)",
                path=name,
                where=f"line {bad}, byte {offset + exc.start}",
            ) from None
        yield Block(text, number, offset)
        number += raw.count(b"\n")
        offset += len(raw)


def iter_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, int, str]]:
    """(line number, byte offset, text without line ending) for each line of ``stream``."""
    head = stream.read(4)
    encoding, skip = _encoding_for(head)
    if encoding != "utf-8":
        yield from _utf16_lines(stream, name, encoding, head[skip:], skip)
        return
    offset = skip
    pending = head[skip:]
    number = 0
    eof = False
    while not eof:
        chunk = stream.read(1 << 20)
        eof = not chunk
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        if eof and pending:
            lines.append(pending)
        for raw in lines:
            number += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ParseError(
                    "not valid UTF-8 text (is this the right file?)",
                    path=name,
                    where=f"line {number}, byte {offset + exc.start}",
                ) from None
            yield number, offset, line.rstrip("\r")
            offset += len(raw) + 1


def _utf16_lines(
    stream: BinaryIO, name: str, encoding: str, first: bytes, skip: int
) -> Iterator[tuple[int, int, str]]:
    """Lines of a UTF-16 stream, decoded chunk by chunk; offsets count UTF-16 code units x 2
    (exact for text without characters outside the Basic Multilingual Plane)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, number, pending, raw = skip, 0, "", first
    read = skip
    while True:
        try:
            pending += decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"not valid {encoding} text", path=name, where=f"byte {read + exc.start}"
            ) from None
        read += len(raw)
        lines = pending.split("\n")
        pending = lines.pop() if raw else ""
        if not raw and lines and lines[-1] == "":
            lines.pop()  # the text ended with a line break
        for line in lines:
            number += 1
            yield number, offset, line.rstrip("\r")
            offset += (len(line) + 1) * 2
        if not raw:
            return
        raw = stream.read(1 << 20)
