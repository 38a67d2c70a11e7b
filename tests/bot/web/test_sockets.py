"""Which socket.io events the front lets through to Rasa (bot/web/sockets.py), decided without a connection."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest

from bot.runtime.settings import Settings
from bot.web.frames import Event
from bot.web.front import Front
from bot.web.sockets import NOT_BOUND, TOO_LONG, refusal

SESSION = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"


@pytest.fixture(scope="module")
def front() -> Front:
    return Front(replace(Settings.from_env({}), web_max_message_chars=10))


@pytest.mark.parametrize(
    "event,bound,expected",
    [
        (Event("session_request", ({"session_id": SESSION},)), None, None),
        (Event("session_request", ({"session_id": None},)), None, None),
        (Event("session_request", ()), None, None),
        (Event("session_request", ({"session_id": "1"},)), None, "session ids are issued by the server"),
        (Event("user_uttered", ({"message": "x" * 10, "session_id": SESSION},)), SESSION, None),
        (Event("user_uttered", ({"message": "x" * 11, "session_id": SESSION},)), SESSION, TOO_LONG),
        (Event("user_uttered", ({"message": 5, "session_id": SESSION},)), SESSION, None),
        (Event("other_event", ({"message": "x" * 11},)), None, None),
        # A message names the socket's own session, or it does not pass: not another's, not none.
        (Event("user_uttered", ({"message": "hi", "session_id": OTHER},)), SESSION, NOT_BOUND),
        (Event("user_uttered", ({"message": "hi", "session_id": SESSION},)), None, NOT_BOUND),
        (Event("user_uttered", ({"message": "hi"},)), SESSION, NOT_BOUND),
        (Event("user_uttered", ("hi",)), SESSION, NOT_BOUND),
        (Event("user_uttered", ({"message": "x" * 11, "session_id": OTHER},)), SESSION, NOT_BOUND),
    ],
)
def test_only_issued_sessions_and_messages_within_the_limit_pass(
    front: Front, event: Event, bound: Optional[str], expected: Optional[str]
) -> None:
    assert refusal(front, event, bound) == expected
