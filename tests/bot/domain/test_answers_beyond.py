"""Questions beyond the store: what the sources never tell is said first, and a false premise is not taken."""

from __future__ import annotations

import pytest

from bot.domain import asks
from bot.domain.answers import (
    FACTS, LACKS, LACKS_YEAR, PREMISE, SENT, UNKNOWN, answer_deployments, answer_out_of_scope, answer_topic,
)
from bot.domain.store import FactStore
from tests.conftest import LANGS


def _first(outcome) -> str:  # type: ignore[no-untyped-def]
    return outcome.replies[0].response


def _cited(outcome) -> set[str]:  # type: ignore[no-untyped-def]
    return {i for r in outcome.replies if r.response == FACTS for i in r.values["fact_ids"].split()}


# A kind of thing no source holds, asked in each language: military equipment, arms sent abroad.
NEVER_HELD = {
    "en": [("How many frigates does the Norwegian navy have?", "equipment"),
           ("Which countries does Norway export weapons to?", "arms_trade")],
    "es": [("¿Cuántos submarinos tiene Noruega?", "equipment"),
           ("¿A qué países exporta armas Noruega?", "arms_trade")],
    "nb": [("Hvor mange stridsvogner har hæren?", "equipment"),
           ("Hvilke land eksporterer Norge våpen til?", "arms_trade")],
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_kind_of_thing_no_source_holds_is_said_first_then_what_the_sources_say(store: FactStore, lang: str) -> None:
    for question, kind in NEVER_HELD[lang]:
        outcome = answer_topic(store, "ask_disarmament", {}, lang, question)
        assert _first(outcome) == LACKS[kind] and outcome.replies[1].response == FACTS, question
        assert _cited(outcome) == {"disarmament"}


MEMBERSHIP = {
    "en": ["Does Norway belong to the OSCE?", "Is Norway in the OSCE?"],
    "es": ["¿Es Noruega miembro de la OSCE?", "¿Está Noruega en la OSCE?"],
    "nb": ["Er Norge medlem av OSSE?", "Er Norge i OSSE?"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_membership_the_texts_do_not_tell_is_said_first(store: FactStore, lang: str) -> None:
    for question in MEMBERSHIP[lang]:
        outcome = answer_topic(store, "ask_actions", {"organisation": ["osce"]}, lang, question)
        assert _first(outcome) == LACKS["membership"], question
        assert _cited(outcome) == {"osce"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_membership_the_texts_tell_needs_no_preface(store: FactStore, lang: str) -> None:
    question = {"en": "Is Norway a NATO member?", "es": "¿Noruega es miembro de la OTAN?", "nb": "Er Norge medlem av NATO?"}
    outcome = answer_topic(store, "ask_actions", {"organisation": ["nato"]}, lang, question[lang])
    assert _first(outcome) == FACTS and "nato_ties" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_taking_part_in_a_mission_is_no_membership(store: FactStore, lang: str) -> None:
    question = {"en": "Is Norway part of UNMISS?", "es": "¿Noruega forma parte de la UNMISS?", "nb": "Er Norge med i UNMISS?"}
    outcome = answer_deployments(store, "ask_deployments", {"mission": ["unmiss"]}, None, lang, question[lang])
    assert _first(outcome) == FACTS


# Each a claim the store contradicts: Norway left NATO (it tells the membership), lost the Council
# vote (it tells the election), has nuclear weapons of its own (it tells nuclear disarmament).
PREMISES = {
    "en": [("ask_nato", "When did Norway walk out of NATO, and why did Norway leave?", "nato_ties"),
           ("ask_security_council", "After Norway lost the Council election, what did it do?", "security_council_elected"),
           ("ask_disarmament", "Where does Norway keep its own nuclear weapons?", "disarmament")],
    "es": [("ask_nato", "¿Cuándo se retiró Noruega de la OTAN?", "nato_ties"),
           ("ask_security_council", "¿Cómo perdió Noruega la votación del Consejo?", "security_council_elected"),
           ("ask_disarmament", "¿Dónde guarda Noruega sus propias armas nucleares?", "disarmament")],
    "nb": [("ask_nato", "Når gikk Norge ut av NATO?", "nato_ties"),
           ("ask_security_council", "Hvorfor tapte Norge avstemningen i FN?", "security_council_elected"),
           ("ask_disarmament", "Hvor lagrer Norge sine egne atomvåpen?", "disarmament")],
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_premise_the_store_contradicts_is_refused_politely_then_corrected(store: FactStore, lang: str) -> None:
    for intent, question, fact in PREMISES[lang]:
        outcome = answer_topic(store, intent, {}, lang, question)
        assert _first(outcome) == PREMISE, question
        assert outcome.replies[0].values["name"] == store.topic_for_intent(intent).name[lang]
        assert fact in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_leaving_an_organisation_the_texts_say_norway_takes_part_in_is_a_false_premise(store: FactStore, lang: str) -> None:
    question = {"en": "Why did Norway quit the United Nations?", "es": "¿Por qué se salió Noruega de las Naciones Unidas?",
                "nb": "Hvorfor meldte Norge seg ut av De forente nasjoner?"}
    outcome = answer_topic(store, "ask_un", {}, lang, question[lang])
    assert _first(outcome) == PREMISE and "un_order" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_a_premise_named_beside_a_record_the_classifier_calls_out_of_scope_is_refused(store: FactStore, lang: str) -> None:
    intent, question, fact = PREMISES[lang][0]
    outcome = answer_out_of_scope(store, {"organisation": ["nato"]}, lang, question)
    assert _first(outcome) == PREMISE and fact in _cited(outcome)


NO_PREMISE = {
    "en": ["Why doesn't Norway have its own nuclear weapons?", "Did Norway withdraw from Mali?", "Why did Canada lose?"],
    "es": ["¿Por qué Noruega no tiene sus propias armas nucleares?", "¿Se retiró Noruega de Malí?", "¿Por qué perdió Canadá?"],
    "nb": ["Hvorfor har ikke Norge egne atomvåpen?", "Trakk Norge seg ut av Mali?", "Hvorfor tapte Canada?"],
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_negated_claim_another_countrys_loss_or_a_mission_left_is_no_false_premise(store: FactStore, lang: str) -> None:
    for question in NO_PREMISE[lang]:
        texts = [f.text[lang] for i in ("disarmament", "minusma", "minusma_closed", "security_council_contest")
                 for f in [store.get(i)] if f.text]
        assert asks.false_premise(question, texts) is None, question


@pytest.mark.parametrize("lang", LANGS)
def test_a_year_no_text_names_is_said_first(store: FactStore, lang: str) -> None:
    question = {"en": "How many police officers were there in 2021?", "es": "¿Cuántos policías había en 2021?",
                "nb": "Hvor mange politifolk var det i 2021?"}
    outcome = answer_deployments(store, "ask_deployments", {"personnel": ["police"]}, None, lang, question[lang])
    assert _first(outcome) == LACKS_YEAR and outcome.replies[0].values["year"] == "2021"
    assert "police" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_a_year_a_text_or_its_source_names_needs_no_preface(store: FactStore, lang: str) -> None:
    questions = {"en": ["How many police officers were there in 2019?", "What were Norway's aims in 2019?"],
                 "es": ["¿Cuántos policías había en 2019?", "¿Cuáles eran los objetivos de Noruega en 2019?"],
                 "nb": ["Hvor mange politifolk var det i 2019?", "Hva var Norges mål i 2019?"]}
    police, aims = questions[lang]
    assert _first(answer_deployments(store, "ask_deployments", {"personnel": ["police"]}, None, lang, police)) == FACTS
    assert _first(answer_topic(store, "ask_aims", {}, lang, aims)) == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_how_many_norwegians_gets_each_kind_of_personnel(store: FactStore, lang: str) -> None:
    question = {"en": "How many Norwegians work for the UN abroad?", "es": "¿Cuántos noruegos trabajan para la ONU fuera?",
                "nb": "Hvor mange nordmenn jobber for FN i utlandet?"}
    outcome = answer_deployments(store, "ask_deployments", {}, None, lang, question[lang])
    assert _first(outcome) == FACTS
    assert {"military", "police", "civilian"} <= _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_a_plain_topic_question_gets_no_preface(store: FactStore, lang: str) -> None:
    plain = {"en": "What does NATO mean for Norway?", "es": "¿Qué significa la OTAN para Noruega?", "nb": "Hva betyr NATO for Norge?"}
    assert _first(answer_topic(store, "ask_nato", {}, lang, plain[lang])) == FACTS


def test_every_new_preface_is_sent_by_the_answer_logic() -> None:
    assert {PREMISE, LACKS_YEAR, LACKS["equipment"], LACKS["arms_trade"], LACKS["membership"]} <= SENT


@pytest.mark.parametrize("lang", LANGS)
def test_a_topic_narrowed_to_a_country_the_store_lacks_says_so_first(store: FactStore, lang: str) -> None:
    question = {"en": "Is Norway a peace facilitator in Nepal?", "es": "¿Facilita Noruega la paz en Nepal?",
                "nb": "Legger Norge til rette for fred i Nepal?"}
    outcome = answer_topic(store, "ask_peace", {"place": ["Nepal"]}, lang, question[lang])
    assert _first(outcome) == UNKNOWN["place"] and outcome.replies[0].values["name"] == "Nepal"
    assert _cited(outcome) == {"peace"}
