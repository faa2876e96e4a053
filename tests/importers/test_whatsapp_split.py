"""The block reader of WhatsApp text gives exactly the messages of the line reader.

The block reader is what imports use for UTF-8 text; the line reader is the plain reference (and
what UTF-16 files use). Stored messages are compared byte for byte by ``verify``, so the two must
agree on every input: line numbers, byte offsets, continuation lines, CRLF, blank lines, headers of
another shape, text before the first header and bad UTF-8, across block ends.
"""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unshared.errors import ParseError
from unshared.importers.formats.whatsapp_header import match_header
from unshared.importers.formats.whatsapp_split import Pending, split_blocks, split_lines

_LINES = st.sampled_from(
    [
        "12/03/2024, 21:04 - Alex: I have your video",
        "12/03/2024, 21:05 - Sam: what? é 😀",
        "[12.03.24, 21:06:07] Bob: another shape",
        "3/12/24, 9:07\u202fPM - Jo: a US header",
        "12/03/2024, 25:61 - not a header: hour 25",
        "\u200e12/03/2024, 21:08 - Alex: \u200eimage omitted",
        "a continuation line",
        "",
        "   ",
        "ünïcödé ✓ continuation",
        "12/03/2024, 21:09 - Messages and calls are end-to-end encrypted.",
    ]
)


def _text(lines: list[str], crlf: list[bool], tail: bool) -> bytes:
    ends = ["\r\n" if c else "\n" for c in crlf] + ["\n"] * len(lines)
    body = "".join(line + end for line, end in zip(lines, ends, strict=False))
    return (body if tail else body.rstrip("\n")).encode("utf-8")


def _run(
    reader: str, data: bytes, accepted: set[tuple[bool, str, int, bool, bool]] | None, size: int
) -> tuple[list[Pending], str | None]:
    out: list[Pending] = []
    try:
        if reader == "lines":
            out.extend(split_lines(io.BytesIO(data), "chat.txt", None, accepted))
        else:
            found = split_blocks(io.BytesIO(data), "chat.txt", None, accepted, size)
            assert found is not None
            out.extend(found)
    except ParseError as exc:
        return [], f"{exc.message} @ {exc.where}"
    return out, None


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(_LINES, max_size=40),
    crlf=st.lists(st.booleans(), max_size=40),
    tail=st.booleans(),
    only_first_shape=st.booleans(),
    size=st.integers(min_value=1, max_value=300),
    bom=st.booleans(),
)
def test_block_reader_equals_line_reader(
    lines: list[str], crlf: list[bool], tail: bool, only_first_shape: bool, size: int, bom: bool
) -> None:
    data = (codecs.BOM_UTF8 if bom else b"") + _text(lines, crlf, tail)
    first = match_header("12/03/2024, 21:04 - Alex: x")
    assert first is not None
    accepted = {first.shape} if only_first_shape else None
    assert _run("blocks", data, accepted, size) == _run("lines", data, accepted, 1)


@pytest.mark.parametrize("size", [7, 64, 1 << 20])
def test_bad_utf8_is_named_by_line_and_byte_in_both(size: int) -> None:
    data = b"12/03/2024, 21:04 - Alex: fine\ncontinued\n" + b"bad \xff byte\n"
    blocks = _run("blocks", data, None, size)
    assert blocks == _run("lines", data, None, 1)
    assert blocks[1] == "not valid UTF-8 text (is this the right file?) @ line 3, byte 45"


def test_a_giant_message_across_many_blocks_keeps_every_line() -> None:
    lines = [f"line {i} " + "x" * 50 for i in range(2000)]
    data = ("12/03/2024, 21:04 - Alex: start\n" + "\n".join(lines) + "\n").encode()
    found, error = _run("blocks", data, None, 4096)
    assert error is None
    assert len(found) == 1
    assert found[0].extra == lines


def test_utf16_text_is_left_to_the_line_reader() -> None:
    data = codecs.BOM_UTF16_LE + "12/03/2024, 21:04 - Alex: hi\n".encode("utf-16-le")
    assert split_blocks(io.BytesIO(data), "chat.txt", None, None) is None
    assert [p.body for p in split_lines(io.BytesIO(data), "chat.txt", None, None)] == ["Alex: hi"]
