"""Signals: the scorer beside the rules-only reading, accuracy and speed, from one run.

Run by hand (one core):

    OMP_NUM_THREADS=1 PYTHONPATH=src taskset -c 0 python benchmarks/signals_eval.py
    OMP_NUM_THREADS=1 PYTHONPATH=src taskset -c 0 python benchmarks/signals_eval.py \\
        --blind tests/data/signals/blind_2026_12

Sections:

1. labelled splits (tests/data/signals, all seen in training or fitting: *fitted* figures),
   scorer (``read_signals``) vs rules only (``detect_signals``) vs a plain keyword filter;
2. ``--blind DIR``: a blind set (TSV: labels, text, source_url, source_date, lang), per stage
   recall and the share of benign lines flagged with a key stage, scorer vs rules only;
3. ``scan`` throughput on one core with identifiers, scorer on vs rules only: every labelled
   line (each one a threat, a demand or a hard look-alike: the worst case for the gate that
   skips the rules), a chat-like stream (message texts of the real export samples in
   ../shared/fixtures/exports with 2% offender lines mixed in), its distinct lines, and varied
   chat in which no line is read twice (:func:`varied_stream`); rates wall-clock and in CPU
   time (the machine may be shared);
4. model load time (fresh process) and the bytes the scorer adds to the wheel.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "src"),
    str(Path(__file__).resolve().parents[1]),
]

from benchmarks.evaluation.signals import Evaluation, copies, evaluate, line_key  # noqa: E402

from unshared.analysis import signal_reader  # noqa: E402
from unshared.analysis.identifiers import extract_identifiers  # noqa: E402
from unshared.analysis.signal_encoder import EncoderModel  # noqa: E402
from unshared.analysis.signal_scorer import ScorerModel, load_scorer  # noqa: E402
from unshared.analysis.signals import KEY_STAGES, STAGES, detect_signals  # noqa: E402
from unshared.model import Signal  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "signals"
EXPORTS = next(
    (
        p / "shared" / "fixtures" / "exports"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared" / "fixtures" / "exports").is_dir()
    ),
    ROOT.parent / "shared" / "fixtures" / "exports",
)
SPLITS = ("en_dev", "en_heldout", "en_blind", "en_blind2", "en_blind3", "fr_blind", "es_blind")

KEYWORDS = {
    "contact": r"cute|handsome|gorgeous|mutual friends|how old are you|single",
    "platform_switch": r"snap(chat)?|whatsapp|telegram|kik|skype|discord",
    "image_request": r"send (me )?(a )?(pic|photo|nude|video)|nudes?|naked|show me",
    "threat": r"send (it|this|them)|post|leak|followers|family|friends|ruin|expose|everyone",
    "payment_demand": r"\$|£|€|pay|money|gift ?card|bitcoin|btc|cash ?app|western union|moneygram",
    "deadline": r"\d+ ?(min|minutes|hours?|hrs?)|hurry|now|tonight|deadline|last chance|tick",
    "escalation": r"kill yourself|kys|die|answer me|loser|pathetic|ignoring",
}
_BASE = {s: re.compile(rf"\b(?:{p})", re.I) for s, p in KEYWORDS.items()}


def keyword_baseline(text: str, lang: str = "en") -> list[Signal]:
    return [Signal(stage, "keyword") for stage, rx in _BASE.items() if rx.search(text)]


_MODEL: list[ScorerModel] = []  # --model: another model file than the packaged one
_THRESHOLD: list[float] = []  # --threshold
_ENCODER: list[EncoderModel] = []  # --encoder: another encoder file than the packaged one
_WORDS_ONLY: list[bool] = []  # --words-only: the scorer without the sentence encoder


def _encoder_kw() -> dict[str, Any]:
    return {
        "encoder": _ENCODER[0] if _ENCODER else None,
        "use_encoder": not _WORDS_ONLY,
    }


def scorer(text: str, lang: str = "en") -> list[Signal]:
    model = _MODEL[0] if _MODEL else None
    threshold = _THRESHOLD[0] if _THRESHOLD else None
    return signal_reader.SignalReader(
        lang=lang, model=model, threshold=threshold, **_encoder_kw()
    ).read([text])[0]


def load(name: str) -> list[dict[str, Any]]:
    path = DATA / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


LABELS = {"demand": "payment_demand"}  # the blind set's names for our stages


def load_blind(folder: Path, corpus: Path = DATA) -> dict[str, list[dict[str, Any]]]:
    """Rows of each TSV in ``folder``: ``labels`` are stages (comma-separated) or ``benign``.

    The blind set's ``demand`` is our ``payment_demand``; a language with no pattern file (pt,
    tl) is read with the English one. ``seen`` marks a line whose text is also in the training
    corpus (the blind author found some of the same public pages).
    """
    from unshared.analysis.signals import available_languages

    known = [r["text"] for r in _training_rows(corpus)]
    seen_texts = {line_key(t) for t in known}
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.tsv")):
        rows: list[dict[str, Any]] = []
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                labels = [x.strip() for x in re.split(r"[,;| ]+", r["labels"] or "") if x.strip()]
                labels = [LABELS.get(x, x) for x in labels]
                stages = [x for x in labels if x in STAGES]
                unknown = [x for x in labels if x not in STAGES and x.lower() != "benign"]
                if unknown:
                    raise SystemExit(f"{path.name}: unknown labels {unknown}")
                lang = (r.get("lang") or "en").strip() or "en"
                rows.append(
                    {
                        "text": r["text"],
                        "stages": stages,
                        "lang": lang if lang in available_languages() else "en",
                        "written_lang": lang,
                        "is_benign": not set(stages) & set(KEY_STAGES),
                        "seen": line_key(r["text"]) in seen_texts,
                        "source": (r.get("source_url") or "").strip(),
                    }
                )
        # A benign line from a source that also gives offender lines is mostly a neutral
        # sentence of the offender's own message ("I am a hacker who has access to your
        # device"), not a look-alike written by someone else.
        offender_sources = {r["source"] for r in rows if not r["is_benign"] and r["source"]}
        # Near-copies of training lines (80% of the words, :func:`copies`): mass e-mails are
        # templates, and a blind author may find another copy of a sentence the corpus has.
        copied = set(copies(known, [r["text"] for r in rows]))
        for r in rows:
            r["offender_source"] = r["source"] in offender_sources
            r["copy"] = r["text"] in copied
        out[path.stem] = rows
    return out


def load_conversations(path: Path) -> list[dict[str, Any]]:
    """Whole conversations (JSONL: ``id``, ``lang``, ``messages`` of ``sender``, ``text`` and
    ``stages`` or ``labels``), each message labelled as read in its conversation."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        conv = json.loads(line)
        messages = []
        for m in conv["messages"]:
            labels = [LABELS.get(x, x) for x in (m.get("stages") or m.get("labels") or [])]
            unknown = [x for x in labels if x not in STAGES and x.lower() != "benign"]
            if unknown:
                raise SystemExit(f"{path.name}, line {n}: unknown labels {unknown}")
            messages.append({"sender": m["sender"], "text": m["text"], "stages": labels})
        out.append(
            {"id": conv.get("id", str(n)), "lang": conv.get("lang", "en"), "messages": messages}
        )
    return out


def conversation_table(convs: list[dict[str, Any]]) -> None:
    """Messages read in order, each after its sender's last 3 (as ``unshared signals`` reads a
    case; then again with the victim's messages marked as theirs, as in a case whose owner said
    which names are theirs) and each alone, beside the rules: the key-stage messages flagged, the escalation ones,
    and the benign messages flagged with a key stage, per sender."""
    from unshared.analysis.signals import available_languages

    model = _MODEL[0] if _MODEL else None
    threshold = _THRESHOLD[0] if _THRESHOLD else None
    keys = set(KEY_STAGES)
    readings: dict[str, list[tuple[dict[str, Any], set[str]]]] = {}
    for name, context, scored in (
        ("context 3", 3, True),
        ("victim known", 3, True),
        ("alone", 0, True),
        ("rules", 0, False),
    ):
        pairs = []
        for conv in convs:
            lang = conv["lang"] if conv["lang"] in available_languages() else "en"
            reader = signal_reader.SignalReader(
                lang=lang,
                context=context,
                threshold=threshold,
                use_scorer=scored,
                model=model,
                **_encoder_kw(),
            )
            msgs = conv["messages"]
            victim = [name == "victim known" and m["sender"] == "victim" for m in msgs]
            got = reader.read([m["text"] for m in msgs], [m["sender"] for m in msgs], victim)
            pairs += [(m, {s.stage for s in g}) for m, g in zip(msgs, got, strict=True)]
        readings[name] = pairs

    def share(
        pairs: list[tuple[dict[str, Any], set[str]]], want: Callable[[dict[str, Any]], bool]
    ) -> str:
        picked = [g for m, g in pairs if want(m)]
        hit = sum(bool(g & keys) for g in picked)
        return f"{hit}/{len(picked)} ({hit / len(picked):.2f})" if picked else "-"

    n = sum(len(c["messages"]) for c in convs)
    print(f"\n### conversations: {len(convs)} ({n} messages), labelled as read in them\n")
    print("| messages | context 3 | context 3, victim's side known | alone | rules only |")
    print("|---|---:|---:|---:|---:|")
    rows: list[tuple[str, Callable[[dict[str, Any]], bool]]] = [
        ("with a key stage: flagged", lambda m: bool(set(m["stages"]) & keys)),
        ("escalation: flagged", lambda m: "escalation" in m["stages"]),
        ("escalation alone of the key stages", lambda m: set(m["stages"]) & keys == {"escalation"}),
        (
            "benign, offender's: flagged",
            lambda m: not set(m["stages"]) & keys and m["sender"] == "offender",
        ),
        (
            "benign, victim's: flagged",
            lambda m: not set(m["stages"]) & keys and m["sender"] == "victim",
        ),
        (
            "benign, friend's: flagged",
            lambda m: not set(m["stages"]) & keys and m["sender"] not in ("offender", "victim"),
        ),
    ]
    for label, want in rows:
        print(f"| {label} | " + " | ".join(share(readings[k], want) for k in readings) + " |")


def _training_rows(corpus: Path = DATA) -> list[dict[str, Any]]:
    """Every line the scorer learns from, folded-in blind sets included."""
    from unshared.analysis.signal_training import load_corpus

    return [{"text": r.text} for r in load_corpus(corpus)]


def coercion_recall(rows: list[dict[str, Any]], detect: Callable[[str, str], list[Signal]]) -> str:
    """Lines with a key stage that get at least one key stage flagged."""
    coercive = [r for r in rows if set(r["stages"]) & set(KEY_STAGES)]
    hit = sum(
        1 for r in coercive if {s.stage for s in detect(r["text"], r["lang"])} & set(KEY_STAGES)
    )
    return f"{hit}/{len(coercive)} ({hit / len(coercive):.2f})" if coercive else "-"


def show(rows: list[dict[str, Any]]) -> None:
    """The scorer's misses (coercive lines with no key stage flagged) and wrong flags (benign
    lines with one), each with its labels; ``copy`` marks a near-copy of a training line and
    ``offender's source`` a benign line from a source that also gave coercive lines."""
    keys = set(KEY_STAGES)
    print()
    for r in rows:
        got = {s.stage for s in scorer(r["text"], r["lang"])} & keys
        tags = " (copy)" if r["copy"] else ""
        if not r["is_benign"] and not got:
            print(f"MISS {','.join(r['stages'])}{tags}: {r['text'][:160]}")
        elif r["is_benign"] and got:
            where = " (offender's source)" if r["offender_source"] else ""
            print(f"FLAG {','.join(sorted(got))}{tags}{where}: {r['text'][:160]}")


def table(name: str, rows: list[dict[str, Any]], runs: dict[str, Evaluation]) -> None:
    print(f"\n## {name} ({len(rows)} lines)\n")
    heads = " | ".join(f"{k} P | {k} R" for k in runs)
    print(f"| stage | support | {heads} |")
    print("|---|---:|" + "---:|" * (2 * len(runs)))
    first = next(iter(runs.values()))
    for stage in STAGES:
        cells = " | ".join(
            f"{ev.stages[stage].precision:.2f} | {ev.stages[stage].recall:.2f}"
            for ev in runs.values()
        )
        print(f"| {stage} | {first.stages[stage].support} | {cells} |")
    flags = ", ".join(
        f"{k} {ev.benign_flagged}/{ev.benign} ({ev.benign_flag_rate:.1%})" for k, ev in runs.items()
    )
    print(f"\nbenign lines flagged with {'/'.join(KEY_STAGES)}: {flags}")


def chat_stream(n: int) -> list[str]:
    texts: list[str] = []
    line = re.compile(r"^\u200e?\[?[\d./,: -]+(?:[AP]M)?\]?\s*-?\s*([^:]{1,40}): (.+)$")
    for path in sorted((EXPORTS / "whatsapp").glob("*.txt")):
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            m = line.match(raw)
            if m:
                texts.append(m.group(2))
    offenders = [r["text"] for s in SPLITS for r in load(s) if r["source"] == "offender"]
    out: list[str] = []
    i = j = 0
    while len(out) < n:
        if len(out) % 50 == 49:
            out.append(offenders[j % len(offenders)])
            j += 1
        else:
            out.append(texts[i % len(texts)])
            i += 1
    return out


def varied_stream(n: int, seed: int = 17) -> list[str]:
    """``n`` chat-like lines of which no two are the same: each is a line of the chat-like
    stream (real export texts, 2% offender lines) or of the ordinary-chat corpus with one to
    three random edits (a word of the pool's vocabulary inserted or put in place of another, a
    line's words shuffled, a second line's tail appended; one line in ten gets a random number;
    the vocabulary is the ordinary lines' own), so the reader's memory of repeated texts never
    helps. Deterministic for ``seed``."""
    import random

    rng = random.Random(seed)
    offenders = [r["text"] for s in SPLITS for r in load(s) if r["source"] == "offender"]
    corpus = DATA / "corpus" / "chat.jsonl"
    chat = [json.loads(x)["text"] for x in corpus.read_text(encoding="utf-8").splitlines()]
    chat = list(dict.fromkeys([*chat_stream(2000), *chat]).keys() - set(offenders))
    chat.sort()
    vocab = sorted({w for t in chat for w in t.split()})
    out: dict[str, None] = {}
    while len(out) < n:
        pool = offenders if len(out) % 50 == 49 else chat
        words = rng.choice(pool).split() or ["ok"]
        for _ in range(rng.randint(1, 3)):
            edit = rng.random()
            at = rng.randrange(len(words) + 1)
            if edit < 0.45:
                words.insert(at, rng.choice(vocab))
            elif edit < 0.7 and words:
                words[min(at, len(words) - 1)] = rng.choice(vocab)
            elif edit < 0.85:
                rng.shuffle(words)
            else:
                tail = rng.choice(chat).split()
                words += tail[len(tail) // 2 :]
        if rng.random() < 0.1:
            words.insert(
                rng.randrange(len(words) + 1), str(rng.randrange(1, 10 ** rng.randint(1, 4)))
            )
        text = " ".join(words)
        if text not in out:
            out[text] = None
    return list(out)


FIRST_ROUND: list[float] = []
"""The rate of each :func:`scan_speed`'s first round (with the scorer on)."""
CPU_RATE: list[float] = []
"""The best rate of each :func:`scan_speed` in this process's CPU time (``time.process_time``):
on a machine shared with other work, wall-clock rates fall with the load, CPU-time ones much less."""


def scan_speed(
    lines: list[str], scorer_on: bool, rounds: int = 2, later: list[str] | None = None
) -> tuple[float, float, float]:
    """Messages per second through what ``unshared scan`` does (identifiers + signals); each
    ``check_lines`` call is a fresh scan, so a short input is read again with nothing
    remembered until about 20,000 messages have been read. ``later``: other lines for the rounds
    after the first (so that no line is read twice). Also the share of messages the rules ran
    on and the share the sentence encoder read."""
    numbered = list(enumerate(lines, 1))
    repeat = max(1, 20000 // len(lines))
    best = 0.0
    best_cpu = 0.0
    gate = 0.0
    asked = 0.0
    for round_number in range(rounds):
        if round_number == 1 and later is not None:
            numbered = list(enumerate(later, 1))
        start = time.perf_counter()
        cpu = time.process_time()
        if scorer_on:
            from unshared.usecases.analyse import check_lines

            calls = _count_rule_calls()
            read = _count_encoder_reads()
            for _ in range(repeat):
                for _finding in check_lines(numbered, "GB", encoder=not _WORDS_ONLY):
                    pass
            gate = calls() / (len(lines) * repeat)
            asked = read() / (len(lines) * repeat)
        else:
            for _ in range(repeat):
                for _, text in numbered:
                    extract_identifiers(text, "GB")
                    detect_signals(text)
        rate = len(numbered) * repeat / (time.perf_counter() - start)
        best_cpu = max(best_cpu, len(numbered) * repeat / (time.process_time() - cpu))
        if round_number == 0 and scorer_on:
            FIRST_ROUND.append(rate)
        best = max(best, rate)
    CPU_RATE.append(best_cpu)
    return best, gate, asked


def backlog_speed(lines: list[str]) -> tuple[float, float, float]:
    """Messages per second through one ``unshared scan`` of ``lines`` (no line read twice):
    over the whole, over its second half (once the process's one-off costs are paid and the
    RE2 pre-filter has seen much text), and for the rules alone over the whole."""
    from unshared.usecases.analyse import check_lines

    half = len(lines) // 2
    start = middle = time.perf_counter()
    for k, _finding in enumerate(
        check_lines(enumerate(lines, 1), "GB", encoder=not _WORDS_ONLY), 1
    ):
        if k == half:
            middle = time.perf_counter()
    end = time.perf_counter()
    rules, _, _ = scan_speed(lines, False, rounds=1)
    return len(lines) / (end - start), (len(lines) - half) / (end - middle), rules


def _count_rule_calls() -> Callable[[], int]:
    """Count how often the reader runs the rules (the gate's open rate)."""
    original = signal_reader.rule_reading  # type: ignore[attr-defined]
    count = [0]

    def counting(text: str, lang: str = "en") -> Any:
        count[0] += 1
        return original(text, lang)

    signal_reader.rule_reading = counting  # type: ignore[attr-defined]
    return lambda: count[0]


def _count_encoder_reads() -> Callable[[], int]:
    """Count the messages the sentence encoder reads (after the reader's memory of texts)."""
    original = EncoderModel.logits
    count = [0]

    def counting(self: EncoderModel, texts: Any) -> Any:
        count[0] += len(texts)
        return original(self, texts)

    EncoderModel.logits = counting  # type: ignore[method-assign]

    def done() -> int:
        EncoderModel.logits = original  # type: ignore[method-assign]
        return count[0]

    return done


def load_time() -> str:
    code = (
        "import time; t=time.perf_counter();"
        "from unshared.analysis.signal_scorer import load_scorer; u=time.perf_counter();"
        "load_scorer(); v=time.perf_counter();"
        "from unshared.analysis.signal_encoder import load_encoder; w=time.perf_counter();"
        "load_encoder(); x=time.perf_counter();"
        "from unshared.analysis.signal_language import encoder_language; y=time.perf_counter();"
        "encoder_language('who is this'); z=time.perf_counter(); print(u-t, v-u, x-w, z-y)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    runs = [
        [
            float(x)
            for x in subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
            ).stdout.split()
        ]
        for _ in range(3)
    ]
    return ", ".join(
        f"scorer {b:.3f} s + encoder {c:.3f} s, language check {d:.3f} s (loaded in a thread "
        f"when the reader is built) (after importing numpy and the module: {a:.3f} s)"
        for a, b, c, d in runs
    )


def wheel_bytes() -> tuple[int, int]:
    """Bytes the scorer adds to a wheel (deflated, as in a wheel) and on disk."""
    pkg = ROOT / "src" / "unshared" / "analysis"
    files = [
        pkg / "data" / "signals" / "scorer.npz",
        pkg / "data" / "signals" / "encoder.npz",
        pkg / "signal_scorer.py",
        pkg / "signal_encoder.py",
        pkg / "signal_blend.py",
        pkg / "signal_reader.py",
        pkg / "signal_training.py",
        pkg / "signal_choice.py",
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f.name)
    return len(buf.getvalue()), sum(f.stat().st_size for f in files)


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blind", type=Path, help="a folder of blind TSV files")
    parser.add_argument("--skip-splits", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--speed-lines", type=int, default=20000, help="lines per speed input")
    parser.add_argument(
        "--backlog-lines",
        type=int,
        default=100000,
        help="varied lines read once in one scan, as a backlog (0: skip)",
    )
    parser.add_argument(
        "--conversations", type=Path, help="whole conversations (JSONL; default: DIR's, if any)"
    )
    parser.add_argument("--model", type=Path, help="a model file (tools/train_signals.py --out)")
    parser.add_argument("--threshold", type=float, help="the coercion head's threshold")
    parser.add_argument(
        "--encoder", type=Path, help="an encoder file (tools/train_encoder.py --out)"
    )
    parser.add_argument(
        "--words-only", action="store_true", help="the scorer without the sentence encoder"
    )
    parser.add_argument(
        "--show", action="store_true", help="list the blind set's missed and wrongly flagged lines"
    )
    parser.add_argument(
        "--corpus", type=Path, default=DATA, help="the corpus --model was trained on ('seen')"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.model:
        with args.model.open("rb") as fh:
            _MODEL.append(ScorerModel.read(fh))
    if args.threshold is not None:
        _THRESHOLD.append(args.threshold)
    if args.encoder:
        import hashlib

        with args.encoder.open("rb") as fh:
            _ENCODER.append(EncoderModel.read(fh))
        _ENCODER[0].sha256 = hashlib.sha256(args.encoder.read_bytes()).hexdigest()
    if args.words_only:
        _WORDS_ONLY.append(True)
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"# machine: {os.cpu_count()} cpus (run pinned to one), {cpu}, "
        f"python {platform.python_version()}, {date.today()}"
    )
    model = _MODEL[0] if _MODEL else load_scorer()
    print(
        f"# scorer {args.model or 'packaged'}: threshold "
        f"{_THRESHOLD[0] if _THRESHOLD else model.threshold} (coercion head), pick "
        f"{model.meta.get('pick')} (key stages), {model.meta.get('threshold_other')} (others)"
    )
    if args.blind:
        for name, rows in load_blind(args.blind, args.corpus).items():
            runs = {"scorer": evaluate(rows, scorer), "rules": evaluate(rows, detect_signals)}
            table(f"blind: {name}", rows, runs)
            print(
                f"coercion lines with a key stage flagged: scorer {coercion_recall(rows, scorer)}, "
                f"rules {coercion_recall(rows, detect_signals)}"
            )
            for own, what in ((True, "from an offender's source"), (False, "from other sources")):
                sub = [r for r in rows if r["is_benign"] and r["offender_source"] == own]
                if sub:
                    ev_s, ev_r = evaluate(sub, scorer), evaluate(sub, detect_signals)
                    print(
                        f"  benign lines {what}: scorer {ev_s.benign_flagged}/{ev_s.benign}, "
                        f"rules {ev_r.benign_flagged}/{ev_r.benign}"
                    )
            unseen = [r for r in rows if not r["seen"]]
            if len(unseen) < len(rows):
                table(
                    f"blind: {name}, lines not in the training corpus",
                    unseen,
                    {"scorer": evaluate(unseen, scorer), "rules": evaluate(unseen, detect_signals)},
                )
                print(
                    f"coercion lines with a key stage flagged: scorer "
                    f"{coercion_recall(unseen, scorer)}, rules {coercion_recall(unseen, detect_signals)}"
                )
            fresh = [r for r in rows if not r["copy"]]
            if len(fresh) < len(rows):
                ev_s, ev_r = evaluate(fresh, scorer), evaluate(fresh, detect_signals)
                print(
                    f"without the {len(rows) - len(fresh)} near-copies of training lines: coercion "
                    f"scorer {coercion_recall(fresh, scorer)}, rules "
                    f"{coercion_recall(fresh, detect_signals)}; benign flagged scorer "
                    f"{ev_s.benign_flagged}/{ev_s.benign}, rules {ev_r.benign_flagged}/{ev_r.benign}"
                )
            if args.show:
                show(rows)
            for lang in sorted({r["written_lang"] for r in rows}):
                sub = [r for r in rows if r["written_lang"] == lang]
                s, r = evaluate(sub, scorer), evaluate(sub, detect_signals)
                print(
                    f"  {lang}: {len(sub)} lines; coercion {coercion_recall(sub, scorer)} vs "
                    f"{coercion_recall(sub, detect_signals)}; benign flagged "
                    f"{s.benign_flagged}/{s.benign} vs {r.benign_flagged}/{r.benign}"
                )
    convs = args.conversations or (
        args.blind / "conversations.jsonl"
        if args.blind and (args.blind / "conversations.jsonl").exists()
        else None
    )
    if convs:
        conversation_table(load_conversations(convs))
    if not args.skip_splits:
        for split in SPLITS:
            rows = load(split)
            runs = {
                "scorer": evaluate(rows, scorer),
                "rules": evaluate(rows, detect_signals),
                "keywords": evaluate(rows, keyword_baseline),
            }
            table(split, rows, runs)
    if not args.skip_speed:
        labelled = [r["text"] for s in SPLITS for r in load(s)]
        n = args.speed_lines
        labelled = (labelled * (n // len(labelled) + 1))[:n]
        chat = chat_stream(n)
        print("\n## scan throughput, one core (identifiers + signals)\n")
        print(
            "| input | messages | scorer on (msg/s) | rules ran on | encoder read | rules only "
            "(msg/s) | ratio | scorer on, CPU time (msg/s) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        # The chat-like stream repeats its few hundred distinct lines (the reader remembers the
        # rules' reading of a text it has seen); the same lines with every repeat dropped, read
        # over and over by fresh readers, show the rate when no line repeats.
        distinct = list(dict.fromkeys(chat))
        inputs = (
            ("every labelled line", labelled),
            ("chat-like stream", chat),
            (f"its {len(distinct)} distinct lines, no repeats", distinct),
        )
        for name, lines in inputs:
            on, gate, share = scan_speed(lines, True)
            cpu_rate = CPU_RATE[-1]
            off, _, _ = scan_speed(lines, False, rounds=1)
            print(
                f"| {name} | {len(lines):,} | {on:,.0f} | {gate:.1%} | {share:.1%} | {off:,.0f} "
                f"| {on / off:.2f} | {cpu_rate:,.0f} |"
            )
        # Varied chat: each round (and the rules-only reference) reads lines never read before,
        # at least 20,000 of them (scan_speed reads a shorter input again, and the RE2 pre-filter
        # keeps what it learnt of a text between scans: a repeat would be read faster).
        v = max(n, 20000)
        varied = varied_stream(3 * v + args.backlog_lines)
        on, gate, share = scan_speed(varied[:v], True, later=varied[v : 2 * v])
        cpu_rate = CPU_RATE[-1]
        off, _, _ = scan_speed(varied[2 * v : 3 * v], False, rounds=1)
        name = "varied chat, no line read twice"
        print(
            f"| {name} | {v:,} | {on:,.0f} | {gate:.1%} | {share:.1%} | {off:,.0f} "
            f"| {on / off:.2f} | {cpu_rate:,.0f} |"
        )
        print(f"\n{name}, first round alone: {FIRST_ROUND[-1]:,.0f} msg/s with the scorer on")
        if args.backlog_lines:
            whole, second, rules = backlog_speed(varied[3 * v :])
            print(
                f"a backlog of {args.backlog_lines:,} more varied lines, each read once in one "
                f"scan: {whole:,.0f} msg/s over the whole, {second:,.0f} msg/s over its second "
                f"half (scorer on); rules alone over the whole: {rules:,.0f} msg/s"
            )
        zipped, raw = wheel_bytes()
        print(f"\nwheel: the scorer adds {zipped:,} bytes compressed ({raw:,} bytes installed)")
        print(f"model load, fresh process: {load_time()}")


if __name__ == "__main__":
    main()
