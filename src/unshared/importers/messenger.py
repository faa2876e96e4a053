"""Facebook Messenger "Download Your Information": JSON (``message_N.json``, the whole DYI zip,
and the separate export of end-to-end-encrypted chats) and the HTML export.

The reading is shared with Instagram in :mod:`meta_dyi` (JSON) and :mod:`meta_html` (HTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.meta_dyi import parse_meta, sniff_meta
from unshared.importers.meta_html import parse_html, sniff_html
from unshared.model import Record

__all__ = ["MessengerImporter", "MessengerHtmlImporter"]


@register
class MessengerImporter:
    name: ClassVar[str] = "messenger"
    platform: ClassVar[str] = "messenger"
    priority: ClassVar[int] = 31

    def sniff(self, source: Source) -> None:
        sniff_meta(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_meta(source, options, self.platform)


@register
class MessengerHtmlImporter:
    name: ClassVar[str] = "messenger-html"
    platform: ClassVar[str] = "messenger"
    priority: ClassVar[int] = 33

    def sniff(self, source: Source) -> None:
        sniff_html(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_html(source, options, self.platform)
