"""Running Rasa's graph node after node gives what dask gives: the same parse, the same next action."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest
from rasa.core.agent import Agent
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.graph_runner import dependency_order, run_in_order
from tests.conftest import LANGS
from tests.servers import require_model

QUESTIONS = {
    "en": ["How many Norwegian soldiers serve in UN missions?", "and the police?", "hello"],
    "es": ["¿cuántos policías noruegos hay en misiones de la ONU?", "¿y en Chipre?", "hola"],
    "nb": ["Hvor mange norske politifolk er i FN-operasjoner?", "og på Kypros?", "hei"],
}


@pytest.fixture(scope="module")
def agent() -> Iterator[Agent]:
    yield Agent.load(str(require_model()))


def both_ways(agent: Agent, monkeypatch: pytest.MonkeyPatch, work: Any) -> tuple[Any, Any]:
    with monkeypatch.context() as patched:
        patched.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
        by_dask = work()
    with monkeypatch.context() as patched:
        patched.setattr(DaskGraphRunner, "run", run_in_order)
        in_order = work()
    return by_dask, in_order


@pytest.mark.parametrize("lang", LANGS)
def test_the_parse_is_the_same(agent: Agent, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for text in QUESTIONS[lang]:
        by_dask, in_order = both_ways(agent, monkeypatch, lambda: asyncio.run(agent.parse_message(text)))
        assert in_order == by_dask


@pytest.mark.parametrize("lang", LANGS)
def test_the_next_action_is_the_same(agent: Agent, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for text in QUESTIONS[lang]:
        parse = asyncio.run(agent.parse_message(text))

        def next_action() -> Any:
            tracker = DialogueStateTracker.from_dict("s", [
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": text, "parse_data": parse},
            ], agent.domain.slots)
            prediction = agent.processor._predict_next_with_tracker(tracker)
            return prediction.max_confidence_index, prediction.policy_name

        by_dask, in_order = both_ways(agent, monkeypatch, next_action)
        assert in_order == by_dask


def test_dependencies_come_first(agent: Agent) -> None:
    schema = agent.processor.graph_runner._graph_schema
    order = dependency_order(schema, schema.target_names)
    for position, name in enumerate(order):
        assert all(need not in schema.nodes or order.index(need) < position for need in schema.nodes[name].needs.values())
