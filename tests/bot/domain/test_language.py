"""Language detection, explicit requests, locales and names, and the precedence that decides."""

from __future__ import annotations

import pytest

from bot.domain.language import (
    Decision, Reason, Signals, decide, detect, find_requested, from_metadata, normalise, read_words, requested_in,
)
from tests.conftest import LANGS


@pytest.mark.parametrize(
    "text,expected",
    [
        ("How many Norwegian soldiers serve in UN missions?", "en"),
        ("what does norway do for disarmament", "en"),
        ("¿Cuántos soldados noruegos hay en misiones de la ONU?", "es"),
        ("que hace noruega por el desarme nuclear", "es"),
        ("gracias", "es"),
        ("Hvor mange norske soldater tjenestegjør i FN-operasjoner?", "nb"),
        ("hva gjør norge for atomnedrustning", "nb"),
    ],
)
def test_clear_sentences_are_detected(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("hola", "es"), ("buenas", "es"), ("Adiós", "es"), ("hello", "en"), ("hi", "en"), ("thanks", "en"),
     ("hei", "nb"), ("takk", "nb"), ("tusen takk", "nb")],
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
        ("kan du svare på norsk?", "nb"),
        ("in Norwegian please", "nb"),
        ("¿puede responder en noruego?", "nb"),
        ("på engelsk, takk", "en"),
    ],
)
def test_explicit_requests_name_the_language(text: str, expected: str) -> None:
    assert find_requested(text) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        # Locales: a page's, a browser's, Telegram's language_code.
        ("es-CO", "es"), ("en_GB", "en"), ("ES", "es"), ("es-419", "es"), ("de-DE", None),
        # Norwegian in any of its tags is bokmål; a list gives its first language spoken here.
        ("nb-NO", "nb"), ("no", "nb"), ("nn-NO", "nb"), ("nb", "nb"), ("de-DE,nb;q=0.8,en;q=0.5", "nb"),
        # Names, as visitors and the entity extractor write them.
        ("Español", "es"), ("ingles", "en"), ("es", "es"), ("spanish", "es"), (" English ", "en"), ("klingon", None),
        ("norsk", "nb"), ("Bokmål", "nb"), ("noruego", "nb"), ("Norwegian", "nb"),
        (None, None), (5, None), ("", None),
    ],
)
def test_names_and_locales_are_normalised(value: object, expected: str) -> None:
    assert normalise(value) == expected


@pytest.mark.parametrize(
    "metadata,expected",
    [({"locale": "es-ES"}, "es"), ({"language_code": "en"}, "en"), ({"locale": "de", "language": "es"}, "es"), ({"language_code": "nn"}, "nb"), ({}, None), ("es", None)],
)
def test_the_metadata_locale(metadata: object, expected: str) -> None:
    assert from_metadata(metadata) == expected


def _other(lang: str) -> str:
    return next(other for other in LANGS if other != lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_or_channel_locale_decides_first(lang: str) -> None:
    other = _other(lang)
    signals = Signals(locale=lang, requested=other, detected=other, conversation=other)
    assert decide(signals) == Decision(lang, Reason.LOCALE)


@pytest.mark.parametrize("lang", LANGS)
def test_an_explicit_request_outranks_detection_and_the_conversation(lang: str) -> None:
    other = _other(lang)
    assert decide(Signals(requested=lang, detected=other, conversation=other)) == Decision(lang, Reason.REQUESTED)


@pytest.mark.parametrize("lang", LANGS)
def test_confident_detection_outranks_the_conversation(lang: str) -> None:
    assert decide(Signals(detected=lang, conversation=_other(lang))) == Decision(lang, Reason.DETECTED)


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_signal_from_the_message_the_conversation_keeps_its_language(lang: str) -> None:
    decision = decide(Signals(conversation=lang))
    assert decision == Decision(lang, Reason.CONVERSATION) and not decision.from_words


def test_with_nothing_known_the_language_is_english() -> None:
    assert decide(Signals()) == Decision("en", Reason.DEFAULT)


@pytest.mark.parametrize("lang", LANGS)
def test_a_switch_request_asks_for_the_language_it_names(lang: str) -> None:
    # Written in another language, asking for this one: the request wins.
    text, written_in = {
        "en": ("¿puedes hablar en inglés?", "es"),
        "es": ("can you answer in Spanish instead?", "en"),
        "nb": ("could you answer in Norwegian instead?", "en"),
    }[lang]
    signals = read_words(text, asks_to_switch=True)
    assert signals.detected == written_in
    assert decide(signals) == Decision(lang, Reason.REQUESTED)


@pytest.mark.parametrize("lang", LANGS)
def test_words_that_name_a_language_without_asking_are_not_a_request(lang: str) -> None:
    text = {
        "en": "How many Spanish soldiers serve in UN missions?",
        "es": "¿Cuántos soldados ingleses hay en misiones de la ONU?",
        "nb": "Hvor mange engelske soldater tjenestegjør i FN-operasjoner?",
    }[lang]
    assert decide(read_words(text, asks_to_switch=False)) == Decision(lang, Reason.DETECTED)


@pytest.mark.parametrize("text", ["NATO", "MINUSMA", "ok"])
def test_words_in_no_clear_language_leave_the_decision_to_the_conversation(text: str) -> None:
    assert not decide(read_words(text, asks_to_switch=False)).from_words


@pytest.mark.parametrize("text", ["¿Eres un robot?", "¿Qué es UNMISS?", "que es la red nwm", "¡Hola!", "¿y la OTAN?", "señor"])
def test_a_short_spanish_first_message_is_spanish(text: str) -> None:
    # lingua abstains on each; Spanish-only spelling or the in-domain n-gram model decides.
    assert detect(text) == "es"


@pytest.mark.parametrize("text", ["what is UNMISS?", "are u a robot", "and the police?", "thx"])
def test_a_short_english_message_stays_english(text: str) -> None:
    assert detect(text) in ("en", None)


@pytest.mark.parametrize("text", ["hei", "takk", "hva gjør Norge i FN?", "hvor mange soldater har norge i fn", "kva gjer Noreg i FN?"])
def test_a_short_norwegian_first_message_is_norwegian(text: str) -> None:
    assert detect(text) == "nb"


@pytest.mark.parametrize(
    "text",
    [
        # Danish and Swedish look-alikes of an in-domain question: answered in Norwegian, not English.
        "Hvor mange norske soldater er der i FN-missioner?",
        "Hur många norska soldater finns i FN:s fredsbevarande insatser?",
        "Hvad gør Norge for fred i Colombia?",
    ],
)
def test_danish_and_swedish_look_alikes_are_answered_in_norwegian(text: str) -> None:
    assert detect(text) == "nb"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Good morning, kindly answer in Spanish. What does NATO mean to Norway?", "es"),
        ("please write to me in norwegian (bokmål) - how many police officers?", "nb"),
        ("Hola, contéstame en inglés: ¿cuántos policías había?", "en"),
        ("buenas, escríbeme en noruego por favor. ¿qué es la UNTSO?", "nb"),
        ("Hei! Svar meg på spansk, takk. Hva er UNMISS?", "es"),
        ("skriv på engelsk: hvor mange soldater?", "en"),
    ],
)
def test_a_request_for_a_language_beside_a_question_is_found_whatever_the_intent(text: str, expected: str) -> None:
    assert requested_in(text) == expected


@pytest.mark.parametrize(
    "text",
    ["how many norwegian soldiers served in norwegian units?", "¿sigue en marcha la misión?", "¿cuántos soldados noruegos hay?",
     "hvor mange norske soldater var det?", "what do norwegian police officers do in cyprus?",
     "¿los agentes noruegos hablan en inglés con la gente?", "snakker soldatene på engelsk med folk der?"],
)
def test_a_language_named_without_a_request_asks_for_nothing(text: str) -> None:
    assert requested_in(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [("the page has a part called 'Mujeres, paz y seguridad' - what does it say", "en"),
     ("which missions had 'oficiales de policía noruegos'", "en"),
     ("¿qué quiere decir «balanced, mutual, irreversible and verifiable»?", "es"),
     ("på nettsida står det noe om 'Mediadoras de Mujeres Nórdicas' – hva er det for noe", "nb"),
     ("hva menes med \"conversaciones discretas entre partes\" her", "nb")],
)
def test_words_quoted_from_the_page_do_not_decide_the_language(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_a_quote_that_is_the_whole_message_still_decides() -> None:
    assert detect("'¿Cuántos soldados noruegos hay en misiones de la ONU?'") == "es"
