"""Resolving questions to replies: which response, which facts, which focus."""

from __future__ import annotations

import pytest

from bot.answers import ANSWER, SUGGESTIONS, UNKNOWN, answer_deployments, answer_topic, render
from bot.store import FactStore

LANGS = ["en", "es"]


@pytest.mark.parametrize("lang", LANGS)
def test_render_names_source_and_date_in_the_language(store: FactStore, lang: str) -> None:
    (reply,) = render([store.get("disarmament")], lang)
    assert reply.response == ANSWER
    assert reply.values["answer"] == store.get("disarmament").text[lang]
    assert reply.values["source"] == store.get("disarmament").source.name[lang]
    assert reply.values["as_of"] == "2019"
    assert reply.values["url"].startswith("https://")


@pytest.mark.parametrize("lang", LANGS)
def test_how_many_soldiers_gives_45_and_the_three_missions(store: FactStore, lang: str) -> None:
    answer = answer_deployments(store, {"personnel": ["soldiers" if lang == "en" else "soldados"]}, None, lang)
    assert [r.response for r in answer.replies] == [ANSWER, SUGGESTIONS["deployments"]]
    text = answer.replies[0].values["answer"]
    assert "45" in text and all(m in text for m in ("MINUSMA", "UNMISS", "UNTSO"))
    assert answer.focus == "military"


@pytest.mark.parametrize("lang", LANGS)
def test_follow_up_which_missions_uses_the_focus(store: FactStore, lang: str) -> None:
    answer = answer_deployments(store, {}, "police", lang)
    text = " ".join(r.values["answer"] for r in answer.replies if r.response == ANSWER)
    assert all(m in text for m in ("UNMISS", "UNFICYP", "MINUJUSTH", "UNMC"))
    assert "MINUSMA" not in text


@pytest.mark.parametrize("lang,place", [("en", "Haiti"), ("es", "Haití")])
def test_place_answers_with_its_missions(store: FactStore, lang: str, place: str) -> None:
    answer = answer_deployments(store, {"place": [place]}, "military", lang)
    assert "MINUJUSTH" in answer.replies[0].values["answer"]
    assert answer.focus == "haiti"


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_place_is_admitted_and_known_places_offered(store: FactStore, lang: str) -> None:
    answer = answer_deployments(store, {"place": ["Sweden"]}, None, lang)
    reply, suggestions = answer.replies
    assert suggestions.response == SUGGESTIONS["deployments"]
    assert reply.response == UNKNOWN["place"]
    assert reply.values["name"] == "Sweden"
    assert store.get("cyprus").name[lang] in reply.values["known"]
    assert answer.focus is None


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_mission_is_admitted(store: FactStore, lang: str) -> None:
    reply = answer_deployments(store, {"mission": ["UNIFIL"]}, None, lang).replies[0]
    assert reply.response == UNKNOWN["mission"]
    assert "MINUSMA" in reply.values["known"]


@pytest.mark.parametrize("lang", LANGS)
def test_no_names_and_no_focus_gives_the_overview(store: FactStore, lang: str) -> None:
    answer = answer_deployments(store, {}, None, lang)
    assert answer.replies[0].values["answer"] == store.get("deployments").text[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_topic_intent_answers_its_topic(store: FactStore, lang: str) -> None:
    answer = answer_topic(store, "ask_security_council", {}, lang)
    assert "2021-2022" in answer.replies[0].values["answer"]
    assert answer.focus == "security_council"


@pytest.mark.parametrize("lang", LANGS)
def test_organisation_narrows_the_topic(store: FactStore, lang: str) -> None:
    answer = answer_topic(store, "ask_actions", {"organisation": ["OSCE"]}, lang)
    assert answer.replies[0].values["answer"] == store.get("osce").text[lang]


@pytest.mark.parametrize("lang,place", [("en", "Philippines"), ("es", "Filipinas")])
def test_peace_in_a_place_gives_its_processes(store: FactStore, lang: str, place: str) -> None:
    answer = answer_topic(store, "ask_peace", {"place": [place]}, lang)
    assert answer.replies[0].values["answer"] == store.get("ndfp_process").text[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_organisation_is_admitted_then_the_topic_given(store: FactStore, lang: str) -> None:
    answer = answer_topic(store, "ask_actions", {"organisation": ["African Union"]}, lang)
    assert [r.response for r in answer.replies] == [UNKNOWN["organisation"], ANSWER, SUGGESTIONS["topics"]]


@pytest.mark.parametrize("lang", LANGS)
def test_unknown_place_with_a_kind_gives_no_figures_for_it(store: FactStore, lang: str) -> None:
    answer = answer_deployments(store, {"place": ["Lebanon"], "personnel": ["soldiers"]}, None, lang)
    assert [r.response for r in answer.replies] == [UNKNOWN["place"], SUGGESTIONS["deployments"]]
