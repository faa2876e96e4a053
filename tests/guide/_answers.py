"""A hypothesis strategy over every possible set of answers."""

from __future__ import annotations

from hypothesis import strategies as st

from unshared.guide.model import PAYMENT_METHODS, PLATFORMS, REGIONS, Answers

answers_strategy = st.builds(
    Answers,
    age=st.none() | st.integers(min_value=1, max_value=120),
    region=st.sampled_from(REGIONS),
    in_danger=st.none() | st.booleans(),
    self_harm_thoughts=st.none() | st.booleans(),
    deadline=st.none() | st.booleans(),
    images_shared=st.none() | st.booleans(),
    paid=st.none() | st.booleans(),
    payment_methods=st.lists(st.sampled_from(PAYMENT_METHODS), unique=True).map(tuple),
    platforms=st.lists(st.sampled_from(PLATFORMS), unique=True).map(tuple),
    account_suspended=st.none() | st.booleans(),
)
