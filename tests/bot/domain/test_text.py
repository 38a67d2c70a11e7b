"""Folding text for comparison: what makes two spellings of a name one."""

from __future__ import annotations

import pytest

from bot.domain.text import fold


@pytest.mark.parametrize(
    "written,folded",
    [
        ("Sudán del  Sur", "sudan del sur"),
        ("  ¿Cuántos   POLICÍAS?\n", "¿cuantos policias?"),
        ("Straße", "strasse"),
        ("Côte d’Ivoire", "cote d’ivoire"),
        ("", ""),
    ],
)
def test_case_accents_and_spacing_do_not_count(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_folding_twice_changes_nothing() -> None:
    once = fold("  Misión de la ONU en Malí  ")
    assert fold(once) == once == "mision de la onu en mali"
