"""Telegram result.json and Skype messages.json import speed and memory, beside chat-miner.

Run by hand (not part of the tests):

    PYTHONPATH=src python benchmarks/importers_b_telegram.py --messages 500000

Writes a Telegram single-chat ``result.json`` with N messages (text strings, entity lists, photos,
service messages, all with ``date_unixtime`` so chat-miner can read it) and a Skype
``messages.json`` with the same number of messages, then parses each in a fresh process:
Telegram with unshared and with chat-miner's ``TelegramJsonParser`` (``pip install chat-miner``),
Skype with unshared and with plain ``json.load`` (no peer parser exists; ``json.load`` is the
floor any non-streaming reader pays). Reports messages/s, the ratio from the same run, and the
peak RSS of each process (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, logging, os, resource, sys, time
kind, fmt, path = sys.argv[1], sys.argv[2], sys.argv[3]
logging.disable(logging.CRITICAL)
os.environ["TQDM_DISABLE"] = "1"
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if kind == "unshared":
    from unshared.importers import FileSource, ImportOptions, get
    from unshared.model import Message
    from pathlib import Path
    imp = get(fmt)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    n = sum(1 for r in imp.parse(FileSource(Path(path)), ImportOptions()) if isinstance(r, Message))
elif kind == "chat-miner":
    from chatminer.chatparsers import TelegramJsonParser
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    p = TelegramJsonParser(path)
    p.parse_file()
    n = len(p.parsed_messages._parsed_messages)
else:
    t = time.perf_counter()
    with open(path, "rb") as fh:
        data = json.load(fh)
    n = sum(len(c["MessageList"]) for c in data["conversations"])
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n": n, "s": elapsed, "peak_mb": peak / 1024, "base_mb": base / 1024}))
"""


def write_telegram(path: Path, n: int) -> None:
    start = 1_600_000_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"name": "Bench", "type": "personal_chat", "id": 1, "messages": [\n')
        for i in range(n):
            who = ("Alice", "user1") if i % 2 else ("Bob", "user2")
            msg: dict[str, object] = {
                "id": i,
                "type": "message",
                "date": datetime.utcfromtimestamp(start + i * 30).isoformat(),
                "date_unixtime": str(start + i * 30),
                "from": who[0],
                "from_id": who[1],
                "text": f"message number {i} with some words in it é",
            }
            if i % 10 == 3:
                msg["text"] = ["see ", {"type": "link", "text": "https://example.org"}, " ok"]
            if i % 25 == 7:
                msg["photo"] = f"photos/photo_{i}.jpg"
                msg["text"] = ""
            fh.write(("," if i else "") + json.dumps(msg, ensure_ascii=False) + "\n")
        fh.write("]}\n")


def write_skype(path: Path, n: int) -> None:
    per = 5000
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"userId": "8:live:me", "exportDate": "2024-01-01T00:00", "conversations": [')
        for c in range(0, n, per):
            conv = {"id": f"8:live:p{c}", "displayName": f"P{c}", "properties": {}}
            body = json.dumps(conv)[:-1] + ', "MessageList": ['
            fh.write(("," if c else "") + body)
            for i in range(c, min(n, c + per)):
                msg = {
                    "id": str(i),
                    "from": f"8:live:p{c}" if i % 2 else "8:live:me",
                    "displayName": None,
                    "messagetype": "RichText",
                    "originalarrivaltime": "2021-01-01T00:00:00.000Z",
                    "content": f'hello <ss type="smile">:)</ss> number {i}'
                    if i % 5 == 0
                    else f"plain message {i}",
                }
                fh.write(("," if i > c else "") + json.dumps(msg))
            fh.write("]}")
        fh.write("]}\n")


def run(kind: str, fmt: str, path: Path) -> dict[str, float]:
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "TQDM_DISABLE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, fmt, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200_000)
    args = ap.parse_args()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")),
        platform.processor(),
    )
    print(f"machine: {cpu}, python {platform.python_version()}, {datetime.now():%Y-%m-%d}")
    with tempfile.TemporaryDirectory() as tmp:
        tg = Path(tmp) / "result.json"
        write_telegram(tg, args.messages)
        sk = Path(tmp) / "messages.json"
        write_skype(sk, args.messages)
        for label, path, pairs in (
            ("telegram", tg, (("unshared", "telegram"), ("chat-miner", "telegram"))),
            ("skype", sk, (("unshared", "skype"), ("json.load", "skype"))),
        ):
            size = path.stat().st_size / 2**20
            results = {kind: run(kind, fmt, path) for kind, fmt in pairs}
            ours, peer = results[pairs[0][0]], results[pairs[1][0]]
            print(f"\n{label}: {args.messages} messages, {size:.0f} MiB")
            for kind, r in results.items():
                rate = r["n"] / r["s"]
                print(
                    f"  {kind:10s} {r['n']:>9.0f} msgs {r['s']:7.2f} s {rate:>10.0f} msg/s "
                    f"peak RSS {r['peak_mb']:6.0f} MiB (after imports {r['base_mb']:.0f} MiB)"
                )
            ratio = (ours["n"] / ours["s"]) / (peer["n"] / peer["s"])
            print(f"  ratio unshared / {pairs[1][0]}: {ratio:.2f}")


if __name__ == "__main__":
    main()
