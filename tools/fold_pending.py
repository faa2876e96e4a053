"""Fold pending blind sets into the signal corpus, leaving out the lines that copy a corpus line.

A blind set in ``tests/data/signals/pending/`` was read once; folding it in moves its folder up
to ``tests/data/signals/`` and drops each of its lines that copies (:func:`copies`: the same
words, or 80% of them) a line the corpus already learns from or an earlier line of the set, so
that no line sits on both sides of a dev fold. Both models must then be retrained
(``tools/train_encoder.py``, ``tools/train_signals.py``). Whole conversations are not compared,
as the corpus test does not compare them. Prints what it left out; ``git add`` the result. A
broken line stops it with nothing moved.

    python tools/fold_pending.py blind_2026_12am blind_2026_12an

A training batch (a pending folder with one ``*.jsonl`` of labelled lines and its ``*.md``) goes
into ``corpus/`` the same way: its offenders' lines into ``--into``, its benign lines into
``--benign-into`` (or ``--into`` too), each line checked first (its fields, known stages, and
stages exactly when it is an offender's; the corpus test checks more once it is folded in):

    python tools/fold_pending.py --batch ransomchats_2026_12 \\
        --into public_quotes11 --benign-into public_benign12
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks.evaluation.signals import copies  # noqa: E402

from unshared.analysis.signal_corpus import from_conversation, load_corpus  # noqa: E402
from unshared.analysis.signal_rules import STAGES  # noqa: E402

SIGNALS = ROOT / "tests" / "data" / "signals"
FIELDS = ("id", "lang", "source", "is_benign", "stages", "kind", "text", "source_url")


def _known(signals: Path) -> list[str]:
    """The corpus as it is, which does not read pending/: what a new line must not copy."""
    return [r.text for r in load_corpus(signals) if not from_conversation(r)]


def fold(signals: Path, name: str) -> dict[str, list[str]]:
    """Move ``pending/<name>`` up without its copies; returns the dropped lines per file.

    Every file is read and checked before anything is written or moved, so a broken line stops
    the fold with the set left as it was."""
    source, target = signals / "pending" / name, signals / name
    if not source.is_dir():
        raise SystemExit(f"{source}: no such pending set")
    if target.exists():
        raise SystemExit(f"{target}: already folded in")
    known = _known(signals)
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


def _checked(path: Path) -> list[dict[str, object]]:
    """The batch's lines, each with the fields a quoted line needs, known stages, and stages
    exactly when it is an offender's (the corpus test then checks more: language, page, date)."""
    rows: list[dict[str, object]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            r = None
        if not isinstance(r, dict):
            raise SystemExit(f"{path}: line {number} is not a JSON object; nothing was moved")
        missing = [f for f in FIELDS if f not in r]
        if missing or not isinstance(r["text"], str) or not r["text"].strip():
            raise SystemExit(
                f"{path}: line {number} lacks {missing or ['text']}; nothing was moved"
            )
        stages = r["stages"]
        if not isinstance(stages, list) or not set(stages) <= set(STAGES):
            raise SystemExit(f"{path}: line {number}: unknown stage in {stages}; nothing was moved")
        offender = r["source"] == "offender"
        if r["is_benign"] is not (not stages) or offender is not bool(stages):
            raise SystemExit(
                f"{path}: line {number}: a line with stages must be an offender's and not benign,"
                " one without must be benign and not an offender's; nothing was moved"
            )
        rows.append(r)
    return rows


def fold_batch(
    signals: Path, name: str, into: str, benign_into: str | None = None
) -> dict[str, list[str]]:
    """Move the lines of ``pending/<name>/*.jsonl`` into ``corpus/<into>.jsonl`` (benign ones into
    ``corpus/<benign_into>.jsonl`` if given) without their copies; returns the dropped lines."""
    source = signals / "pending" / name
    batches = sorted(source.glob("*.jsonl"))
    if len(batches) != 1:
        raise SystemExit(f"{source}: a batch folder holds one *.jsonl ({len(batches)} found)")
    [batch] = batches
    targets = {False: signals / "corpus" / f"{into}.jsonl"}
    targets[True] = signals / "corpus" / f"{benign_into or into}.jsonl"
    for target in targets.values():
        if target.exists():
            raise SystemExit(f"{target}: already exists; nothing was moved")
    rows = _checked(batch)
    texts = [str(r["text"]) for r in rows]
    copied = set(copies(_known(signals), texts))
    out: dict[Path, list[str]] = {t: [] for t in targets.values()}
    for r, text in zip(rows, texts, strict=True):
        if text not in copied:
            out[targets[bool(r["is_benign"])]].append(json.dumps(r, ensure_ascii=False) + "\n")
    for target, lines in out.items():
        if lines:
            target.write_text("".join(lines), encoding="utf-8")
    for note in source.glob("*.md"):
        shutil.copyfile(note, targets[False].with_suffix(".md"))
    shutil.rmtree(source)
    return {f"{name}/{batch.name}": sorted(copied)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="folder names under tests/data/signals/pending")
    parser.add_argument("--batch", help="a pending folder holding one *.jsonl training batch")
    parser.add_argument("--into", help="corpus file name (no suffix) for the batch's lines")
    parser.add_argument("--benign-into", help="corpus file name for the batch's benign lines")
    parser.add_argument("--signals", type=Path, default=SIGNALS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    dropped: dict[str, list[str]] = {}
    if args.batch:
        if not args.into or args.sets:
            parser.error("--batch needs --into and no set names")
        dropped = fold_batch(args.signals, args.batch, args.into, args.benign_into)
    elif not args.sets:
        parser.error("name a pending set, or --batch")
    for name in args.sets:
        dropped |= {f"{name}/{file}": lines for file, lines in fold(args.signals, name).items()}
    for file, lines in dropped.items():
        print(f"{file}: {len(lines)} copies left out")
        for line in lines:
            print(f"  - {line}")


if __name__ == "__main__":
    main()
