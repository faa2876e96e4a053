"""A small lenient HTML tree on the stdlib :mod:`html.parser` (never raises on broken markup).

:func:`stream_html` reads an HTML export (Telegram, DiscordChatExporter, Snapchat) as a stream:
the caller selects the elements it needs (a message, a table row) and each is yielded as a small
tree once it is complete, then dropped; everything else is skipped as it is read. Memory stays
bounded by the largest selected element (at most :data:`MAX_ELEMENT` characters of text), however
large the page. :func:`parse_html` builds the whole tree of a small fragment (Skype's message
markup). Each node keeps the line it started on, for locators.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import IO, Literal

from unshared.errors import LimitExceeded, ParseError

__all__ = ["VOID_ELEMENTS", "MAX_ELEMENT", "Node", "parse_html", "stream_html"]

#: Characters of text one selected element (one message) may hold.
MAX_ELEMENT = 64 << 20
_CHUNK = 1 << 20
_FEED = 1 << 16

VOID_ELEMENTS = frozenset(
    {"img", "br", "meta", "link", "input", "hr", "source", "wbr", "area", "col", "embed"}
)
"""HTML elements that have no end tag."""
_VOID = VOID_ELEMENTS


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Iterator[Node]:
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.walk()

    def find(self, tag: str) -> Node | None:
        """The first descendant with this tag, depth first."""
        for c in self.walk():
            if c.tag == tag:
                return c
        return None

    def first(self, cls: str, *, skip: str | None = None) -> Node | None:
        for c in self.children:
            if isinstance(c, Node):
                if cls in c.classes:
                    return c
                if skip and skip in c.classes:
                    continue
                found = c.first(cls, skip=skip)
                if found is not None:
                    return found
        return None


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, 1)
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID and len(self.stack) < 200:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """The document tree of ``text``; unclosed and stray tags are tolerated."""
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree.root


Select = Callable[[Node], Literal["node", "open"] | None]
"""Decides at an element's start tag: ``"node"`` yields it with its whole subtree once it ends,
``"open"`` yields it at once without children (a marker: a table starts), None skips it (its
descendants are still offered)."""


class _Stream(HTMLParser):
    def __init__(self, select: Select, name: str, where: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.select = select
        self.name = name
        self.where = where
        self.stack = [Node("#root", {}, 1)]
        self.kept: int | None = None  # stack index of the selected element being built
        self.chars = 0
        self.ready: list[Node] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        node = Node(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        void = tag in _VOID or len(self.stack) >= 200
        if self.kept is not None:
            parent.children.append(node)
        else:
            mode = self.select(node)
            if mode == "open":
                self.ready.append(node)
            elif mode == "node":
                if void:
                    self.ready.append(node)
                else:
                    self.kept = len(self.stack)
                    self.chars = 0
        if not void:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                if self.kept is not None and self.kept >= i:
                    self.ready.append(self.stack[self.kept])
                    self.kept = None
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.kept is None:
            return
        self.chars += len(data)
        if self.chars > MAX_ELEMENT:
            raise LimitExceeded(
                f"one element holds more than {MAX_ELEMENT >> 20} MiB of text",
                path=self.name,
                where=f"{self.where + ', ' if self.where else ''}line {self.stack[self.kept].line}",
            )
        self.stack[-1].children.append(data)

    def finish(self) -> None:
        self.close()
        if self.kept is not None:
            self.ready.append(self.stack[self.kept])
            self.kept = None


def stream_html(
    stream: IO[bytes], name: str, select: Select, member: str | None = None
) -> Iterator[Node]:
    """The elements ``select`` picks, in document order, read from a UTF-8 HTML stream.

    A selected element comes with its subtree (no links upwards: a finished element is freed
    as soon as the caller drops it, without waiting for the garbage collector). Bytes that are not UTF-8 raise
    :class:`ParseError` naming the byte offset (and ``member`` inside an archive)."""
    parser = _Stream(select, name, member)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    first = True
    while True:
        raw = stream.read(_CHUNK)
        if first:
            first = False
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
                offset = 3
        try:
            text = decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            byte = f"byte {offset + exc.start}"
            raise ParseError(
                "not valid UTF-8 (is this the right file?)",
                path=name,
                where=f"{member}, {byte}" if member else byte,
            ) from None
        offset += len(raw)
        # fed in small pieces so that few finished elements wait at a time
        for at in range(0, len(text), _FEED):
            parser.feed(text[at : at + _FEED])
            if parser.ready:
                yield from parser.ready
                parser.ready.clear()
        if not raw:
            parser.finish()
            yield from parser.ready
            return
