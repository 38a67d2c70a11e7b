"""Everyday wording: peace processes named in any single question, "today" asked of a topic, aid money."""

from __future__ import annotations

import pytest

from bot.domain.answers import (
    FACTS, LACKS, ONLY_NORWAY, UNKNOWN, Outcome, answer_deployments, answer_out_of_scope, answer_topic,
)
from bot.domain.clauses import entities
from bot.domain.store import FactStore
from tests.conftest import LANGS


def _ids(outcome: Outcome) -> list[str]:
    return [i for r in outcome.replies if r.response == FACTS for i in r.values["fact_ids"].split()]


QUIET_TALKS = {
    "en": ["what do you know about norway's confidential negotiations?", "tell me about the back-channel diplomacy",
           "did norway run any secret peace talks?"],
    "es": ["¿qué pasó con las negociaciones confidenciales?", "háblame de los contactos secretos de noruega",
           "¿noruega facilitó diálogos secretos?"],
    "nb": ["hva vet du om de hemmelige forhandlingene?", "fortell om de fortrolige samtalene",
           "har norge hatt diskrete fredssamtaler?"],
}


@pytest.mark.parametrize("lang,question", [(lang, q) for lang in LANGS for q in QUIET_TALKS[lang]])
def test_talks_kept_quiet_are_the_discreet_talks_in_a_single_question(store: FactStore, lang: str, question: str) -> None:
    named = entities(question, store, [])
    assert named == {"process": ["discreet_talks"]}
    outcome = answer_topic(store, "ask_peace", named, lang, question)
    assert _ids(outcome) == ["discreet_talks"] and outcome.focus == "discreet_talks"
    assert outcome.replies[0].response == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_a_process_and_an_organisation_named_together_are_both_answered(store: FactStore, lang: str) -> None:
    question = {"en": "the quiet talks and the ELN, what did norway do?",
                "es": "las conversaciones confidenciales y el ELN, ¿qué hizo noruega?",
                "nb": "de diskrete samtalene og ELN, hva gjorde norge?"}[lang]
    start = question.index("ELN")
    found = [{"entity": "organisation", "value": "eln", "start": start, "end": start + 3}]
    outcome = answer_topic(store, "ask_peace", entities(question, store, found), lang, question)
    assert {"discreet_talks", "eln_process"} <= set(_ids(outcome))


@pytest.mark.parametrize("lang", LANGS)
def test_a_place_and_a_process_named_together_are_both_answered(store: FactStore, lang: str) -> None:
    question = {"en": "what about the philippines, and the secret negotiations?",
                "es": "y lo de filipinas con las negociaciones secretas",
                "nb": "hva med filippinene og de hemmelige forhandlingene?"}[lang]
    named = {**entities(question, store, []), "place": ["philippines"]}
    assert set(_ids(answer_topic(store, "ask_peace", named, lang, question))) == {"ndfp_process", "discreet_talks"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_process_named_is_answered_whichever_topic_its_words_lean_to(store: FactStore, lang: str) -> None:
    question = {"en": "what did norway do in the confidential talks?",
                "es": "¿qué hizo noruega en las conversaciones reservadas?",
                "nb": "hva gjorde norge i de fortrolige samtalene?"}[lang]
    assert _ids(answer_topic(store, "ask_actions", entities(question, store, []), lang, question)) == ["discreet_talks"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_on_a_process_no_topic_took_says_what_its_text_lacks(store: FactStore, lang: str) -> None:
    question = {"en": "who leads the secret negotiations?", "es": "¿quién dirige las negociaciones secretas?",
                "nb": "hvem leder de hemmelige forhandlingene?"}[lang]
    outcome = answer_out_of_scope(store, entities(question, store, []), lang, question)
    assert outcome.replies[0].response == LACKS["person"] and _ids(outcome) == ["discreet_talks"]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "who mediated the FARC deal?"), ("en", "what was norway's part in the colombian peace deal?"),
     ("es", "¿quién medió en el acuerdo con las FARC?"), ("es", "el pacto con las FARC"),
     ("nb", "hvem meklet fram FARC-avtalen?"), ("nb", "fortell om fredsavtalen med FARC-geriljaen")],
)
def test_the_farc_deal_in_everyday_words_is_the_2016_agreement(store: FactStore, lang: str, question: str) -> None:
    named = entities(question, store, [])
    assert named["process"] == ["farc_agreement"]
    outcome = answer_topic(store, "ask_peace", named, lang, question)
    assert outcome.replies[0].response == FACTS and "farc_agreement" in _ids(outcome)


TODAY = {
    "en": ["what threats does norway face today?", "security risks nowadays", "what worries norway these days?"],
    "es": ["¿qué amenazas enfrenta noruega hoy?", "riesgos de seguridad hoy en día", "¿cuáles son actualmente los retos?"],
    "nb": ["hvilke trusler møter norge i dag?", "sikkerhetsrisiko for tiden", "hva er utfordringene nå for tiden?"],
}


@pytest.mark.parametrize("lang,question", [(lang, q) for lang in LANGS for q in TODAY[lang]])
def test_today_asked_of_a_topic_gets_its_text_dated_without_a_disclaimer(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_challenges", {}, lang, question)
    assert outcome.replies[0].response == FACTS and _ids(outcome) == ["challenges"]
    assert outcome.replies[0].values["answer"].startswith({"en": "In 2019", "es": "En 2019", "nb": "I 2019"}[lang])


@pytest.mark.parametrize(
    "lang,question",
    [("en", "are these still the threats?"), ("en", "is that no longer a worry anymore?"),
     ("es", "¿siguen siendo esas las amenazas?"), ("es", "¿todavía es así?"),
     ("nb", "er dette fortsatt truslene?"), ("nb", "gjelder det fremdeles?")],
)
def test_still_asked_of_a_topic_says_the_sources_cannot_tell(store: FactStore, lang: str, question: str) -> None:
    assert answer_topic(store, "ask_challenges", {}, lang, question).replies[0].response == LACKS["current"]


@pytest.mark.parametrize("lang", LANGS)
def test_today_asked_of_a_record_still_says_the_sources_cannot_tell(store: FactStore, lang: str) -> None:
    question = {"en": "is norway facilitating the ELN talks today?", "es": "¿noruega facilita hoy el proceso con el ELN?",
                "nb": "er norge tilrettelegger for ELN-prosessen i dag?"}[lang]
    outcome = answer_topic(store, "ask_peace", {"organisation": ["eln"]}, lang, question)
    assert outcome.replies[0].response == LACKS["current"]


@pytest.mark.parametrize("lang", LANGS)
def test_a_count_asked_for_today_still_says_the_sources_cannot_tell(store: FactStore, lang: str) -> None:
    question = {"en": "how many soldiers does norway have in UN missions today?",
                "es": "¿cuántos soldados tiene noruega hoy en misiones de la ONU?",
                "nb": "hvor mange soldater har norge i FN-operasjoner i dag?"}[lang]
    outcome = answer_deployments(store, "ask_deployments", {"personnel": ["military"]}, None, lang, question)
    assert outcome.replies[0].response == LACKS["current"]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "aid money and extremism"), ("en", "is aid money used to fight crime?"),
     ("es", "¿el dinero de la ayuda sirve contra el extremismo?"), ("es", "dinero de cooperación contra el crimen"),
     ("nb", "brukes bistandspenger mot terror?"), ("nb", "bistandsmidler mot ekstremisme")],
)
def test_aid_money_names_the_aid_and_asks_no_budget(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_development", {}, lang, question)
    assert outcome.replies[0].response == FACTS and _ids(outcome) == ["development"]


@pytest.mark.parametrize(
    "lang,question",
    [("en", "how much money goes to aid?"), ("en", "does norway spend aid money on this?"),
     ("es", "¿cuánto dinero da noruega en ayuda?"), ("nb", "hvor mye penger går til bistand?")],
)
def test_money_asked_as_an_amount_still_asks_a_budget(store: FactStore, lang: str, question: str) -> None:
    assert answer_topic(store, "ask_development", {}, lang, question).replies[0].response == LACKS["budget"]


# The United States as the NLU gives it: its own record's id (the synonym of "USA", "EEUU", "Washington"),
# tagged as an organisation or, through the countries' lookup, as a place.
ALLY_NAMED = {
    "en": "how close is norway's defence partnership with the USA?",
    "es": "¿qué tan estrecha es la alianza de defensa de noruega con EEUU?",
    "nb": "hvor tett er forsvarssamarbeidet mellom norge og USA?",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["organisation", "place"])
def test_the_united_states_asked_of_a_topic_is_answered_by_the_aims_and_ties_that_name_them(
    store: FactStore, lang: str, kind: str
) -> None:
    outcome = answer_topic(store, "ask_nato", {kind: ["united_states"]}, lang, ALLY_NAMED[lang])
    assert outcome.replies[0].response == FACTS
    assert {"aims", "nato_ties"} <= set(_ids(outcome)) and outcome.focus == "united_states"


@pytest.mark.parametrize("lang", LANGS)
def test_troops_in_the_united_states_are_a_place_the_store_has_nothing_on(store: FactStore, lang: str) -> None:
    question = {"en": "any norwegian soldiers in the USA?", "es": "¿hay soldados noruegos en EEUU?",
                "nb": "har norge soldater i USA?"}[lang]
    named = {"place": ["united_states"], "personnel": ["military"]}
    outcome = answer_deployments(store, "ask_deployments", named, None, lang, question)
    # Said first; Norway's figures follow as what the store does hold, never as the country's.
    assert outcome.replies[0].response == UNKNOWN["place"] and outcome.replies[0].values["name"]
    assert set(_ids(outcome)) <= {"military", "minusma_closed"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_united_states_beside_a_mission_sends_troops_there(store: FactStore, lang: str) -> None:
    # "How many US troops are in MINUSMA?": the NLU may give the country no role.
    named = {"place": ["united_states"], "mission": ["minusma"], "personnel": ["military"]}
    outcome = answer_deployments(store, "ask_deployments", named, None, lang, "")
    assert outcome.replies[0].response == ONLY_NORWAY


@pytest.mark.parametrize(
    "lang,question,process",
    [("en", "did norway host peace talks in secret?", "discreet_talks"),
     ("en", "norway's role in the colombian peace accord", "farc_agreement"),
     ("es", "¿noruega organizó negociaciones en secreto?", "discreet_talks"),
     ("es", "¿qué papel tuvo noruega en el pacto de paz?", "farc_agreement"),
     ("nb", "har norge ført forhandlinger i hemmelighet?", "discreet_talks"),
     ("nb", "hva gjorde norge for den colombianske fredspakten?", "farc_agreement")],
)
def test_talks_and_deals_in_other_everyday_words_are_the_stores_processes(
    store: FactStore, lang: str, question: str, process: str
) -> None:
    named = entities(question, store, [])
    assert named["process"] == [process]
    assert process in _ids(answer_topic(store, "ask_peace", named, lang, question))


PERSONNEL_IN_TOPIC_WORDS = {
    "en": ("ask_actions", {"personnel": ["police"]}, "how many coppers has norway shipped off around the globe?"),
    "es": ("ask_un", {"personnel": ["civilian"], "organisation": ["un"]}, "¿hay noruegos en la plantilla de la ONU?"),
    "nb": ("ask_actions", {"personnel": ["police"]}, "hvor mye purk har norge hatt ute?"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_personnel_named_in_a_topic_question_is_answered_as_norwegians_in_un_missions(store: FactStore, lang: str) -> None:
    intent, named, question = PERSONNEL_IN_TOPIC_WORDS[lang]
    outcome = answer_topic(store, intent, named, lang, question)
    assert _ids(outcome)[:1] == named["personnel"] and outcome.focus == named["personnel"][0]


@pytest.mark.parametrize("lang", LANGS)
def test_personnel_beside_a_process_or_another_organisation_keeps_the_topic(store: FactStore, lang: str) -> None:
    question = {"en": "soldiers and the FARC deal", "es": "soldados y el acuerdo con las FARC",
                "nb": "soldater og FARC-avtalen"}[lang]
    named = {"personnel": ["military"], "process": ["farc_agreement"]}
    beside_process = answer_topic(store, "ask_peace", named, lang, question)
    assert "farc_agreement" in _ids(beside_process) and "military" not in _ids(beside_process)
    beside_eu = answer_topic(store, "ask_actions", {"personnel": ["military"], "organisation": ["eu"]}, lang, question)
    assert "eu" in _ids(beside_eu) and "military" not in _ids(beside_eu)
    # "How many staff does NATO have?": not Norway's civilians in UN missions.
    beside_nato = answer_topic(store, "ask_nato", {"personnel": ["civilian"], "organisation": ["nato"]}, lang, question)
    assert "nato_ties" in _ids(beside_nato) and "civilian" not in _ids(beside_nato)
    # An organisation the store lacks ("the African Union's troops") is no UN mission either.
    elsewhere = {"personnel": ["military"], "organisation": ["african union"]}
    beside_unknown = answer_topic(store, "ask_actions", elsewhere, lang, "")
    assert "military" not in _ids(beside_unknown)


@pytest.mark.parametrize("lang,name", [("en", "Americans"), ("es", "estadounidenses"), ("nb", "amerikanerne"),
                                       ("en", "Organisation for Security and Cooperation in Europe")])
def test_everyday_names_of_an_ally_or_an_organisation_are_the_store_s(store: FactStore, lang: str, name: str) -> None:
    assert store.resolve("organisation", name) is not None


# Talks described, not named: between sides that were not negotiating yet, as the discreet talks' text tells them.
UNNAMED_TALKS = {
    "en": "did norway help parties that weren't yet negotiating?",
    "es": "¿ayudó noruega a partes que aún no negociaban?",
    "nb": "hjalp Norge parter som ennå ikke forhandlet?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_talks_between_sides_not_yet_negotiating_are_the_discreet_talks_with_no_disclaimer(store: FactStore, lang: str) -> None:
    question = UNNAMED_TALKS[lang]
    named = entities(question, store, [])
    assert named == {"process": ["discreet_talks"]}
    outcome = answer_topic(store, "ask_peace", named, lang, question)
    assert outcome.replies[0].response == FACTS and _ids(outcome) == ["discreet_talks"]


@pytest.mark.parametrize("lang", LANGS)
def test_countries_a_question_negates_are_no_talks(store: FactStore, lang: str) -> None:
    question = {"en": "which countries does norway work with?", "es": "¿con qué países no coopera noruega?",
                "nb": "hvilke land samarbeider ikke Norge med?"}[lang]
    assert "process" not in entities(question, store, [])


HAVANA = {
    "en": "what was norway's role in the havana agreement?",
    "es": "¿qué papel tuvo noruega en el acuerdo de la habana?",
    "nb": "hva gjorde Norge for Havanna-avtalen?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_agreement_named_by_the_city_it_was_negotiated_in_is_the_farc_agreement(store: FactStore, lang: str) -> None:
    assert entities(HAVANA[lang], store, []) == {"process": ["farc_agreement"]}


# An organisation named only to set it apart from what is asked: coalition operations, apart from the UN's.
SET_APART = {
    "en": "besides the UN, does norway take part in coalition operations?",
    "es": "aparte de la ONU, ¿participa noruega en operaciones de coalición?",
    "nb": "bortsett fra FN, deltar Norge i koalisjonsoperasjoner?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_set_apart_leaves_the_question_to_its_topic(store: FactStore, lang: str) -> None:
    outcome = answer_topic(store, "ask_actions", {"organisation": ["un"]}, lang, SET_APART[lang])
    assert _ids(outcome)[:1] == ["actions"] and "un_order" not in _ids(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_asked_about_is_still_answered(store: FactStore, lang: str) -> None:
    question = {"en": "does norway take part in UN operations?", "es": "¿participa noruega en operaciones de la ONU?",
                "nb": "deltar Norge i FN-operasjoner?"}[lang]
    assert "un_order" in _ids(answer_topic(store, "ask_actions", {"organisation": ["un"]}, lang, question))
