"""A broken corpus file stops training with an error that names the file and the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unshared.analysis.signal_corpus import load_corpus
from unshared.errors import ParseError

GOOD = {"text": "pay me 500 or I post it", "stages": ["payment_demand"], "lang": "en"}


def _corpus(tmp_path: Path, name: str, lines: list[str]) -> Path:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_a_good_file_loads(tmp_path: Path) -> None:
    rows = load_corpus(_corpus(tmp_path, "quotes.jsonl", [json.dumps(GOOD)]))
    assert [r.text for r in rows] == [GOOD["text"]]


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ('{"text": "pay me", "stages": ["payment_demand"]', "not a JSON object"),
        ('["pay me"]', "not a JSON object"),
        ('{"stages": ["threat"]}', "needs a text"),
    ],
)
def test_a_broken_line_names_file_and_line(tmp_path: Path, bad: str, says: str) -> None:
    root = _corpus(tmp_path, "quotes.jsonl", [json.dumps(GOOD), "", bad, json.dumps(GOOD)])
    with pytest.raises(ParseError) as err:
        load_corpus(root)
    message = str(err.value)
    assert "quotes.jsonl" in message and "line 3" in message and says in message


def test_a_broken_conversation_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "conversations.jsonl").write_text(
        json.dumps({"id": "c1", "messages": []}) + "\n" + '{"id": "c2", "messages": [\n',
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as err:
        load_corpus(tmp_path)
    assert "conversations.jsonl" in str(err.value) and "line 2" in str(err.value)


def test_a_blind_line_that_starts_with_a_quote_mark_stays_one_line(tmp_path: Path) -> None:
    """A page's stray opening quote (no closing one) must not swallow the lines after it."""
    folder = tmp_path / "blind_x"
    folder.mkdir()
    lines = [
        "labels\ttext\tsource_url\tsource_date\tlang",
        'benign\t"Young people can be vulnerable to this scam.\thttps://example.org/a\t\ten',
        "benign\tReport it to the police.\thttps://example.org/a\t\ten",
        'threat\tI will send "the video" to everyone\twritten\t2026-12-05\ten',
    ]
    (folder / "written.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = load_corpus(tmp_path)
    assert [r.text for r in rows] == [
        '"Young people can be vulnerable to this scam.',
        "Report it to the police.",
        'I will send "the video" to everyone',
    ]
    assert [sorted(r.stages) for r in rows] == [[], [], ["threat"]]
