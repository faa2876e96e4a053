"""Ordinary chat is not coercion: the real public chat exports the importers are tested on
(../shared/fixtures/exports: friends and test chats on WhatsApp, Telegram, Messenger, Discord,
Instagram, Signal and Skype) read through the importers and the reader as `unshared signals`
reads a case, with the conversation as context. Lines such as "who is this", "hello world",
"All good" or "This is the last message of this test file." once read as threats to a model
that had learnt short common words from offenders' lines; the scorer now also learns from
ordinary text messages (corpus/ordinary_sms.jsonl)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from unshared.analysis.signal_blend import ORDINARY_SHARE
from unshared.analysis.signal_corpus import corpus_files, load_corpus
from unshared.analysis.signal_encoder import EncoderModel
from unshared.analysis.signal_language import ENCODER_LANGUAGES
from unshared.analysis.signal_reader import SignalReader
from unshared.analysis.signal_rules import KEY_STAGES
from unshared.errors import UnsharedError
from unshared.importers import FileSource, ImportOptions, detect
from unshared.model import Message


def _chats(exports_dir: Path) -> dict[str, list[Message]]:
    out: dict[str, list[Message]] = {}
    for path in sorted(p for p in exports_dir.rglob("*") if p.is_file() and p.suffix != ".md"):
        source = FileSource(path)
        try:
            records = list(detect(source).parse(source, ImportOptions()))
        except UnsharedError:
            continue  # not a chat export (a picture, a partial file)
        # As the case analysis reads them: system lines ("Started a call that lasted 251
        # minutes", "Messages are end-to-end encrypted") are not the sender's words and get no
        # signals there.
        messages = [
            r
            for r in records
            if isinstance(r, Message) and r.kind == "message" and r.text and r.text.strip()
        ]
        if messages:
            out[str(path.relative_to(exports_dir))] = messages
    return out


def _flagged(exports_dir: Path, use_encoder: bool) -> list[tuple[str, str]]:
    chats = _chats(exports_dir)
    assert len(chats) >= 10 and sum(map(len, chats.values())) >= 150
    flagged: list[tuple[str, str]] = []
    for name, messages in chats.items():
        read = SignalReader(context=3, use_encoder=use_encoder).read(
            [m.text or "" for m in messages], [m.sender for m in messages]
        )
        flagged += [
            (name, m.text or "")
            for m, signals in zip(messages, read, strict=True)
            if any(s.stage in KEY_STAGES for s in signals)
        ]
    return flagged


def test_ordinary_chats_get_almost_no_key_stage(exports_dir: Path) -> None:
    # The words alone: at most 2 of the 163 messages.
    assert len(_flagged(exports_dir, use_encoder=False)) <= 2
    # With the sentence encoder, three more at most. Measured 4 on 2026-12-05, 0 with the models
    # of 2026-12-06 morning, 6 with those of 2026-12-06 night (ab-ah folded in), 5 with those of
    # 2026-12-07 (ai-ak folded in; a message mostly in another script is left to the words):
    # their encoder reads "This is the last message of this test file." (in two of the exports)
    # and a test message whose second line is a timestamp like warnings, and the words alone
    # flag "shooting stars" and a line of 150 emoji; 5 with the language check (gate 0.2): the
    # timestamp message no longer, "This message should be reordered" again; 5 with those of
    # 2026-12-07 morning (al folded in, gate 0.1): the timestamp message again, "reordered" no
    # longer; 1 with those of 2026-12-07 evening (am-as and the IRC chat lines folded in, gate
    # 0.07): only the line of 150 emoji, by the words. The models of
    # 2026-12-06 night were landed for what they find on blind sets of offenders' quoted words
    # and whole conversations (docs/benchmarks/signals.md, "Thirty-fifth"); the cost is held
    # here, and a model that flags more of these chats is not landed.
    flagged = _flagged(exports_dir, use_encoder=True)
    assert len(flagged) <= 5, flagged


def test_the_sentence_encoder_reads_few_everyday_messages(
    exports_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It costs milliseconds a message: only messages whose n-gram and rule reading reaches the
    blend's gate are given to it. Measured 2026-12-07 morning (al folded in): 22 of these 163
    (gate 0.1); earlier that day, with the language check: 12 (gate 0.2); 2026-12-06 late morning (y, z and aa folded in): 33 (gate 0.07; the bound was a fifth, 32.6, until then, and is now a quarter: the
    gate that kept the dev fold's recall asks one message more); 2026-12-06 morning: 20 (gate
    0.1); the models of 2026-12-06 night: 32 (gate 0.07); 20 with gate 0.1 the night before; 2026-12-05: 27 (test chats full of "This is a test message"), where the gate had let 31 through while it was tested on the
    n-gram reading with the context shift, and most of them when it also counted every rule that
    might fire (a third of everyday text messages)."""
    read: list[str] = []
    original = EncoderModel.logits

    def counting(self: EncoderModel, texts: list[str]) -> object:
        read.extend(texts)
        return original(self, texts)

    monkeypatch.setattr(EncoderModel, "logits", counting)
    messages = sum(map(len, _chats(exports_dir).values()))
    _flagged(exports_dir, use_encoder=True)
    assert read, "the encoder is asked about some messages"
    assert len(read) <= 0.25 * messages, read


def test_short_everyday_lines_are_not_coercion() -> None:
    lines = ["who is this", "ok who is this", "hello world", "All good", "Definitely", "I am in!"]
    read = SignalReader().read(lines)
    assert [[s.stage for s in signals] for signals in read] == [[]] * len(lines)


HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "signals" / "everyday_heldout"
# 836 tweets and film-subtitle lines in 17 languages, collected like the first for the language
# check (docs/benchmarks/signals.md, "Thirty-ninth"); measured once, never tuned on.
HELD_OUT2 = HELD_OUT.with_name("everyday_heldout2")


def _held_out(folder: Path = HELD_OUT) -> list[dict[str, str]]:
    with (folder / "chat.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("folder", [HELD_OUT, HELD_OUT2], ids=["sms-irc", "languages"])
def test_held_out_everyday_chat_is_real_benign_and_never_trained_on(folder: Path) -> None:
    rows = _held_out(folder)
    assert len(rows) >= 600
    assert all(r["labels"] == "benign" and r["text"].strip() for r in rows)
    assert all(r["source_url"].startswith("https://github.com/") for r in rows)
    assert len({r["lang"] for r in rows}) >= 5
    # training reads the corpus files and blind_* folders only, and hashes only those
    corpus = load_corpus(folder.parent)
    assert not any(r.source.startswith(tuple({r["source_url"] for r in rows})) for r in corpus)
    assert all(p.parent.name != folder.name for p in corpus_files(folder.parent))


def _held_out_flags(
    use_encoder: bool, folder: Path = HELD_OUT, langs: frozenset[str] | None = None
) -> list[str]:
    texts = [r["text"] for r in _held_out(folder) if langs is None or r["lang"] in langs]
    found = SignalReader(use_encoder=use_encoder).read(texts)
    keys = set(KEY_STAGES)
    return [t for t, s in zip(texts, found, strict=True) if {x.stage for x in s} & keys]


def test_held_out_everyday_chat_is_rarely_flagged_by_the_words() -> None:
    """649 real SMS and IRC messages (en, zh, fr, id, tr) that training never read. Training
    lets the blend flag at most ORDINARY_SHARE of the 5% budget (2.5%) of the dev fold's
    everyday messages, and the words alone flag fewer (1.5% there). Measured 2026-12-07: the
    words alone flag 10 of these 649 (1.5%)."""
    flagged = _held_out_flags(use_encoder=False)
    assert len(flagged) <= ORDINARY_SHARE * 0.05 * len(_held_out()), flagged


def test_held_out_everyday_chat_is_rarely_flagged_by_the_blend() -> None:
    """The blend's promise on everyday chat (2.5% at most), held on chat it never saw. It failed
    (19 of 649, 10 of them Turkish SMS) while the encoder read every Latin-script language;
    since it reads only the languages it learned, 9 (2026-12-07)."""
    flagged = _held_out_flags(use_encoder=True)
    assert len(flagged) <= ORDINARY_SHARE * 0.05 * len(_held_out()), flagged


def test_everyday_messages_in_the_encoders_languages_are_rarely_flagged() -> None:
    """The second held-out set's English, French, Spanish and German lines (280): 4 flagged
    (2026-12-07; 6 while the encoder read every Latin-script language)."""
    rows = [r for r in _held_out(HELD_OUT2) if r["lang"] in ENCODER_LANGUAGES]
    flagged = _held_out_flags(use_encoder=True, folder=HELD_OUT2, langs=ENCODER_LANGUAGES)
    assert len(flagged) <= ORDINARY_SHARE * 0.05 * len(rows), flagged


def test_everyday_messages_in_any_language_are_rarely_flagged() -> None:
    """At most half the look-alike budget (2.5%) of 836 tweets and film lines in 17 languages.
    A strict xfail until 2026-12-08 (25 of 836 with the models of 2026-12-07, 21 of them outside
    en/fr/es/de); the models of 2026-12-08 flag 18."""
    flagged = _held_out_flags(use_encoder=True, folder=HELD_OUT2)
    assert len(flagged) <= ORDINARY_SHARE * 0.05 * len(_held_out(HELD_OUT2)), flagged
