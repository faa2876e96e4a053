"""Write a corpus's dev fold as a blind TSV, so two model pairs can be read on the same lines.

A retraining's own dev fold moves when lines are added (the threshold is chosen on it), so a
landing rule that compares the landed pair with a new one reads both on the landed corpus's dev
fold: fold 0 of the encoder, the lines that count in the dev figures, read alone. Neither
encoder trained on them; both scorers did (the packaged scorer learns every fold), so this is a
regression check, not a first look.

    PYTHONPATH=src python benchmarks/signals_dev_fold.py tests/data/signals /tmp/devfold/dev.tsv
    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/signals_eval.py --blind /tmp/devfold \\
        --corpus /tmp/empty --skip-splits --skip-speed   # --corpus: an empty folder, so no
                                                         # line is set aside as seen
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "src"),
    str(Path(__file__).resolve().parents[1]),
]

from benchmarks.evaluation.dev_fold import dev_fold_tsv  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="tests/data/signals of the landed pair")
    parser.add_argument("out", type=Path, help="the TSV to write (its folder is --blind)")
    args = parser.parse_args(argv)
    lines = dev_fold_tsv(args.corpus)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} dev-fold lines written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
