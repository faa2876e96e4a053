"""Generated test media for the fingerprint benchmarks and tests (never real intimate images).

Pictures come from scikit-image's bundled sample data or are drawn procedurally; videos are
encoded from them with PyAV. Everything is deterministic (seeded).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "camera",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "coins",
    "clock",
    "motorcycle",
    "grass",
    "gravel",
    "brick",
    "moon",
)  # not "cat": scikit-image's cat is the same picture as chelsea


def photo(name: str) -> np.ndarray:
    """An RGB uint8 sample picture from scikit-image."""
    import skimage.data as data

    arr = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    arr = np.asarray(arr)
    if arr.dtype != np.uint8:
        arr = (255 * (arr - arr.min()) / max(1e-9, float(arr.max() - arr.min()))).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return np.ascontiguousarray(arr[..., :3])


def big_photo(name: str, size: tuple[int, int] = (4000, 3000), seed: int = 0) -> Image.Image:
    """``name`` upscaled to ``size`` (12 MP by default) with fine sensor-like grain and texture."""
    rng = np.random.default_rng(seed)
    base = Image.fromarray(photo(name)).resize(size, Image.Resampling.BICUBIC)
    arr = np.asarray(base).astype(np.int16)
    grain = rng.normal(0, 5, (size[1], size[0], 1)).astype(np.int16)
    return Image.fromarray(np.clip(arr + grain, 0, 255).astype(np.uint8))


def rgb_of(path: Path) -> np.ndarray:
    """Every pixel of an image file as RGB (the common decoding path)."""
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def jpeg_bytes(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def procedural(seed: int, size: tuple[int, int] = (480, 360)) -> np.ndarray:
    """A random smooth scene: layered noise at a few scales, blobs and a gradient, in colour."""
    rng = np.random.default_rng(10_000 + seed)
    w, h = size
    out = np.zeros((h, w, 3))
    for cells in (3, 6, 12, 24):
        coarse = rng.normal(0, 1, (cells, cells, 3))
        layer = np.stack(
            [
                np.asarray(
                    Image.fromarray(coarse[..., c].astype(np.float32), mode="F").resize(
                        (w, h), Image.Resampling.BICUBIC
                    )
                )
                for c in range(3)
            ],
            axis=-1,
        )
        out += layer * rng.uniform(0.3, 1.0) * (24.0 / cells) ** 0.5
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(rng.integers(2, 7)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 140)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2) < r * r
        out[mask] += rng.normal(0, 2.5, 3)
    angle = rng.uniform(0, 2 * np.pi)
    out += (np.cos(angle) * xx / w + np.sin(angle) * yy / h)[..., None] * rng.uniform(-2, 2)
    out = (out - out.mean()) / (out.std() + 1e-9)
    scene: np.ndarray = np.clip(128 + 45 * out, 0, 255).astype(np.uint8)
    return scene


def tiles(name: str, grid: tuple[int, int] = (3, 2)) -> Iterator[np.ndarray]:
    """Non-overlapping tiles of a sample picture: different content from one source."""
    arr = photo(name)
    h, w = arr.shape[:2]
    cols, rows = grid
    for r in range(rows):
        for c in range(cols):
            tile = arr[r * h // rows : (r + 1) * h // rows, c * w // cols : (c + 1) * w // cols]
            yield np.asarray(Image.fromarray(tile).resize((480, 360), Image.Resampling.BICUBIC))


def unrelated_set(procedural_count: int = 60) -> list[tuple[str, np.ndarray]]:
    """Many distinct pictures: every sample photo, its tiles, and procedural scenes."""
    out: list[tuple[str, np.ndarray]] = []
    for name in PHOTOS:
        out.append((name, photo(name)))
        for i, tile in enumerate(tiles(name)):
            out.append((f"{name}-tile{i}", tile))
    for seed in range(procedural_count):
        out.append((f"procedural-{seed}", procedural(seed)))
    return out


# ---------------------------------------------------------------------------- attacks
def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # very old Pillow
        return ImageFont.load_default()


def _jpeg30(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(im, 30))).convert("RGB")


def _resize50(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    return im.resize((max(1, im.width // 2), max(1, im.height // 2)), Image.Resampling.BILINEAR)


def _brightness(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    return ImageEnhance.Brightness(im).enhance(1.3)


def _watermark(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    out = im.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(10, im.height // 14)
    x = int(rng.uniform(0.05, 0.45) * im.width)
    y = int(rng.uniform(0.1, 0.8) * im.height)
    draw.text((x, y), "@leaked_account", font=_font(size), fill=(255, 255, 255, 150))
    return Image.alpha_composite(out, layer).convert("RGB")


def _caption(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    band = max(12, int(im.height * 0.15))
    out = Image.new("RGB", (im.width, im.height + band), (255, 255, 255))
    top = bool(rng.integers(0, 2))
    out.paste(im, (0, band if top else 0))
    draw = ImageDraw.Draw(out)
    y = 0 if top else im.height
    draw.text(
        (im.width // 20, y + band // 5), "look who it is", font=_font(band // 2), fill=(0, 0, 0)
    )
    return out


def _crop10(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    w, h = im.size
    cw, ch = int(w * 0.9), int(h * 0.9)
    x = int(rng.uniform(0, w - cw))
    y = int(rng.uniform(0, h - ch))
    return im.crop((x, y, x + cw, y + ch))


def _mirror(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    return im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def _rotate90(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    return im.transpose(Image.Transpose.ROTATE_90)


ATTACKS: dict[str, Callable[[Image.Image, np.random.Generator], Image.Image]] = {
    "JPEG q30": _jpeg30,
    "resize 50%": _resize50,
    "brightness +30%": _brightness,
    "text watermark": _watermark,
    "caption banner 15%": _caption,
    "10% crop": _crop10,
    "mirror": _mirror,
    "rotate 90°": _rotate90,
}


# ---------------------------------------------------------------------------- video
def write_video(
    path: Path,
    frames: list[np.ndarray],
    *,
    fps: int = 10,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
) -> Path:
    """Encode RGB frames (all the same even size) into ``path`` with PyAV."""
    import av

    h, w = frames[0].shape[:2]
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        for arr in frames:
            frame = av.VideoFrame.from_ndarray(arr, format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def video_frames(
    seconds: int = 3, fps: int = 10, size: tuple[int, int] = (320, 240)
) -> list[np.ndarray]:
    """A slow pan across sample pictures: each second shows a different scene."""
    names = ["astronaut", "coffee", "chelsea", "rocket", "camera", "retina"]
    frames = []
    for s in range(seconds):
        base = Image.fromarray(photo(names[s % len(names)])).resize(
            (size[0] + 2 * fps, size[1] + 2 * fps), Image.Resampling.BICUBIC
        )
        for f in range(fps):
            frames.append(np.asarray(base.crop((f, f, f + size[0], f + size[1]))))
    return frames
