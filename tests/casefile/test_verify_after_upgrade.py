"""A case analysed with other models is not called tampered with (written before the fix).

The analysis version (``analysis_run``'s ``analyser``) was a hand-kept string, unchanged across
18 commits that retrained the packaged scorer and encoder. A case analysed before an upgrade
was then analysed again by ``verify`` with the new models, which read some messages differently, and
verify reported "the stored analysis differs from a new analysis of the same messages": a false
alarm of tampering on a genuine case, and the next report kept the old analysis. The version now
carries a digest of the packaged model files: another model is another version.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from unshared.analysis import case_analysis
from unshared.casefile import Case
from unshared.usecases.analyse import analyse_case, analysis_state
from unshared.usecases.exhibits import verify_case_file

PASS = "a long passphrase"
CHAT = (
    "12/07/2025, 22:35 - Alex: I have your video. Pay £500 or I send it to everyone\n"
    "12/07/2025, 22:36 - Sam: please no\n"
    "12/07/2025, 22:40 - Alex: you have 2 hours\n"
).encode()


def _analysed(path: Path) -> None:
    from unshared.importers import ImportOptions, detect

    with Case.create(path, PASS) as case:
        exhibit = case.add_exhibit(
            io.BytesIO(CHAT), name="WhatsApp Chat with Alex.txt", source_path="chat.txt"
        )
        source = case.exhibit_source(exhibit.sha256)
        importer = detect(source)
        case.record_import(exhibit, importer.name, importer.parse(source, ImportOptions()))
        analyse_case(case, "GB")


def _new_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if retrained models were installed: other bytes, and a reading that finds less."""
    from unshared.analysis.signal_reader import SignalReader

    real = case_analysis._model_bytes if hasattr(case_analysis, "_model_bytes") else None
    if real is not None:
        monkeypatch.setattr(case_analysis, "_model_bytes", lambda name: real(name) + b"retrained")
        case_analysis.analyser.cache_clear()
    monkeypatch.setattr(SignalReader, "read", lambda self, texts, *a, **k: [[] for _ in texts])


def test_a_case_analysed_before_the_models_changed_verifies_and_is_analysed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.unshared"
    _analysed(path)
    with Case.open(path, PASS) as case:
        assert verify_case_file(case).ok
        assert any(True for _ in case.signals())
    _new_models(monkeypatch)
    with Case.open(path, PASS) as case:
        result = verify_case_file(case)
        assert result.ok, result.problems
        assert any("another version of the analysis" in n for n in result.notes), result.notes
        assert analysis_state(case).stale  # the next report analyses it again


def test_the_analysis_version_follows_the_model_files(monkeypatch: pytest.MonkeyPatch) -> None:
    case_analysis.analyser.cache_clear()
    today = case_analysis.analyser()
    assert today == case_analysis.analyser() and today.startswith(case_analysis.ANALYSIS_CODE)
    real = case_analysis._model_bytes
    for name in case_analysis.MODEL_FILES:
        monkeypatch.setattr(
            case_analysis,
            "_model_bytes",
            lambda n, name=name: real(n) + (b"x" if n == name else b""),
        )
        case_analysis.analyser.cache_clear()
        assert case_analysis.analyser() != today, name
    monkeypatch.undo()
    case_analysis.analyser.cache_clear()
    assert case_analysis.analyser() == today
