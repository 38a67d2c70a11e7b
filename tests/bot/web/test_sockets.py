"""Which socket.io events the front lets through to Rasa (bot/web/sockets.py), decided without a connection."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.runtime.settings import Settings
from bot.web.frames import Event
from bot.web.front import Front
from bot.web.sockets import TOO_LONG, refusal

SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def front() -> Front:
    return Front(replace(Settings.from_env({}), web_max_message_chars=10))


@pytest.mark.parametrize(
    "event,expected",
    [
        (Event("session_request", ({"session_id": SESSION},)), None),
        (Event("session_request", ({"session_id": None},)), None),
        (Event("session_request", ()), None),
        (Event("session_request", ({"session_id": "1"},)), "session ids are issued by the server"),
        (Event("user_uttered", ({"message": "x" * 10, "session_id": SESSION},)), None),
        (Event("user_uttered", ({"message": "x" * 11, "session_id": SESSION},)), TOO_LONG),
        (Event("user_uttered", ({"message": 5},)), None),
        (Event("other_event", ({"message": "x" * 11},)), None),
    ],
)
def test_only_issued_sessions_and_messages_within_the_limit_pass(front: Front, event: Event, expected) -> None:  # type: ignore[no-untyped-def]
    assert refusal(front, event) == expected
