"""The trained NLU: keywords understood, the visitor's language put on each message."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

import pytest
from rasa.core.agent import Agent, load_agent

from tests.conftest import ROOT

# Visitors often type a single name; each must reach its topic, not the rephrase prompt.
KEYWORDS = {
    "en": {"NATO": "ask_nato", "UN": "ask_un", "disarmament": "ask_disarmament", "MINUSMA": "ask_deployments"},
    "es": {"otan": "ask_nato", "onu": "ask_un", "desarme": "ask_disarmament", "MINUSMA": "ask_deployments"},
}


@pytest.fixture(scope="module")
def agent() -> Agent:
    return asyncio.run(load_agent(model_path=str(ROOT / "models/current.tar.gz")))


def parse(agent: Agent, text: str) -> Dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_single_keyword_reaches_its_topic(agent: Agent, lang: str) -> None:
    understood = {text: parse(agent, text)["intent"]["name"] for text in KEYWORDS[lang]}
    assert understood == KEYWORDS[lang]


@pytest.mark.parametrize(
    "lang, text",
    [("en", "how many police does norway have in cyprus"), ("es", "cuantos policias tiene noruega en chipre")],
)
def test_a_question_carries_its_language_and_its_place(agent: Agent, lang: str, text: str) -> None:
    entities = {(e["entity"], e["value"]) for e in parse(agent, text)["entities"]}
    assert {("language", lang), ("place", "cyprus")} <= entities


@pytest.mark.parametrize("text", ["qwzx vbnm plkj", "asdf", "??!!"])
def test_gibberish_gets_no_topic(agent: Agent, text: str) -> None:
    # Either reply says what the assistant covers; neither answers with a fact.
    assert parse(agent, text)["intent"]["name"] in {"nlu_fallback", "out_of_scope"}


# What any client can send: the NLU must give each a reply, never an exception.
DEGENERATE = {
    "empty": "",
    "whitespace": " \t\n ",
    "punctuation": "...!?¿¡",
    "emoji": "😀🙂🇳🇴",
    "control characters": "\x00\x01\x07\x1b\x7f",
    "zero-width and right-to-left marks": "\u200b\u202e\u200f\ufeff",
}


@pytest.mark.parametrize("text", list(DEGENERATE.values()), ids=list(DEGENERATE))
def test_a_text_without_usable_features_asks_to_rephrase(agent: Agent, text: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "nlu_fallback"
    assert not [e for e in parsed["entities"] if e["entity"] == "language"], "no language to detect in it"


def test_a_10000_character_text_is_classified(agent: Agent) -> None:
    text = ("How many Norwegian soldiers serve in UN missions? " * 200)[:10_000]
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "ask_deployments"
    assert ("language", "en") in {(e["entity"], e["value"]) for e in parsed["entities"]}

