"""The advice data: every contact and claim is sourced and dated, links are https, numbers dial."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import phonenumbers
import pytest
import yaml
from phonenumbers import shortnumberinfo

from unshared.errors import ParseError
from unshared.guide.content import GuideData
from unshared.guide.loader import load_guide, phone_region
from unshared.guide.model import REGIONS, Contact

VERIFIED_ON = "2026-12-03"


def _dialable(contact: Contact) -> bool:
    assert contact.phone is not None
    number = phonenumbers.parse(contact.phone, contact.phone_region)
    return phonenumbers.is_valid_number(number) or shortnumberinfo.is_valid_short_number(number)


def test_every_contact_has_a_source_and_a_checked_date(guide: GuideData) -> None:
    contacts = guide.all_contacts()
    assert len(contacts) > 50
    for contact in contacts:
        assert contact.source.startswith(("https://", "http://")), contact.id
        checked = dt.date.fromisoformat(contact.checked)
        assert dt.date(2020, 1, 1) <= checked <= dt.date.fromisoformat(VERIFIED_ON), contact.id


def test_every_step_and_platform_claim_is_sourced(guide: GuideData) -> None:
    for step in guide.steps.values():
        assert step.sources, step.id
        for source in step.sources:
            assert source.url.startswith("https://"), step.id
            dt.date.fromisoformat(source.checked)


def test_links_people_open_are_https(guide: GuideData) -> None:
    for contact in guide.all_contacts():
        if contact.url is not None:
            assert contact.url.startswith("https://"), contact.id


def test_unverified_entries_say_why(guide: GuideData) -> None:
    """verified: false needs a note, or a checked date older than this session (the source's)."""
    unverified = [c for c in guide.all_contacts() if not c.verified]
    assert unverified, "some entries could not be fully verified; they must stay flagged"
    for contact in unverified:
        assert contact.note or contact.checked < VERIFIED_ON, contact.id


def test_every_phone_number_parses_for_its_region(guide: GuideData) -> None:
    phones = [c for c in guide.all_contacts() if c.phone]
    assert len(phones) >= 25
    for contact in phones:
        assert _dialable(contact), f"{contact.id}: {contact.phone} ({contact.phone_region})"


def test_emergency_numbers_are_emergency_numbers(guide: GuideData) -> None:
    expected = {"UK": "999", "US": "911", "IE": "112", "CA": "911", "AU": "000"}
    for code in REGIONS:
        emergency = guide.regions[code].emergency
        assert emergency.phone == expected[code]
        assert shortnumberinfo.is_emergency_number(emergency.phone, phone_region(code))


@pytest.mark.parametrize(
    ("service", "number"),
    [
        ("samaritans_uk", "116 123"),
        ("papyrus", "0800 068 4141"),
        ("childline_uk", "0800 1111"),
        ("revenge_porn_helpline", "0345 6000 459"),
        ("us_988", "988"),
        ("samaritans_ie", "116 123"),
        ("childline_ie", "1800 66 66 66"),
        ("ca_988", "988"),
        ("lifeline_au", "13 11 14"),
        ("kids_helpline_au", "1800 55 1800"),
    ],
)
def test_the_main_numbers_match_the_issue(guide: GuideData, service: str, number: str) -> None:
    """The numbers stay; where no official page could be found they are flagged, saying why."""
    contact = guide.services[service]
    assert contact.phone == number
    assert contact.verified or contact.note


def test_a_contact_without_source_is_refused(data_copy: Path) -> None:
    path = data_copy / "services.yaml"
    data = yaml.safe_load(path.read_text())
    del data["samaritans_uk"]["source"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ParseError) as err:
        load_guide(data_copy)
    assert err.value.path == str(path)
    assert err.value.where == "samaritans_uk.source"


def test_a_contact_without_checked_date_is_refused(data_copy: Path) -> None:
    path = data_copy / "platforms.yaml"
    data = yaml.safe_load(path.read_text())
    del data["discord"]["help"]["checked"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ParseError) as err:
        load_guide(data_copy)
    assert err.value.where == "discord.help.checked"


def test_a_step_without_sources_is_refused(data_copy: Path) -> None:
    path = data_copy / "steps.yaml"
    data = yaml.safe_load(path.read_text())
    del data["police"]["sources"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ParseError, match="source") as err:
        load_guide(data_copy)
    assert err.value.where == "police.sources"


def test_a_bad_date_and_an_unknown_service_are_refused(data_copy: Path) -> None:
    path = data_copy / "payments.yaml"
    data = yaml.safe_load(path.read_text())
    data["card"]["contacts"][0]["checked"] = "23/11/2026"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ParseError, match="YYYY-MM-DD"):
        load_guide(data_copy)

    regions = data_copy / "regions.yaml"
    data = yaml.safe_load(regions.read_text())
    data["AU"]["crisis"].append("no_such_service")
    regions.write_text(yaml.safe_dump(data))
    with pytest.raises(ParseError) as err:
        load_guide(data_copy)
    assert err.value.where == "AU.crisis[2]"


def test_docs_list_every_source(guide: GuideData) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text()
    urls = {c.source for c in guide.all_contacts()}
    urls |= {s.url for step in guide.steps.values() for s in step.sources}
    missing = sorted(u for u in urls if f"<{u}>" not in docs)
    assert not missing, f"docs/guide.md does not list these sources: {missing}"


def test_docs_list_every_service_with_its_source_and_checked_date(guide: GuideData) -> None:
    """docs/guide.md carries the Sources tables made from the data, so they cannot drift.

    Refresh with: PYTHONPATH=src python tests/guide/_docs.py
    """
    from ._docs import sources_section

    docs = (Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text()
    assert sources_section(guide) in docs
