"""The signal scorer's labelled corpus, read from ``tests/data/signals`` (no scikit-learn here).

Corpus files (JSON lines):

* ``<split>.jsonl`` and ``corpus/*.jsonl`` lines: ``text``, ``stages``, ``lang``, ``is_benign``,
  ``source`` (offender / victim / benign), optional ``source_url`` / ``source_date``;
* ``corpus/conversations*.jsonl``: ``{"id", "lang", "messages": [{"sender", "text", "stages"}]}``,
  the messages labelled as read in order (a remark about the neighbourhood right after a
  threat is labelled escalation; the same remark alone, elsewhere in the corpus, is not).

Blind sets folded in after their one first look are TSV files ``blind_*/*.tsv`` and, for their
whole conversations, ``blind_*/conversations.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unshared.analysis.signal_rules import KEY_STAGES, STAGES
from unshared.analysis.signals import available_languages
from unshared.errors import ParseError

__all__ = [
    "CONTEXT_WINDOW",
    "TRAIN_ONLY",
    "TRANSLATED",
    "Row",
    "corpus_files",
    "corpus_hash",
    "from_conversation",
    "load_corpus",
    "with_context_copies",
]

CONTEXT_WINDOW = 3
TRAIN_ONLY = frozenset(
    {"ordinary_sms", "ordinary_irc"}
    | {f"ordinary_sms_{lang}" for lang in ("fr", "de", "es", "it", "pt", "nl")}
)
"""Corpus files that train but do not count in the dev figures: ordinary chat (the SMS ham, its
translations and Ubuntu IRC lines), so easy that it would dilute the share of benign look-alikes
flagged that the threshold is chosen on."""
TRANSLATED = "translated_"
"""Corpus files named so hold translations of quoted lines: they train, in their original's fold
(same source page), but do not count in the dev figures, which stay on lines as they were found."""


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    stages: frozenset[str]
    lang: str
    group: str
    is_benign: bool
    context: bool = False
    evaluate: bool = True  # context copies of single lines train but are not scored
    source: str = ""
    origin: str = ""


def load_corpus(root: Path) -> list[Row]:
    """Every labelled line under ``root`` (tests/data/signals), plus conversations in order.

    A line in a language with no pattern file (it, pt) is read with the English rules."""
    rows: list[Row] = list(_blind_sets(root))
    packs = set(available_languages())
    files = sorted(root.glob("*.jsonl")) + sorted((root / "corpus").glob("*.jsonl"))
    for path in files + sorted(root.glob("blind_*/conversations.jsonl")):
        if path.name.startswith("conversations"):
            rows.extend(_conversations(path, packs))
            continue
        for number, r in _json_lines(path):
            if not isinstance(r.get("text"), str):
                raise ParseError(
                    "a labelled line needs a text", path=str(path), where=f"line {number}"
                )
            rows.append(
                Row(
                    text=r["text"],
                    stages=frozenset(r.get("stages") or ()),
                    lang=lang if (lang := r.get("lang") or "en") in packs else "en",
                    group=_group(path.stem, r),
                    is_benign=bool(r.get("is_benign")),
                    evaluate=path.stem not in TRAIN_ONLY and not path.stem.startswith(TRANSLATED),
                    source=r.get("source_url") or f"{path.stem} {r.get('id', '')}".strip(),
                    origin=path.stem,
                )
            )
    return rows


def _group(stem: str, r: dict[str, Any]) -> str:
    """The fold group: the source page, so one page's lines never sit on both sides. Lines of a
    :data:`TRAIN_ONLY` file are many unrelated messages under one collection's address, so
    each is its own group (else the whole collection lands in one fold), a translation with the
    line it translates."""
    if stem in TRAIN_ONLY:
        return f"train-only:{r.get('translated_from') or r.get('id')}"
    if not r.get("source_url"):
        return f"{stem}:{r.get('id')}"
    return str(r["source_url"])


def _blind_sets(root: Path) -> Iterable[Row]:
    """Blind sets that were measured once and then folded in (``blind_*/*.tsv``).

    Columns ``labels, text, source_url, source_date, lang``; ``labels`` are stages or ``benign``,
    with ``demand`` for our ``payment_demand``. Tab-separated with no quoting: a text may start
    with a quote mark the page printed, and must not swallow the lines after it.
    """
    import csv

    for path in sorted(root.glob("blind_*/*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for number, r in enumerate(
                csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 2
            ):
                labels = {x.strip() for x in (r["labels"] or "").split(",") if x.strip()}
                stages = frozenset(
                    "payment_demand" if x == "demand" else x for x in labels if x != "benign"
                )
                url = (r.get("source_url") or "").strip()
                lang = (r.get("lang") or "en").strip()
                yield Row(
                    text=r["text"],
                    stages=stages,
                    lang=lang if lang in available_languages() else "en",
                    group=url
                    if url.startswith("http")
                    else f"{path.parent.name}/{path.name}:{number}",
                    is_benign=not (stages & set(KEY_STAGES)),
                    source=url
                    if url.startswith("http")
                    else f"{path.parent.name} {path.stem} line {number}",
                    origin=path.parent.name,
                )


def _json_lines(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSONL file with their line numbers; a broken line is a
    :class:`~unshared.errors.ParseError` naming the file and the line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"not a JSON object: {exc.msg} at column {exc.colno}",
                path=str(path),
                where=f"line {number}",
            ) from exc
        if not isinstance(value, dict):
            raise ParseError("not a JSON object", path=str(path), where=f"line {number}")
        yield number, value


def _conversations(path: Path, packs: set[str]) -> Iterable[Row]:
    """Each message of each conversation, in order, with ``context`` set when one of the
    sender's previous :data:`CONTEXT_WINDOW` messages is labelled a threat or a demand."""
    origin = (
        f"{path.parent.name}/conversations" if path.parent.name.startswith("blind_") else path.stem
    )
    for number, conv in _json_lines(path):
        if not isinstance(conv.get("messages"), list) or "id" not in conv:
            raise ParseError(
                "a conversation needs an id and messages", path=str(path), where=f"line {number}"
            )
        lang = conv.get("lang") or "en"
        recent: dict[str, list[bool]] = {}
        for m in conv["messages"]:
            stages = frozenset(m.get("stages") or ())
            if not isinstance(m.get("text"), str) or not isinstance(m.get("sender"), str):
                raise ParseError(
                    "a message needs a sender and a text", path=str(path), where=f"line {number}"
                )
            if stages - set(STAGES):
                raise ParseError(
                    f"unknown stages {sorted(stages - set(STAGES))}",
                    path=str(path),
                    where=f"line {number}",
                )
            history = recent.setdefault(m["sender"], [])
            yield Row(
                text=m["text"],
                stages=stages,
                lang=lang if lang in packs else "en",
                group=f"{origin}:{conv['id']}",
                is_benign=bool(m.get("is_benign")),
                context=any(history[-CONTEXT_WINDOW:]),
                source=conv.get("source_url") or f"conversation {conv['id']}",
                origin=origin,
            )
            history.append(bool(stages & {"threat", "payment_demand"}))


def from_conversation(row: Row) -> bool:
    """Whether ``row`` is a message of a whole conversation (read in order, with its context)."""
    return row.origin.startswith("conversations") or row.origin.endswith("/conversations")


def with_context_copies(rows: Sequence[Row]) -> list[Row]:
    """Single lines again with the context features on: what holds alone holds after a threat."""
    out = list(rows)
    for r in rows:
        if not from_conversation(r):
            out.append(
                Row(r.text, r.stages, r.lang, r.group, r.is_benign, True, False, r.source, r.origin)
            )
    return out


def corpus_files(root: Path) -> list[Path]:
    """Every labelled file under ``root`` that training reads (:func:`load_corpus`); the other
    folders there (``pending/``, ``everyday_heldout/``) are never trained on."""
    return (
        sorted(root.glob("*.jsonl"))
        + sorted((root / "corpus").glob("*.jsonl"))
        + sorted(root.glob("blind_*/*.tsv"))
        + sorted(root.glob("blind_*/conversations.jsonl"))
    )


def corpus_hash(root: Path) -> str:
    """A hash of every labelled file under ``root``: the model records the corpus it learnt."""
    h = hashlib.sha256()
    for path in corpus_files(root):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()
