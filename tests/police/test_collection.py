"""Collection points: the receiver's name and place an offender gives for a money transfer."""

from __future__ import annotations

import pytest

from unshared.police.collection import collection_points


@pytest.mark.parametrize(
    ("text", "points"),
    [
        (
            "Send it by Western Union. Receiver name: John Okafor, City: Lagos, Country: Nigeria",
            ["john okafor|lagos, nigeria"],
        ),
        (
            "western union to name: Mary Ann Smith country: Ghana amount 300",
            ["mary ann smith|ghana"],
        ),
        ("WU details. Name: Kwame Mensah. City: Accra. Send now", ["kwame mensah|accra"]),
        ("MoneyGram: receiver: ADA  EZE", ["ada eze|"]),
    ],
)
def test_labelled_receivers_are_read(text: str, points: list[str]) -> None:
    assert collection_points(text) == points


@pytest.mark.parametrize(
    "text",
    [
        "Receiver name: John Okafor, City: Lagos",  # no transfer service named
        "send by western union now",  # no receiver given
        "western union, name: Bob",  # one word is not a name
        "I live in Lagos city and use western union sometimes",  # a place in passing
    ],
)
def test_nothing_else_is(text: str) -> None:
    assert collection_points(text) == []
