"""How long the evidence report takes, and how much memory, for a 10,000-message case.

Run by hand (not part of the tests)::

    PYTHONPATH=src python benchmarks/report_bench.py [--messages 10000] [--ref 1000]

Each stage runs in its own fresh process so its peak RSS is its own: reading the case into the
model, HTML, PDF (WeasyPrint), JSON-LD. Side by side in the same run:

* the same stages on a 1,000-message case (``--ref``): the ratio shows how it scales;
* the PDF of the same conversation laid out as a plain HTML table (the common way to print a
  chat log), against the compact block layout the report uses.

Results go to stdout as a Markdown table (copy into docs/benchmarks/report.md).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("UNSHARED_SCRYPT_LOG2N", "14")

WORDS = tuple(
    [
        "hey",
        "how",
        "are",
        "you",
        "doing",
        "tonight",
        "send",
        "me",
        "a",
        "pic",
        "you",
        "look",
        "great",
        "on",
        "insta",
        "where",
        "do",
        "you",
        "live",
        "what",
        "school",
        "are",
        "you",
        "at",
        "lol",
        "ok",
        "sure",
        "why",
        "not",
        "maybe",
        "later",
        "I",
        "can",
        "not",
        "right",
        "now",
    ]
)
THREATS = (
    "I have your pictures. Pay 300 GBP or I send them to all your followers",
    "you have 2 hours. send the MTCN when done or everyone sees",
    "last chance, pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now",
)


def make_case(path: Path, n: int) -> None:
    from unshared.casefile.store import Case
    from unshared.model import Identifier, Locator, Message, Participant, Signal

    rng = random.Random(n)
    case = Case.create(path, None)
    lines = []
    t = datetime(2024, 5, 1, 18, 0, tzinfo=UTC)
    records: list[Message | Participant] = [
        Participant("skype", "chat", "Alex Sweet", "live:.cid.5f1e2d3c4b5a", side="other"),
        Participant("skype", "chat", "Sam", "live:sam", side="victim"),
    ]
    offset = 0
    for i in range(n):
        t += timedelta(seconds=rng.randint(5, 600))
        other = rng.random() < 0.6
        text = (
            THREATS[i % 3]
            if other and rng.random() < 0.03
            else " ".join(rng.choices(WORDS, k=rng.randint(3, 25)))
        )
        line = f"{t.isoformat()} {'Alex Sweet' if other else 'Sam'}: {text}\n"
        records.append(
            Message(
                platform="skype",
                conversation="chat",
                sender="Alex Sweet" if other else "Sam",
                sender_id="live:.cid.5f1e2d3c4b5a" if other else "live:sam",
                text=text,
                locator=Locator(line=i + 1, offset=offset),
                sent_at=t,
                message_id=str(1600000000 + i),
            )
        )
        lines.append(line)
        offset += len(line.encode())
    data = "".join(lines).encode()
    ex = case.add_exhibit(io.BytesIO(data), name="chat.txt", source_path="bench/chat.txt")
    case.record_import(ex, "skype", iter(records))
    idents = []
    sigs = []
    for sm in case.messages():
        text = sm.message.text
        if text.startswith("I have"):
            sigs.append((sm.id, Signal("threat", "share with followers")))
            sigs.append(
                (sm.id, Signal("payment_demand", "amount", details=(("amount", "300 GBP"),)))
            )
        elif text.startswith("you have"):
            sigs.append((sm.id, Signal("deadline", "'2 hours'")))
        elif text.startswith("last chance"):
            w = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
            idents.append((sm.id, Identifier("btc_address", w, w, "valid", side="other")))
            sigs.append((sm.id, Signal("payment_demand", "crypto")))
    case.replace_analysis(idents, sigs, {"bench": True})
    case.log("action", {"kind": "reported_police", "to": "police", "ref": "CR/1"})
    case.close()


TABLE_CONV = """<section id="conversation"><h2>The whole conversation</h2><table>
<tr><th>#</th><th>Time</th><th>From</th><th>Message</th><th>Source</th></tr>
{% for r in m.messages %}<tr><td>{{ r.number }}</td><td>{{ r.time }}</td><td>{{ r.sender }}</td>
<td>{{ r.text }}</td><td class="mono">E{{ r.exhibit_no }} {{ r.exhibit_sha256 }} {{ r.locator }}</td></tr>
{% endfor %}</table></section>"""


def stage(name: str, case_path: Path, out: Path) -> dict[str, float]:
    """Run one stage in this (fresh) process; returns seconds and peak RSS in MiB."""
    from unshared.casefile.store import Case

    t0 = time.perf_counter()
    with Case.open(case_path, None, readonly=True) as case:
        from unshared.report.pack import model_of

        model = model_of(case)
    t_model = time.perf_counter() - t0
    t1 = time.perf_counter()
    if name == "model":
        pass
    elif name == "html":
        from unshared.report.render import render_html

        (out / "report.html").write_text(render_html(model), "utf-8")
    elif name in ("pdf", "pdf-table", "pdf-blocks"):
        from unshared.report.render import render_html, render_pdf

        # pdf: what `unshared report` writes. pdf-blocks: the HTML's one-block-per-message
        # layout. pdf-table: the conversation as a plain table.
        html = render_html(model, compact=name == "pdf")
        if name == "pdf-table":
            import jinja2

            start = html.index('<section id="conversation"')
            end = html.index('<section id="check">')
            table = jinja2.Environment(autoescape=True).from_string(TABLE_CONV).render(m=model)
            html = html[:start] + table + html[end:]
        render_pdf(html, out / f"{name}.pdf")
    elif name == "jsonld":
        from unshared.report.jsonld import build_jsonld

        with (out / "case.jsonld").open("w") as fh:
            json.dump(build_jsonld(model), fh, indent=1)
    seconds = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = 0
    for f in out.iterdir():
        if f.suffix in (".html", ".pdf", ".jsonld") and (name in f.name or name == f.suffix[1:]):
            size = f.stat().st_size
    pages = 0
    pdf = out / f"{name}.pdf"
    if pdf.exists():
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
        pages = int(found.group(1)) if found else 0
    return {"model_s": t_model, "seconds": seconds, "rss_mib": rss, "bytes": size, "pages": pages}


def run_stage(name: str, case_path: Path, out: Path) -> dict[str, float]:
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); from report_bench import stage; "
        "from pathlib import Path; "
        f"print(json.dumps(stage({name!r}, Path({str(case_path)!r}), Path({str(out)!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--ref", type=int, default=1_000)
    args = ap.parse_args()
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor(),
    )
    print(f"machine: {os.cpu_count()} cores, {cpu}; python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for n in (args.ref, args.messages):
            case_path = root / f"c{n}.case"
            t = time.perf_counter()
            make_case(case_path, n)
            print(f"built a {n}-message case in {time.perf_counter() - t:.1f} s", flush=True)
            out = root / f"out{n}"
            out.mkdir()
            stages = ["model", "html", "pdf", "jsonld"]
            if n == args.ref:  # a plain table takes minutes per thousand messages
                stages[3:3] = ["pdf-blocks", "pdf-table"]
            for name in stages:
                r = run_stage(name, case_path, out)
                rows.append((n, name, r))
                print(n, name, r, flush=True)
    print()
    print("| messages | stage | seconds | peak RSS (MiB) | output | pages |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, name, r in rows:
        sec = r["model_s"] if name == "model" else r["seconds"]
        size = f"{r['bytes'] / 1e6:.1f} MB" if r["bytes"] else ""
        pages = int(r["pages"]) or ""
        print(f"| {n} | {name} | {sec:.2f} | {r['rss_mib']:.0f} | {size} | {pages} |")
    by = {(n, name): r for n, name, r in rows}
    big, ref = args.messages, args.ref
    print()
    for name in ("html", "pdf", "jsonld"):
        ratio = by[(big, name)]["seconds"] / max(by[(ref, name)]["seconds"], 1e-9)
        print(
            f"{name}: {big} vs {ref} messages: time ratio {ratio:.1f}x (linear would be "
            f"{big / ref:.0f}x)"
        )
    compact = by[(ref, "pdf")]
    for other in ("pdf-blocks", "pdf-table"):
        r = by[(ref, other)]
        print(
            f"pdf at {ref}: {other} takes {r['seconds'] / compact['seconds']:.1f}x the time and "
            f"{r['rss_mib'] / compact['rss_mib']:.1f}x the peak RSS of the compact layout"
        )


if __name__ == "__main__":
    main()
