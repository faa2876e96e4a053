"""Precision and recall per kind on the labelled sets; prints the tables in docs/identifiers.md.

python benchmarks/identifiers_quality.py [--errors]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from benchmarks.evaluation.labelled import load_labelled, score  # noqa: E402

from unshared.analysis.identifiers import extract_identifiers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="also list every miss")
    args = parser.parse_args()
    for name in ("labelled", "heldout", "blind2"):
        rows = load_labelled(ROOT / "tests" / "data" / "identifiers" / f"{name}.jsonl")
        result = score(rows, extract_identifiers)
        negatives = sum(1 for r in rows if not r["expected"])
        print(f"### {name}.jsonl: {len(rows)} lines, {negatives} with nothing to find\n")
        print(result.markdown())
        print()
        if args.errors:
            for error in result.errors:
                print(error)


if __name__ == "__main__":
    main()
