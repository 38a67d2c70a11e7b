"""Run by tests/test_new_language.py in a copy of the project with the toy language added: its names, locale and words tell it."""

from __future__ import annotations

from bot.domain.language import find_requested, normalise
from bot.domain.langid import classify
from bot.domain.languages import LANGUAGES
from tests.test_new_language import CODE, TOY, backwards


def test_the_registry_has_the_toy_language() -> None:
    assert CODE in LANGUAGES


def test_the_toy_languages_names_and_locales_tell_it() -> None:
    assert normalise(f"{CODE}-ZZ") == CODE and normalise(TOY["names"][0]) == CODE
    assert find_requested(f"please answer in {TOY['names'][1]}") == CODE


def test_a_toy_question_is_told_as_the_toy_language() -> None:
    assert classify(backwards("how many Norwegian soldiers serve in UN missions")) == CODE
