"""A corpus's dev fold as blind-set TSV lines (``benchmarks/signals_dev_fold.py`` writes them).

Fold 0 of the encoder, the lines that count in the dev figures, read alone: what a landing rule
reads the landed model pair and a retrained one on, since a retraining's own dev fold moves when
lines are added.
"""

from __future__ import annotations

from pathlib import Path

from unshared.analysis.signal_corpus import from_conversation, load_corpus
from unshared.analysis.signal_encoder import DEV_FOLD
from unshared.analysis.signal_training import _fold


def dev_fold_tsv(corpus: Path) -> list[str]:
    """The TSV lines (header first) of ``corpus``'s dev fold, labels as blind sets spell them."""
    out = ["labels\ttext\tsource_url\tsource_date\tlang"]
    for r in load_corpus(corpus):
        if not r.evaluate or r.context or from_conversation(r) or _fold(r.group) != DEV_FOLD:
            continue
        if "\t" in r.text or "\n" in r.text:
            continue
        stages = sorted("demand" if s == "payment_demand" else s for s in r.stages)
        out.append(f"{','.join(stages) or 'benign'}\t{r.text}\t{r.group}\tunknown\t{r.lang}")
    return out
