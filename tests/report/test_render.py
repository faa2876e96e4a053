"""report.html is self-contained and calm; report.pdf reads back with the evidence in it."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from report_case import CRIME_REF, FP_PDQ, FP_SHA, MTCN, PHONE, SKYPE_ID, SKYPE_NAME, THREAT, WALLET

from unshared.casefile.store import Case


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "data", "poster", "srcset") and value:
                self.refs.append(value)


def test_html_is_self_contained(pack: tuple[Path, Path]) -> None:
    html = (pack[1] / "report.html").read_text("utf-8")
    parser = _Refs()
    parser.feed(html)
    assert parser.refs == []  # no src/href at all: nothing to fetch
    assert not {"img", "script", "link", "iframe", "object", "video", "audio"} & set(parser.tags)
    assert "url(" not in html and "@import" not in html
    assert "<svg" in html and "<style>" in html


def test_html_holds_the_evidence(pack: tuple[Path, Path]) -> None:
    case_path, out = pack
    html = (out / "report.html").read_text("utf-8")
    for needle in (SKYPE_ID, SKYPE_NAME, MTCN, WALLET, PHONE, CRIME_REF, FP_SHA, FP_PDQ):
        assert needle in html
    assert "I have your pictures" in html
    assert "cancelled before collection" in html
    case = Case.open(case_path, None, readonly=True)
    try:
        for info in case.exhibits():
            assert info.sha256 in html
    finally:
        case.close()


def test_report_made_event_records_each_file_hash(pack: tuple[Path, Path]) -> None:
    case_path, out = pack
    case = Case.open(case_path, None, readonly=True)
    try:
        events = list(case.events())
    finally:
        case.close()
    made, pdf = events[-2], events[-1]
    assert made.type == "report_made" and pdf.type == "report_pdf_made"
    data = made.data()
    assert set(data["files"]) == {"report.html", "case.jsonld"}
    for name, sha in data["files"].items():
        # Each file prints the seal (this event's hash) once; with it as zeros it has the hash.
        raw = (out / name).read_bytes()
        at = data["seal_at"][name]
        assert raw[at : at + 64] == made.hash.encode() and raw.count(made.hash.encode()) == 1
        zeroed = raw[:at] + b"0" * 64 + raw[at + 64 :]
        assert hashlib.sha256(zeroed).hexdigest() == sha and len(raw) == data["sizes"][name]
    assert pdf.data()["seal"] == made.hash and pdf.data()["report_event"] == made.seq
    assert hashlib.sha256((out / "report.pdf").read_bytes()).hexdigest() == pdf.data()["sha256"]
    # The report names the log head it was made from: the event just before report_made.
    assert data["log_head"] == events[-3].hash
    assert events[-3].hash in (out / "report.html").read_text("utf-8")


def test_pdf_reads_back_with_identifiers_hashes_and_key_messages(
    pack: tuple[Path, Path], require_binary: Callable[[str], str]
) -> None:
    pdftotext = require_binary("pdftotext")
    case_path, out = pack
    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(out / "report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)  # table cells wrap long hashes across lines
    for needle in (SKYPE_ID, MTCN, WALLET, PHONE, CRIME_REF, FP_SHA, FP_PDQ):
        assert needle in flat, needle
    assert SKYPE_NAME in text
    assert re.sub(r"\s+", "", THREAT) in flat
    assert "Summary for the officer" in text
    case = Case.open(case_path, None, readonly=True)
    try:
        shas = [info.sha256 for info in case.exhibits()]
        events = list(case.events())
    finally:
        case.close()
    for sha in shas:
        assert sha in flat
    assert events[-3].hash in flat  # the log head the report was made from
    assert events[-2].type == "report_made" and events[-2].hash in flat  # and its seal


def test_jsonld_names_every_exhibit_hash(pack: tuple[Path, Path]) -> None:
    doc = json.loads((pack[1] / "case.jsonld").read_text("utf-8"))
    graph = doc["@graph"]
    types = [n["@type"] for n in graph]
    assert types.count("uco-observable:Message") == 10
    assert "case-investigation:InvestigativeAction" in types
    assert "case-investigation:ProvenanceRecord" in types
    assert "uco-observable:PhoneAccount" in types
    hashes = {
        h["uco-types:hashValue"]["@value"]
        for n in graph
        for f in n.get("uco-core:hasFacet", [])
        for h in f.get("uco-observable:hash", [])
    }
    assert FP_SHA in hashes
    accounts = [
        f["uco-observable:accountIdentifier"]
        for n in graph
        for f in n.get("uco-core:hasFacet", [])
        if f["@type"] == "uco-observable:AccountFacet"
    ]
    assert SKYPE_ID in accounts


def test_case_validate_passes(
    pack: tuple[Path, Path], require_binary: Callable[[str], str]
) -> None:
    case_validate = require_binary("case_validate")
    run = subprocess.run(
        [case_validate, str(pack[1] / "case.jsonld")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Conforms: True" in run.stdout


def test_jsonld_is_stable_for_the_same_case(pack: tuple[Path, Path]) -> None:
    from unshared.report.jsonld import build_jsonld
    from unshared.report.pack import model_of

    case = Case.open(pack[0], None, readonly=True)
    try:
        a = build_jsonld(model_of(case))
        b = build_jsonld(model_of(case))
    finally:
        case.close()
    ids_a = sorted(n["@id"] for n in a["@graph"] if "message" in n["@id"])
    ids_b = sorted(n["@id"] for n in b["@graph"] if "message" in n["@id"])
    assert ids_a == ids_b and len(ids_a) == 10


def test_under_18_report_says_so_and_embeds_no_image(tmp_path: Path, data_dir: Path) -> None:
    from report_case import build_case

    from unshared.report.pack import model_of
    from unshared.report.render import render_html

    case = build_case(tmp_path / "minor.case", data_dir, None, age=15)
    try:
        model = model_of(case)
    finally:
        case.close()
    for compact in (False, True):
        html = render_html(model, compact=compact)
        assert "under 18 (15)" in html
        assert "<img" not in html and "data:image" not in html
        assert FP_SHA in html  # the fingerprint is there, the media never is


def test_hostile_message_text_cannot_load_anything(tmp_path: Path) -> None:
    import io

    from unshared.model import Locator, Message
    from unshared.report.pack import model_of
    from unshared.report.render import render_html

    hostile = "<img src='https://evil.example/t.png'><script>alert(1)</script>"
    case = Case.create(tmp_path / "h.case", None)
    try:
        ex = case.add_exhibit(io.BytesIO(b"x"), name="x.txt", source_path="x.txt")
        case.record_import(
            ex, "text", iter([Message("text", "c", "<b>Bob</b>", hostile, Locator(line=1))])
        )
        model = model_of(case)
    finally:
        case.close()
    for compact in (False, True):
        html = render_html(model, compact=compact)
        parser = _Refs()
        parser.feed(html)
        assert parser.refs == [] and "img" not in parser.tags and "script" not in parser.tags
        assert "&lt;img src=" in html
