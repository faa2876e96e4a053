"""Splitting a WhatsApp chat text into messages: each header line starts one, the lines after it
continue it.

Two readers give the same messages. The block reader searches about a megabyte of UTF-8 text at a
time with one regular expression (the lines between two headers are never looked at one by one);
the line reader handles UTF-16 files and is the reference the block reader is tested against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from unshared.errors import ParseError
from unshared.importers.formats.whatsapp_header import Header, find_headers, match_header
from unshared.importers.readers.text import Block, iter_blocks, iter_lines

__all__ = ["Pending", "split_blocks", "split_lines"]

Shapes = set[tuple[bool, str, int, bool, bool]] | None
"""Header shapes that start messages; None accepts all."""


@dataclass
class Pending:
    """One message as read: its header, the rest of the header line and the lines after it."""

    header: Header
    body: str
    line: int
    offset: int
    extra: list[str] = field(default_factory=list)


def _before_first(name: str, member: str | None, number: int) -> ParseError:
    return ParseError(
        "text before the first WhatsApp message header",
        path=name,
        where=f"{member + ', ' if member else ''}line {number}",
    )


def split_lines(
    stream: BinaryIO, name: str, member: str | None, accepted: Shapes
) -> Iterator[Pending]:
    """Messages, line by line."""
    pending: Pending | None = None
    for number, offset, line in iter_lines(stream, name):
        header = match_header(line)
        if header is not None and (accepted is None or header.shape in accepted or not pending):
            if pending is not None:
                yield pending
            pending = Pending(header, line[header.end :], number, offset)
        elif pending is not None:
            pending.extra.append(line)
        elif line.strip():
            raise _before_first(name, member, number)
    if pending is not None:
        yield pending


def split_blocks(
    stream: BinaryIO, name: str, member: str | None, accepted: Shapes, size: int = 1 << 20
) -> Iterator[Pending] | None:
    """Messages, a block at a time; None when the text is UTF-16 (use :func:`split_lines`).
    ``size`` is the read size (tests make it small to cross block ends)."""
    blocks = iter_blocks(stream, name, size)
    first = next(blocks, None)
    if first is not None and first.offset is None:
        return None
    return _split_blocks(first, blocks, name, member, accepted)


def _split_blocks(
    first: Block | None,
    blocks: Iterator[Block],
    name: str,
    member: str | None,
    accepted: Shapes,
) -> Iterator[Pending]:
    header: Header | None = None
    line = offset = 0
    parts: list[str] = []
    block = first
    while block is not None:
        text, number, at = block.text, block.line, block.offset or 0
        done = 0  # text[:done] is counted into number and at
        pos = 0  # text[:pos] belongs to messages already started
        for start, found in find_headers(text):
            if not (accepted is None or found.shape in accepted or header is None):
                continue
            piece = text[pos:start]
            if header is not None:
                parts.append(piece)
                yield _pending(header, parts, line, offset)
            elif piece.strip():
                raise _before_first(name, member, number + _first_text_line(piece))
            number += text.count("\n", done, start)
            at += _utf8_len(text[done:start])
            done = start
            header, line, offset = found, number, at
            parts = []
            pos = start + found.end
        rest = text[pos:]
        if header is not None:
            parts.append(rest)
        elif rest.strip():
            raise _before_first(name, member, number + _first_text_line(rest))
        block = next(blocks, None)
    if header is not None:
        yield _pending(header, parts, line, offset)


def _pending(header: Header, parts: list[str], line: int, offset: int) -> Pending:
    text = "".join(parts)
    if text.endswith("\n"):
        text = text[:-1]
    lines = text.split("\n")
    if "\r" in text:
        lines = [ln.rstrip("\r") for ln in lines]
    return Pending(header, lines[0], line, offset, lines[1:])


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _first_text_line(text: str) -> int:
    """Lines before the first one of ``text`` that is not blank (0 when it is the first)."""
    for index, ln in enumerate(text.split("\n")):
        if ln.strip():
            return index
    return 0
