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


def _line(n: int, text: str, stages: list[str], source: str = "offender") -> str:
    return json.dumps(
        {
            "id": f"b-{n}",
            "lang": "en",
            "source": source,
            "is_benign": not stages,
            "stages": stages,
            "kind": "test chat",
            "text": text,
            "source_url": f"https://example.org/chat{n % 2}",
            "source_date": "2026-12-07",
        }
    )


def _batch(signals: Path, lines: list[str]) -> Path:
    folder = signals / "pending" / "batch_x"
    folder.mkdir(parents=True)
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "batch.md").write_text("how the batch was labelled\n", encoding="utf-8")
    return folder


def _fold_batch(signals: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), "--signals", str(signals), "--batch", "batch_x", *extra],
        capture_output=True,
        text=True,
    )


def test_a_json_lines_batch_goes_into_corpus_files_split_by_side_without_copies(
    tmp_path: Path,
) -> None:
    signals = _tree(tmp_path)
    _batch(
        signals,
        [
            _line(1, "Price for you is $400,000 in BTC", ["payment_demand"]),
            # a near copy of the corpus line: left out
            _line(2, "I will send the video to all your followers tonight.", ["threat"]),
            _line(3, "We cannot pay that much, please lower it", [], "victim"),
            _line(4, "we cannot pay that much please lower it!", [], "victim"),  # a copy of 3
            _line(5, "Hello", [], "benign"),
        ],
    )
    done = _fold_batch(signals, "--into", "public_quotes11", "--benign-into", "public_benign12")
    assert done.returncode == 0, done.stderr
    assert "batch_x/batch.jsonl: 2 copies left out" in done.stdout
    assert not (signals / "pending" / "batch_x").exists()
    quotes = (signals / "corpus" / "public_quotes11.jsonl").read_text(encoding="utf-8")
    benign = (signals / "corpus" / "public_benign12.jsonl").read_text(encoding="utf-8")
    assert [json.loads(x)["id"] for x in quotes.splitlines()] == ["b-1"]
    assert [json.loads(x)["id"] for x in benign.splitlines()] == ["b-3", "b-5"]
    assert (
        (signals / "corpus" / "public_quotes11.md")
        .read_text(encoding="utf-8")
        .startswith("how the batch")
    )
    texts = {r.text for r in load_corpus(signals)}
    assert {"Price for you is $400,000 in BTC", "Hello"} <= texts


def test_a_batch_with_a_broken_or_mislabelled_line_is_named_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    signals = _tree(tmp_path)
    good = _line(1, "Price for you is $400,000 in BTC", ["payment_demand"])
    for bad, says in [
        ("{not json", "line 2 is not a JSON object"),
        (json.dumps({"text": "no other field"}), "line 2 lacks"),
        # an offender's line with no stage must say it is benign and not come from the offender
        (_line(2, "We always reply within 24 hours", [], "offender"), "line 2: a line with"),
        (_line(2, "pay now", ["payment_demand"], "victim"), "line 2: a line with"),
        (_line(2, "pay now", ["no_such_stage"]), "line 2: unknown stage"),
    ]:
        folder = _batch(signals, [good, bad])
        before = (folder / "batch.jsonl").read_bytes()
        failed = _fold_batch(signals, "--into", "public_quotes11")
        assert failed.returncode != 0 and f"{folder / 'batch.jsonl'}: {says}" in failed.stderr
        assert (folder / "batch.jsonl").read_bytes() == before
        assert not (signals / "corpus" / "public_quotes11.jsonl").exists()
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()


def test_a_batch_is_not_folded_over_a_corpus_file_that_exists(tmp_path: Path) -> None:
    signals = _tree(tmp_path)
    folder = _batch(signals, [_line(1, "Price for you is $400,000 in BTC", ["payment_demand"])])
    taken = _fold_batch(signals, "--into", "kinds")
    assert taken.returncode != 0 and "kinds.jsonl: already exists" in taken.stderr
    assert (folder / "batch.jsonl").is_file()
    assert len((signals / "corpus" / "kinds.jsonl").read_text(encoding="utf-8").splitlines()) == 1
