"""Instagram "Download Your Information" messages: JSON (``message_N.json`` or the whole
DYI zip) and the HTML export. Told apart from Messenger by the zip layout
(``your_instagram_activity/``) or, for a lone file, by Instagram links. The reading is shared
with Messenger in :mod:`meta_dyi` (JSON) and :mod:`meta_html` (HTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.meta_dyi import parse_meta, sniff_meta
from unshared.importers.meta_html import parse_html, sniff_html
from unshared.model import Record

__all__ = ["InstagramImporter", "InstagramHtmlImporter"]


@register
class InstagramImporter:
    name: ClassVar[str] = "instagram"
    platform: ClassVar[str] = "instagram"
    priority: ClassVar[int] = 30

    def sniff(self, source: Source) -> None:
        sniff_meta(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_meta(source, options, self.platform)


@register
class InstagramHtmlImporter:
    name: ClassVar[str] = "instagram-html"
    platform: ClassVar[str] = "instagram"
    priority: ClassVar[int] = 32

    def sniff(self, source: Source) -> None:
        sniff_html(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_html(source, options, self.platform)
