"""`tools/fold_pending.py` moves a pending blind set into the corpus and leaves out its copies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from unshared.analysis.signal_corpus import load_corpus

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fold_pending.py"
HEAD = "labels\ttext\tsource_url\tsource_date\tlang\n"


def _tree(root: Path) -> Path:
    signals = root / "signals"
    (signals / "corpus").mkdir(parents=True)
    known = {
        "id": "k-1",
        "lang": "en",
        "source": "offender",
        "is_benign": False,
        "stages": ["threat"],
        "kind": "test",
        "text": "I will send the video to all your followers tonight",
        "source_url": "https://example.org/a",
        "source_date": "2026-12-07",
    }
    (signals / "corpus" / "kinds.jsonl").write_text(json.dumps(known) + "\n", encoding="utf-8")
    pending = signals / "pending" / "blind_x"
    pending.mkdir(parents=True)
    (pending / "written.tsv").write_text(
        HEAD
        # a near copy of the corpus line (80% of the words): left out
        + "threat\tI will send the video to all your followers tonight!!\twritten\t2026-12-07\ten\n"
        + "demand\tpay 300 in gift cards now\twritten\t2026-12-07\ten\n"
        # the same line twice in the set: the second is left out
        + "benign\tsee you at practice tomorrow\twritten\t2026-12-07\ten\n"
        + "benign\tSee you at practice tomorrow\twritten\t2026-12-07\ten\n",
        encoding="utf-8",
    )
    (pending / "README.md").write_text("a set\n", encoding="utf-8")
    return signals


def test_a_folded_set_moves_up_without_the_lines_that_copy_others(tmp_path: Path) -> None:
    signals = _tree(tmp_path)
    done = subprocess.run(
        [sys.executable, str(TOOL), "--signals", str(signals), "blind_x"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "blind_x/written.tsv: 2 copies left out" in done.stdout
    assert not (signals / "pending" / "blind_x").exists()
    assert (signals / "blind_x" / "README.md").is_file()
    rows = [r for r in load_corpus(signals) if r.origin == "blind_x"]
    assert sorted(r.text for r in rows) == [
        "pay 300 in gift cards now",
        "see you at practice tomorrow",
    ]


def test_folding_a_set_twice_or_one_that_is_not_there_fails_and_changes_nothing(
    tmp_path: Path,
) -> None:
    signals = _tree(tmp_path)
    before = (signals / "pending" / "blind_x" / "written.tsv").read_bytes()
    missing = subprocess.run(
        [sys.executable, str(TOOL), "--signals", str(signals), "blind_y"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "no such pending set" in missing.stderr
    (signals / "blind_x").mkdir()
    twice = subprocess.run(
        [sys.executable, str(TOOL), "--signals", str(signals), "blind_x"],
        capture_output=True,
        text=True,
    )
    assert twice.returncode != 0 and "already folded in" in twice.stderr
    assert (signals / "pending" / "blind_x" / "written.tsv").read_bytes() == before


def test_a_set_with_a_broken_line_is_named_and_left_where_it_was(tmp_path: Path) -> None:
    signals = _tree(tmp_path)
    written = signals / "pending" / "blind_x" / "written.tsv"
    written.write_text(written.read_text(encoding="utf-8") + "threat\n", encoding="utf-8")
    before = written.read_bytes()
    broken = subprocess.run(
        [sys.executable, str(TOOL), "--signals", str(signals), "blind_x"],
        capture_output=True,
        text=True,
    )
    assert broken.returncode != 0
    assert f"{written}: line 6 has no text column" in broken.stderr
    assert written.read_bytes() == before and not (signals / "blind_x").exists()
