"""The report model: what the officer's summary and tables are built from."""

from __future__ import annotations

from pathlib import Path

from report_case import CRIME_REF, MTCN, PROFILE, SKYPE_ID, SKYPE_NAME, THREAT, WALLET, build_case

from unshared.casefile.store import Case
from unshared.report.build import build_model
from unshared.report.data import collect
from unshared.report.model import normalise_platform, platform_of_identifier


def test_summary_names_people_platforms_demands_and_payment_status(case: Case) -> None:
    m = build_model(collect(case))
    assert m.victim_names == ("Sam Victim",)
    assert SKYPE_NAME in m.other_names
    assert m.platforms == ("instagram", "skype")
    assert m.message_count == 10
    assert m.threat_count == 2
    assert [d.amount for d in m.demands] == ["500 GBP", None]
    assert [d.method for d in m.demands] == ["western_union", "crypto"]
    # The second payment action updates the status of the first (same MTCN).
    assert len(m.payments) == 1
    pay = m.payments[0]
    assert (pay.amount, pay.method, pay.ref) == ("500 GBP", "western_union", MTCN)
    assert pay.status == "cancelled before collection"
    assert m.crime_refs == (CRIME_REF,)
    assert m.paid_said == "yes"


def test_identifiers_skype_id_beside_name_validity_and_no_victim_details(case: Case) -> None:
    m = build_model(collect(case))
    by_value = {i.value: i for i in m.identifiers}
    skype = by_value[SKYPE_ID]
    assert skype.label == "Skype ID" and skype.shown_as == SKYPE_NAME
    assert by_value[WALLET].validity == "valid"
    assert by_value[MTCN].label == "Western Union MTCN"
    assert by_value[PROFILE].platform == "instagram"
    assert "live:sam.v" not in by_value  # the victim's own id is not the offender's
    mtcn = by_value[MTCN]
    assert mtcn.where.startswith("E1, line 5")


def test_key_messages_have_time_and_exhibit_locator(case: Case, data_dir: Path) -> None:
    m = build_model(collect(case))
    texts = [r.text for r in m.key_messages]
    assert THREAT in texts
    threat = next(r for r in m.key_messages if r.text == THREAT)
    assert threat.time == "2024-05-01 22:40:00 UTC"
    assert set(threat.stages) == {"threat", "payment_demand"}
    sha = case.exhibits()[0].sha256
    offset = (data_dir / "report" / "chat.txt").read_bytes().index(b"2024-05-01T23:40")
    assert threat.where == f"E1 sha256:{sha} line 4, byte {offset}"
    # Every message, in time order, carries its exhibit and locator.
    times = [r.iso for r in m.messages if r.iso]
    assert times == sorted(times)
    assert all(r.exhibit_no in (1, 2) and r.locator for r in m.messages)


def test_fingerprints_and_exhibits_never_carry_media(case: Case) -> None:
    m = build_model(collect(case))
    (fp,) = m.fingerprints
    assert fp.name == "photo1.jpg" and fp.variants == 8
    assert not m.images_embedded
    assert [e.name for e in m.exhibits] == ["chat.txt", "skype-export.tar"]
    assert all(len(e.sha256) == 64 and e.acquired_iso for e in m.exhibits)


def test_minor_from_case_setting_and_from_guide_answers(tmp_path: Path, data_dir: Path) -> None:
    case = build_case(tmp_path / "minor.case", data_dir, None, age=15)
    assert build_model(collect(case)).minor
    case.close()
    adult = Case.create(tmp_path / "plan.case", None)
    adult.log("guide_plan", {"answers": {"age": 16}})
    m = build_model(collect(adult))
    assert m.minor and m.age == 16
    adult.update_settings(age=30)
    assert not build_model(collect(adult)).minor
    adult.close()


def test_empty_case_builds(tmp_path: Path) -> None:
    case = Case.create(tmp_path / "empty.case", None)
    m = build_model(collect(case))
    assert m.message_count == 0 and m.timeline.counts == () and m.log is not None
    case.close()


def test_platform_names() -> None:
    assert normalise_platform("Messenger") == "facebook"
    assert normalise_platform("twitter") == "x"
    assert normalise_platform("text") is None
    assert platform_of_identifier("url", "https://m.facebook.com/alex") == "facebook"
    assert platform_of_identifier("url", "https://t.me/alex") == "telegram"
    assert platform_of_identifier("url", "https://example.org/x") is None
