"""Render synthetic chat screenshots with Pillow (no real images): bubbles left and right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class Bubble:
    side: str  # "left" (other party) or "right" (victim)
    lines: tuple[str, ...]
    time: str | None = None


def render_chat(
    bubbles: list[Bubble],
    *,
    width: int = 1080,
    dark: bool = False,
    header: str | None = None,
) -> Image.Image:
    font = ImageFont.truetype(FONT, 28)
    small = ImageFont.truetype(FONT, 20)
    bg = (18, 18, 18) if dark else (255, 255, 255)
    fg = (240, 240, 240) if dark else (20, 20, 20)
    left_fill = (50, 50, 55) if dark else (229, 229, 234)
    right_fill = (0, 92, 75) if dark else (220, 248, 198)
    pad, gap, line_h = 18, 28, 38
    height = 60 + (90 if header else 0)
    for b in bubbles:
        height += pad * 2 + line_h * len(b.lines) + (28 if b.time else 0) + gap
    image = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(image)
    y = 30
    if header:
        draw.rectangle((0, 0, width, 80), fill=(240, 240, 240) if not dark else (35, 35, 35))
        tw = draw.textlength(header, font=font)
        draw.text(((width - tw) / 2, 22), header, font=font, fill=fg)
        y = 120
    for b in bubbles:
        text_w = max(draw.textlength(line, font=font) for line in b.lines)
        if b.time:
            text_w = max(text_w, draw.textlength(b.time, font=small) + 20)
        box_w = int(text_w) + pad * 2
        box_h = pad * 2 + line_h * len(b.lines) + (28 if b.time else 0)
        x0 = 30 if b.side == "left" else width - 30 - box_w
        draw.rounded_rectangle(
            (x0, y, x0 + box_w, y + box_h),
            radius=18,
            fill=left_fill if b.side == "left" else right_fill,
        )
        ty = y + pad
        for line in b.lines:
            draw.text((x0 + pad, ty), line, font=font, fill=fg)
            ty += line_h
        if b.time:
            tw = draw.textlength(b.time, font=small)
            draw.text(
                (x0 + box_w - pad - tw, ty),
                b.time,
                font=small,
                fill=(120, 120, 120) if not dark else (170, 170, 170),
            )
        y += box_h + gap
    return image


CONVERSATION = [
    Bubble("left", ("Hey, I saw your profile",), "21:02"),
    Bubble("right", ("Who is this?",), "21:03"),
    Bubble(
        "left",
        ("I have your photos.", "Send 500 dollars or I", "share them with everyone"),
        "21:05",
    ),
    Bubble("right", ("Please do not do this",), "21:06"),
    Bubble("left", ("You have one hour",), "9:07 PM"),
]


def write_sample(path: Path) -> Path:
    render_chat(CONVERSATION).save(path)
    return path


if __name__ == "__main__":
    write_sample(Path(__file__).parents[1] / "data/importers/screenshot/chat.png")
