"""Several questions in one message: where a later question starts, its topic and the store's names in it."""

from __future__ import annotations

import pytest

from bot.domain.answers import FACTS, RATING, SUGGESTIONS, answer_deployments, with_later_questions
from bot.domain.clauses import later_clauses, names_in
from bot.domain.store import FactStore
from tests.conftest import LANGS


@pytest.mark.parametrize(
    "question,intent,entities",
    [
        ("How many soldiers does Norway have in UN missions and what does NATO mean to Norway?", "ask_nato",
         {"organisation": ["nato"]}),
        ("What are Norway's aims? And what about disarmament?", "ask_disarmament", {}),
        ("¿Cuántos policías hay en Chipre y qué hace Noruega por la paz en Colombia?", "ask_peace", {"place": ["colombia"]}),
        ("Hvor mange soldater har Norge i FN-operasjoner, og hva betyr NATO for Norge?", "ask_nato",
         {"organisation": ["nato"]}),
        ("Hva er Norges mål? Og hva med nedrustning?", "ask_disarmament", {}),
    ],
)
def test_a_later_question_is_found_with_its_topic_and_names(store: FactStore, question: str, intent: str, entities) -> None:
    (clause,) = later_clauses(question, store)
    assert clause.intent == intent and clause.entities == entities


@pytest.mark.parametrize(
    "question",
    ["How many soldiers does Norway have in Mali?", "Tell me about MINUSMA and UNMISS", "¿Qué es la OTAN y la ONU?",
     "Hvor mange soldater har Norge i Mali?", "Fortell meg om MINUSMA og UNMISS"],
)
def test_one_question_has_no_later_clauses(store: FactStore, question: str) -> None:
    assert later_clauses(question, store) == []


def test_names_are_read_longest_first(store: FactStore) -> None:
    assert names_in("the democratic republic of the congo and mali", store) == {"place": ["dr_congo", "mali"]}


@pytest.mark.parametrize("lang", LANGS)
def test_each_question_is_answered_in_order_each_with_its_source(store: FactStore, lang: str) -> None:
    question = {
        "en": "How many soldiers does Norway have in UN missions and what does NATO mean to Norway?",
        "es": "¿Cuántos soldados tiene Noruega en misiones de la ONU y qué significa la OTAN para Noruega?",
        "nb": "Hvor mange soldater har Norge i FN-operasjoner, og hva betyr NATO for Norge?",
    }[lang]
    first = answer_deployments(store, "ask_deployments", {"personnel": ["military"]}, None, lang, question)
    outcome = with_later_questions(store, first, question, None, lang)
    ids = [r.values["fact_ids"] for r in outcome.replies if r.response == FACTS]
    assert ids[0] == "military" and ids[-1] == "nato_ties"
    assert all(r.values["source"] for r in outcome.replies if r.response == FACTS)
    # One rating and one set of suggestions close the whole answer.
    assert [r.response for r in outcome.replies][-2:] == [RATING, SUGGESTIONS["deployments"]]
    assert outcome.focus == "nato_ties"


@pytest.mark.parametrize("lang,question", [("en", "Hi. How many soldiers does Norway have?"), ("es", "Hola. ¿Cuántos soldados tiene Noruega?"),
                                           ("nb", "Hei. Hvor mange soldater har Norge?")])
def test_a_preface_cut_off_adds_no_second_answer(store: FactStore, lang: str, question: str) -> None:
    first = answer_deployments(store, "ask_deployments", {"personnel": ["military"]}, None, lang, question)
    assert with_later_questions(store, first, question, None, lang) == first
