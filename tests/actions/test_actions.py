"""Every action, run with rasa-sdk's CollectingDispatcher and a fresh real Tracker."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.deployments import ActionAnswerDeployments
from actions.scope import ActionAnswerFallback, ActionAnswerOutOfScope, ActionAnswerSmallTalk
from actions.session import ActionSessionStart
from actions.topics import ActionAnswerCurrency, ActionAnswerTopic, ActionSwitchLanguage
from bot.domain.language import REQUESTED_KEY
from tests.conftest import LANGS, TrackerFactory


async def _run(action, tracker):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


@pytest.mark.parametrize("lang", LANGS)
async def test_deployments_answer_counts_with_source(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "ask_deployments", {"personnel": ["military"]})
    messages, events = await _run(ActionAnswerDeployments(), tracker)
    # The 2019 figure, then MINUSMA's closure since, then suggestions.
    assert [m["response"] for m in messages] == ["utter_fact_answer"] * 2 + ["utter_rating_ask", "utter_deployments_suggestions"]
    assert messages[1]["date"] == {"en": "30 June 2023", "es": "30 de junio de 2023", "nb": "30. juni 2023"}[lang]
    assert "45" in messages[0]["answer"] and messages[0]["date"] == "2019"
    assert {"event": "slot", "name": "focus", "value": "military", "timestamp": None} in events


@pytest.mark.parametrize("lang", LANGS)
async def test_deployments_follow_up_reads_the_focus_slot(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "ask_deployments", {}, focus="military")
    messages, _ = await _run(ActionAnswerDeployments(), tracker)
    answers = " ".join(m["answer"] for m in messages if m["response"] == "utter_fact_answer")
    assert all(m in answers for m in ("MINUSMA", "UNMISS", "UNTSO"))


@pytest.mark.parametrize("lang", LANGS)
async def test_deployments_unknown_place(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "ask_deployments", {"place": ["Lebanon"]})
    messages, events = await _run(ActionAnswerDeployments(), tracker)
    # The admission first, then what the store holds (the overview), the suggestions last; no focus is set.
    responses = [m["response"] for m in messages]
    assert responses[:2] == ["utter_deployments_unknown_place", "utter_fact_answer"]
    assert responses[-1] == "utter_deployments_suggestions"
    assert events == []


@pytest.mark.parametrize("lang", LANGS)
async def test_topic_action_answers_in_the_slot_language(make_tracker: TrackerFactory, store, lang: str) -> None:
    tracker = make_tracker(lang, "ask_women_peace")
    messages, _ = await _run(ActionAnswerTopic(), tracker)
    assert messages[0]["response"] == "utter_fact_answer"
    assert messages[0]["answer"] == store.get("women_peace").text[lang]
    assert "2015" in messages[0]["answer"]


async def test_topic_action_without_language_slot_uses_english(make_tracker: TrackerFactory, store) -> None:
    messages, _ = await _run(ActionAnswerTopic(), make_tracker(None, "ask_aims"))
    assert messages[0]["answer"] == store.get("aims").text["en"]


@pytest.mark.parametrize("lang", LANGS)
async def test_session_start_takes_the_locale(make_tracker: TrackerFactory, lang: str) -> None:
    locale = {"en": "en-GB", "es": "es-CO", "nb": "nn-NO"}[lang]
    tracker = make_tracker(None, session_started_metadata={"locale": locale})
    _, events = await _run(ActionSessionStart(), tracker)
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["name"] == "language" and events[1]["value"] == lang


@pytest.mark.parametrize("lang", LANGS)
async def test_session_start_keeps_the_previous_language(make_tracker: TrackerFactory, lang: str) -> None:
    _, events = await _run(ActionSessionStart(), make_tracker(lang))
    assert events[1]["value"] == lang


@pytest.mark.parametrize("lang", LANGS)
async def test_session_start_takes_the_locale_over_the_previous_language(make_tracker: TrackerFactory, lang: str) -> None:
    previous = next(other for other in LANGS if other != lang)
    tracker = make_tracker(previous, session_started_metadata={"locale": lang})
    _, events = await _run(ActionSessionStart(), tracker)
    assert events[1]["name"] == "language" and events[1]["value"] == lang


async def test_session_start_ignores_unsupported_locales(make_tracker: TrackerFactory) -> None:
    tracker = make_tracker(None, session_started_metadata={"language_code": "de"})
    _, events = await _run(ActionSessionStart(), tracker)
    assert [e["event"] for e in events] == ["session_started", "action"]


@pytest.mark.parametrize("lang", LANGS)
async def test_out_of_scope_action_admits_what_the_source_lacks(make_tracker: TrackerFactory, lang: str) -> None:
    question = {"en": "who is the head of minusma?", "es": "¿quién es el jefe de la minusma?", "nb": "hvem er sjefen for minusma?"}[lang]
    tracker = make_tracker(lang, "out_of_scope", {"mission": ["minusma"]}, text=question)
    messages, events = await _run(ActionAnswerOutOfScope(), tracker)
    assert [m["response"] for m in messages[:2]] == ["utter_fact_lacks_person", "utter_fact_answer"]
    assert {"event": "slot", "name": "focus", "value": "minusma", "timestamp": None} in events


@pytest.mark.parametrize("lang", LANGS)
async def test_out_of_scope_action_otherwise_says_out_of_scope(make_tracker: TrackerFactory, lang: str) -> None:
    messages, events = await _run(ActionAnswerOutOfScope(), make_tracker(lang, "out_of_scope", text="tell me a joke"))
    assert [m["response"] for m in messages] == ["utter_out_of_scope"] and events == []


@pytest.mark.parametrize("lang,sender", [("en", "Sweden"), ("es", "Francia"), ("nb", "Tyskland")])
async def test_deployments_action_reads_the_sender_role(make_tracker: TrackerFactory, lang: str, sender: str) -> None:
    tracker = make_tracker(lang, "ask_deployments", {"place": ["mali"]})
    tracker.latest_message["entities"].append({"entity": "place", "role": "sender", "value": sender})
    messages, _ = await _run(ActionAnswerDeployments(), tracker)
    assert messages[0]["response"] == "utter_deployments_only_norway"
    assert "MINUSMA" in messages[1]["answer"]


@pytest.mark.parametrize("lang", LANGS)
async def test_currency_action_reads_the_focus_and_keeps_it(make_tracker: TrackerFactory, lang: str) -> None:
    text = {"en": "are these figures still valid?", "es": "¿siguen valiendo estas cifras?", "nb": "gjelder disse tallene fortsatt?"}[lang]
    tracker = make_tracker(lang, "ask_currency", {}, focus="police", text=text)
    messages, events = await _run(ActionAnswerCurrency(), tracker)
    responses = [m["response"] for m in messages]
    assert responses[0] == "utter_currency_figures" and "utter_currency_dates" in responses
    dates = next(m for m in messages if m["response"] == "utter_currency_dates")
    assert dates["page_date"] == "2019" and dates["latest_date"] == {"en": "30 June 2023", "es": "30 de junio de 2023", "nb": "30. juni 2023"}[lang]
    assert {"event": "slot", "name": "focus", "value": "police", "timestamp": None} in events


@pytest.mark.parametrize("lang", LANGS)
async def test_a_question_that_asks_for_its_language_is_answered_after_the_switch_is_confirmed(
    make_tracker: TrackerFactory, lang: str
) -> None:
    # "En español, por favor: ¿cuántos policías había?" may be classified as the question, not as the switch.
    tracker = make_tracker(lang, "ask_deployments", {"personnel": ["police"]})
    tracker.latest_message["entities"].append({"entity": "language", "value": lang, REQUESTED_KEY: True})
    messages, _ = await _run(ActionAnswerDeployments(), tracker)
    assert [m["response"] for m in messages][:2] == ["utter_language_switched", "utter_fact_answer"]
    detected = make_tracker(lang, "ask_deployments", {"personnel": ["police"], "language": [lang]})
    messages, _ = await _run(ActionAnswerDeployments(), detected)
    assert messages[0]["response"] == "utter_fact_answer"


# --- follow-ups the classifier put elsewhere ------------------------------------------------------------

FRAGMENT = {"en": "and what year?", "es": "¿y qué año?", "nb": "og hvilket år?"}


@pytest.mark.parametrize("lang", LANGS)
async def test_the_fallback_action_follows_up_on_the_focus_or_asks_to_rephrase(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "nlu_fallback", text=FRAGMENT[lang], confidence=0.3, focus="farc_agreement")
    messages, events = await _run(ActionAnswerFallback(), tracker)
    assert messages[0]["response"] == "utter_fact_answer" and "2016" in messages[0]["answer"]
    assert {"event": "slot", "name": "focus", "value": "farc_agreement", "timestamp": None} in events
    messages, events = await _run(ActionAnswerFallback(), make_tracker(lang, "nlu_fallback", text=FRAGMENT[lang], confidence=0.3))
    assert [m["response"] for m in messages] == ["utter_fallback_rephrase"] and events == []


@pytest.mark.parametrize("lang", LANGS)
async def test_an_unsure_topic_action_answers_a_follow_up_on_another_record(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "ask_deployments", text=FRAGMENT[lang], confidence=0.6, focus="farc_agreement")
    messages, _ = await _run(ActionAnswerDeployments(), tracker)
    assert messages[0]["fact_ids"] == "farc_agreement"
    tracker = make_tracker(lang, "ask_nato", text=FRAGMENT[lang], confidence=0.6, focus="farc_agreement")
    messages, _ = await _run(ActionAnswerTopic(), tracker)
    assert messages[0]["fact_ids"] == "farc_agreement"
    # Sure of the topic, the action answers it.
    messages, _ = await _run(ActionAnswerTopic(), make_tracker(lang, "ask_nato", text=FRAGMENT[lang], focus="farc_agreement"))
    assert [m["fact_ids"] for m in messages if "fact_ids" in m] == ["nato_ties"]


@pytest.mark.parametrize("lang", LANGS)
async def test_the_small_talk_action_says_what_it_is_unless_unsure_of_a_follow_up(make_tracker: TrackerFactory, lang: str) -> None:
    tracker = make_tracker(lang, "ask_bot", text=FRAGMENT[lang], confidence=0.5, focus="women_peace")
    messages, _ = await _run(ActionAnswerSmallTalk(), tracker)
    assert messages[0]["fact_ids"] == "women_peace"
    robot = {"en": "are you a robot?", "es": "¿eres un robot?", "nb": "er du en robot?"}[lang]
    messages, events = await _run(ActionAnswerSmallTalk(), make_tracker(lang, "ask_bot", text=robot, focus="women_peace"))
    assert [m["response"] for m in messages] == ["utter_bot"] and events == []


@pytest.mark.parametrize("lang", LANGS)
async def test_a_switch_of_language_carrying_a_follow_up_answers_it_about_the_focus(make_tracker: TrackerFactory, lang: str) -> None:
    again = {"en": "could you say that in English?", "es": "¿puedes decir eso en español?", "nb": "kan du si det på norsk?"}[lang]
    messages, _ = await _run(ActionSwitchLanguage(), make_tracker(lang, "switch_language", text=again, focus="police"))
    assert messages[0]["fact_ids"] == "police"
    plain = {"en": "English please", "es": "en español, por favor", "nb": "på norsk, takk"}[lang]
    messages, _ = await _run(ActionSwitchLanguage(), make_tracker(lang, "switch_language", text=plain, focus="police"))
    assert [m["response"] for m in messages] == ["utter_language_switched"]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_peace_process_named_in_the_text_reaches_every_answer(make_tracker: TrackerFactory, lang: str) -> None:
    # The NLU has no entity for a peace process: the store's names in the text stand for one.
    asked = {"en": "tell me about the back-channel negotiations", "es": "cuéntame de los contactos discretos",
             "nb": "fortell om de diskrete forhandlingene"}[lang]
    messages, events = await _run(ActionAnswerTopic(), make_tracker(lang, "ask_peace", text=asked))
    assert messages[0]["fact_ids"] == "discreet_talks"
    assert {"event": "slot", "name": "focus", "value": "discreet_talks", "timestamp": None} in events
    who = {"en": "who runs the confidential talks?", "es": "¿quién dirige las conversaciones confidenciales?",
           "nb": "hvem leder de fortrolige samtalene?"}[lang]
    messages, _ = await _run(ActionAnswerOutOfScope(), make_tracker(lang, "out_of_scope", text=who))
    assert [m["response"] for m in messages][:2] == ["utter_fact_lacks_person", "utter_fact_answer"]
