"""A small lenient HTML tree on the stdlib :mod:`html.parser` (never raises on broken markup).

Used by the HTML export readers (Telegram, DiscordChatExporter, Snapchat) and Skype's
message markup. Each node keeps the
line it started on, for locators.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Node", "parse_html"]

_VOID = {"img", "br", "meta", "link", "input", "hr", "source", "wbr", "area", "col", "embed"}


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
