"""How the blend would choose if the encoder also read messages of fewer than four words.

The encoder reads only messages of ``MIN_WORDS`` words or more. This trains the scorer once
(as ``tools/train_signals.py`` does, about 16 minutes on two cores) and chooses the blend on the
encoder's dev fold with ``MIN_WORDS`` 4, 3, 2 and 1 (the n-gram weights do not depend on it), and
prints each choice: weight, gate, recall at <= 5% benign, everyday messages flagged, share of the
fold the encoder is asked about. ``--out DIR`` also writes each variant's model file
(``scorer_mwN.npz``: the same weights, its own blend), to be read with a reader whose
``MIN_WORDS`` is changed to match. Nothing in the package is written.

    OMP_NUM_THREADS=2 PYTHONPATH=src python benchmarks/signals_min_words.py [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import time
from pathlib import Path
from typing import Any

import unshared.analysis.signal_encoder as signal_encoder
import unshared.analysis.signal_training as signal_training
from unshared.analysis.signal_blend import blend_for

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "signals"
CHOICES = (4, 3, 2, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write each variant's model file here")
    args = parser.parse_args()
    chosen: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    landed = signal_encoder.MIN_WORDS

    def every_choice(*a: Any, **k: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            for n in CHOICES:
                signal_encoder.MIN_WORDS = n
                chosen[n] = blend_for(*a, **k)
        finally:
            signal_encoder.MIN_WORDS = landed
        return chosen[landed]

    signal_training.blend_for = every_choice  # type: ignore[attr-defined]
    start = time.perf_counter()
    result = signal_training.train(CORPUS)
    print(f"trained on {result.report['rows']} lines in {time.perf_counter() - start:.0f} s")
    print("min words | weight | gate | recall | benign | everyday | encoder asked")
    for n in CHOICES:
        meta, report = chosen[n]
        blend, got = meta["blend"], report["blended"]
        print(
            f"{n} | {blend['weight']} | {blend['gate']} | {got['recall']:.4f} | "
            f"{got['benign_rate']:.4f} | {got['ordinary_rate']:.4f} | {got.get('asked', 1.0):.4f}"
        )
        if args.out:
            model = dataclasses.replace(result.model, meta={**result.model.meta, **meta})
            buf = io.BytesIO()
            model.save(buf)
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"scorer_mw{n}.npz").write_bytes(buf.getvalue())
    if args.out:
        reports = {str(n): chosen[n][1] for n in CHOICES}
        (args.out / "min_words.json").write_text(json.dumps(reports, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
