"""Several questions in one message: where a later question starts, its topic and the store's names in it."""

from __future__ import annotations

import pytest

from bot.domain.answers import (
    FACTS, FOLLOW_UP_WITHOUT_FOCUS, OUT_OF_SCOPE, RATING, SUGGESTIONS, Outcome, Reply, answer_deployments, answer_topic,
    answer_fallback, with_later_questions,
)
from bot.domain.clauses import MAX_CLAUSES, later_clauses, names_in, read, split
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


@pytest.mark.parametrize(
    "message,parts",
    [
        # A "+", a dash, a colon and an opening "¿" start a new question, as a "?" does.
        ("Who leads NATO + what is UNMISS?", ["Who leads NATO", "what is UNMISS?"]),
        ("In Spanish please - what is OSCE?", ["In Spanish please", "what is OSCE?"]),
        ("Una pregunta: ¿qué es la OSCE?", ["Una pregunta", "¿qué es la OSCE?"]),
        ("Por favor ¿qué hace Noruega?", ["Por favor", "¿qué hace Noruega?"]),
        # "And about ...": a joiner before a word naming what is asked about.
        ("Tell me about Mali and about the secret talks", ["Tell me about Mali", "about the secret talks"]),
        ("Cuéntame de Malí y también sobre el desarme", ["Cuéntame de Malí", "sobre el desarme"]),
        ("Fortell om Mali og om nedrustning", ["Fortell om Mali", "om nedrustning"]),
        # A verb and its subject after a joiner: a yes/no question in Norwegian word order.
        ("Hva er målene, og støtter Norge nedrustning?", ["Hva er målene", "støtter Norge nedrustning?"]),
        # A preposition before the question word, or a joiner set off by commas, starts the next question.
        ("What are Norway's goals and with which countries does it cooperate?",
         ["What are Norway's goals", "with which countries does it cooperate?"]),
        ("¿Qué metas tiene Noruega y con qué países coopera?", ["¿Qué metas tiene Noruega", "con qué países coopera?"]),
        ("Hva er målene til Norge og med hvilke land samarbeider de?", ["Hva er målene til Norge", "med hvilke land samarbeider de?"]),
        ("Tell me about NATO and, by the way, what is UNTSO?", ["Tell me about NATO", "what is UNTSO?"]),
        ("Háblame de la OTAN y, de paso, qué es la UNTSO", ["Háblame de la OTAN", "qué es la UNTSO"]),
        ("Fortell om NATO og, forresten, hva er UNTSO?", ["Fortell om NATO", "hva er UNTSO?"]),
        # Two names under one question stay one question.
        ("Tell me about MINUSMA and UNMISS", ["Tell me about MINUSMA and UNMISS"]),
        ("Norge og Irland vant plassene", ["Norge og Irland vant plassene"]),
    ],
)
def test_a_message_is_cut_where_each_question_starts(message: str, parts: list[str]) -> None:
    assert [message[start:end] for start, end in split(message)] == parts


@pytest.mark.parametrize(
    "lang,message,intents",
    [
        ("en", "What are Norway's aims, and how many police officers did it have in UN missions?", ["ask_aims", "ask_deployments"]),
        ("es", "¿Qué busca Noruega con la OTAN y cuántos militares tenía en misiones de la ONU?", ["ask_nato", "ask_deployments"]),
        ("nb", "Hva er Norges mål, og hvor mange politifolk hadde Norge i FN-operasjoner?", ["ask_aims", "ask_deployments"]),
    ],
)
def test_every_clause_is_read_first_included(store: FactStore, lang: str, message: str, intents: list[str]) -> None:
    assert [clause.intent for clause in read(message, store)] == intents


def test_the_nlu_entities_go_to_the_clause_they_lie_in(store: FactStore) -> None:
    message = "What is MINUSMA? And what does NATO mean to Norway?"
    found = [
        {"entity": "mission", "value": "minusma", "start": 8, "end": 15},
        {"entity": "organisation", "value": "nato", "start": 31, "end": 35},
    ]
    first, second = read(message, store, found)
    assert first.entities == {"mission": ["minusma"]} and second.entities == {"organisation": ["nato"]}


def test_a_name_the_crf_tagged_too_long_is_read_by_the_store_names_within(store: FactStore) -> None:
    message = "Hva er UNTSO, og hvor jobbet de sivile rådgiverne hennes"
    start = message.index("sivile")
    found = [{"entity": "personnel", "value": "sivile rådgiverne hennes", "start": start, "end": len(message)}]
    assert read(message, store, found)[1].entities == {"personnel": ["civilian"]}


def test_a_clause_names_the_peace_process_it_asks_about(store: FactStore) -> None:
    (clause,) = read("¿Qué sabes de las conversaciones secretas?", store, [])
    assert clause.entities == {"process": ["discreet_talks"]}


QUESTION_SECOND_IN_NLU = {
    # The NLU gives the whole message the second question's intent: each clause is read on its own.
    "en": "What are Norway's aims, and how many police officers did it have in UN missions?",
    "es": "¿Cuáles son los objetivos de Noruega y cuántos policías tenía en misiones de la ONU?",
    "nb": "Hva er Norges mål, og hvor mange politifolk hadde Norge i FN-operasjoner?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_first_question_is_answered_by_its_own_reading(store: FactStore, lang: str) -> None:
    question = QUESTION_SECOND_IN_NLU[lang]
    first = answer_deployments(store, "ask_deployments", {"personnel": ["police"]}, None, lang, question)
    outcome = with_later_questions(store, first, question, None, lang, intent="ask_deployments")
    ids = [r.values["fact_ids"] for r in outcome.replies if r.response == FACTS]
    assert ids[0] == "aims" and ids[1] == "police"
    assert [r.response for r in outcome.replies][-2:] == [RATING, SUGGESTIONS["topics"]]


@pytest.mark.parametrize("lang", LANGS)
def test_each_question_is_checked_for_what_it_asks_by_its_own_words(store: FactStore, lang: str) -> None:
    # "How many" belongs to the first question: the NATO answer must not say it lacks a number.
    question = {
        "en": "How many soldiers did Norway have in UN missions, and why does NATO matter to Norway?",
        "es": "¿Cuántos soldados tenía Noruega en misiones de la ONU y por qué le importa la OTAN a Noruega?",
        "nb": "Hvor mange soldater hadde Norge i FN-operasjoner, og hvorfor er NATO viktig for Norge?",
    }[lang]
    first = answer_topic(store, "ask_nato", {"organisation": ["nato"], "personnel": ["military"]}, lang, question)
    outcome = with_later_questions(store, first, question, None, lang, intent="ask_nato")
    responses = [r.response for r in outcome.replies]
    assert responses[0] == FACTS and not any(r.startswith("utter_fact_lacks") for r in responses)
    assert [r.values["fact_ids"] for r in outcome.replies if r.response == FACTS][0] == "military"


@pytest.mark.parametrize("lang", LANGS)
def test_a_clause_on_no_topic_that_names_a_record_gets_its_facts(store: FactStore, lang: str) -> None:
    question = {"en": "What is MINUSMA? Also, anything on the FARC?", "es": "¿Qué es la MINUSMA? ¿Y algo sobre las FARC?",
                "nb": "Hva er MINUSMA? Og noe om FARC?"}[lang]
    outcome = with_later_questions(store, Outcome((Reply(OUT_OF_SCOPE),)), question, None, lang, intent="out_of_scope")
    ids = [r.values["fact_ids"] for r in outcome.replies if r.response == FACTS]
    assert ids[0] == "minusma" and "farc_agreement" in ids and OUT_OF_SCOPE not in [r.response for r in outcome.replies]


@pytest.mark.parametrize("lang", LANGS)
def test_a_message_the_nlu_is_unsure_of_is_answered_when_it_holds_several_clear_questions(store: FactStore, lang: str) -> None:
    question = {"en": "What is UNFICYP? And what does Norway think of disarmament?",
                "es": "¿Qué es la UNFICYP? ¿Y qué piensa Noruega del desarme?",
                "nb": "Hva er UNFICYP? Og hva mener Norge om nedrustning?"}[lang]
    ids = [r.values["fact_ids"] for r in answer_fallback(store, {}, lang, question).replies if r.response == FACTS]
    assert ids == ["unficyp", "disarmament"]
    # One unclear question still gets the request to rephrase.
    assert [r.response for r in answer_fallback(store, {}, lang, "blorp wibble?").replies] == [FOLLOW_UP_WITHOUT_FOCUS]


@pytest.mark.parametrize("lang", LANGS)
def test_a_message_of_endless_questions_reads_only_the_first_few(store: FactStore, lang: str) -> None:
    question = {"en": "What is NATO? ", "es": "¿Qué es la OTAN? ", "nb": "Hva er NATO? "}[lang]
    assert len(read(question * 60, store)) == MAX_CLAUSES


def test_preloading_trains_the_model_the_readers_use() -> None:
    from bot.domain import clauses

    clauses._model.cache_clear()
    clauses.preload()
    trained = clauses._model.cache_info().misses
    clauses.intents("what is NATO?")
    assert clauses._model.cache_info().misses == trained


@pytest.mark.parametrize(
    "lang,question",
    [("en", "the women mediators network - what does norway do there?"), ("es", "la red de mujeres mediadoras - ¿qué hace noruega ahí?"),
     ("nb", "nettverket av kvinnelige meklere - hva gjør norge der?")],
)
def test_a_later_question_pointing_back_leaves_the_earlier_record_in_focus(store: FactStore, lang: str, question: str) -> None:
    first = answer_topic(store, "ask_women_peace", {}, lang, question)
    outcome = with_later_questions(store, first, question, None, lang)
    assert "women_peace" in _cited(outcome) and outcome.focus == "women_peace"


@pytest.mark.parametrize(
    "lang,question",
    [("en", "My teacher asked me about this. Why is NATO important to Norway?"),
     ("es", "Estoy haciendo un trabajo para clase. ¿Por qué es importante la OTAN para Noruega?"),
     ("nb", "Jeg har fått en skoleoppgave. Hvorfor er NATO viktig for Norge?")],
)
def test_a_question_after_what_visitors_say_of_themselves_is_answered(store: FactStore, lang: str, question: str) -> None:
    outcome = with_later_questions(store, Outcome((Reply(OUT_OF_SCOPE),)), question, None, lang, [])
    assert "nato_ties" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,who,leads",
    [("en", "who are the ELN?", "who leads the ELN?"), ("es", "¿quiénes son el ELN?", "¿quién dirige el ELN?"),
     ("nb", "hvem er ELN?", "hvem leder ELN?")],
)
def test_who_a_group_is_asks_what_it_is_not_for_a_person(store: FactStore, lang: str, who: str, leads: str) -> None:
    first = [r.response for r in answer_topic(store, "", {"organisation": ["eln"]}, lang, who).replies]
    assert first[0] == FACTS
    assert answer_topic(store, "", {"organisation": ["eln"]}, lang, leads).replies[0].response == "utter_fact_lacks_person"


def _cited(outcome: Outcome) -> set[str]:
    return {i for r in outcome.replies if r.response == FACTS for i in r.values.get("fact_ids", "").split()}


class _Readings:
    """A stand-in for the clause model: the same probabilities for any text."""

    def __init__(self, probabilities: list[float]) -> None:
        self.classes_ = ["ask_development", "ask_actions", "out_of_scope"]
        self.probabilities = probabilities

    def predict_proba(self, texts: list[str]) -> "numpy.ndarray":
        import numpy

        return numpy.array([self.probabilities for _ in texts])


@pytest.mark.parametrize(
    "probabilities,intent",
    [([0.6, 0.3, 0.1], "ask_development"), ([0.45, 0.2, 0.35], None), ([0.45, 0.19, 0.36], None),
     ([0.45, 0.2, 0.2], "ask_development"), ([0.35, 0.1, 0.1], None)],
)
def test_an_unsure_clause_keeps_a_topic_that_clearly_leads(monkeypatch: pytest.MonkeyPatch, probabilities: list[float], intent: str) -> None:
    from bot.domain import clauses

    monkeypatch.setattr(clauses, "_model", lambda folder=None: _Readings(probabilities))
    assert clauses._intent("does it use aid money against crime?", clauses.NLU_DATA) == intent
