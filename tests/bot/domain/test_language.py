"""Language detection, explicit requests and locales."""

from __future__ import annotations

import pytest

from bot.domain.language import detect, find_requested, from_locale, from_name


@pytest.mark.parametrize(
    "text,expected",
    [
        ("How many Norwegian soldiers serve in UN missions?", "en"),
        ("what does norway do for disarmament", "en"),
        ("¿Cuántos soldados noruegos hay en misiones de la ONU?", "es"),
        ("que hace noruega por el desarme nuclear", "es"),
        ("gracias", "es"),
    ],
)
def test_clear_sentences_are_detected(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("hola", "es"), ("buenas", "es"), ("Adiós", "es"), ("hello", "en"), ("hi", "en"), ("thanks", "en")],
)
def test_a_lone_greeting_or_thanks_gives_its_language(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize("text", ["ok", "NATO", "Colombia", "MINUSMA", "👍", "", "   ", "123", "bye", "hola, hello"])
def test_short_or_ambiguous_text_keeps_the_current_language(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("¿puedes hablar en inglés?", "en"),
        ("in Spanish please", "es"),
        ("en español", "es"),
        ("english please", "en"),
        ("what about Mali?", None),
    ],
)
def test_explicit_requests_name_the_language(text: str, expected: str) -> None:
    assert find_requested(text) == expected


@pytest.mark.parametrize("value,expected", [("es-CO", "es"), ("en_GB", "en"), ("ES", "es"), ("nb-NO", None), (None, None), (5, None)])
def test_locales(value: object, expected: str) -> None:
    assert from_locale(value) == expected


@pytest.mark.parametrize("value,expected", [("Español", "es"), ("ingles", "en"), ("es", "es"), ("klingon", None)])
def test_language_names(value: str, expected: str) -> None:
    assert from_name(value) == expected


@pytest.mark.parametrize("text", ["¿Eres un robot?", "¿Qué es UNMISS?", "que es la red nwm", "¡Hola!", "¿y la OTAN?", "señor"])
def test_a_short_spanish_first_message_is_spanish(text: str) -> None:
    # lingua abstains on each; Spanish-only spelling or the in-domain n-gram model decides.
    assert detect(text) == "es"


@pytest.mark.parametrize("text", ["what is UNMISS?", "are u a robot", "and the police?", "thx"])
def test_a_short_english_message_stays_english(text: str) -> None:
    assert detect(text) in ("en", None)
