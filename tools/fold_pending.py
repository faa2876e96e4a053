"""Fold pending blind sets into the signal corpus, leaving out the lines that copy a corpus line.

A blind set in ``tests/data/signals/pending/`` was read once; folding it in moves its folder up
to ``tests/data/signals/`` and drops each of its lines that copies (:func:`copies`: the same
words, or 80% of them) a line the corpus already learns from or an earlier line of the set, so
that no line sits on both sides of a dev fold. Both models must then be retrained
(``tools/train_encoder.py``, ``tools/train_signals.py``). Whole conversations are not compared,
as the corpus test does not compare them. Prints what it left out; ``git add`` the result.

    python tools/fold_pending.py blind_2026_12am blind_2026_12an
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks.evaluation.signals import copies  # noqa: E402

from unshared.analysis.signal_corpus import from_conversation, load_corpus  # noqa: E402

SIGNALS = ROOT / "tests" / "data" / "signals"


def fold(signals: Path, name: str) -> dict[str, list[str]]:
    """Move ``pending/<name>`` up and drop its copies; returns the dropped lines per file."""
    source, target = signals / "pending" / name, signals / name
    if not source.is_dir():
        raise SystemExit(f"{source}: no such pending set")
    if target.exists():
        raise SystemExit(f"{target}: already folded in")
    shutil.move(str(source), str(target))
    known = [r.text for r in load_corpus(signals) if r.origin != name and not from_conversation(r)]
    dropped: dict[str, list[str]] = {}
    for tsv in sorted(target.glob("*.tsv")):
        head, *body = tsv.read_text(encoding="utf-8").splitlines(keepends=True)
        texts = [line.rstrip("\n").split("\t")[1] for line in body]
        copied = set(copies(known, texts))
        kept = [line for line, text in zip(body, texts, strict=True) if text not in copied]
        tsv.write_text(head + "".join(kept), encoding="utf-8")
        dropped[tsv.name] = sorted(copied)
        known += [text for text in texts if text not in copied]
    return dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="folder names under tests/data/signals/pending")
    parser.add_argument("--signals", type=Path, default=SIGNALS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in args.sets:
        for file, lines in fold(args.signals, name).items():
            print(f"{name}/{file}: {len(lines)} copies left out")
            for line in lines:
                print(f"  - {line}")


if __name__ == "__main__":
    main()
