"""Chat screenshots (PNG, JPEG, HEIC, WebP): OCR with tesseract, message bubbles recovered.

The image itself stays the exhibit; this importer only adds the text it can read, each message
linked back to the bubble's box in pixels (``Locator.bbox``). How it works:

1. The image is decoded with Pillow (HEIC through pillow-heif), turned grey, inverted when it is
   a dark-mode screenshot and enlarged when small, then piped to the ``tesseract`` binary on
   stdin (never written to disk) with TSV output: one row per word with its box and confidence.
2. Words are grouped into lines (vertical overlap, horizontal gaps), lines into bubbles
   (a vertical gap larger than about half a line, or a change of side, starts a new bubble).
3. The side comes from where the bubble sits: hugging the left edge is the other party, the
   right edge is the victim; a centred line (date separators, "Today") is a system message.
4. A time at the end of a bubble (``12:03``, ``9:07 PM``) becomes the flag
   ``time_of_day:HH:MM``; with no date on screen ``sent_at`` stays empty.
5. Bubbles read with a mean word confidence under 70 are flagged ``ocr_low_confidence``.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import median
from typing import Any, ClassVar

import numpy as np

from unshared.errors import LimitExceeded, ParseError, UnsupportedMedia, WrongFormat
from unshared.importers.base import ImportOptions, Source, register
from unshared.model import Locator, Message, Participant, Record

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_TIME = re.compile(
    r"(?:^|\s)(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
    r"[\s✓✔vV/,.'`]*$"
)
_MAX_PIXELS = 60_000_000
LOW_CONFIDENCE = 70.0


def image_kind(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass
class Word:
    x: int
    y: int
    w: int
    h: int
    conf: float
    text: str

    @property
    def x1(self) -> int:
        return self.x + self.w

    @property
    def y1(self) -> int:
        return self.y + self.h


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)

    @property
    def box(self) -> tuple[int, int, int, int]:
        x0 = min(w.x for w in self.words)
        y0 = min(w.y for w in self.words)
        return x0, y0, max(w.x1 for w in self.words), max(w.y1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.x))


@dataclass
class Bubble:
    lines: list[Line]
    side: str

    @property
    def box(self) -> tuple[int, int, int, int]:
        boxes = [ln.box for ln in self.lines]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    @property
    def confidence(self) -> float:
        words = [w for ln in self.lines for w in ln.words]
        return sum(w.conf for w in words) / len(words)


def parse_tsv(tsv: str, scale: float = 1.0) -> list[Word]:
    """Word rows of tesseract's TSV output, boxes scaled back to the original image."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        try:
            x, y, w, h = (int(c) for c in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if not text or conf < 0:
            continue
        if text == "|":  # DejaVu/Roboto capital I read as a bar; a lone bar is rare in chat text
            text = "I"
        words.append(
            Word(round(x / scale), round(y / scale), round(w / scale), round(h / scale), conf, text)
        )
    return words


def group_lines(words: list[Word]) -> list[Line]:
    """Words into text lines: rows of vertically overlapping words, split at wide gaps."""
    rows: list[tuple[float, float, list[Word]]] = []
    for word in sorted(words, key=lambda w: (w.y + w.h / 2, w.x)):
        centre = word.y + word.h / 2
        if rows:
            top, bottom, members = rows[-1]
            if top <= centre <= bottom:
                members.append(word)
                rows[-1] = (min(top, word.y), max(bottom, word.y1), members)
                continue
        rows.append((word.y, word.y1, [word]))
    lines: list[Line] = []
    for _top, _bottom, members in rows:
        members.sort(key=lambda w: w.x)
        height = median(w.h for w in members)
        current = Line([members[0]])
        for word in members[1:]:
            if word.x - current.box[2] > 2.5 * max(height, 8):
                lines.append(current)
                current = Line([word])
            else:
                current.words.append(word)
        lines.append(current)
    return sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))


def side_of(box: tuple[int, int, int, int], width: int) -> str:
    x0, _, x1, _ = box
    left, right = x0 / width, (width - x1) / width
    if abs(left - right) < 0.06 and left > 0.15:
        return "centre"
    return "left" if left < right else "right"


class Page:
    """The grey image, to tell bubble backgrounds from the page background."""

    def __init__(self, pixels: Any) -> None:
        self.px = pixels
        width = pixels.shape[1]
        margin = np.concatenate([pixels[:, 1], pixels[:, width - 2]])
        values, counts = np.unique(margin, return_counts=True)
        self.background = int(values[counts.argmax()])

    def is_background(self, value: Any) -> Any:
        return np.abs(value.astype(np.int16) - self.background) <= 10

    def in_bubble(self, box: tuple[int, int, int, int]) -> bool:
        """True when the text sits on a visible bubble (padding left of it is not page)."""
        x0, y0, _, y1 = box
        height = self.px.shape[0]
        xs = max(0, x0 - 4)
        ys = slice(max(0, y0), min(height, y1 + 1))
        column = self.px[ys, xs]
        return bool(column.size) and not bool(self.is_background(column).mean() > 0.5)

    def separated(self, upper: tuple[int, int, int, int], lower: tuple[int, int, int, int]) -> bool:
        """True when a full row of page background lies between the two boxes."""
        x0, x1 = max(upper[0], lower[0]), min(upper[2], lower[2])
        y0, y1 = upper[3] + 1, lower[1]
        if x1 <= x0 or y1 <= y0:
            return False
        xs = np.linspace(x0, x1 - 1, num=7).astype(int)
        rows = self.px[y0:y1, :][:, xs]
        return bool(self.is_background(rows).all(axis=1).any())


def group_bubbles(lines: list[Line], width: int, page: Page | None = None) -> list[Bubble]:
    """Lines into bubbles: same side, overlapping horizontally and not split by page background
    (or, when bubbles have no visible background, by a gap wider than about a line)."""
    if not lines:
        return []
    heights = [ln.box[3] - ln.box[1] for ln in lines]
    typical = median(heights) if heights else 20
    bubbles: list[Bubble] = []
    for line in lines:
        side = side_of(line.box, width)
        if bubbles:
            last = bubbles[-1]
            previous = last.lines[-1].box
            bx0, _, bx1, by1 = last.box
            x0, y0, x1, _ = line.box
            overlaps = min(bx1, x1) - max(bx0, x0) > 0
            same_side = side == last.side or (
                overlaps and "centre" in (side, last.side) and last.side != "centre"
            )
            if page is not None and page.in_bubble(line.box) and page.in_bubble(previous):
                together = not page.separated(previous, line.box) and y0 - by1 < 3 * typical
            else:
                together = y0 - by1 < 0.75 * typical
            if together and overlaps and same_side:
                last.lines.append(line)
                continue
        bubbles.append(Bubble([line], side))
    return bubbles


def split_time(text: str) -> tuple[str, str | None]:
    """(text without the trailing time, "HH:MM" in 24 h) when the bubble ends with a time."""
    m = _TIME.search(text)
    if m is None:
        return text, None
    hour, minute = int(m.group("h")), int(m.group("m"))
    ampm = (m.group("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return text[: m.start()].rstrip(), f"{hour:02d}:{minute:02d}"


def _tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        raise UnsupportedMedia(
            "reading text from screenshots needs tesseract (Debian: apt install tesseract-ocr "
            "tesseract-ocr-eng); the screenshot itself is kept as evidence"
        )
    return found


def _grey(img: Any) -> Any:
    """8-bit greyscale; 16-bit pictures are scaled (Pillow's own conversion clips them white)."""
    from PIL import Image

    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img)
        out = np.empty(arr.shape, dtype=np.uint8)
        if int(arr.max()) > 255:
            np.right_shift(arr, 8, out=out, casting="unsafe")
        else:
            np.clip(arr, 0, 255, out=out, casting="unsafe")
        return Image.fromarray(out)
    return img.convert("L")


def ocr_words(data: bytes, name: str, lang: str = "eng") -> tuple[list[Word], Page]:
    """Decode the image, prepare it for OCR and run tesseract: (words, page)."""
    from PIL import Image, ImageFilter, ImageOps

    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a dependency
        pass
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format == "JPEG" and img.width * img.height > _MAX_PIXELS:
                # decoded already reduced (1/2, 1/4 or 1/8 in the DCT domain)
                img.draft("L", (img.width // 2, img.height // 2))
            pixels = img.width * img.height
            if pixels > _MAX_PIXELS:
                raise LimitExceeded(
                    f"the image is too large to read ({pixels / 1e6:.0f} megapixels; "
                    f"at most {_MAX_PIXELS / 1e6:.0f})",
                    path=name,
                )
            img.load()
            grey = _grey(ImageOps.exif_transpose(img))
    except LimitExceeded:
        raise
    except Exception as exc:  # any decoder failure on a broken or hostile file
        raise ParseError(f"the image cannot be decoded ({type(exc).__name__})", path=name) from None
    width, height = grey.size
    page = Page(np.asarray(grey))
    if width < 20 or height < 20:
        raise ParseError("the image is too small to hold readable text", path=name)
    mean = sum(i * n for i, n in enumerate(grey.histogram())) / (width * height)
    if mean < 110:  # dark mode: light text on dark bubbles
        grey = ImageOps.invert(grey)
    scale = 1.0
    if width < 900:
        scale = min(3.0, 1200 / width)
        grey = grey.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
    if scale > 1:
        grey = grey.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=3))
    words = parse_tsv(_run_tesseract(grey, name, lang), scale)
    if len(words) < 3:
        # soft or blurred text: a second try with strong sharpening often recovers it
        sharp = ImageOps.autocontrast(
            grey.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=2)), cutoff=1
        )
        retry = parse_tsv(_run_tesseract(sharp, name, lang), scale)
        if len(retry) > len(words):
            words = retry
    return words, page


def _run_tesseract(image: Any, name: str, lang: str) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        done = subprocess.run(
            [_tesseract(), "stdin", "stdout", "-l", lang, "--psm", "3", "tsv"],
            input=buf.getvalue(),
            capture_output=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ParseError("OCR took too long on this image", path=name) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ParseError(f"OCR failed: {detail[0]}", path=name)
    return done.stdout.decode("utf-8", "replace")


@register
class ScreenshotImporter:
    name: ClassVar[str] = "screenshot"
    platform: ClassVar[str] = "screenshot"
    priority: ClassVar[int] = 900

    def sniff(self, source: Source) -> None:
        if image_kind(source.head(32)) is None:
            raise WrongFormat("not a PNG, JPEG, HEIC or WebP image", path=source.name)

    def parse(self, source: Source, options: ImportOptions) -> Iterator[Record]:
        with source.open() as fh:
            data = fh.read()
        words, page = ocr_words(data, source.name)
        width = page.px.shape[1]
        conversation = source.name
        me = sorted(options.me)[0] if options.me else "Me"
        names = {"left": "Other person", "right": me}
        announced: set[str] = set()
        for bubble in group_bubbles(group_lines(words), width, page):
            text = "\n".join(line.text for line in bubble.lines)
            text, time_of_day = split_time(text)
            flags = {"ocr", f"ocr_confidence:{round(bubble.confidence)}"}
            if bubble.confidence < LOW_CONFIDENCE:
                flags.add("ocr_low_confidence")
            if time_of_day:
                flags.add(f"time_of_day:{time_of_day}")
            side = bubble.side
            sender = names.get(side)
            if sender and side not in announced:
                announced.add(side)
                yield Participant(
                    "screenshot",
                    conversation,
                    sender,
                    side="other" if side == "left" else "victim",
                )
            x0, y0, x1, y1 = bubble.box
            yield Message(
                platform="screenshot",
                conversation=conversation,
                sender=sender,
                text=text,
                locator=Locator(bbox=(x0, y0, x1 - x0, y1 - y0)),
                kind="system" if side == "centre" else "message",
                flags=frozenset(flags | {f"side:{side}"}),
            )
