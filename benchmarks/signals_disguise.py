"""How much of the signal reading survives disguised letters (docs/signals.md, "Disguised letters").

Takes English labelled lines (plain ASCII, 20-300 characters, a fixed seeded sample): coercion
lines that the reader flags with a key stage as written, and benign look-alikes. Then disguises
each the ways offenders do (benchmarks/evaluation/disguises.py) and reads them again:

* coercion kept: of the coercion lines flagged as written, the share still flagged;
* benign flagged: of the benign lines, the share flagged (as written, then disguised).

Run in any tree (it uses the reader of the ``unshared`` it imports)::

    OMP_NUM_THREADS=1 PYTHONPATH=src:. python benchmarks/signals_disguise.py
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from benchmarks.evaluation.disguises import ALL

from unshared.analysis.signal_corpus import load_corpus
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_rules import KEY_STAGES

ROOT = Path(__file__).resolve().parents[1]


def _flagged(texts: list[str]) -> list[bool]:
    read = SignalReader(lang="en").read(texts)
    return [any(s.stage in KEY_STAGES for s in sigs) for sigs in read]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "signals")
    parser.add_argument("--lines", type=int, default=1000, help="lines sampled of each kind")
    args = parser.parse_args()
    rows = [
        r
        for r in load_corpus(args.corpus)
        if r.lang == "en" and r.evaluate and r.text.isascii() and 20 <= len(r.text) <= 300
    ]
    rng = random.Random(20261204)
    coercive = [r.text for r in rows if r.stages & set(KEY_STAGES)]
    benign = [r.text for r in rows if r.is_benign]
    coercive = rng.sample(sorted(set(coercive)), min(args.lines, len(set(coercive))))
    benign = rng.sample(sorted(set(benign)), min(args.lines, len(set(benign))))
    kept = [t for t, f in zip(coercive, _flagged(coercive), strict=True) if f]
    plain_benign = sum(_flagged(benign)) / len(benign)
    print(f"coercion lines flagged as written: {len(kept)} of {len(coercive)}")
    print(f"benign lines flagged as written: {plain_benign:.1%} of {len(benign)}")
    print(f"{'disguise':<12} {'coercion kept':>14} {'benign flagged':>15}")
    for name, disguise in ALL.items():
        r = random.Random(name)
        c = sum(_flagged([disguise(t, r) for t in kept])) / len(kept)
        b = sum(_flagged([disguise(t, r) for t in benign])) / len(benign)
        print(f"{name:<12} {c:>14.1%} {b:>15.1%}")


if __name__ == "__main__":
    main()
