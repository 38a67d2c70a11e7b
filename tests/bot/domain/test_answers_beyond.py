"""Questions beyond the store: what the sources never tell is said first, and a false premise is not taken."""

from __future__ import annotations

import pytest

from bot.domain import asks
from bot.domain.clauses import entities
from bot.domain.answers import (
    FACTS, FOLLOW_UP_WITHOUT_FOCUS, LACKS, LACKS_YEAR, PREMISE, REFUSE, SENT, UNKNOWN, UNKNOWN_UNNAMED, answer_currency,
    answer_deployments, answer_fallback, answer_out_of_scope, answer_small_talk, answer_topic,
)
from bot.domain.store import FactStore
from tests.conftest import LANGS


def _first(outcome) -> str:  # type: ignore[no-untyped-def]
    return outcome.replies[0].response


def _cited(outcome) -> set[str]:  # type: ignore[no-untyped-def]
    return {i for r in outcome.replies if r.response == FACTS for i in r.values["fact_ids"].split()}


# A kind of thing no source holds, asked in each language: military equipment, arms sent abroad, bases.
NEVER_HELD = {
    "en": [("How many frigates does the Norwegian navy have?", "equipment"),
           ("Which countries does Norway export weapons to?", "arms_trade"),
           ("Are there foreign military bases in Norway?", "bases")],
    "es": [("¿Cuántos submarinos tiene Noruega?", "equipment"),
           ("¿A qué países exporta armas Noruega?", "arms_trade"),
           ("¿Tiene la OTAN bases militares en Noruega?", "bases")],
    "nb": [("Hvor mange stridsvogner har hæren?", "equipment"),
           ("Hvilke land eksporterer Norge våpen til?", "arms_trade"),
           ("Finnes det amerikanske baser i Norge?", "bases")],
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


# Kinds of fact the sources never give, asked of a record they do speak of: weapons carried, the parties to
# talks, a signature, what is to come, whether an agreement is carried out, who commands.
NEVER_TOLD = {
    "en": [("ask_deployments", {"personnel": ["military"]}, "Which guns are Norway's troops armed with?", "equipment"),
           ("ask_peace", {"process": ["discreet_talks"]}, "Between whom were the discreet talks held?", "parties"),
           ("ask_disarmament", {}, "Did Norway ratify the nuclear test ban?", "signed"),
           ("ask_nato", {}, "Will Norway stay close to NATO in the coming years?", "future"),
           ("ask_peace", {"process": ["farc_agreement"]}, "Is the FARC deal being carried out?", "current"),
           ("ask_deployments", {"mission": ["unmiss"]}, "Who is the commander of UNMISS?", "person")],
    "es": [("ask_deployments", {"personnel": ["military"]}, "¿Con qué fusiles van armados los militares noruegos?", "equipment"),
           ("ask_peace", {"process": ["discreet_talks"]}, "¿Entre quiénes fueron las conversaciones discretas?", "parties"),
           ("ask_disarmament", {}, "¿Ratificó Noruega la prohibición de ensayos nucleares?", "signed"),
           ("ask_nato", {}, "¿Noruega planea seguir en la OTAN en el futuro?", "future"),
           ("ask_peace", {"process": ["farc_agreement"]}, "¿Se cumple el acuerdo con las FARC?", "current"),
           ("ask_deployments", {"mission": ["unmiss"]}, "¿Quién comanda la UNMISS?", "person")],
    "nb": [("ask_deployments", {"personnel": ["military"]}, "Hvilke geværer bærer de norske soldatene?", "equipment"),
           ("ask_peace", {"process": ["discreet_talks"]}, "Mellom hvem gikk de diskrete samtalene?", "parties"),
           ("ask_disarmament", {}, "Har Norge ratifisert prøvestansavtalen?", "signed"),
           ("ask_nato", {}, "Kommer Norge til å bli i NATO i fremtiden?", "future"),
           ("ask_peace", {"process": ["farc_agreement"]}, "Blir FARC-avtalen fulgt opp?", "current"),
           ("ask_deployments", {"mission": ["unmiss"]}, "Hvem er sjefen for UNMISS?", "person")],
}


def _answer(store: FactStore, intent: str, named: dict, lang: str, question: str):  # type: ignore[no-untyped-def]
    """The answer of the action the intent's rule runs: the personnel topic's, or any other topic's."""
    if intent == "ask_deployments":
        return answer_deployments(store, intent, named, None, lang, question)
    return answer_topic(store, intent, named, lang, question)


@pytest.mark.parametrize("lang", LANGS)
def test_a_kind_of_fact_the_texts_never_give_is_said_first(store: FactStore, lang: str) -> None:
    for intent, named, question, kind in NEVER_TOLD[lang]:
        outcome = _answer(store, intent, named, lang, question)
        assert _first(outcome) == LACKS[kind] and outcome.replies[1].response == FACTS, question


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_texts_do_give_needs_no_preface(store: FactStore, lang: str) -> None:
    questions = {"en": ("Who were the parties to the NDFP talks?", "When was the FARC agreement signed?"),
                 "es": ("¿Cuáles eran las partes del proceso con el NDFP?", "¿Cuándo se firmó el acuerdo con las FARC?"),
                 "nb": ("Hvem var partene i NDFP-prosessen?", "Når ble FARC-avtalen signert?")}[lang]
    parties, date = questions
    assert _first(answer_topic(store, "ask_peace", {"process": ["ndfp_process"]}, lang, parties)) == FACTS
    assert _first(answer_topic(store, "ask_peace", {"process": ["farc_agreement"]}, lang, date)) == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_an_agreement_asked_of_with_an_indefinite_article_is_none_in_particular(store: FactStore, lang: str) -> None:
    question = {"en": "Have the NDFP talks led to a peace deal?", "es": "¿Las conversaciones con el NDFP llegaron a un acuerdo de paz?",
                "nb": "Endte samtalene med NDFP i en fredsavtale?"}[lang]
    named = {**entities(question, store, []), "organisation": ["ndfp"]}
    outcome = answer_topic(store, "ask_peace", named, lang, question)
    assert _first(outcome) == LACKS["result"] and _cited(outcome) == {"ndfp_process"}


# Claims the store contradicts: Norway worked against peace talks or disarmament (it facilitated and promotes them),
# holds a permanent Council seat (it was elected a non-permanent member), sent a number of troops it did not.
OTHER_PREMISES = {
    "en": [("ask_peace", "Why did Norway obstruct the NDFP process?", "ndfp_process"),
           ("ask_disarmament", "Why does Norway oppose nuclear disarmament?", "disarmament"),
           ("ask_security_council", "How long has Norway held a permanent seat on the Council?", "security_council_elected"),
           ("ask_deployments", "Why are 900 Norwegian police officers abroad?", "police")],
    "es": [("ask_peace", "¿Por qué obstaculizó Noruega el proceso con el NDFP?", "ndfp_process"),
           ("ask_disarmament", "¿Por qué vota Noruega en contra del desarme nuclear?", "disarmament"),
           ("ask_security_council", "¿Desde cuándo tiene Noruega un puesto permanente en el Consejo?", "security_council_elected"),
           ("ask_deployments", "¿Para qué hay 900 policías noruegos fuera?", "police")],
    "nb": [("ask_peace", "Hvorfor saboterte Norge NDFP-prosessen?", "ndfp_process"),
           ("ask_disarmament", "Hvorfor motarbeider Norge atomnedrustning?", "disarmament"),
           ("ask_security_council", "Hvor lenge har Norge hatt fast plass i Sikkerhetsrådet?", "security_council_elected"),
           ("ask_deployments", "Hvorfor sendte Norge 900 politifolk ut?", "police")],
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_claim_the_texts_contradict_is_not_taken(store: FactStore, lang: str) -> None:
    named = {"ask_peace": {"process": ["ndfp_process"]}, "ask_deployments": {"personnel": ["police"]}}
    for intent, question, fact in OTHER_PREMISES[lang]:
        outcome = _answer(store, intent, named.get(intent, {}), lang, question)
        assert _first(outcome) == PREMISE and fact in _cited(outcome), question


@pytest.mark.parametrize("lang", LANGS)
def test_a_figure_the_texts_give_or_a_yes_no_question_is_no_premise(store: FactStore, lang: str) -> None:
    questions = {"en": ("Why were about 30 Norwegian police officers abroad?", "Did Norway block the NDFP talks?"),
                 "es": ("¿Por qué había unos 30 policías noruegos fuera?", "¿Bloqueó Noruega las conversaciones con el NDFP?"),
                 "nb": ("Hvorfor var om lag 30 politifolk ute?", "Blokkerte Norge samtalene med NDFP?")}[lang]
    figure, yes_no = questions
    assert _first(answer_deployments(store, "ask_deployments", {"personnel": ["police"]}, None, lang, figure)) == FACTS
    assert _first(answer_topic(store, "ask_peace", {"process": ["ndfp_process"]}, lang, yes_no)) == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_or_process_the_store_lacks_is_said_first(store: FactStore, lang: str) -> None:
    organisation, process = {
        "en": ("Does Norway work with the World Bank against terrorism?", "How did Norway help the Dayton Agreement?"),
        "es": ("¿Colabora Noruega con el Banco Mundial contra el terrorismo?", "¿Cómo ayudó Noruega en los acuerdos de Dayton?"),
        "nb": ("Samarbeider Norge med Verdensbanken mot terror?", "Hvordan hjalp Norge med Dayton-avtalen?"),
    }[lang]
    outcome = answer_topic(store, "ask_development", {}, lang, organisation)
    assert _first(outcome) == UNKNOWN_UNNAMED["organisation"] and "development" in _cited(outcome)
    # A process is answered by the topic told by process, whatever topic the words leaned to.
    outcome = answer_topic(store, "ask_actions", {}, lang, process)
    assert _first(outcome) == UNKNOWN_UNNAMED["process"] and _cited(outcome) == {"peace"}


def test_no_name_of_the_store_reads_as_one_it_lacks(store: FactStore) -> None:
    for fact in store:
        for lang in LANGS:
            for name in (fact.name[lang], *fact.aliases.get(lang, ())):
                assert not asks.unknown_names(name), name


@pytest.mark.parametrize("lang", LANGS)
def test_a_country_no_text_names_is_said_first_on_any_topic_but_not_one_a_text_names(store: FactStore, lang: str) -> None:
    china, usa = {"en": ("Is China a security challenge for Norway?", "Ties with the United States?"),
                  "es": ("¿Es China un desafío de seguridad para Noruega?", "¿Lazos con Estados Unidos?"),
                  "nb": ("Er Kina en sikkerhetsutfordring for Norge?", "Bånd til USA?")}[lang]
    country = {"en": "China", "es": "China", "nb": "Kina"}[lang]
    outcome = answer_topic(store, "ask_challenges", {"place:sender": [country]}, lang, china)
    assert _first(outcome) == UNKNOWN["place"] and "challenges" in _cited(outcome)
    us = {"en": "United States", "es": "Estados Unidos", "nb": "USA"}[lang]
    assert _first(answer_topic(store, "ask_aims", {"place": [us]}, lang, usa)) == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_a_country_only_a_text_names_is_answered_by_it_saying_what_it_does_not_tell(store: FactStore, lang: str) -> None:
    kenya, canada = {"en": ("how many votes went to Kenya", "how many votes went to Canada"),
                     "es": ("cuántos votos tuvo Kenia", "cuántos votos tuvo Canadá"),
                     "nb": ("hvor mange stemmer gikk til Kenya", "hvor mange stemmer gikk til Canada")}[lang]
    outcome = answer_out_of_scope(store, {}, lang, kenya)
    assert _first(outcome) == LACKS["number"] and _cited(outcome) == {"security_council_contest"}
    outcome = answer_out_of_scope(store, {}, lang, canada)
    assert _first(outcome) == FACTS and _cited(outcome) == {"security_council_contest"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_place_the_store_lacks_is_said_first_then_what_it_holds(store: FactStore, lang: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {"place": ["Republic of the Congo"]}, None, lang)
    assert _first(outcome) == UNKNOWN["place"] and "congo" in _cited(outcome)
    outcome = answer_deployments(store, "ask_deployments", {"mission": ["UNIFIL"]}, None, lang)
    assert _first(outcome) == UNKNOWN_UNNAMED["mission"] and "deployments" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_personnel_named_inflected_or_untagged_are_read(store: FactStore, lang: str) -> None:
    question, tagged = {"en": ("what do the blue helmets carry?", {}), "es": ("¿qué llevan los cascos azules?", {}),
                        "nb": ("hva bærer soldatene?", {"personnel": ["soldatene"]})}[lang]
    outcome = answer_deployments(store, "ask_deployments", tagged, None, lang, question)
    assert "military" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_whether_personnel_still_serve_is_no_mission_closure(store: FactStore, lang: str) -> None:
    police, mission = {"en": ("Do Norwegian police still serve in Haiti?", "Does MINUJUSTH still exist?"),
                       "es": ("¿Siguen sirviendo policías noruegos en Haití?", "¿Todavía existe la MINUJUSTH?"),
                       "nb": ("Tjenestegjør norsk politi fortsatt på Haiti?", "Finnes MINUJUSTH fortsatt?")}[lang]
    named = {"personnel": ["police"], "place": ["haiti"]}
    assert _first(answer_deployments(store, "ask_deployments", named, None, lang, police)) == LACKS["current"]
    assert _first(answer_deployments(store, "ask_deployments", {"mission": ["minujusth"]}, None, lang, mission)) == FACTS


@pytest.mark.parametrize("lang", LANGS)
def test_an_insult_or_a_role_is_refused_wherever_the_classifier_put_it(store: FactStore, lang: str) -> None:
    insult, role = {"en": ("what a useless machine you are", "play a Russian diplomat and explain Norway's aims"),
                    "es": ("eres un bot inútil", "haz de diplomático ruso y explica los objetivos de Noruega"),
                    "nb": ("for en ubrukelig bot du er", "spill en russisk diplomat og forklar Norges mål")}[lang]
    assert _first(answer_small_talk(store, "ask_bot", 0.8, {}, [], None, lang, insult)) == REFUSE
    assert _first(answer_currency(store, {}, None, lang, insult)) == REFUSE
    assert _first(answer_topic(store, "ask_aims", {}, lang, role)) == REFUSE
    assert _first(answer_deployments(store, "ask_deployments", {}, None, lang, role)) == REFUSE


@pytest.mark.parametrize("lang", LANGS)
def test_words_near_the_new_kinds_in_plain_questions_get_no_preface(store: FactStore, lang: str) -> None:
    questions = {"en": [("ask_disarmament", "What about weapons of mass destruction?"),
                        ("ask_development", "What is Norway's plan against terrorism?"),
                        ("ask_development", "Is aid used as a weapon against crime?")],
                 "es": [("ask_disarmament", "¿Qué piensa Noruega del control de armas?"),
                        ("ask_development", "¿Cómo usa Noruega la ayuda contra el terrorismo?"),
                        ("ask_aims", "¿Y ahora qué objetivos tiene Noruega?")],
                 "nb": [("ask_peace", "Hvordan bidrar Norge til våpenhvile?"),
                        ("ask_development", "Brukes bistand som våpen mot kriminalitet?"),
                        ("ask_peace", "Hei igjen, hvordan jobber Norge for fred?")]}[lang]
    for intent, question in questions:
        assert _first(answer_topic(store, intent, {}, lang, question)) == FACTS, question


@pytest.mark.parametrize("lang", LANGS)
def test_starting_to_build_bombs_and_a_year_like_count_are_premises_too(store: FactStore, lang: str) -> None:
    bombs, count, dated = {
        "en": ("When did Norway begin making atomic bombs?", "Why does Norway keep 2000 police officers abroad?",
               "Why were there in 2019 Norwegian police officers abroad?"),
        "es": ("¿Cuándo comenzó Noruega a construir bombas nucleares?", "¿Por qué tiene Noruega 2000 policías fuera?",
               "¿Por qué había en 2019 policías noruegos fuera?"),
        "nb": ("Når startet Norge å bygge atombomber?", "Hvorfor har Norge 2000 politifolk ute?",
               "Hvorfor var det i 2019 norske politifolk ute?"),
    }[lang]
    assert _first(answer_topic(store, "ask_disarmament", {}, lang, bombs)) == PREMISE
    police = {"personnel": ["police"]}
    assert _first(answer_deployments(store, "ask_deployments", police, None, lang, count)) == PREMISE
    assert _first(answer_deployments(store, "ask_deployments", police, None, lang, dated)) == FACTS


# Norway as a party to a war or to a peace it facilitated; a claim before a negation; a claim stated with a full stop.
TAKEN_AS_GIVEN = {
    "en": [("ask_peace", {"place": ["colombia"]}, "Why did Norway's war against Colombia begin?", "farc_agreement"),
           ("ask_peace", {"organisation": ["eln"]}, "As Norway signed a peace deal with the ELN, was it kept?", "eln_process"),
           ("ask_disarmament", {}, "Since Norway keeps its own atomic bombs, isn't that risky?", "disarmament"),
           ("ask_security_council", {}, "Norway clearly lost the Council vote. Why was that?", "security_council_elected")],
    "es": [("ask_peace", {"place": ["colombia"]}, "¿Por qué empezó la guerra de Noruega contra Colombia?", "farc_agreement"),
           ("ask_peace", {"organisation": ["eln"]}, "Como Noruega firmó la paz con el ELN, ¿se cumplió?", "eln_process"),
           ("ask_disarmament", {}, "Como Noruega tiene sus propias bombas atómicas, ¿no es peligroso?", "disarmament"),
           ("ask_security_council", {}, "Noruega perdió la votación del Consejo. ¿Por qué pasó?", "security_council_elected")],
    "nb": [("ask_peace", {"place": ["colombia"]}, "Hvorfor startet Norges krig mot Colombia?", "farc_agreement"),
           ("ask_peace", {"organisation": ["eln"]}, "Siden Norge inngikk fred med ELN, ble avtalen holdt?", "eln_process"),
           ("ask_disarmament", {}, "Siden Norge har egne atombomber, er ikke det farlig?", "disarmament"),
           ("ask_security_council", {}, "Norge tapte jo avstemningen i rådet. Hvorfor det?", "security_council_elected")],
}


# Between whom talks were held: no text names the parties of the discreet talks.
BETWEEN = {
    "en": "the discreet talks, what countries were they between?",
    "es": "¿entre qué países fueron las conversaciones discretas?",
    "nb": "de diskrete samtalene, hvilke land var de mellom?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_war_or_peace_norway_was_party_to_and_claims_before_a_negation_or_a_full_stop_are_premises(
    store: FactStore, lang: str
) -> None:
    for intent, named, question, fact in TAKEN_AS_GIVEN[lang]:
        outcome = answer_topic(store, intent, named, lang, question)
        assert _first(outcome) == PREMISE and fact in _cited(outcome), question


@pytest.mark.parametrize("lang", LANGS)
def test_peace_norway_helped_bring_about_is_no_premise(store: FactStore, lang: str) -> None:
    question = {"en": "How did Norway help bring peace between Colombia and the FARC?",
                "es": "¿Cómo ayudó Noruega a la paz entre Colombia y las FARC?",
                "nb": "Hvordan hjalp Norge fram freden mellom Colombia og FARC?"}[lang]
    outcome = answer_topic(store, "ask_peace", {"organisation": ["farc_ep"]}, lang, question)
    assert _first(outcome) == FACTS and "farc_agreement" in _cited(outcome)


@pytest.mark.parametrize("lang", LANGS)
def test_the_parties_of_the_discreet_talks_are_said_to_be_untold_first(store: FactStore, lang: str) -> None:
    question = BETWEEN[lang]
    outcome = answer_topic(store, "ask_peace", entities(question, store, []), lang, question)
    assert _first(outcome) == LACKS["parties"] and _cited(outcome) == {"discreet_talks"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_share_of_the_economy_spent_on_defence_is_said_to_be_untold_first(store: FactStore, lang: str) -> None:
    question = {"en": "what share of GDP does norway put into defence?", "es": "¿qué porcentaje del PIB destina noruega a defensa?",
                "nb": "hvor stor del av BNP går til forsvaret?"}[lang]
    outcome = answer_topic(store, "ask_actions", {}, lang, question)
    assert _first(outcome) == LACKS["budget"] and "actions" in _cited(outcome)


UNPLACED = {
    "en": ("does norway export arms to anyone?", "and the year of it?"),
    "es": ("¿noruega exporta armas a otros países?", "¿y el año de eso?"),
    "nb": ("eksporterer Norge våpen til noen?", "og året for det?"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_kind_of_fact_no_text_gives_is_said_first_when_the_classifier_wavers_between_topics(
    store: FactStore, lang: str
) -> None:
    never, unclear = UNPLACED[lang]
    outcome = answer_fallback(store, {}, lang, never, None, None, "ask_security_council")
    assert _first(outcome) == LACKS["arms_trade"] and "security_council" in _cited(outcome)
    assert _first(answer_fallback(store, {}, lang, unclear, None, None, "ask_security_council")) == FOLLOW_UP_WITHOUT_FOCUS


@pytest.mark.parametrize(
    "lang,question",
    [("en", "is norway going for another security council seat?"), ("es", "¿buscará Noruega otro mandato en el Consejo de Seguridad?"),
     ("nb", "skal Norge inn i Sikkerhetsrådet igjen snart?")],
)
def test_a_second_bid_is_what_is_to_come_which_no_source_tells(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_security_council", {}, lang, question)
    assert _first(outcome) == LACKS["future"] and "security_council" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "is the global alliance of women mediators up and running already?"),
     ("es", "¿ya está funcionando la alianza mundial de mujeres mediadoras?"),
     ("nb", "er den globale alliansen av kvinnelige meklere allerede på plass?")],
)
def test_whether_a_2019_plan_is_done_by_now_is_what_no_source_tells(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_women_peace", {}, lang, question)
    assert _first(outcome) == LACKS["current"] and "women_peace" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "how are the peace talks with the ELN going now"), ("es", "cómo van las negociaciones con el ELN ahora"),
     ("nb", "hvordan går fredsforhandlingene med ELN nå")],
)
def test_how_a_2019_process_goes_now_is_what_no_source_tells(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_peace", {"organisation": ["ELN"]}, lang, question)
    assert _first(outcome) == LACKS["current"] and "eln_process" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "what does norway pay each year for its part in un operations?"),
     ("es", "¿cuánto paga Noruega cada año por las operaciones de la ONU?"),
     ("nb", "hvor mye penger bruker Norge på FN-oppdragene sine?")],
)
def test_money_asked_of_the_missions_counts_no_one_and_gets_the_overview(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {}, None, lang, question)
    assert _first(outcome) == LACKS["budget"]
    assert "deployments" in _cited(outcome) and "civilian" not in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "are there norwegians working for BINUH in Haiti?"), ("es", "¿hay noruegos en la BINUH de Haití?"),
     ("nb", "er det nordmenn i BINUH på Haiti?")],
)
def test_a_mission_the_store_lacks_is_said_first_then_the_place_it_is_in(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {"place": ["Haiti"]}, None, lang, question)
    assert _first(outcome) == UNKNOWN_UNNAMED["mission"]
    assert {"minujusth", "minujusth_closed"} <= _cited(outcome)


@pytest.mark.parametrize(
    "lang,question,country",
    [("en", "does norway have people in jordan?", "Jordan"), ("es", "¿tiene Noruega gente en Jordania?", "Jordania"),
     ("nb", "har Norge folk i Jordan?", "Jordan")],
)
def test_a_country_of_a_region_the_store_holds_gets_the_overview_and_the_region(
    store: FactStore, lang: str, question: str, country: str
) -> None:
    outcome = answer_deployments(store, "ask_deployments", {"place": [country]}, None, lang, question)
    assert _first(outcome) == UNKNOWN["place"]
    assert {"deployments", "untso"} <= _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "does norway have anyone in Congo-Brazzaville?"), ("es", "¿tiene Noruega a alguien en Congo-Brazzaville?"),
     ("nb", "har Norge noen i Kongo-Brazzaville?")],
)
def test_the_other_congo_by_its_capital_gets_the_text_on_the_two_congos(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_deployments(store, "ask_deployments", {}, None, lang, question)
    assert _first(outcome) == UNKNOWN["place"] and "congo" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,kenya,canada",
    [("en", "how many votes did Kenya win?", "how many votes did Canada win?"),
     ("es", "¿cuántos votos sacó Kenia?", "¿cuántos votos sacó Canadá?"),
     ("nb", "hvor mange stemmer fikk Kenya?", "hvor mange stemmer fikk Canada?")],
)
def test_a_topic_reads_what_is_asked_of_a_country_only_its_texts_name_around_the_name(
    store: FactStore, lang: str, kenya: str, canada: str
) -> None:
    outcome = answer_topic(store, "ask_security_council", {}, lang, kenya)
    assert _first(outcome) == LACKS["number"] and "security_council_contest" in _cited(outcome)
    assert _first(answer_topic(store, "ask_security_council", {}, lang, canada)) == FACTS


@pytest.mark.parametrize(
    "lang,question",
    [("en", "did norway put its signature to the nuclear weapons ban?"),
     ("es", "¿puso Noruega su firma en la prohibición de las armas nucleares?"),
     ("nb", "har Norge skrevet under avtalen om å forby atomvåpen?")],
)
def test_putting_a_signature_to_a_treaty_is_a_signature_no_source_tells(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_disarmament", {}, lang, question)
    assert _first(outcome) == LACKS["signed"] and _cited(outcome) == {"disarmament"}


@pytest.mark.parametrize(
    "lang,question",
    [("en", "as norway played no role in the FARC agreement, who facilitated it?"),
     ("es", "Como Noruega no tuvo ningún papel en el acuerdo con las FARC, ¿quién lo facilitó?"),
     ("nb", "Siden Norge ikke hadde noe med FARC-avtalen å gjøre, hvem la til rette for den?")],
)
def test_norway_as_uninvolved_in_what_it_facilitated_is_a_false_premise(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_peace", {"organisation": ["farc_ep"]}, lang, question)
    assert _first(outcome) == PREMISE and "farc_agreement" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "why would norway build up its own nuclear arsenal?"),
     ("es", "¿por qué construye Noruega su propio arsenal nuclear?"),
     ("nb", "hvorfor bygger Norge opp sitt eget atomarsenal?")],
)
def test_an_arsenal_of_its_own_built_up_is_a_false_premise(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_disarmament", {}, lang, question)
    assert _first(outcome) == PREMISE and _cited(outcome) == {"disarmament"}


@pytest.mark.parametrize(
    "lang,question,country",
    [("en", "is norway a go-between between israel and the palestinians?", "Israel"),
     ("es", "¿hace Noruega de puente entre Israel y los palestinos?", "Israel"),
     ("nb", "er Norge brobygger mellom Israel og palestinerne?", "Israel")],
)
def test_a_peace_process_the_store_lacks_taken_for_the_missions_gets_the_peace_topic(
    store: FactStore, lang: str, question: str, country: str
) -> None:
    outcome = answer_deployments(store, "ask_deployments", {"place": [country]}, None, lang, question)
    assert _first(outcome) == UNKNOWN_UNNAMED["process"] and "peace" in _cited(outcome)


@pytest.mark.parametrize(
    "lang,question",
    [("en", "what partners in particular does norway pick for closer security work?"),
     ("es", "¿qué socios en concreto escoge Noruega para trabajar más en seguridad?"),
     ("nb", "hvilke konkrete partnere velger Norge for tettere sikkerhetssamarbeid?")],
)
def test_allies_asked_by_name_where_the_texts_name_none_are_said_unnamed(store: FactStore, lang: str, question: str) -> None:
    outcome = answer_topic(store, "ask_nato", {}, lang, question)
    assert _first(outcome) == LACKS["allies"] and "nato_ties" in _cited(outcome)
