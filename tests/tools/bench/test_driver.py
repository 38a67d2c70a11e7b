"""The clients count as an answer only a 200 holding at least one bot message."""

from __future__ import annotations

import json

import pytest

from tools.bench.driver import is_answer


@pytest.mark.parametrize(
    "status,body,expected",
    [
        (200, json.dumps([{"recipient_id": "a", "text": "Hi!"}]), True),
        (200, "[]", False),
        (200, "not json", False),
        (200, "{}", False),
        (500, json.dumps([{"text": "Hi!"}]), False),
    ],
)
def test_is_answer(status: int, body: str, expected: bool) -> None:
    assert is_answer(status, body) is expected
