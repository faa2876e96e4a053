"""A small file that decodes to a huge picture cannot take gigabytes (issue #14).

A 171 KB 16-bit PNG of 9400 x 9400 took ``fingerprint`` to 2.2 GB (3.7 GB with ``--exact``): the
16-bit pixels were widened to float64 and the whole RGB picture to float64 luma. The PNG is written
here row by row (never held whole) and read in a fresh process, whose peak memory is measured with
resource.getrusage.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unshared.errors import UnsupportedMedia
from unshared.fingerprints.images import MAX_EXACT_PIXELS, read_luma, read_rgb

MiB = 1 << 20


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def write_grey16_png(path: Path, width: int, height: int) -> Path:
    """A 16-bit greyscale PNG with a soft diagonal gradient, written one row at a time."""
    squeeze = zlib.compressobj(9)
    parts = [
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)),
    ]
    idat = bytearray()
    for y in range(height):
        value = (y * 65535) // max(height - 1, 1)
        row = b"\x00" + struct.pack(">H", value) * width
        idat += squeeze.compress(row)
    idat += squeeze.flush()
    parts += [_chunk(b"IDAT", bytes(idat)), _chunk(b"IEND", b"")]
    path.write_bytes(b"".join(parts))
    return path


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_grey16_png(tmp_path_factory.mktemp("huge") / "huge16.png", 9400, 9400)
    assert path.stat().st_size < 400 * 1024
    return path


#: ru_maxrss carries over the peak of the process that started this one (Linux keeps it across
#: fork and exec), so the work runs in a forked child and is read as RUSAGE_CHILDREN beside an
#: idle child forked from the same state.
PEAK = """
import os, resource, sys
from pathlib import Path
from unshared.errors import UnsharedError

def child_peak(work):
    pid = os.fork()
    if pid == 0:
        try:
            work()
        except UnsharedError as exc:
            print("refused:", exc.message, flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

path = Path(sys.argv[2])
if sys.argv[1] == "fingerprint":
    from unshared.fingerprints.media import Options, fingerprint_file
    work = lambda: print("pdq:", fingerprint_file(path).pdq, flush=True)
elif sys.argv[1] == "exact":
    from unshared.fingerprints.media import Options, fingerprint_file
    work = lambda: print("pdq:", fingerprint_file(path, Options(exact=True)).pdq, flush=True)
else:
    from unshared.importers import FileSource, ImportOptions, get
    imp = get("screenshot")
    work = lambda: print("records:", len(list(imp.parse(FileSource(path), ImportOptions()))))
idle = child_peak(lambda: None)
busy = child_peak(work)
print("grown_mib:", (busy - idle) // 1024)
"""


def _peak(what: str, path: Path) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PEAK, what, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    grown = int(out.rsplit("grown_mib:", 1)[1])
    return out, grown


@pytest.mark.parametrize("what", ["fingerprint", "exact", "screenshot"])
def test_a_171kb_16bit_png_of_9400x9400_stays_under_half_a_gigabyte(
    huge_png: Path, what: str
) -> None:
    out, grown = _peak(what, huge_png)
    assert grown < 512, f"{what}: peak memory grew by {grown} MiB\n{out}"
    if what == "fingerprint":
        assert "pdq:" in out, out  # read in reduced form, not refused


def test_16bit_pixels_keep_their_picture(tmp_path: Path) -> None:
    """16-bit values are scaled to 8 bits (not clipped to white), in the fast and exact paths."""
    path = write_grey16_png(tmp_path / "ramp.png", 800, 600)
    img = read_luma(path)
    column = np.asarray(img.luma, dtype=np.float64)[:, 0]
    assert column[0] < 10 and column[-1] > 245
    assert np.all(np.diff(column) >= -1)  # top dark to bottom light, as written
    rgb, fmt = read_rgb(path)
    assert fmt == "PNG" and rgb.shape == (600, 800, 3)
    assert rgb[0, 0, 0] < 10 and rgb[-1, 0, 0] > 245


def test_the_exact_path_refuses_more_pixels_than_its_cap(tmp_path: Path) -> None:
    side = int(MAX_EXACT_PIXELS**0.5) + 10
    path = tmp_path / "wide.png"
    Image.new("L", (side, side), 128).save(path)
    with pytest.raises(UnsupportedMedia, match="exact"):
        read_rgb(path)
