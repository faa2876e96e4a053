"""Importer throughput and memory, side by side with chat-miner on the same generated files.

Run by hand (not part of the tests):

    PYTHONPATH=src python benchmarks/importers_bench.py --whatsapp 1000000 --messenger-mb 1024

It writes a WhatsApp Android export with N messages (10% multi-line, attachments, system lines)
and a Facebook Messenger ``message_1.json`` of the given size (mojibake strings, newest first, as
Meta writes it), then parses each file in a fresh process with unshared and with chat-miner
(``pip install chat-miner``), reporting messages/s, the ratio, and peak RSS of each process
(``resource.getrusage``) next to the RSS of the same process right after its imports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, resource, sys, time, logging
kind, fmt, path = sys.argv[1], sys.argv[2], sys.argv[3]
logging.disable(logging.CRITICAL)
if kind == "unshared":
    from datetime import UTC
    from unshared.importers import FileSource, ImportOptions, get
    from unshared.model import Message
    imp = get(fmt)
else:
    import os
    os.environ["TQDM_DISABLE"] = "1"
    from chatminer import chatparsers
    cls = {"whatsapp": chatparsers.WhatsAppParser, "messenger": chatparsers.FacebookMessengerParser}[fmt]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if kind == "unshared":
    n = 0
    for r in imp.parse(FileSource(__import__("pathlib").Path(path)), ImportOptions(timezone=UTC)):
        if isinstance(r, Message):
            n += 1
else:
    p = cls(path)
    p.parse_file()
    n = len(p.parsed_messages._parsed_messages)
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"messages": n, "seconds": dt, "base_rss_mb": base / 1024, "peak_rss_mb": peak / 1024}))
"""


def make_whatsapp(path: Path, count: int) -> None:
    names = ["Alex Example", "Sam Sample", "+44 7700 900123", "Jo 🤓"]
    t = datetime(2020, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            f"{t:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. No one outside "
            "of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
        )
        for i in range(1, count):
            t += timedelta(seconds=37)
            name = names[i % len(names)]
            head = f"{t:%d/%m/%Y, %H:%M} - {name}: "
            if i % 10 == 0:
                fh.write(f"{head}message number {i}, with a second line\nand here it is: {i}\n")
            elif i % 97 == 0:
                fh.write(f"{head}IMG-{t:%Y%m%d}-WA{i % 10000:04d}.jpg (file attached)\n")
            elif i % 101 == 0:
                fh.write(f"{head}<Media omitted>\n")
            else:
                fh.write(f"{head}hello, this is message {i} – ça va? 😀\n")


def _moji(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def make_messenger(path: Path, megabytes: int) -> int:
    target = megabytes << 20
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '{\n  "participants": [{"name": '
            + json.dumps(_moji("Kai Sämple"))
            + '}, {"name": "Robin"}],\n  "messages": [\n'
        )
        ts = 1_700_000_000_000
        first = True
        while fh.tell() < target:
            count += 1
            ts -= 41_000
            msg: dict[str, object] = {
                "sender_name": _moji("Kai Sämple") if count % 2 else "Robin",
                "timestamp_ms": ts,
                "content": _moji(f"message {count}: ❤️ ça va? " + "lorem ipsum " * (count % 5)),
                "is_geoblocked_for_viewer": False,
            }
            if count % 50 == 0:
                msg["photos"] = [
                    {
                        "uri": f"messages/inbox/kai_1/photos/{count}.jpg",
                        "creation_timestamp": ts // 1000,
                    }
                ]
            if count % 7 == 0:
                msg["reactions"] = [{"reaction": _moji("❤️"), "actor": "Robin"}]
            fh.write(("" if first else ",\n") + "    " + json.dumps(msg))
            first = False
        fh.write(
            '\n  ],\n  "title": '
            + json.dumps(_moji("Kai Sämple"))
            + ',\n  "is_still_participant": true,\n'
        )
        fh.write('  "thread_path": "inbox/kai_1",\n  "magic_words": []\n}\n')
    return count


def run(kind: str, fmt: str, path: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, kind, fmt, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        return {"error": 1.0, "stderr": out.stderr[-2000:]}  # type: ignore[dict-item]
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--whatsapp", type=int, default=1_000_000, help="messages")
    ap.add_argument("--messenger-mb", type=int, default=1024, help="size of message_1.json")
    ap.add_argument("--skip-chatminer", action="store_true")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="keep files already in --workdir")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="unshared-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"# {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
    )
    jobs = []
    if args.whatsapp:
        wa = work / "WhatsApp Chat with Bench.txt"
        t0 = time.perf_counter()
        if not (args.reuse and wa.exists()):
            make_whatsapp(wa, args.whatsapp)
        print(
            f"generated {wa.name}: {args.whatsapp} messages, {wa.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - t0:.0f} s"
        )
        jobs.append(("whatsapp", wa))
    if args.messenger_mb:
        fb = work / "message_1.json"
        t0 = time.perf_counter()
        n = -1 if args.reuse and fb.exists() else make_messenger(fb, args.messenger_mb)
        print(
            f"generated {fb.name}: {n} messages, {fb.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - t0:.0f} s"
        )
        jobs.append(("messenger", fb))
    print(
        "| format | parser | messages | seconds | messages/s | ratio (unshared / chat-miner) | peak RSS MiB | RSS after imports MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for fmt, path in jobs:
        ours = run("unshared", fmt, path)
        theirs = {} if args.skip_chatminer else run("chatminer", fmt, path)
        rate = ours["messages"] / ours["seconds"]
        ratio = ""
        if theirs and "error" not in theirs:
            ratio = f"{rate / (theirs['messages'] / theirs['seconds']):.2f}"
        for name, res in (("unshared", ours), ("chat-miner", theirs)):
            if not res:
                continue
            if "error" in res:
                print(f"| {fmt} | {name} | failed: {str(res.get('stderr', ''))[-200:]!r} |")
                continue
            print(
                f"| {fmt} | {name} | {res['messages']:.0f} | {res['seconds']:.1f} | "
                f"{res['messages'] / res['seconds']:.0f} | {ratio if name == 'unshared' else ''} | "
                f"{res['peak_rss_mb']:.0f} | {res['base_rss_mb']:.0f} |"
            )


if __name__ == "__main__":
    main()
