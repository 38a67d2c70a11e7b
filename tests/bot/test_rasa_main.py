"""The cached check of action server replies accepts and rejects what Rasa's own does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_main

GOOD = {
    "events": [{"event": "slot", "name": "focus", "value": "military", "timestamp": None}],
    "responses": [{"response": "utter_fact_answer", "answer": "About 45."}],
}
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


def _original(result: dict) -> bool:
    from jsonschema import validate

    validate(result, RemoteAction.action_response_format_spec())
    return True


def test_accepts_a_good_reply() -> None:
    assert rasa_main._validate_action_result(None, GOOD) is True
    assert _original(GOOD)


@pytest.mark.parametrize("reply", BAD)
def test_rejects_what_rasa_rejects(reply: dict) -> None:
    with pytest.raises(ValidationError):
        _original(reply)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        rasa_main._validate_action_result(None, reply)
