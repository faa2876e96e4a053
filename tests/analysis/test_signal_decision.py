"""How the reader turns the heads' probabilities into stages (``decide``): the coercion head
decides whether, the stage models which, and what the rules found and context cannot override."""

from __future__ import annotations

from unshared.analysis.signal_decision import decide
from unshared.analysis.signal_rules import KEY_STAGES, STAGES


def _probs(coercion: float, **stages: float) -> list[float]:
    return [stages.get(s, 0.0) for s in STAGES] + [coercion]


def _stages(probs: list[float], **kwargs: object) -> set[str]:
    return {s for s, _ in decide(probs, STAGES, KEY_STAGES, 0.6, 0.3, 0.25, **kwargs)}  # type: ignore[arg-type]


def test_the_stage_models_say_which_and_the_likeliest_when_none_reaches_the_pick() -> None:
    assert _stages(_probs(0.9, payment_demand=0.8, deadline=0.4)) == {"payment_demand", "deadline"}
    assert _stages(_probs(0.9, escalation=0.1, threat=0.05)) == {"escalation"}
    assert _stages(_probs(0.5, payment_demand=0.99)) == set()  # the coercion head decides whether


def test_a_key_stage_a_rule_found_is_shown_when_the_message_is_flagged() -> None:
    # "pay $500 in gift cards or I post it" after a threat: the threat model is unsure, a rule is not.
    probs = _probs(0.99, payment_demand=0.9, deadline=0.4, threat=0.01)
    assert _stages(probs) == {"payment_demand", "deadline"}
    assert _stages(probs, ruled={"threat"}) == {"payment_demand", "deadline", "threat"}
    # ... but a rule alone does not flag a message the coercion head rules out (a friend's joke),
    assert _stages(_probs(0.2, threat=0.01), ruled={"threat"}) == set()
    # and a rule's non-key stage is decided by its own probability, as before.
    assert "contact" not in _stages(probs, ruled={"contact"})


def test_a_message_lifted_only_by_context_must_name_a_stage() -> None:
    lifted = _probs(0.7, threat=0.05, escalation=0.1)  # reaches 0.6 only with the shift
    assert _stages(lifted, bare=0.2) == set()
    assert _stages(_probs(0.7, escalation=0.4), bare=0.2) == {"escalation"}
    # Flagged without the shift too: the likeliest stage, as when read alone.
    assert _stages(lifted, bare=0.65) == {"escalation"}
