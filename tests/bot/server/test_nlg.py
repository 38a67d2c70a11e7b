"""Responses that tell the client their language, so the page and widgets follow the conversation."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from bot.paths import DOMAIN
from bot.server.nlg import LANGUAGE_KEY, LanguageNLG
from tests.conftest import LANGS

GOODBYE = {"en": "Goodbye", "es": "Adiós", "nb": "Ha det bra"}


@pytest.fixture(scope="module")
def nlg() -> LanguageNLG:
    return LanguageNLG(domain=Domain.load(str(DOMAIN)))


@pytest.mark.parametrize("lang", LANGS)
def test_a_response_says_the_language_of_its_variant(nlg: LanguageNLG, lang: str) -> None:
    response = nlg.generate_from_slots("utter_goodbye", {"language": lang}, "rest")
    assert response is not None
    assert response[LANGUAGE_KEY] == lang
    assert GOODBYE[lang] in response["text"]


def test_without_a_known_language_the_response_is_english(nlg: LanguageNLG) -> None:
    response = nlg.generate_from_slots("utter_goodbye", {"language": None}, "rest")
    assert response is not None and response[LANGUAGE_KEY] == "en"
