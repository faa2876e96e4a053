"""A report, bundle or platform draft always reflects an up-to-date analysis.

Written before the fix: on the old code a report made straight after ``add`` said "Threats 0 ...
no demand detected", from the CLI and from the app, because no shell ran analysis before it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from unshared.usecases.add import add_evidence
from unshared.usecases.case import create_case
from unshared.usecases.records import add_action
from unshared.usecases.report import (
    make_bundle,
    make_report,
    make_report_and_bundle,
    platform_drafts,
)

CHAT = (
    "2026-03-02 21:04 Jess: hi, add me on skype live:jess.h22\n"
    "2026-03-02 23:13 Jess: pay £500 or I send the pictures to all your friends\n"
    "2026-03-02 23:15 Sam: please stop\n"
)
MORE = "2026-03-03 08:00 Jess: if you don't pay by tonight I post it everywhere\n"


def _case_with_chat(tmp_path: Path, text: str = CHAT):  # type: ignore[no-untyped-def]
    chat = tmp_path / "chat.txt"
    chat.write_text(text, encoding="utf-8")
    case = create_case(tmp_path / "c.unshared", None)
    results = add_evidence(case, [chat], timezone="Europe/London", me=["Sam"])
    assert results[0].ok, results[0].error
    return case


def test_a_report_made_straight_after_add_carries_the_threat(tmp_path: Path) -> None:
    with _case_with_chat(tmp_path) as case:
        made = make_report(case, tmp_path / "out", pdf=False)
        types = [e.type for e in case.events()]
    html = (made.folder / "report.html").read_text(encoding="utf-8")
    assert "no demand detected" not in html
    assert "Threats</th><td>0 message" not in html
    assert "pay £500" in html
    # analysis ran once, before the report, and the report records it
    assert types.index("analysis_run") < types.index("report_made")
    assert types.count("analysis_run") == 1


def test_evidence_added_after_a_report_is_analysed_before_the_next(tmp_path: Path) -> None:
    with _case_with_chat(tmp_path) as case:
        make_report(case, tmp_path / "one", pdf=False)
        more = tmp_path / "more.txt"
        more.write_text(MORE, encoding="utf-8")
        add_evidence(case, [more], timezone="Europe/London", me=["Sam"])
        second = make_report(case, tmp_path / "two", pdf=False)
        again = make_report(case, tmp_path / "three", pdf=False)
        runs = [e for e in case.events() if e.type == "analysis_run"]
    assert len(runs) == 2  # the third report found the analysis current
    assert runs[-1].data()["messages"] == 4
    assert "post it everywhere" in (second.folder / "report.html").read_text(encoding="utf-8")
    assert again.event_seq is not None and again.event_seq > (second.event_seq or 0)


def test_bundle_and_drafts_carry_the_threat_straight_after_add(tmp_path: Path) -> None:
    with _case_with_chat(tmp_path) as case:
        bundle = make_bundle(case, tmp_path / "b.zip", pdf=False)
    with zipfile.ZipFile(bundle.path) as zf:
        html = zf.read("report/report.html").decode("utf-8")
    assert "no demand detected" not in html and "pay £500" in html

    other = tmp_path / "other"
    other.mkdir()
    with _case_with_chat(other) as case:
        drafts = platform_drafts(case, ["skype"])
    assert len(drafts) == 1 and drafts[0].platform == "skype"
    story = " ".join(drafts[0].text.split())
    assert "The first threat was on 2026-03-02 23:13" in story
    assert "It demanded" in story


def test_the_app_report_step_renders_once_and_logs_one_report(tmp_path: Path) -> None:
    with _case_with_chat(tmp_path) as case:
        made = make_report_and_bundle(case, tmp_path / "c-report", pdf=False)
        types = [e.type for e in case.events()]
    assert types.count("report_made") == 1, types
    assert types.count("bundle_made") == 1
    with zipfile.ZipFile(tmp_path / "c-report" / "bundle.zip") as zf:
        inside = {
            n.removeprefix("report/"): zf.read(n) for n in zf.namelist() if n.startswith("report/")
        }
    for name in ("report.html", "case.jsonld"):
        assert (made.folder / name).read_bytes() == inside[name]
    assert "pay £500" in inside["report.html"].decode("utf-8")
    assert made.bundle is not None and made.bundle.path.name == "bundle.zip"


def test_actions_recorded_in_the_case_reach_the_report(tmp_path: Path) -> None:
    with _case_with_chat(tmp_path) as case:
        add_action(case, "reported-to-police", ref="CR/123/26")
        made = make_report(case, tmp_path / "out", pdf=False)
    data = json.loads((made.folder / "case.jsonld").read_text(encoding="utf-8"))
    assert "CR/123/26" in json.dumps(data)
