"""Follow-ups that name nothing, in every language: which record they build on, and when they are no follow-up."""

from __future__ import annotations

import pytest

from bot.domain import asks
from bot.domain.answers import (
    FACTS,
    FOLLOW_UP_WITHOUT_FOCUS,
    LACKS,
    OUT_OF_SCOPE,
    SMALL_TALK,
    answer_deployments,
    answer_fallback,
    answer_follow_up,
    answer_out_of_scope,
    answer_small_talk,
    answer_topic,
    follow_up_outcome,
)
from bot.domain.store import FactStore
from tests.conftest import LANGS


def _ids(outcome) -> set[str]:  # type: ignore[no-untyped-def]
    return {i for r in outcome.replies if r.response == FACTS for i in r.values.get("fact_ids", "").split()}


# --- reading: what builds on the last answer ---------------------------------------------------------------

# A fragment, a sentence pointing back, and a question naming its own subject, per language.
FRAGMENT = {"en": "with how many votes?", "es": "¿con cuántos votos?", "nb": "med hvor mange stemmer?"}
POINTING = {
    "en": "and who was it that norway sent down there?",
    "es": "¿y a quién mandó noruega allí al final?",
    "nb": "og hvem var det norge sendte dit ned?",
}
OWN_SUBJECT = {
    "en": "how many people does norway send abroad",
    "es": "cuántas personas envía noruega fuera",
    "nb": "hvor mange mennesker sender norge ut",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_fragment_or_a_longer_question_pointing_back_builds_on_the_last_answer(lang: str) -> None:
    assert asks.follow_up(FRAGMENT[lang]) and asks.builds_on(FRAGMENT[lang])
    assert asks.follow_up(POINTING[lang]) and asks.builds_on(POINTING[lang])
    # Asking for a number is not enough when the question says what it is about.
    assert not asks.builds_on(OWN_SUBJECT[lang])


@pytest.mark.parametrize(
    "lang,message",
    [("en", "reply in english please - and the year?"), ("es", "en español, por favor. ¿y el año?"), ("nb", "svar på norsk - og året?")],
)
def test_a_follow_up_after_a_request_is_read_as_its_own_sentence(lang: str, message: str) -> None:
    assert asks.follow_up(message) and asks.builds_on(message)


@pytest.mark.parametrize(
    "lang,question,others",
    [
        ("en", "which other groups?", True), ("es", "¿qué otros grupos?", True), ("nb", "hvilke andre grupper?", True),
        ("en", "who else got a seat?", True), ("es", "¿quién más?", True), ("nb", "hvem ellers?", True),
        ("en", "what year was it?", False), ("es", "¿en qué año fue?", False), ("nb", "hvilket år var det?", False),
    ],
)
def test_asking_for_others(lang: str, question: str, others: bool) -> None:
    assert asks.asks_others(question) is others


# --- the answer ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_an_unsure_topic_takes_a_fragment_as_a_follow_up_on_another_topics_record(store: FactStore, lang: str) -> None:
    # The personnel topic, half sure, for "with how many votes?" right after the Council's election.
    outcome = follow_up_outcome(store, "ask_deployments", 0.7, {}, "security_council", lang, FRAGMENT[lang])
    assert outcome is not None and "security_council_elected" in _ids(outcome)
    assert outcome.focus == "security_council"
    # Sure of its topic, the classifier is followed.
    assert follow_up_outcome(store, "ask_deployments", 0.95, {}, "security_council", lang, FRAGMENT[lang]) is None
    # A question that names its own subject is the topic's, however unsure.
    assert follow_up_outcome(store, "ask_deployments", 0.7, {}, "nato_ties", lang, OWN_SUBJECT[lang]) is None
    # No focus: nothing to follow up.
    assert follow_up_outcome(store, "ask_deployments", 0.7, {}, None, lang, FRAGMENT[lang]) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_follow_up_on_the_topics_own_record_is_left_to_the_topic(store: FactStore, lang: str) -> None:
    # "And how many?" after an answer on police: the personnel topic builds on its own focus.
    question = {"en": "and how many?", "es": "¿y cuántos?", "nb": "og hvor mange?"}[lang]
    assert follow_up_outcome(store, "ask_deployments", 0.6, {}, "police", lang, question) is None
    assert follow_up_outcome(store, "ask_security_council", 0.6, {}, "security_council_elected", lang, question) is None


@pytest.mark.parametrize("lang", LANGS)
def test_names_the_store_lacks_or_another_countrys_troops_stay_with_the_topic(store: FactStore, lang: str) -> None:
    question = {"en": "and in france?", "es": "¿y en Francia?", "nb": "og i Frankrike?"}[lang]
    assert follow_up_outcome(store, "ask_deployments", 0.6, {"place": ["Francia"]}, "police", lang, question) is None
    sender = {"place:sender": ["Sweden"]}
    assert follow_up_outcome(store, "ask_currency", 0.6, sender, "police", lang, question) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_record_named_in_a_follow_up_the_classifier_took_for_currency_is_answered(store: FactStore, lang: str) -> None:
    question = {"en": "and the mali one, still open?", "es": "¿y la de Malí sigue abierta?", "nb": "og den i Mali, fortsatt åpen?"}[lang]
    outcome = follow_up_outcome(store, "ask_currency", 0.5, {"place": ["Mali"]}, "police", lang, question)
    assert outcome is not None and {"minusma", "minusma_closed"} <= _ids(outcome)
    # "Are these figures still current?" asks how current the answers are.
    figures = {"en": "are those figures still right?", "es": "¿siguen valiendo esas cifras?", "nb": "stemmer de tallene fortsatt?"}[lang]
    assert follow_up_outcome(store, "ask_currency", 0.5, {}, "police", lang, figures) is None


@pytest.mark.parametrize("lang", LANGS)
def test_small_talk_yields_to_an_unsure_follow_up(store: FactStore, lang: str) -> None:
    question = {"en": "with whom?", "es": "¿con quién?", "nb": "med hvem?"}[lang]
    outcome = answer_small_talk(store, "ask_bot", 0.5, {}, None, "ndfp_process", lang, question)
    assert _ids(outcome) == {"ndfp_process"} and outcome.focus == "ndfp_process"
    sure = answer_small_talk(store, "ask_bot", 0.99, {}, None, "ndfp_process", lang, question)
    assert [r.response for r in sure.replies] == [SMALL_TALK["ask_bot"]]
    assert [r.response for r in answer_small_talk(store, "ask_bot", 0.5, {}, None, None, lang, question).replies] == [SMALL_TALK["ask_bot"]]


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_classifier_cannot_place_may_still_follow_up(store: FactStore, lang: str) -> None:
    question = {"en": "and when was that?", "es": "¿y cuándo fue eso?", "nb": "og når var det?"}[lang]
    outcome = answer_fallback(store, {}, lang, question, focus="farc_agreement")
    assert outcome.replies[0].response == FACTS and "2016" in outcome.replies[0].values["answer"]
    assert [r.response for r in answer_fallback(store, {}, lang, question).replies] == [FOLLOW_UP_WITHOUT_FOCUS]
    nonsense = {"en": "purple elephants dancing slowly tonight outside", "es": "elefantes morados bailan despacio esta noche fuera",
                "nb": "lilla elefanter danser sakte i kveld ute"}[lang]
    assert [r.response for r in answer_fallback(store, {}, lang, nonsense, focus="farc_agreement").replies] == [FOLLOW_UP_WITHOUT_FOCUS]


@pytest.mark.parametrize("lang", LANGS)
def test_an_unsure_out_of_scope_follow_up_may_name_its_record(store: FactStore, lang: str) -> None:
    question = {"en": "the cyprus one, is it still there?", "es": "¿la de Chipre sigue ahí?", "nb": "den på Kypros, er den der fortsatt?"}[lang]
    outcome = answer_out_of_scope(store, {"place": ["Cyprus"]}, lang, question, focus="farc_agreement")
    assert outcome.replies[0].response == LACKS["current"] and "unficyp" in _ids(outcome)
    joke = {"en": "tell me a joke about cyprus", "es": "cuéntame un chiste de Chipre", "nb": "fortell en vits om Kypros"}[lang]
    assert [r.response for r in answer_out_of_scope(store, {"place": ["Cyprus"]}, lang, joke, confident=True).replies] == [OUT_OF_SCOPE]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "were there other groups?"), ("es", "¿hubo otros grupos?"), ("nb", "var det andre grupper?")],
)
def test_asking_for_others_gives_the_records_beside_the_focus(store: FactStore, lang: str, question: str) -> None:
    # The ELN talks beside the FARC agreement, both in Colombia.
    assert _ids(answer_follow_up(store, {}, "farc_agreement", lang, question)) == {"eln_process"}
    # The other news on the Council beside its election.
    beside = _ids(answer_follow_up(store, {}, "security_council_elected", lang, question))
    assert "security_council_contest" in beside and "security_council_elected" not in beside
    # A topic's own answer already holds the rest: it is given again.
    assert "security_council_contest" in _ids(answer_follow_up(store, {}, "security_council", lang, question))


@pytest.mark.parametrize("lang", LANGS)
def test_which_missions_after_a_figure_gives_the_figure_and_its_missions(store: FactStore, lang: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {}, "military", lang)
    assert {"military", "minusma", "unmiss", "untso"} <= _ids(outcome) and outcome.focus == "military"


@pytest.mark.parametrize("lang", LANGS)
def test_a_topic_narrowed_to_a_place_keeps_its_first_record_in_focus(store: FactStore, lang: str) -> None:
    outcome = answer_topic(store, "ask_peace", {"place": ["Colombia"]}, lang)
    assert _ids(outcome) >= {"farc_agreement", "eln_process"} and outcome.focus == "farc_agreement"
