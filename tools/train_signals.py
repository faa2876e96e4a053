"""Train the signal scorer and write src/unshared/analysis/data/signals/scorer.npz.

    PYTHONPATH=src python tools/train_signals.py            # train, write the model, print dev figures
    PYTHONPATH=src python tools/train_signals.py --check    # train and say whether the file is unchanged
    PYTHONPATH=src python tools/train_signals.py --corpus DIR --out FILE   # a side experiment

Needs scikit-learn (the `test` extra). Deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from pathlib import Path

from unshared.analysis.signal_blend import Blend
from unshared.analysis.signal_encoder import EncoderModel
from unshared.analysis.signal_training import train

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "signals"
MODEL = ROOT / "src" / "unshared" / "analysis" / "data" / "signals" / "scorer.npz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the file")
    parser.add_argument("--report", type=Path, help="write the dev figures as JSON here")
    parser.add_argument("--out", type=Path, default=MODEL, help="where to write the model")
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="train on this folder instead (needs --out)"
    )
    parser.add_argument(
        "--encoder", type=Path, help="blend with this encoder file (tools/train_encoder.py --out)"
    )
    args = parser.parse_args()
    if args.corpus.resolve() != CORPUS.resolve() and args.out.resolve() == MODEL.resolve():
        parser.error("a model trained on another corpus goes elsewhere: give --out")
    start = time.perf_counter()
    encoder = None
    if args.encoder:
        with args.encoder.open("rb") as fh:
            encoder = EncoderModel.read(fh)
        encoder.sha256 = hashlib.sha256(args.encoder.read_bytes()).hexdigest()
    result = train(args.corpus, encoder=encoder)
    buf = io.BytesIO()
    result.model.save(buf)
    took = time.perf_counter() - start
    report = result.report
    print(f"trained on {report['rows']} labelled lines in {took:.1f} s")
    print(
        f"threshold {report['threshold']} (coercion head), pick {report['pick']} (key stages), "
        f"{report['threshold_other']} (others)"
    )
    for name in ("dev", "dev_rules_only"):
        m = report[name]
        recalls = ", ".join(f"{s} {m['stages'][s]['recall']:.2f}" for s in m["stages"])
        print(
            f"{name}: benign flagged {m['benign_flagged']}/{m['benign']} (mean over sources "
            f"{m['benign_rate_by_source']:.3f}); coercive lines flagged "
            f"{m['coercive_flagged']}/{m['coercive']}; recall {recalls}"
        )
    c = report["context_shift"]
    print(
        f"context shift {c['shift']} (log-odds) from {c['messages']} conversation messages that "
        f"follow a threat or demand ({c['coercive']} coercive); flagged, coercive / other: "
        f"{c['without_shift']['coercive_flagged']} / {c['without_shift']['other_flagged']} without, "
        f"{c['with_shift']['coercive_flagged']} / {c['with_shift']['other_flagged']} with"
    )
    o = report["ordinary_flagged"]
    print(f"ordinary text messages (train only) with a key stage: {o['flagged']}/{o['lines']}")
    b = report.get("blend") or {}
    if b:
        alone, mixed = b["scorer_alone"], b["blended"]
        print(
            f"blend {result.model.meta['blend']} on the encoder's dev fold ({b['coercive']} "
            f"coercive, {b['benign']} benign lines): words alone recall {alone['recall']:.3f}, "
            f"benign {alone['benign_rate']:.3f}; blended recall {mixed['recall']:.3f}, benign "
            f"{mixed['benign_rate']:.3f} (budget {mixed.get('budget_rate', 0.0):.3f}), encoder "
            f"asked for {mixed.get('asked', 1.0):.1%}"
        )
        chosen = Blend.from_meta(result.model.meta["blend"])
        if chosen is not None and not chosen.gate:
            print(
                "warning: no gate kept the blend's recall, so the encoder would be asked about "
                "every message (scan with the encoder slows to its pace); check the gate search",
                file=sys.stderr,
            )
        if b.get("ordinary"):
            print(
                f"  everyday text messages of that fold ({b['ordinary']}), coercion head at the "
                f"threshold: words alone {alone['ordinary_rate']:.3f}, blended "
                f"{mixed['ordinary_rate']:.3f}"
            )
    for part in ("per_language", "per_origin"):
        for name, both in report[part].items():
            s, r = both["scorer"], both["rules"]
            print(
                f"  {name}: key recall scorer {s['key_recall']:.2f} rules {r['key_recall']:.2f}; "
                f"benign flagged scorer {s['benign_flagged']}/{s['benign']}, "
                f"rules {r['benign_flagged']}/{r['benign']}"
            )
    if args.report:
        args.report.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    if args.check:
        same = MODEL.exists() and MODEL.read_bytes() == buf.getvalue()
        print("model file unchanged" if same else "model file DIFFERS from a fresh training")
        return 0 if same else 1
    args.out.write_bytes(buf.getvalue())
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
