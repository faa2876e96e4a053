"""Message counts of unshared, chat-miner and whatstk on the real samples (docs/formats.md).

Run by hand: ``PYTHONPATH=src python benchmarks/importers_peers.py [../shared/fixtures/exports]``
(``pip install chat-miner whatstk``). Peers that fail on a file are shown as ``error``.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message

os.environ.setdefault("TQDM_DISABLE", "1")
logging.disable(logging.CRITICAL)
warnings.filterwarnings("ignore")


def ours(path: Path) -> str:
    source = FileSource(path)
    msgs = [
        r
        for r in detect(source).parse(source, ImportOptions(timezone=UTC))
        if isinstance(r, Message)
    ]
    system = sum(m.kind == "system" for m in msgs)
    return f"{len(msgs)} ({system} system)"


def _guard(fn: Callable[[Path], int], path: Path) -> str:
    try:
        return str(fn(path))
    except Exception as exc:  # a peer's failure is a result here
        return f"error ({type(exc).__name__})"


def chatminer(kind: str) -> Callable[[Path], int]:
    def run(path: Path) -> int:
        from chatminer import chatparsers

        cls = {
            "whatsapp": chatparsers.WhatsAppParser,
            "messenger": chatparsers.FacebookMessengerParser,
            "instagram": chatparsers.InstagramJsonParser,
            "signal": chatparsers.SignalParser,
        }[kind]
        parser = cls(str(path))
        parser.parse_file()
        return len(parser.parsed_messages._parsed_messages)

    return run


def whatstk(path: Path) -> int:
    from whatstk import WhatsAppChat

    return len(WhatsAppChat.from_source(filepath=str(path)).df)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/fixtures/exports")
    print("| sample | unshared | chat-miner | whatstk |")
    print("|---|---|---|---|")
    for kind in ("whatsapp", "messenger", "instagram", "signal"):
        for path in sorted((root / kind).glob("*.txt")) + sorted((root / kind).glob("*.json")):
            if path.name == "whatstk_header_format_support.json":
                continue
            wt = _guard(whatstk, path) if kind == "whatsapp" else "-"
            print(f"| {kind}/{path.name} | {ours(path)} | {_guard(chatminer(kind), path)} | {wt} |")


if __name__ == "__main__":
    main()
