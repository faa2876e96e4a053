"""A hypothesis strategy over every possible set of answers."""

from __future__ import annotations

from hypothesis import strategies as st

from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Answers

answers_strategy = st.builds(
    Answers,
    age=st.integers(min_value=1, max_value=120),
    region=st.sampled_from(REGIONS),
    happening_now=st.booleans(),
    in_danger=st.booleans(),
    self_harm_thoughts=st.booleans(),
    images_shared=st.booleans(),
    paid=st.booleans(),
    payment_methods=st.lists(st.sampled_from(PAYMENT_METHODS), unique=True).map(tuple),
    platforms=st.lists(st.sampled_from(PLATFORMS), unique=True).map(tuple),
    account_suspended=st.booleans(),
)
