"""Synthetic WhatsApp exports (the real .txt-in-zip layout) for police tests: one offender
network working several victims with the same Skype ID, picture and script, and an unrelated
offender. Pictures are generated, never real."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image


def picture(seed: int, quality: int = 90) -> bytes:
    rng = np.random.default_rng(seed)
    img = (rng.random((256, 256, 3)) * 255).astype("uint8")
    img[64:192, 64:192] = 30
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def network_chat(
    path: Path,
    victim: str,
    offender: str,
    minute: int,
    *,
    skype: str,
    picture_seed: int,
    quality: int = 90,
    script: int = 0,
) -> Path:
    """A sextortion chat in WhatsApp's export layout, zipped with the picture the offender sent."""
    scripts = [
        (
            "I have recorded everything. Pay 500 pounds by Western Union or I will send the "
            "video to all your friends and family",
            "you have 24 hours or your life is over, everyone will see it. Western Union "
            "receiver name: John Okafor, City: Lagos, Country: Nigeria",
        ),
        (
            "Listen carefully, send 300 dollars in Steam gift cards right now or this goes "
            "viral on every page your school follows",
            "tick tock, the clock is running and I am not joking with you",
        ),
    ][script]
    lines = [
        f"12/03/2024, 21:{minute:02d} - {offender}: hey {victim} you are so cute, add me on skype "
        f"{skype}",
        f"12/03/2024, 21:{minute + 1:02d} - {victim}: ok who is this",
        f"12/03/2024, 21:{minute + 2:02d} - {offender}: IMG-20240312-WA0001.jpg (file attached)",
        f"12/03/2024, 21:{minute + 3:02d} - {offender}: {scripts[0]}",
        f"12/03/2024, 21:{minute + 4:02d} - {offender}: {scripts[1]}",
        f"12/03/2024, 21:{minute + 5:02d} - {victim}: please stop, I am {victim} and I am scared",
    ]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"WhatsApp Chat with {offender}.txt", "\n".join(lines) + "\n")
        z.writestr("IMG-20240312-WA0001.jpg", picture(picture_seed, quality))
    return path
