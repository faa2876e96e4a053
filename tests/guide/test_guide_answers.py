"""Answers files: YAML or JSON, and clear errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from unshared.errors import InputFileError, ParseError
from unshared.guide.answers import parse_answers
from unshared.guide.loader import read_answers
from unshared.guide.model import Answers


def test_yaml_and_json_files_are_read(data_dir: Path) -> None:
    teen = read_answers(data_dir / "guide" / "teen_uk.yaml")
    assert teen == Answers(
        age=15,
        region="UK",
        in_danger=False,
        self_harm_thoughts=True,
        images_shared=False,
        paid=True,
        payment_methods=("western_union",),
        platforms=("instagram", "skype"),
        account_suspended=False,
    )
    adult = read_answers(data_dir / "guide" / "adult_us.json")
    assert adult.region == "US" and adult.urgent and adult.account_suspended
    assert adult.payment_methods == ("gift_card", "crypto")


def test_nothing_is_required_and_nothing_is_pre_answered() -> None:
    assert parse_answers({"age": 40}) == Answers(age=40, region="UK")
    assert parse_answers({}) == Answers()
    assert Answers().under_18 and Answers().in_danger is None


def test_not_sure_and_skipped_are_none() -> None:
    answers = parse_answers(
        {"age": "", "in_danger": "not sure", "paid": "not_sure", "deadline": None, "region": ""}
    )
    assert answers == Answers(region="UK")


def test_friendly_forms_are_accepted() -> None:
    answers = parse_answers(
        {"age": 17, "region": "gb", "paid": "yes", "platforms": "X, tiktok", "payment_methods": []}
    )
    assert answers.region == "UK" and answers.paid
    assert answers.platforms == ("x", "tiktok")


def test_payment_methods_imply_paid() -> None:
    assert parse_answers({"age": 30, "payment_methods": ["card"]}).paid


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ({"age": 20, "agee": 3}, "agee", "unknown field"),
        ({"age": "16.5"}, "age", "whole number"),
        ({"age": "sixteen"}, "age", "whole number"),
        ({"age": True}, "age", "whole number"),
        ({"age": 0}, "age", "between 1 and 120"),
        ({"age": 20, "region": "FR"}, "region", "UK, US, IE, CA, AU"),
        ({"age": 20, "paid": "maybe"}, "paid", "yes, no or not sure"),
        ({"age": 20, "platforms": ["instagram", "myspace"]}, "platforms[1]", "myspace"),
        ({"age": 20, "payment_methods": {"card": 1}}, "payment_methods", "list"),
    ],
)
def test_bad_answers_name_the_field(data: dict[str, object], where: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as err:
        parse_answers(data, path="answers.yaml")
    assert err.value.where == where
    assert err.value.describe().startswith(f"answers.yaml ({where}): ")


def test_not_a_mapping() -> None:
    with pytest.raises(ParseError, match="mapping"):
        parse_answers(["age", 3], path="a.json")


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no such answers file"):
        read_answers(tmp_path / "missing.yaml")
    with pytest.raises(InputFileError, match="folder"):
        read_answers(tmp_path)
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n")
    with pytest.raises(ParseError, match="empty"):
        read_answers(empty)
    broken = tmp_path / "broken.json"
    broken.write_text('{"age": 20,\n "region": [UK}\n')
    with pytest.raises(ParseError) as err:
        read_answers(broken)
    assert err.value.path == str(broken)
    assert err.value.where is not None and err.value.where.startswith("line 2")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\xff\xfe")
    with pytest.raises(ParseError, match="UTF-8"):
        read_answers(binary)
