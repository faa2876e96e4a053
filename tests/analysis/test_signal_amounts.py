"""Demand amounts: a phone number or transfer code is never read as the amount demanded."""

from __future__ import annotations

import pytest

from unshared.analysis.signals import detect_signals


def _amount(text: str) -> str | None:
    demands = [s for s in detect_signals(text) if s.stage == "payment_demand"]
    assert demands, text
    return dict(demands[0].details).get("amount")


@pytest.mark.parametrize(
    "text, amount",
    [
        ("send by Western Union, text me the MTCN on +44 7700 900123", None),
        ("call 07700 900123 and pay 200", "200"),
        ("pay 250 by western union", "250"),
        ("pay £500 in Steam gift cards or I send it", "500"),
        ("send 1.5k or I post it", "1500"),
    ],
)
def test_amounts(text: str, amount: str | None) -> None:
    assert _amount(text) == amount
