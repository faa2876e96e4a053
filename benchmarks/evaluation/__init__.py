"""Evaluation against labelled sets: precision and recall of identifiers (``labelled``) and of
signal detection (``signals``). Used by the tests and the benchmarks only, so it is not shipped in
the package."""

__all__ = ["labelled", "signals"]
