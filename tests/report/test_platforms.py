"""Platform report drafts: every platform's data file, the identifiers its form asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_case import MTCN, PHONE, PROFILE, SKYPE_ID, SKYPE_NAME, build_case

from unshared.casefile.store import Case
from unshared.errors import UnsharedError
from unshared.report.model import PLATFORMS
from unshared.report.pack import model_of
from unshared.report.platforms import platform_draft, platform_info, platforms_in


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("platforms")
    case = build_case(root / "p.case", Path(__file__).resolve().parents[1] / "data", None)
    try:
        return model_of(case)
    finally:
        case.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_platform_has_a_complete_data_file(platform: str, model) -> None:  # type: ignore[no-untyped-def]
    info = platform_info(platform)
    assert info.platform == platform
    assert "sextortion" in info.category.lower() or "intimate" in info.category.lower()
    draft = platform_draft(model, platform)
    assert info.name in draft and "WHAT HAPPENED" in draft
    assert "Please do not attach the images" in draft
    assert "{{" not in draft and "{%" not in draft


def test_skype_draft_has_the_skype_id_beside_the_name_and_message_ids(model) -> None:  # type: ignore[no-untyped-def]
    draft = platform_draft(model, "skype")
    assert f"{SKYPE_NAME} | account ID: {SKYPE_ID}" in draft
    assert "message id 161500002" in draft
    assert "500 GBP by western union" in draft
    assert PHONE in draft


def test_instagram_draft_has_the_profile_and_alias_names(model) -> None:  # type: ignore[no-untyped-def]
    draft = platform_draft(model, "Instagram")
    assert PROFILE in draft and "17841400000000001" in draft
    assert platform_draft(model, "messenger").startswith("Report to Facebook")
    assert MTCN not in platform_draft(model, "youtube")  # not a YouTube identifier


def test_whatsapp_draft_lists_phone_numbers(model) -> None:  # type: ignore[no-untyped-def]
    assert PHONE in platform_draft(model, "whatsapp")


def test_platforms_in_case(model) -> None:  # type: ignore[no-untyped-def]
    assert platforms_in(model) == ["instagram", "skype"]


def test_unknown_platform_is_a_clear_error(model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnsharedError, match="choose one of"):
        platform_draft(model, "myspace")


def test_minor_gets_the_child_category(tmp_path: Path, data_dir: Path) -> None:
    case: Case = build_case(tmp_path / "m.case", data_dir, None, age=15)
    try:
        draft = platform_draft(model_of(case), "instagram")
    finally:
        case.close()
    assert "I am under 18" in draft and "involves a child" in draft
