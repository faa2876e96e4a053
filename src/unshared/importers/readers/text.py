"""Streaming line reading shared by the text-based importers.

Yields each line with its 1-based number and byte offset, so every message keeps a locator back
into the exhibit. Decoding is strict UTF-8 (a BOM is skipped); UTF-16 exports (some Windows tools)
are detected by their BOM. A byte sequence that is not valid text raises :class:`ParseError` naming
the line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from unshared.errors import ParseError, WrongFormat

__all__ = ["iter_lines", "looks_like_text", "sniff_text"]


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


def iter_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, int, str]]:
    """(line number, byte offset, text without line ending) for each line of ``stream``."""
    head = stream.read(4)
    encoding, skip = _encoding_for(head)
    if encoding != "utf-8":
        # UTF-16 is rare and small: decode via a text wrapper; offsets count UTF-16 bytes roughly.
        data = head[skip:] + stream.read()
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"not valid {encoding} text", path=name, where=f"byte {exc.start}"
            ) from None
        offset = skip
        for number, line in enumerate(text.splitlines(), start=1):
            yield number, offset, line
            offset += (len(line) + 1) * 2
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
