"""Signals: accuracy and speed of the rules, side by side with a plain keyword baseline.

Run by hand:  PYTHONPATH=src python benchmarks/signals_eval.py

The baseline is what a simple moderation filter does: one keyword list per stage, any hit flags
the stage. It shows what the frames, co-occurrence rules and exceptions buy. Speed is measured on
the same labelled lines, repeated, in one process.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "src"),
    str(Path(__file__).resolve().parents[1]),
]

from benchmarks.evaluation.signals import evaluate  # noqa: E402

from unshared.analysis.signals import KEY_STAGES, detect_signals  # noqa: E402
from unshared.model import Signal  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "signals"
SPLITS = ("en_dev", "en_heldout", "en_blind", "en_blind2", "en_blind3")

KEYWORDS = {
    "contact": r"cute|handsome|gorgeous|mutual friends|how old are you|single",
    "platform_switch": r"snap(chat)?|whatsapp|telegram|kik|skype|discord",
    "image_request": r"send (me )?(a )?(pic|photo|nude|video)|nudes?|naked|show me",
    "threat": r"send (it|this|them)|post|leak|followers|family|friends|ruin|expose|everyone",
    "payment_demand": r"\$|£|€|pay|money|gift ?card|bitcoin|btc|cash ?app|western union|moneygram",
    "deadline": r"\d+ ?(min|minutes|hours?|hrs?)|hurry|now|tonight|deadline|last chance|tick",
    "escalation": r"kill yourself|kys|die|answer me|loser|pathetic|ignoring",
}
_BASE = {s: re.compile(rf"\b(?:{p})", re.I) for s, p in KEYWORDS.items()}


def keyword_baseline(text: str, lang: str = "en") -> list[Signal]:
    return [Signal(stage, "keyword") for stage, rx in _BASE.items() if rx.search(text)]


def load(name: str) -> list[dict]:
    path = DATA / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def speed(detect, texts: list[str], rounds: int = 20) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            detect(t, "en")
    return rounds * len(texts) / (time.perf_counter() - start)


def main() -> None:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    import os

    py = platform.python_version()
    print(f"# machine: {os.cpu_count()} cpus, {cpu}, python {py}, {date.today()}")
    rows_all = [r for s in SPLITS for r in load(s)]
    for name, rows in [*((s, load(s)) for s in SPLITS), ("all English", rows_all)]:
        rules, base = evaluate(rows), evaluate(rows, keyword_baseline)
        print(f"\n## {name} ({len(rows)} lines)\n")
        print("| stage | support | rules P | rules R | keywords P | keywords R |")
        print("|---|---:|---:|---:|---:|---:|")
        for stage in rules.stages:
            a, b = rules.stages[stage], base.stages[stage]
            print(
                f"| {stage} | {a.support} | {a.precision:.2f} | {a.recall:.2f} "
                f"| {b.precision:.2f} | {b.recall:.2f} |"
            )
        print(
            f"\nbenign look-alikes flagged with {'/'.join(KEY_STAGES)}: rules "
            f"{rules.benign_flagged}/{rules.benign} ({rules.benign_flag_rate:.1%}), keywords "
            f"{base.benign_flagged}/{base.benign} ({base.benign_flag_rate:.1%})"
        )
    texts = [r["text"] for r in rows_all]
    detect_signals("warm up", "en")
    r_speed, b_speed = speed(detect_signals, texts), speed(keyword_baseline, texts)
    print(f"\n## speed ({len(texts)} lines x 20)\n")
    print(
        f"rules: {r_speed:,.0f} messages/s; keywords: {b_speed:,.0f} messages/s; "
        f"ratio rules/keywords = {r_speed / b_speed:.2f}"
    )
    # Offender lines only: text about sextortion would stop at the first frame check.
    long_text = " ".join(r["text"] for r in rows_all if r["source"] == "offender") * 3
    t0 = time.perf_counter()
    detect_signals(long_text, "en")
    print(f"one {len(long_text):,}-character message: {time.perf_counter() - t0:.3f} s")


if __name__ == "__main__":
    main()
