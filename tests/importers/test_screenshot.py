"""Screenshot OCR: synthetic chat screenshots rendered with Pillow, read with real tesseract."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from unshared.errors import ParseError, UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, ImportOptions, detect, get
from unshared.importers.formats.screenshot import (
    Line,
    Word,
    group_bubbles,
    group_lines,
    parse_tsv,
    split_time,
)
from unshared.model import Message, Participant

from .chat_render import CONVERSATION, Bubble, render_chat

EXPECTED_TIMES = ["21:02", "21:03", "21:05", "21:06", "21:07"]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _word_recall(expected: list[str], got: list[str]) -> float:
    pool = list(got)
    hits = 0
    for word in expected:
        if word in pool:
            pool.remove(word)
            hits += 1
    return hits / len(expected)


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buf = io.BytesIO()
    image.save(buf, format=fmt, **({"quality": 92} if fmt in ("JPEG", "HEIF") else {}))
    return buf.getvalue()


def _read(data: bytes, name: str) -> tuple[list[Message], list[Participant]]:
    records = list(get("screenshot").parse(BytesSource(data, name), ImportOptions()))
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Participant)],
    )


def _check_conversation(messages: list[Message], bubbles: list[Bubble]) -> None:
    assert len(messages) == len(bubbles), [m.text for m in messages]
    for msg, bubble in zip(messages, bubbles, strict=True):
        side = "other" if bubble.side == "left" else "victim"
        assert msg.sender == ("Other person" if side == "other" else "Me")
        assert f"side:{bubble.side}" in msg.flags
        expected = _words(" ".join(bubble.lines))
        assert _word_recall(expected, _words(msg.text)) >= 0.9, (expected, msg.text)
        assert msg.sent_at is None
        assert msg.locator.bbox is not None
    times = [
        next((f.split(":", 1)[1] for f in m.flags if f.startswith("time_of_day:")), None)
        for m in messages
    ]
    assert times == EXPECTED_TIMES[: len(messages)]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "HEIF"])
def test_reads_bubbles_sides_text_and_times(require_binary: Callable[[str], str], fmt: str) -> None:
    require_binary("tesseract")
    image = render_chat(CONVERSATION)
    data = _encode(image, fmt)
    source = BytesSource(data, f"chat.{fmt.lower()}")
    assert detect(source).name == "screenshot"
    messages, people = _read(data, source.name)
    _check_conversation(messages, CONVERSATION)
    assert {(p.name, p.side) for p in people} == {("Other person", "other"), ("Me", "victim")}
    # the bubble box holds the bubble: the long left message starts near the left edge
    x, _y, w, h = messages[2].locator.bbox  # type: ignore[misc]
    assert x < 120 and w > 250 and h > 90
    assert all(m.kind == "message" for m in messages)
    assert all("ocr_low_confidence" not in m.flags for m in messages)


def test_dark_mode_and_centred_header(require_binary: Callable[[str], str]) -> None:
    require_binary("tesseract")
    bubbles = CONVERSATION[:2]
    image = render_chat(bubbles, dark=True, header="Today")
    messages, _ = _read(_encode(image, "PNG"), "dark.png")
    assert messages[0].kind == "system" and "today" in messages[0].text.lower()
    _check_conversation(messages[1:], bubbles)


def test_blurred_screenshot_is_flagged(require_binary: Callable[[str], str]) -> None:
    require_binary("tesseract")
    image = render_chat([Bubble("left", ("Send the money now",), "10:15")])
    small = image.resize((image.width // 3, image.height // 3)).filter(
        ImageFilter.GaussianBlur(2.2)
    )
    messages, _ = _read(_encode(small, "JPEG"), "blurred.jpg")
    if messages:  # tesseract may read nothing at all; what it does read is flagged
        assert any("ocr_low_confidence" in m.flags for m in messages)


def test_sample_file_is_detected(data_dir: Path) -> None:
    assert (
        detect(FileSource(data_dir / "importers" / "screenshot" / "chat.png")).name == "screenshot"
    )


@pytest.mark.parametrize(
    "data", [b"", b"GIF89a....", b"hello\n", b'{"a":1}', b"\x00" * 64, b"PK\x03\x04rest"]
)
def test_sniff_rejects_non_images(data: bytes) -> None:
    with pytest.raises(WrongFormat):
        get("screenshot").sniff(BytesSource(data, "x"))


def test_broken_image_is_a_parse_error() -> None:
    data = _encode(render_chat(CONVERSATION[:1]), "PNG")
    with pytest.raises(ParseError, match="cannot be decoded"):
        _read(data[: len(data) // 2], "cut.png")


def test_a_cut_image_stays_an_error_after_a_pdf_report(tmp_path: Path) -> None:
    """Importing WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES for the whole process
    (the app makes PDFs and reads screenshots in one process); the renderer switches it back."""
    from unshared.report.render import render_pdf

    render_pdf("<p>report</p>", tmp_path / "report.pdf")
    data = _encode(render_chat(CONVERSATION[:1]), "PNG")
    with pytest.raises(ParseError, match="cannot be decoded"):
        _read(data[: len(data) // 2], "cut.png")


@pytest.mark.parametrize(
    ("text", "rest", "time"),
    [
        ("hello 12:03", "hello", "12:03"),
        ("hello\n9:07 PM", "hello", "21:07"),
        ("ok 12:15 am ✓✓", "ok", "00:15"),
        ("meet at 7.30", "meet at", "07:30"),
        ("no time here", "no time here", None),
        ("price 1200", "price 1200", None),
    ],
)
def test_split_time(text: str, rest: str, time: str | None) -> None:
    assert split_time(text) == (rest, time)


def test_grouping_without_tesseract() -> None:
    tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [
        (40, 50, 60, 20, 96, "Hello"),
        (110, 50, 40, 20, 95, "you"),
        (40, 80, 80, 20, 90, "there"),
        (800, 200, 60, 20, 93, "Stop"),
        (870, 200, 40, 20, 91, "it"),
        (40, 400, 50, 20, 40, "blurry"),
    ]
    tsv += "".join(f"5\t1\t1\t1\t1\t1\t{x}\t{y}\t{w}\t{h}\t{c}\t{t}\n" for x, y, w, h, c, t in rows)
    tsv += "5\t1\t1\t1\t1\t1\t1\t1\t1\t1\t-1\t\n4\t1\t1\t1\t1\t0\t0\t0\t9\t9\t-1\t\n"
    words = parse_tsv(tsv)
    assert [w.text for w in words] == ["Hello", "you", "there", "Stop", "it", "blurry"]
    lines = group_lines(words)
    assert [ln.text for ln in lines] == ["Hello you", "there", "Stop it", "blurry"]
    bubbles = group_bubbles(lines, 1080)
    assert [(b.side, len(b.lines)) for b in bubbles] == [("left", 2), ("right", 1), ("left", 1)]
    assert bubbles[2].confidence < 70
    assert isinstance(lines[0], Line) and isinstance(words[0], Word)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="5\t1234567890.-abc |\n", max_size=400))
def test_fuzz_tsv_and_grouping(tsv: str) -> None:
    words = parse_tsv("header\n" + tsv)
    for bubble in group_bubbles(group_lines(words), 1000):
        assert bubble.lines


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_image_bytes(blob: bytes) -> None:
    data = b"\x89PNG\r\n\x1a\n" + blob
    try:
        _read(data, "fuzz.png")
    except UnsharedError:
        return


def test_a_16bit_screenshot_is_scaled_not_clipped(require_binary: Callable[[str], str]) -> None:
    """16-bit greyscale was converted by clipping every value above 255 to white: the text
    vanished. It is scaled to 8 bits like the fingerprint reader does."""
    require_binary("tesseract")
    import numpy as np

    bubbles = CONVERSATION[:2]
    grey = np.asarray(render_chat(bubbles).convert("L"), dtype=np.uint16) * 257
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, format="PNG")
    assert Image.open(io.BytesIO(buf.getvalue())).mode.startswith("I;16")
    messages, _ = _read(buf.getvalue(), "grey16.png")
    _check_conversation(messages, bubbles)


def test_an_image_past_the_pixel_cap_is_refused_by_size_before_decoding() -> None:
    big = Image.new("L", (9000, 7000), 255)  # 63 megapixels, a few KB as PNG
    buf = io.BytesIO()
    big.save(buf, format="PNG")
    with pytest.raises(UnsharedError, match="megapixels"):
        _read(buf.getvalue(), "huge.png")
