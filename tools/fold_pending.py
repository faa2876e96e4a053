"""Fold pending blind sets into the signal corpus, leaving out the lines that copy a corpus line.

A blind set in ``tests/data/signals/pending/`` was read once; folding it in moves its folder up
to ``tests/data/signals/`` and drops each of its lines that copies (:func:`copies`: the same
words, or 80% of them) a line the corpus already learns from or an earlier line of the set, so
that no line sits on both sides of a dev fold. Both models must then be retrained
(``tools/train_encoder.py``, ``tools/train_signals.py``). Whole conversations are not compared,
as the corpus test does not compare them. Prints what it left out; ``git add`` the result. A
broken line stops it with nothing moved.

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
    """Move ``pending/<name>`` up without its copies; returns the dropped lines per file.

    Every file is read and checked before anything is written or moved, so a broken line stops
    the fold with the set left as it was."""
    source, target = signals / "pending" / name, signals / name
    if not source.is_dir():
        raise SystemExit(f"{source}: no such pending set")
    if target.exists():
        raise SystemExit(f"{target}: already folded in")
    # the corpus as it is, which does not read pending/: what the set must not copy
    known = [r.text for r in load_corpus(signals) if not from_conversation(r)]
    kept: dict[Path, str] = {}
    dropped: dict[str, list[str]] = {}
    for tsv in sorted(source.glob("*.tsv")):
        head, *body = tsv.read_text(encoding="utf-8").splitlines(keepends=True)
        column = head.rstrip("\n").split("\t").index("text")
        texts = []
        for number, line in enumerate(body, 2):
            cells = line.rstrip("\n").split("\t")
            if len(cells) <= column:
                raise SystemExit(f"{tsv}: line {number} has no text column; nothing was moved")
            texts.append(cells[column])
        copied = set(copies(known, texts))
        kept[tsv] = head + "".join(
            line for line, text in zip(body, texts, strict=True) if text not in copied
        )
        dropped[tsv.name] = sorted(copied)
        known += [text for text in texts if text not in copied]
    for tsv, text in kept.items():
        tsv.write_text(text, encoding="utf-8")
    shutil.move(str(source), str(target))
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
