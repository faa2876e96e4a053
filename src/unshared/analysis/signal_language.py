"""Whether a message is in a language the sentence encoder learned.

The encoder (:mod:`unshared.analysis.signal_encoder`) was fine-tuned mostly on English, French,
Spanish and German lines (it reads Nigerian Pidgin through its English; Italian, Portuguese and
Dutch it saw as a thousand lines or so each, many of them translations). On everyday messages in
Turkish and Indonesian, and on chats in Italian and Portuguese, it read ordinary lines as threats
that the n-grams and rules left alone. So the reader asks it only about a message that
reads as one of its languages; the others keep the n-grams and rules, as other scripts do.

The language comes from py3langid (langid.py's model: character n-grams of over 100 languages,
BSD-3, inside its wheel, run in numpy). A message counts as the encoder's when the best-scoring of
its languages is within :data:`MARGIN` (log-likelihood) of the best of all: short chat lines
("still got ur video btw") often score a little higher in a neighbouring language, and must stay
the encoder's. The margin was chosen on the labelled blind sets (the lines of the encoder's
languages that lost it: 10 of 3,570 English coercive lines; Italian, Portuguese, Dutch kept by
it: 1-3%).

The model (68 MB once unpacked) loads on first use (0.32-0.48 s in a thread on one core,
2026-12-07, ``docs/benchmarks/signals.md``); :func:`preload` starts that in a thread when a
reader that will use the encoder is built, so it overlaps with the rest.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from unshared.analysis.disguise import undisguise

__all__ = ["ENCODER_LANGUAGES", "MARGIN", "encoder_language", "preload"]

ENCODER_LANGUAGES = frozenset({"en", "fr", "es", "de", "pcm"})
"""py3langid's codes for the languages the encoder learned."""
MARGIN = 8.0
"""How far (log-likelihood) below the best language the best of :data:`ENCODER_LANGUAGES` may
score for the message still to be the encoder's."""

_lock = threading.Lock()
_identifier: Any = None


def _load() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        return _identifier


def preload() -> None:
    """Load the language model in a background thread (the first :func:`encoder_language` waits
    for it)."""
    if _identifier is None:
        threading.Thread(target=_load, name="unshared-language", daemon=True).start()


@lru_cache(maxsize=8192)
def encoder_language(text: str) -> bool:
    """Whether ``text`` (its plain form: look-alike letters undone) reads as one of
    :data:`ENCODER_LANGUAGES`, within :data:`MARGIN` of the best language."""
    ranked: list[tuple[str, float]] = _load().rank(undisguise(text).text)
    best = ranked[0][1]
    ours = max((s for lang, s in ranked if lang in ENCODER_LANGUAGES), default=float("-inf"))
    return ours > best - MARGIN
