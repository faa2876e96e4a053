"""Readers shared by the format modules: archives (zip/tar, with the expansion budget), one
streaming JSON reader, text lines, a lenient HTML tree, times (one rule for the machine's zone),
reactions, and small record helpers. Nothing here knows a particular app's export."""

__all__ = [
    "archive",
    "htmltree",
    "jsonreader",
    "reactions",
    "records",
    "text",
    "times",
]
