"""A turn the action server could not serve is noted (bot/server/turn.py), with Rasa's real remote action."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.runtime.processes import free_port
from bot.server import turn as turns
from bot.server.patches import install


async def _run_unreachable() -> None:
    install()
    action = RemoteAction("action_session_start", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    domain = Domain.empty()
    tracker = DialogueStateTracker("rest:x", domain.slots)
    await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)


def test_an_unreachable_action_server_marks_the_turn() -> None:
    async def turn() -> turns.Turn:
        current = turns.begin()
        with pytest.raises(Exception, match="Couldn't connect"):
            await _run_unreachable()
        return current

    assert asyncio.run(turn()).problem == turns.UNAVAILABLE


def test_outside_a_channel_turn_a_failure_is_only_raised() -> None:
    with pytest.raises(Exception, match="Couldn't connect"):
        asyncio.run(_run_unreachable())


def test_a_rejection_is_an_answer_not_an_outage() -> None:
    async def rejecting(self: object) -> None:
        raise ActionExecutionRejection("action_answer", "no")

    async def turn() -> turns.Turn:
        current = turns.begin()
        with pytest.raises(ActionExecutionRejection):
            await turns.reported(rejecting)(object())
        return current

    assert asyncio.run(turn()).problem is None


def test_a_full_conversation_stays_full() -> None:
    current = turns.Turn()
    current.fail(turns.FULL)
    current.fail(turns.UNAVAILABLE)
    assert current.problem == turns.FULL


def test_the_turn_is_seen_by_tasks_started_within_it() -> None:
    async def inner() -> None:
        current = turns.current()
        assert current is not None
        current.fail(turns.UNAVAILABLE)

    async def outer() -> turns.Turn:
        current = turns.begin()
        # Rasa's Slack channel, for one, handles a message in a task of its own.
        await asyncio.create_task(inner())
        return current

    assert asyncio.run(outer()).problem == turns.UNAVAILABLE
