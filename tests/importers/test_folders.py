"""A folder or zip that holds a known export, at any depth, imports as that export with its media.

Issue #22: the Telegram ``ChatExport_2024-01-04/`` folder from docs/formats.md (result.json and
its media), the same folder zipped, and an unzipped WhatsApp export folder were all refused with
"not a chat export or screenshot this tool can read", while the bare result.json imported.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC
from pathlib import Path

import pytest

from unshared.casefile import Case
from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message
from unshared.usecases.add import add_files

from .builders import ANDROID_CHAT, FAKE_JPEG

OPTIONS = ImportOptions(timezone=UTC)
PHOTO = "photos/photo_1@04-01-2024_12-00-00.jpg"

RESULT = {
    "name": "Max R",
    "type": "personal_chat",
    "id": 4242,
    "messages": [
        {
            "id": 1,
            "type": "message",
            "date": "2024-01-04T12:00:00",
            "date_unixtime": "1704369600",
            "from": "Max R",
            "from_id": "user4242",
            "text": "pay or I post it",
        },
        {
            "id": 2,
            "type": "message",
            "date": "2024-01-04T12:01:00",
            "date_unixtime": "1704369660",
            "from": "Max R",
            "from_id": "user4242",
            "photo": PHOTO,
            "width": 10,
            "height": 10,
            "text": "",
        },
    ],
}


def _telegram_folder(root: Path) -> Path:
    folder = root / "ChatExport_2024-01-04"
    (folder / "photos").mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(RESULT), encoding="utf-8")
    (folder / PHOTO).write_bytes(FAKE_JPEG)
    return folder


def _whatsapp_folder(root: Path) -> Path:
    folder = root / "WhatsApp Chat with Jo Bloggs"
    folder.mkdir(parents=True)
    (folder / "WhatsApp Chat with Jo Bloggs.txt").write_text(ANDROID_CHAT, encoding="utf-8")
    (folder / "IMG-20230713-WA0001.jpg").write_bytes(FAKE_JPEG)
    return folder


def _zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder.parent).as_posix())
    return target


def _check_telegram(messages: list[Message]) -> None:
    assert [m.text for m in messages][:1] == ["pay or I post it"]
    (photo,) = [a for m in messages for a in m.attachments]
    assert photo.kind == "photo"
    assert photo.member_sha256 == hashlib.sha256(FAKE_JPEG).hexdigest()
    assert photo.uri is not None and photo.uri.endswith(PHOTO)


def _parse(path: Path) -> tuple[str, list[Message]]:
    source = FileSource(path)
    imp = detect(source)
    return imp.name, [r for r in imp.parse(source, OPTIONS) if isinstance(r, Message)]


@pytest.mark.parametrize("prefix", ["", "Telegram Desktop/", "Downloads/Telegram Desktop/old/"])
def test_a_zipped_telegram_chat_export_imports_with_its_media(tmp_path: Path, prefix: str) -> None:
    path = _zip_folder(_telegram_folder(tmp_path), tmp_path / "export.zip", prefix)
    fmt, messages = _parse(path)
    assert fmt == "telegram"
    _check_telegram(messages)


def test_a_telegram_chat_export_folder_imports_with_its_media(tmp_path: Path) -> None:
    folder = _telegram_folder(tmp_path / "Downloads" / "Telegram Desktop")
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [folder], OPTIONS)
        assert result.error is None, result.error
        assert result.format == "telegram" and result.messages == 2
        messages = [s.message for s in case.messages()]
    _check_telegram(messages)


def test_an_unzipped_whatsapp_folder_imports_with_its_media(tmp_path: Path) -> None:
    folder = _whatsapp_folder(tmp_path / "Downloads" / "exports" / "chats")
    with Case.create(tmp_path / "c.unshared", None) as case:
        (result,) = add_files(case, [folder], OPTIONS)
        assert result.error is None, result.error
        assert result.format == "whatsapp" and result.messages >= 3
        messages = [s.message for s in case.messages()]
    linked = [a for m in messages for a in m.attachments if a.member_sha256]
    assert [a.member_sha256 for a in linked] == [hashlib.sha256(FAKE_JPEG).hexdigest()]


def test_a_whatsapp_export_zipped_deep_inside_folders_imports(tmp_path: Path) -> None:
    path = _zip_folder(_whatsapp_folder(tmp_path), tmp_path / "w.zip", "a/b/c/")
    fmt, messages = _parse(path)
    assert fmt == "whatsapp" and len(messages) >= 3


def test_pasted_text_without_name_lines_says_which_form_is_expected() -> None:
    """Issue #22: pasted text without "Name: message" lines was refused with no hint."""
    from unshared.errors import WrongFormat
    from unshared.importers import BytesSource

    pasted = b"hey are you there\nsend me the money or else\nI have your pictures\n"
    with pytest.raises(WrongFormat) as caught:
        detect(BytesSource(pasted, "pasted.txt"))
    message = caught.value.message
    assert "Name: message" in message and "one message per line" in message
    assert caught.value.path == "pasted.txt"
    # the same words in the expected form import
    fixed = b"".join(b"Sam: " + line + b"\n" for line in pasted.splitlines())
    assert detect(BytesSource(fixed, "pasted.txt")).name == "plaintext"


def test_binary_input_keeps_the_plain_refusal() -> None:
    from unshared.errors import WrongFormat
    from unshared.importers import BytesSource

    with pytest.raises(WrongFormat) as caught:
        detect(BytesSource(bytes(range(256)) * 4, "blob.bin"))
    assert "Name: message" not in caught.value.message
