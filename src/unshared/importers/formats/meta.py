"""Meta "Download Your Information" messages: Facebook Messenger and Instagram.

Both apps export the same shapes: JSON (``message_N.json``, the whole DYI zip, and Messenger's
separate export of end-to-end-encrypted chats) and the HTML export. One JSON importer and one HTML
importer per platform, made from the same two classes; the platform is told apart by the zip layout
(``your_instagram_activity/``) or, for a lone file, by Instagram links. The reading is in
:mod:`.meta_dyi` (JSON) and :mod:`.meta_html` (HTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from unshared.importers.base import ImportOptions, Source, register
from unshared.importers.formats.meta_dyi import parse_meta, sniff_meta
from unshared.importers.formats.meta_html import parse_html, sniff_html
from unshared.model import Record

__all__ = [
    "InstagramHtmlImporter",
    "InstagramImporter",
    "MessengerHtmlImporter",
    "MessengerImporter",
]


class _MetaJson:
    name: ClassVar[str]
    platform: ClassVar[str]
    priority: ClassVar[int]

    def sniff(self, source: Source) -> None:
        sniff_meta(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_meta(source, options, self.platform)


class _MetaHtml:
    name: ClassVar[str]
    platform: ClassVar[str]
    priority: ClassVar[int]

    def sniff(self, source: Source) -> None:
        sniff_html(source, self.platform)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        return parse_html(source, options, self.platform)


@register
class InstagramImporter(_MetaJson):
    name: ClassVar[str] = "instagram"
    platform: ClassVar[str] = "instagram"
    priority: ClassVar[int] = 30


@register
class MessengerImporter(_MetaJson):
    name: ClassVar[str] = "messenger"
    platform: ClassVar[str] = "messenger"
    priority: ClassVar[int] = 31


@register
class InstagramHtmlImporter(_MetaHtml):
    name: ClassVar[str] = "instagram-html"
    platform: ClassVar[str] = "instagram"
    priority: ClassVar[int] = 32


@register
class MessengerHtmlImporter(_MetaHtml):
    name: ClassVar[str] = "messenger-html"
    platform: ClassVar[str] = "messenger"
    priority: ClassVar[int] = 33
