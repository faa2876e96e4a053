"""The contract every registered importer keeps.

Each importer needs at least one sample in SAMPLES: ``exports:<path>`` (a real export under
../shared/fixtures/exports), ``data:<path>`` (tests/data) or ``build:<name>`` (made at test time
by tests/importers/builders.py). A new importer without a sample fails here on purpose.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unshared.importers.base as base_module
from unshared.errors import UnsharedError, WrongFormat
from unshared.importers import BytesSource, FileSource, Importer, ImportOptions, registry
from unshared.model import Message, canonical_json, message_json

from .builders import BUILDERS

SAMPLES: dict[str, list[str]] = {
    "plaintext": ["data:importers/signal_chat.md"],
    "whatsapp": [
        "exports:whatsapp/rwhatsapp_sample_en_GB.txt",
        "exports:whatsapp/chatistics_ios__chat.txt",
        "data:importers/whatsapp_ios_de.txt",
        "build:whatsapp_ios.zip",
        "build:whatsapp_android.zip",
    ],
    "messenger": [
        "exports:messenger/chatminer_testlog.json",
        "data:importers/messenger_e2ee.json",
        "build:messenger_dyi.zip",
    ],
    "instagram": ["exports:instagram/chatminer_testlog_mojibake.json", "build:instagram_dyi.zip"],
    "messenger-html": ["data:importers/messenger_message_1.html"],
    "instagram-html": ["data:importers/instagram_message_1.html"],
    "signal": ["exports:signal/chatminer_signal_test_export.txt", "data:importers/signal_chat.md"],
    "skype": ["data:importers/skype/messages.json"],
    "telegram": [
        "exports:telegram/chatanalytics_DM_2A_7M.json",
        "exports:telegram/chatminer_test_single_export.json",
        "data:importers/telegram/result_account.json",
    ],
    "telegram-html": ["data:importers/telegram/messages.html"],
    "discord": [
        "exports:discord/chatanalytics_dce_DM_2A_2M.json",
        "exports:discord/chatanalytics_dce_GC_3A_5M.json",
        "data:importers/discord/dce_export.csv",
    ],
    "discord-html": ["data:importers/discord/dce_export.html"],
    "discord-package": ["data:importers/discord/package.zip"],
    "snapchat": [
        "data:importers/snapchat/chat_history_old.json",
        "data:importers/snapchat/chat_history_new.json",
        "data:importers/snapchat/chat_history.html",
    ],
    "google-chat": ["data:importers/google_chat/messages.json"],
    "facebook-legacy": ["build:messages.htm", "build:facebook-legacy.zip"],
    "google-voice": [
        "build:Alex Offender - Text - 2024-03-12T21_04_00Z.html",
        "build:takeout-voice.zip",
    ],
    "imessage-html": ["data:importers/imessage/+447700900123.html"],
    "imessage-txt": ["data:importers/imessage/+447700900123.txt"],
    "imessage-db": ["build:chat.db", "build:iphone-backup.zip"],
    "hangouts": ["build:hangouts.json", "build:hangouts_old.json", "build:takeout-hangouts.zip"],
    "screenshot": ["data:importers/screenshot/chat.png"],
    "email": ["data:importers/email/extortion.eml", "data:importers/email/conversation.mbox"],
    "line": [
        "data:importers/line/chat_en.txt",
        "data:importers/line/chat_us_group.txt",
        "data:importers/line/chat_ja.txt",
        "data:importers/line/chat_de.txt",
    ],
    "sms_backup": ["data:importers/sms/sms-20261203091402.xml"],
    "x-dms": [
        "data:importers/x/twitter-2026-12-03-archive.zip",
        "data:importers/x/direct-messages.js",
    ],
}

IMPORTERS = registry()
GARBAGE = bytes(range(256)) * 8 + b"\x89PNG\r\n\x1a\n\x00\x00"
RANDOM_TEXT = b"The quick brown fox jumps over the lazy dog.\nNothing to see here.\n"


@pytest.fixture(scope="session")
def resolve(
    request: pytest.FixtureRequest, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    built = tmp_path_factory.mktemp("built")

    def _resolve(ref: str) -> Path:
        kind, _, rest = ref.partition(":")
        if kind == "exports":
            exports_dir: Path = request.getfixturevalue("exports_dir")
            return exports_dir / rest
        if kind == "data":
            return data_dir / rest
        path = built / rest
        if not path.exists():
            BUILDERS[rest](path)
        return path

    return _resolve


def _samples(imp: Importer) -> list[str]:
    if imp.name not in SAMPLES:
        pytest.fail(f"add a sample for importer {imp.name!r} to SAMPLES in {__file__}")
    return SAMPLES[imp.name]


def _messages(imp: Importer, source: BytesSource | FileSource) -> list[Message]:
    return [r for r in imp.parse(source, ImportOptions()) if isinstance(r, Message)]


@pytest.mark.parametrize("imp", IMPORTERS, ids=lambda i: i.name)
class TestContract:
    def test_declares_itself(self, imp: Importer) -> None:
        assert imp.name and imp.platform
        assert imp.priority < 1000 or imp.name == "plaintext"
        assert _samples(imp)

    @pytest.mark.parametrize(
        "data",
        [b"", b"   \n", GARBAGE, RANDOM_TEXT, b'{"a": 1}'],
        ids=["empty", "blank", "binary", "text", "json"],
    )
    def test_sniff_rejects(self, imp: Importer, data: bytes) -> None:
        with pytest.raises(WrongFormat):
            imp.sniff(BytesSource(data, name="input.txt"))

    def test_sniff_accepts_and_parses_own_samples(
        self, imp: Importer, resolve: Callable[[str], Path]
    ) -> None:
        for ref in _samples(imp):
            source = FileSource(resolve(ref))
            imp.sniff(source)
            messages = _messages(imp, source)
            assert messages, ref
            for msg in messages:
                assert msg.locator.to_dict(), (ref, msg)
                assert msg.platform == imp.platform
                # What the case stores is the generic canonical form, byte for byte.
                assert message_json(msg) == canonical_json(msg.to_dict()), (ref, msg)
                assert msg.kind in ("message", "system")
                assert msg.sent_at is None or msg.sent_at.utcoffset() is not None

    def test_truncated_input_raises_only_own_errors(
        self, imp: Importer, resolve: Callable[[str], Path]
    ) -> None:
        for ref in _samples(imp):
            data = resolve(ref).read_bytes()
            for cut in sorted({1, len(data) // 3, len(data) // 2, max(len(data) - 7, 1)}):
                source = BytesSource(data[:cut], name=resolve(ref).name)
                with contextlib.suppress(UnsharedError):
                    _messages(imp, source)

    def test_fuzzed_samples_raise_only_own_errors(
        self, imp: Importer, resolve: Callable[[str], Path]
    ) -> None:
        samples = [(resolve(ref).name, resolve(ref).read_bytes()) for ref in _samples(imp)]

        @settings(
            max_examples=80,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(
            which=st.integers(min_value=0, max_value=len(samples) - 1),
            edits=st.lists(
                st.tuples(
                    st.sampled_from(["flip", "drop", "insert", "cut"]),
                    st.floats(min_value=0, max_value=1),
                    st.binary(min_size=1, max_size=8),
                ),
                min_size=1,
                max_size=6,
            ),
        )
        def fuzz(which: int, edits: list[tuple[str, float, bytes]]) -> None:
            name, data = samples[which]
            buf = bytearray(data)
            for op, where, blob in edits:
                at = int(where * max(len(buf) - 1, 0))
                if op == "flip" and buf:
                    buf[at] ^= blob[0] or 1
                elif op == "drop":
                    del buf[at : at + len(blob)]
                elif op == "insert":
                    buf[at:at] = blob
                else:
                    del buf[at:]
            source = BytesSource(bytes(buf), name=name)
            with contextlib.suppress(UnsharedError):
                imp.sniff(source)
            with contextlib.suppress(UnsharedError):
                _messages(imp, source)

        fuzz()


def test_every_importer_has_a_sample() -> None:
    missing = [imp.name for imp in IMPORTERS if imp.name not in SAMPLES]
    assert not missing, f"add a sample for importer(s) {missing} to SAMPLES in {__file__}"


def test_every_registering_module_is_a_builtin() -> None:
    """Format modules load on first use of the registry, from base.BUILTIN: a new importer
    module missing from that list would never be found."""
    from unshared.importers.base import BUILTIN

    folder = Path(base_module.__file__).parent / "formats"
    registering = sorted(
        p.stem for p in folder.glob("*.py") if "\n@register\n" in p.read_text(encoding="utf-8")
    )
    assert sorted(BUILTIN) == registering


def test_register_refuses_a_second_importer_under_a_taken_name() -> None:
    """Two importers named alike: the second would silently replace the first, and exports of
    that format would be read by the wrong code."""
    from typing import ClassVar

    from unshared.importers import register

    class Impostor:
        name: ClassVar[str] = "whatsapp"
        platform: ClassVar[str] = "whatsapp"
        priority: ClassVar[int] = 1

    before = [imp.name for imp in registry()]
    with pytest.raises(ValueError, match="whatsapp"):
        register(Impostor)  # type: ignore[arg-type]
    after = registry()
    assert [imp.name for imp in after] == before
    assert not any(isinstance(imp, Impostor) for imp in after)
