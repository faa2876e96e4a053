"""Messages per second per core for extract_identifiers, beside a plain regex pass.

Corpus: the message texts of the real public WhatsApp/Signal samples in ../shared (read in place,
never copied), the "plain chat" and "hard negative" lines of the labelled set, and, for about 5%
of messages, a labelled line with identifiers: typical chat, where most lines hold nothing.

Timing is CPU time of this process (``time.process_time``), best of three, so the figure is per
core even on a busy machine. Reference, in the same run over the same messages: one plain regex
pass (links, e-mails, digit runs) - what a naive extractor costs. Reported: messages/s for
both and the ratio.

    python benchmarks/identifiers_bench.py [--messages 100000] [--region GB]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from unshared.analysis.identifiers import extract_identifiers  # noqa: E402

_LINE = re.compile(r"^\u200e?\[?[\d./, :-]+\]?\s*(?:-\s*)?([^:]{1,40}):\s(.+)$")
PLAIN = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{5,}\d")


def shared_messages() -> list[str]:
    shared = Path(os.environ.get("UNSHARED_SHARED_DIR", ROOT.parent / "shared"))
    base = shared / "fixtures" / "exports"
    out = []
    for folder in ("whatsapp", "signal"):
        for path in sorted((base / folder).glob("*.txt")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                m = _LINE.match(line)
                if m:
                    out.append(m.group(2))
    return out


def corpus(
    size: int, seed: int = 7, with_share: float = 0.05, negative_share: float = 0.15
) -> tuple[list[str], dict[str, int]]:
    rows = [
        json.loads(line)
        for line in (ROOT / "tests/data/identifiers/labelled.jsonl").read_text().splitlines()
    ]
    with_ids = [r["text"] for r in rows if r["expected"]]
    negatives = [r["text"] for r in rows if r.get("note") == "hard negative"]
    plain = [r["text"] for r in rows if not r["expected"] and r.get("note") != "hard negative"]
    real = shared_messages()
    rng = random.Random(seed)
    messages = []
    for _ in range(size):
        roll = rng.random()
        if roll < with_share:
            messages.append(rng.choice(with_ids))
        elif roll < with_share + negative_share:
            messages.append(rng.choice(negatives))
        else:
            messages.append(rng.choice(real + plain))
    counts = {
        "real": len(real),
        "with": len(with_ids),
        "negatives": len(negatives),
        "plain": len(plain),
    }
    return messages, counts


def timed(fn, messages: list[str], repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()  # CPU time of this process: per core, not the machine's load
        for text in messages:
            fn(text)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--region", default="GB")
    args = parser.parse_args()
    region = args.region
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(
        f"date: {time.strftime('%Y-%m-%d')}; nproc: {os.cpu_count()}; cpu: {cpu}; "
        f"python {platform.python_version()}; load average {os.getloadavg()[0]:.1f}"
    )
    print("| mix | messages | found | extract msg/s/core | plain regex msg/s/core | time ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    mixes = {
        "typical chat (5% identifiers, 15% hard negatives, 80% plain)": (0.05, 0.15),
        "number-heavy (5% identifiers, 95% hard negatives)": (0.05, 0.95),
        "every message has identifiers": (1.0, 0.0),
    }
    for name, (share, negative) in mixes.items():
        messages, counts = corpus(args.messages, with_share=share, negative_share=negative)
        ours = timed(lambda t: extract_identifiers(t, region), messages)
        plain = timed(PLAIN.findall, messages)
        found = sum(len(extract_identifiers(t, region)) for t in messages)
        n = len(messages)
        print(
            f"| {name} | {n} | {found} | {n / ours:,.0f} | {n / plain:,.0f} | {ours / plain:.1f}x |"
        )
    print(f"corpus sources: {counts}")


if __name__ == "__main__":
    main()
