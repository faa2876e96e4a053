"""Analysis of message text: identifiers police need, and sextortion signals.

Pure: :mod:`~unshared.analysis.case_analysis` takes a case's rows and returns what it found; the
use case :mod:`unshared.usecases.analyse` reads and stores them."""

__all__ = [
    "case_analysis",
    "checksums",
    "finders",
    "identifiers",
    "patterns",
    "signal_rules",
    "signals",
    "summary",
    "urls",
]
