"""Other countries' names in the spelling the countries' lookup gives them."""

from __future__ import annotations

import pytest

from bot.domain.countries import names, proper_name


@pytest.mark.parametrize(
    "said,proper",
    [("francia", "Francia"), ("UKRAINE", "Ukraine"), ("afganistan", "Afganistán"), ("the united states", "United States")],
)
def test_a_country_is_given_its_proper_spelling(said: str, proper: str) -> None:
    assert proper_name(said) == proper


@pytest.mark.parametrize("said", ["Narnia", "<b>France</b>", "", "Norway", "Mali"])
def test_anything_else_has_no_name_to_repeat(said: str) -> None:
    # Norway is left out of the lookup, and Mali is the store's own place.
    assert proper_name(said) is None


def test_each_country_is_listed_once() -> None:
    listed = names()
    assert len(listed) == len(set(listed)) and "España" in listed and "Espana" not in listed
