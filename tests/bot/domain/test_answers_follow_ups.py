"""Follow-ups that name nothing, in every language: which record they build on, and when they are no follow-up."""

from __future__ import annotations

import pytest

from bot.domain import asks
from bot.domain.answers import (
    CURRENCY,
    FACTS,
    FOLLOW_UP_WITHOUT_FOCUS,
    LACKS,
    OUT_OF_SCOPE,
    SMALL_TALK,
    SWITCHED,
    Outcome,
    Reply,
    answer_currency,
    answer_deployments,
    answer_fallback,
    answer_follow_up,
    answer_language_switch,
    answer_out_of_scope,
    answer_small_talk,
    answer_topic,
    follow_up_outcome,
    with_later_questions,
    with_names_read,
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


# --- follow-ups other intents take, and what they ask of the focus -----------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_a_follow_up_taken_for_a_help_request_answers_the_focus_and_plain_help_stays_help(store: FactStore, lang: str) -> None:
    question = {"en": "and when did it start?", "es": "¿y cuándo empezó?", "nb": "og når begynte det?"}[lang]
    outcome = answer_small_talk(store, "ask_help", 0.6, {}, None, "farc_agreement", lang, question)
    assert _ids(outcome) == {"farc_agreement"}
    plain = {"en": "what can you do?", "es": "¿qué sabes hacer?", "nb": "hva kan du?"}[lang]
    assert [r.response for r in answer_small_talk(store, "ask_help", 0.6, {}, None, "farc_agreement", lang, plain).replies] == [
        SMALL_TALK["ask_help"]
    ]


@pytest.mark.parametrize(
    "lang,text",
    [("en", "hello there"), ("en", "thanks for that"), ("es", "gracias por eso"), ("es", "hola a todos ahí"),
     ("nb", "takk for det"), ("nb", "hei der")],
)
def test_small_talk_that_asks_nothing_is_no_follow_up(store: FactStore, lang: str, text: str) -> None:
    for intent in ("greet", "thank"):
        outcome = answer_small_talk(store, intent, 0.6, {}, None, "military", lang, text)
        assert [r.response for r in outcome.replies] == [SMALL_TALK[intent]]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "and how many were there?"), ("es", "¿y cuántos había?"), ("nb", "og hvor mange var de?"),
     ("en", "how many of them?"), ("es", "¿cuántos eran en total?"), ("nb", "hvor mange var det?")],
)
def test_a_number_asked_after_a_kind_of_personnel_is_its_figure(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {}, "police", lang, question)
    assert outcome.replies[0].response == FACTS and "police" in _ids(outcome)
    assert not {"unficyp", "unmiss", "minujusth", "unmc"} & _ids(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "in which countries?"), ("en", "during which years?"), ("en", "what about the votes?"),
     ("es", "¿en qué países?"), ("es", "¿durante qué años?"), ("es", "¿qué hay de los votos?"),
     ("nb", "i hvilke land?"), ("nb", "fra hvilket år?"), ("nb", "hva med stemmene?")],
)
def test_a_preposition_and_a_question_word_carry_on_the_last_question(store: FactStore, lang: str, question: str) -> None:
    assert asks.follow_up(question) and asks.builds_on(question)
    # Taken for a goodbye, half sure: the record in focus answers.
    assert "security_council_elected" in _ids(answer_small_talk(store, "goodbye", 0.45, {}, None, "security_council", lang, question))


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_question_starting_with_a_preposition_is_not_bent_onto_the_focus(store: FactStore, lang: str) -> None:
    question = {"en": "in what way does NATO matter to Norway?", "es": "¿en qué sentido importa la OTAN a Noruega?",
                "nb": "på hvilken måte er NATO viktig for Norge?"}[lang]
    assert follow_up_outcome(store, "ask_nato", 0.7, {"organisation": ["NATO"]}, "police", lang, question) is None


@pytest.mark.parametrize(
    "lang,question,elsewhere",
    [("en", "where else were they?", True), ("en", "does norway do this anywhere else?", True), ("en", "who else?", False),
     ("es", "¿y dónde más estaban?", True), ("es", "¿lo hace en otros países?", True), ("es", "¿quién más?", False),
     ("nb", "hvor ellers var de?", True), ("nb", "gjør norge dette andre steder?", True), ("nb", "hvem andre?", False)],
)
def test_asking_for_other_places(lang: str, question: str, elsewhere: bool) -> None:
    assert asks.asks_elsewhere(question) is elsewhere


@pytest.mark.parametrize("lang", LANGS)
def test_where_else_gives_the_personnel_serving_there_or_the_processes_in_other_places(store: FactStore, lang: str) -> None:
    question = {"en": "where else did they serve?", "es": "¿y dónde más sirvieron?", "nb": "hvor ellers tjenestegjorde de?"}[lang]
    # UNMISS in South Sudan had soldiers and police: their records name every mission they served in.
    assert {"military", "police"} <= _ids(answer_follow_up(store, {}, "south_sudan", lang, question))
    assert {"military", "police"} <= _ids(answer_follow_up(store, {}, "unmiss", lang, question))
    again = {"en": "is norway doing that anywhere else?", "es": "¿hace eso noruega en otros países?",
             "nb": "gjør norge det andre steder?"}[lang]
    beside = _ids(answer_follow_up(store, {}, "eln_process", lang, again))
    assert "ndfp_process" in beside and "farc_agreement" not in beside


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_place_the_answer_in_focus_names_is_answered_from_it(store: FactStore, lang: str) -> None:
    question, place = {"en": ("and ireland?", "Ireland"), "es": ("¿y Irlanda?", "Irlanda"), "nb": ("og Irland?", "Irland")}[lang]
    outcome = follow_up_outcome(store, "ask_deployments", 0.6, {"place": [place]}, "security_council", lang, question)
    assert outcome is not None and _ids(outcome) == {"security_council_contest"}
    # After an answer that does not name it, the place is one the store lacks: the topic says so.
    assert follow_up_outcome(store, "ask_deployments", 0.6, {"place": [place]}, "military", lang, question) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_after_thanks_is_answered_though_the_whole_read_as_out_of_scope(store: FactStore, lang: str) -> None:
    question = {"en": "Thanks a lot! One more thing - what did Norway do in Haiti?",
                "es": "¡Muchas gracias! Otra cosa - ¿qué hacía Noruega en Haití?",
                "nb": "Tusen takk! Et spørsmål til - hva gjorde Norge på Haiti?"}[lang]
    outcome = with_later_questions(store, Outcome((Reply(OUT_OF_SCOPE),)), question, None, lang)
    assert "minujusth" in _ids(outcome)
    joke = {"en": "tell me a joke about haiti", "es": "cuéntame un chiste sobre Haití", "nb": "fortell en vits om Haiti"}[lang]
    assert [r.response for r in with_later_questions(store, Outcome((Reply(OUT_OF_SCOPE),)), joke, None, lang).replies] == [OUT_OF_SCOPE]


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_after_a_request_for_a_language_follows_up_on_the_focus(store: FactStore, lang: str) -> None:
    question = {"en": "could you continue in English - when did the mission close?",
                "es": "¿puedes seguir en español? - cuándo cerró la misión",
                "nb": "kan du fortsette på norsk - når stengte operasjonen?"}[lang]
    assert "minusma_closed" in _ids(answer_language_switch(store, {}, lang, question, None, focus="minusma"))
    plain = {"en": "in English please", "es": "en español por favor", "nb": "på norsk, takk"}[lang]
    assert [r.response for r in answer_language_switch(store, {}, lang, plain, None, focus="minusma").replies] == [SWITCHED]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "and what replaced it?"), ("en", "is it still going?"), ("es", "¿y qué la sustituyó?"),
     ("es", "¿y sigue en marcha?"), ("nb", "og hva erstattet den?"), ("nb", "og pågår det fortsatt?")],
)
def test_sure_small_talk_yields_to_what_surely_follows_up(store: FactStore, lang: str, question: str) -> None:
    for intent in ("ask_help", "ask_bot"):
        outcome = answer_small_talk(store, intent, 0.97, {}, None, "minujusth", lang, question)
        assert "minujusth_closed" in _ids(outcome)


@pytest.mark.parametrize(
    "lang,intent,question",
    [("en", "ask_bot", "who is behind this bot then?"), ("en", "ask_help", "what else can you do?"),
     ("es", "ask_bot", "¿y quién está detrás de este bot?"), ("es", "ask_help", "¿qué más sabes hacer tú?"),
     ("nb", "ask_bot", "og hvem står bak denne boten?"), ("nb", "ask_help", "hva annet kan du gjøre?")],
)
def test_sure_small_talk_about_the_assistant_stays_small_talk(store: FactStore, lang: str, intent: str, question: str) -> None:
    outcome = answer_small_talk(store, intent, 0.97, {}, None, "minujusth", lang, question)
    assert [r.response for r in outcome.replies] == [SMALL_TALK[intent]]


@pytest.mark.parametrize(
    "lang,question,kind",
    [("en", "and the cops?", "police"), ("en", "what about the soldiers then?", "military"),
     ("es", "¿y los policías?", "police"), ("es", "¿y los soldados entonces?", "military"),
     ("nb", "og politiet da?", "police"), ("nb", "hva med soldatene?", "military")],
)
def test_a_follow_up_naming_a_kind_of_personnel_the_nlu_missed_names_it(store: FactStore, lang: str, question: str, kind: str) -> None:
    assert with_names_read(store, {}, question)["personnel"] == [kind]
    # What the NLU found stands, and a question of its own is no follow-up to read names in.
    assert with_names_read(store, {"personnel": ["civilian"]}, question)["personnel"] == ["civilian"]
    own = {"en": "how are the police officers of norway trained for missions", "es": "cómo se forma a los policías noruegos para las misiones",
           "nb": "hvordan blir politifolkene i norge trent for oppdrag"}[lang]
    assert with_names_read(store, {}, own) == {}
    outcome = answer_deployments(store, "ask_deployments", with_names_read(store, {}, question), "civilian", lang, question)
    assert kind in _ids(outcome)


@pytest.mark.parametrize(
    "lang,intent,question",
    [("en", "ask_challenges", "and what are the main challenges?"), ("en", "ask_women_peace", "and what about women in peace talks?"),
     ("es", "ask_challenges", "¿y cuáles son los principales desafíos?"), ("es", "ask_women_peace", "¿y qué hace noruega por las mujeres mediadoras?"),
     ("nb", "ask_challenges", "og hva er de viktigste utfordringene?"), ("nb", "ask_women_peace", "og hva gjør norge for kvinner i fredsarbeid?")],
)
def test_a_topics_question_opening_with_and_is_not_bent_onto_the_focus(store: FactStore, lang: str, intent: str, question: str) -> None:
    for focus in ("military", "farc_agreement", "security_council"):
        assert follow_up_outcome(store, intent, 0.7, {}, focus, lang, question) is None
    # A fragment once its opening words are set aside still builds on the focus.
    fragment = {"en": "and what about canada?", "es": "¿y qué hay de Canadá?", "nb": "og hva med Canada?"}[lang]
    assert "security_council_contest" in _ids(follow_up_outcome(store, "ask_deployments", 0.4, {}, "security_council", lang, fragment))


# --- what else points back: a reason, what came after, a name's meaning, a request for the answer again -----

@pytest.mark.parametrize("lang,question", [("en", "how come?"), ("es", "¿y por qué?"), ("nb", "hvorfor?")])
def test_a_question_word_alone_asks_the_last_answer_for_its_reason(store: FactStore, lang: str, question: str) -> None:
    assert asks.follow_up(question) and asks.builds_on(question)
    assert "disarmament" in _ids(answer_out_of_scope(store, {}, lang, question, focus="disarmament"))
    # A question word opening a question of its own is no follow-up.
    own = {"en": "why does norway care so much about the legal order", "es": "por qué le importa tanto a noruega el orden jurídico",
           "nb": "hvorfor bryr norge seg så mye om rettsordenen"}[lang]
    assert not asks.follow_up(own)


@pytest.mark.parametrize(
    "lang,question", [("en", "and what happened afterwards?"), ("es", "¿y qué pasó después?"), ("nb", "hva skjedde etterpå?")]
)
def test_what_came_after_builds_on_the_record_in_focus(store: FactStore, lang: str, question: str) -> None:
    # Taken for a help request, half sure: Haiti's mission and what replaced it.
    outcome = answer_small_talk(store, "ask_help", 0.6, {}, None, "haiti", lang, question)
    assert "minujusth_closed" in _ids(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "what does the abbreviation stand for?"), ("es", "¿qué significan esas siglas?"), ("nb", "hva betyr forkortelsen?")],
)
def test_asking_what_a_name_of_the_last_answer_means_surely_follows_up(store: FactStore, lang: str, question: str) -> None:
    assert asks.about_the_record(question)
    outcome = answer_small_talk(store, "ask_help", 0.95, {}, None, "women_peace", lang, question)
    assert "women_peace" in _ids(outcome)


@pytest.mark.parametrize(
    "lang,question", [("en", "can you repeat that in english"), ("es", "¿me lo repites en castellano?"), ("nb", "gjenta det på norsk")]
)
def test_a_request_for_a_language_pointing_back_asks_for_the_last_answer_again(store: FactStore, lang: str, question: str) -> None:
    assert "security_council" in _ids(answer_language_switch(store, {}, lang, question, [], "security_council"))
    plain = {"en": "english please", "es": "en español, por favor", "nb": "på norsk, takk"}[lang]
    assert [r.response for r in answer_language_switch(store, {}, lang, plain, [], "security_council").replies] == [SWITCHED]


# --- what a follow-up names: another kind of record, another topic, a group's peers --------------------------

@pytest.mark.parametrize(
    "lang,question", [("en", "and the police officers?"), ("es", "¿y los agentes?"), ("nb", "og politifolkene?")]
)
def test_a_kind_of_personnel_named_beside_a_topic_that_passes_over_it_is_answered(store: FactStore, lang: str, question: str) -> None:
    # The aims, half sure, for "and the police?" right after the soldiers: the aims' answer says nothing of police.
    outcome = follow_up_outcome(store, "ask_aims", 0.5, {"personnel": ["police"]}, "military", lang, question)
    assert outcome is not None and "police" in _ids(outcome)
    # The personnel topic answers the police itself.
    assert follow_up_outcome(store, "ask_deployments", 0.5, {"personnel": ["police"]}, "military", lang, question) is None


@pytest.mark.parametrize(
    "lang,question,topic",
    [("en", "and what about its objectives, is that one?", "ask_aims"), ("es", "¿y sus metas, eso está entre ellas?", "ask_aims"),
     ("nb", "og bistanden, går den til det?", "ask_development")],
)
def test_a_follow_up_naming_another_topic_by_its_name_is_that_topics(store: FactStore, lang: str, question: str, topic: str) -> None:
    assert follow_up_outcome(store, topic, 0.5, {}, "disarmament", lang, question) is None
    # Pointing back with no name of the topic, it builds on the focus.
    bare = {"en": "and is that one of them?", "es": "¿y eso es una de ellas?", "nb": "og er det en av dem?"}[lang]
    assert "disarmament" in _ids(follow_up_outcome(store, topic, 0.5, {}, "disarmament", lang, bare))


@pytest.mark.parametrize(
    "lang,question", [("en", "does it do that anywhere else?"), ("es", "¿y en otros países?"), ("nb", "andre steder?")]
)
def test_others_asked_after_a_group_are_its_process_peers(store: FactStore, lang: str, question: str) -> None:
    # The ELN stands for its peace process: elsewhere is the process in the Philippines, not other organisations.
    ids = _ids(answer_follow_up(store, {}, "eln", lang, question))
    assert "ndfp_process" in ids and not ids & {"osce", "eu", "council_of_europe"}


@pytest.mark.parametrize(
    "lang,question",
    [("en", "and the other guerrilla group, did norway help them there"), ("es", "¿y el otro grupo guerrillero, noruega ayudó allí también?"),
     ("nb", "og den andre geriljagruppen, hjalp norge der også")],
)
def test_a_longer_question_pointing_back_three_times_follows_up(store: FactStore, lang: str, question: str) -> None:
    assert asks.follow_up(question) and asks.builds_on(question, leading=False)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "and who was it norway had in that mission?"), ("es", "¿y quiénes eran los que noruega tenía en esa misión?"),
     ("nb", "og hvem var det de hadde i det oppdraget?")],
)
def test_who_norway_had_there_asks_for_its_personnel_not_a_person(store: FactStore, lang: str, question: str) -> None:
    assert "person" not in asks.asked(question)
    assert asks.asked({"en": "who was it that led it?", "es": "¿quién la dirigía?", "nb": "hvem var det som ledet den?"}[lang]) == ["person"]


@pytest.mark.parametrize(
    "lang,question", [("en", "and piracy, does it do that?"), ("es", "¿y la piratería, eso también?"), ("nb", "og piratvirksomhet, gjør de det?")]
)
def test_a_word_only_one_topics_text_holds_names_that_topic(store: FactStore, lang: str, question: str) -> None:
    # Piracy is among the aims only: after the aid programme, the aims answer it.
    assert follow_up_outcome(store, "ask_aims", 0.6, {}, "development", lang, question) is None


@pytest.mark.parametrize(
    "lang,question", [("en", "soldiers?"), ("es", "¿y policías?"), ("nb", "soldater?")]
)
def test_a_kind_of_personnel_asked_right_after_a_place_asks_of_the_place(store: FactStore, lang: str, question: str) -> None:
    # After Congo: who served there is the mission's text (civilian advisers), beside the kind's own record.
    kind = "police" if lang == "es" else "military"
    outcome = answer_deployments(store, "ask_deployments", {"personnel": [kind]}, "dr_congo", lang, question)
    assert {"monusco", kind} <= _ids(outcome) and outcome.focus == "dr_congo"
    # A question of its own about the kind is not narrowed to the place.
    own = {"en": "how are norwegian soldiers trained for un missions", "es": "cómo se entrena a los policías noruegos para misiones",
           "nb": "hvordan blir norske soldater trent for fn-oppdrag"}[lang]
    assert "monusco" not in _ids(answer_deployments(store, "ask_deployments", {"personnel": [kind]}, "dr_congo", lang, own))


@pytest.mark.parametrize("lang,question", [("en", "anything similar?"), ("es", "¿algo parecido?"), ("nb", "noe lignende?")])
def test_asking_for_something_similar_asks_for_the_records_beside(store: FactStore, lang: str, question: str) -> None:
    assert asks.asks_others(question)
    assert "eln_process" in _ids(answer_follow_up(store, {}, "farc_agreement", lang, question))


@pytest.mark.parametrize(
    "lang,question,there",
    [("en", "anything similar in africa?", "any other group in colombia?"), ("es", "¿algo parecido en asia?", "¿algún otro grupo en colombia?"),
     ("nb", "noe lignende i afrika?", "noen andre grupper i colombia?")],
)
def test_others_asked_of_another_place_are_the_records_elsewhere(store: FactStore, lang: str, question: str, there: str) -> None:
    assert "ndfp_process" in _ids(answer_follow_up(store, {}, "eln_process", lang, question))
    assert "farc_agreement" in _ids(answer_follow_up(store, {}, "eln_process", lang, there))


@pytest.mark.parametrize("lang,question", [("en", "where?"), ("es", "¿dónde servían?"), ("nb", "hvor da?")])
def test_where_alone_asks_the_last_answer_for_its_places(store: FactStore, lang: str, question: str) -> None:
    assert asks.follow_up(question) and asks.builds_on(question)
    assert "police" in _ids(answer_out_of_scope(store, {}, lang, question, focus="police"))
    # With a subject of its own it is no follow-up.
    assert not asks.follow_up({"en": "where is oslo?", "es": "¿dónde queda oslo?", "nb": "hvor ligger oslo?"}[lang])


@pytest.mark.parametrize(
    "lang,question", [("en", "anything in other continents?"), ("es", "¿y en otros continentes?"), ("nb", "andre verdensdeler?")]
)
def test_other_continents_are_other_places(lang: str, question: str) -> None:
    assert asks.asks_elsewhere(question)


@pytest.mark.parametrize("question", ["¿me lo puedes traducir al inglés?", "¿puedes repetirlo en noruego?", "dímelo en inglés"])
def test_a_spanish_pronoun_joined_to_its_verb_points_back(question: str) -> None:
    assert asks.points_back(question)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "and when did the network begin?"), ("es", "¿y cuándo nacieron las mediadoras?"), ("nb", "og når ble nettverket startet opp?")],
)
def test_a_word_of_the_record_in_focus_the_topic_lacks_builds_on_the_focus(store: FactStore, lang: str, question: str) -> None:
    # Norway's actions, half sure, right after the women mediators: the network is the focus's, not the actions'.
    outcome = follow_up_outcome(store, "ask_actions", 0.6, {}, "women_peace", lang, question)
    assert outcome is not None and "women_peace" in _ids(outcome)
    # The same question after an answer whose texts never speak of a network stays with the topic.
    assert follow_up_outcome(store, "ask_actions", 0.6, {}, "military", lang, question) is None


@pytest.mark.parametrize(
    "lang,question",
    [("en", "since when has that network been around?"), ("es", "¿y cuándo empezó a funcionar la red?"),
     ("nb", "når startet nettverket egentlig?")],
)
def test_a_question_on_time_taken_for_currency_that_speaks_of_no_information_asks_the_focus(
    store: FactStore, lang: str, question: str
) -> None:
    outcome = answer_currency(store, {}, "women_peace", lang, question)
    assert _ids(outcome) == {"women_peace"} and CURRENCY not in [r.response for r in outcome.replies]
    # Without a focus there is no record to ask it of.
    assert CURRENCY in [r.response for r in answer_currency(store, {}, None, lang, question).replies]


@pytest.mark.parametrize(
    "lang,still,of_the_record",
    [("en", "is this still true today?", "are the mediator networks still active?"),
     ("es", "¿sigue siendo así hoy?", "¿siguen activas las redes de mediadoras?"),
     ("nb", "er dette fortsatt sånn i dag?", "er nettverkene av meklere fortsatt aktive?")],
)
def test_whether_it_still_holds_is_asked_of_the_answer_unless_the_record_is_named(
    store: FactStore, lang: str, still: str, of_the_record: str
) -> None:
    # "Is this still true?" right after an answer asks how current the answer is: the page's date, the updates.
    assert [r.response for r in answer_currency(store, {}, "women_peace", lang, still).replies][0] == CURRENCY
    # Naming the record discussed (by a word of its texts, inflected or not) asks it of the record.
    outcome = answer_currency(store, {}, "women_peace", lang, of_the_record)
    assert "women_peace" in _ids(outcome) and CURRENCY not in [r.response for r in outcome.replies]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "how old is your information?"), ("es", "¿de cuándo son sus datos?"), ("nb", "hvor gammel er informasjonen din?")],
)
def test_a_question_on_how_current_the_information_is_stays_one_after_an_answer(store: FactStore, lang: str, question: str) -> None:
    assert not asks.of_a_record(question)
    assert [r.response for r in answer_currency(store, {}, "women_peace", lang, question).replies][0] == CURRENCY


@pytest.mark.parametrize(
    "lang,question",
    [("en", "in what year did that nordic network of mediators begin?"), ("es", "¿y en qué año arrancó esa red nórdica de mediadoras?"),
     ("nb", "hvilket år startet det nordiske nettverket av meklere?")],
)
def test_words_naming_the_record_in_focus_lengthen_a_follow_up(store: FactStore, lang: str, question: str) -> None:
    assert asks.follow_up(question, echoes={"nordic", "nordica", "nordiske", "network", "nettverket", "mediators", "mediadoras", "meklere"})
    outcome = answer_fallback(store, {}, lang, question, focus="women_peace")
    assert _ids(outcome) == {"women_peace"}
    assert [r.response for r in answer_fallback(store, {}, lang, question).replies] == [FOLLOW_UP_WITHOUT_FOCUS]


@pytest.mark.parametrize(
    "question",
    ["okay, and what did Norway do after that?", "vale, y qué hizo Noruega en ese caso?", "greit, og hva gjorde Norge etter det da?"],
)
def test_opening_words_that_ask_nothing_are_set_aside(question: str) -> None:
    assert asks.follow_up(question)
    # Alone they ask nothing.
    assert not asks.follow_up(question.split(",")[0])


@pytest.mark.parametrize(
    "lang,question",
    [("en", "Thanks! And the cops, how many of them were serving abroad?"), ("es", "¡Gracias! ¿Y la policía, cuántos servían fuera?"),
     ("nb", "Takk! Og politiet, hvor mange tjenestegjorde ute?")],
)
def test_a_kind_of_personnel_the_nlu_missed_in_a_longer_question_is_read_inflected(store: FactStore, lang: str, question: str) -> None:
    assert "police" in _ids(answer_deployments(store, "ask_deployments", {}, "military", lang, question))


@pytest.mark.parametrize(
    "lang,question,record",
    [("en", "Dear assistant, I would be grateful if you could inform me about the contribution of the Kingdom of Norway to peace in Colombia.", "farc_agreement"),
     ("es", "Estimado asistente: le agradecería que me informara acerca de la contribución de Noruega a la paz en Colombia.", "farc_agreement"),
     ("nb", "Kjære assistent, jeg ville satt pris på å høre om Norges bidrag til freden i Colombia.", "farc_agreement")],
)
def test_a_question_taken_for_currency_that_the_in_domain_model_hears_as_a_topic_gets_the_topic(
    store: FactStore, lang: str, question: str, record: str
) -> None:
    outcome = answer_currency(store, {"place": ["Colombia"]}, None, lang, question)
    assert record in _ids(outcome) and CURRENCY not in [r.response for r in outcome.replies]


@pytest.mark.parametrize("lang,question", [("en", "how up to date is this information?"),
                                           ("es", "¿de cuándo son estos datos?"), ("nb", "hvor oppdatert er informasjonen?")])
def test_a_question_on_time_still_gets_the_dates(store: FactStore, lang: str, question: str) -> None:
    assert [r.response for r in answer_currency(store, {}, None, lang, question).replies][0] == CURRENCY
